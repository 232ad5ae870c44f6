#ifndef TYPEFLOW_KERNELS_SCRATCH_HPP
#define TYPEFLOW_KERNELS_SCRATCH_HPP

// Per-thread scratch buffers of the kernels that need workspace (convolution patches, batch
// statistics): each grows to the largest size asked of it and is kept, so a steady training
// step allocates nothing. One buffer per (dtype, slot): a kernel that needs two at once asks
// for two slots.

#include <cstddef>
#include <vector>

namespace typeflow::kernels {

/// A per-thread buffer of at least n values, kept for the next call.
template <class T, int Slot>
T* scratch(std::size_t n) {
  thread_local std::vector<T> buffer;
  if (buffer.size() < n) buffer.resize(n);
  return buffer.data();
}

}  // namespace typeflow::kernels

#endif
