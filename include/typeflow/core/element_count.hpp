#ifndef TYPEFLOW_CORE_ELEMENT_COUNT_HPP
#define TYPEFLOW_CORE_ELEMENT_COUNT_HPP

// The element count of run-time dims, checked where a buffer is sized from them: a product
// that does not fit (a tile of huge multiples, a fed expression of huge dims) would otherwise
// wrap around and size the buffer smaller than the loops that fill it.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "error.hpp"
#include "shape.hpp"

namespace typeflow {

/// The product of `dims`; a typeflow::error naming `what` when it, times `element_size` bytes,
/// exceeds PTRDIFF_MAX (the largest object C++ can allocate).
template <class Range>
std::size_t checked_element_count(const Range& dims, std::size_t element_size, std::string_view what) {
  std::size_t n = 1, bytes = 0;
  bool overflow = false;
  for (auto d : dims) {
    if (d == 0) return 0;  // empty, whatever the other dims
    overflow = overflow || __builtin_mul_overflow(n, static_cast<std::size_t>(d), &n);
  }
  if (overflow || __builtin_mul_overflow(n, element_size, &bytes) || bytes > PTRDIFF_MAX)
    throw error(std::string(what) + ": dims " + shape_string(dims) + " of " + std::to_string(element_size) +
                "-byte elements: more than " + std::to_string(PTRDIFF_MAX) + " bytes, the most one buffer can hold");
  return n;
}

}  // namespace typeflow

#endif
