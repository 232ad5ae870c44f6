#ifndef TYPEFLOW_CORE_TENSOR_REF_HPP
#define TYPEFLOW_CORE_TENSOR_REF_HPP

#include <array>
#include <cstddef>

namespace typeflow {

/// A row-major buffer and its dims: what kernels read and write. Owns nothing.
template <class T, std::size_t R>
struct tensor_ref {
  T* data;
  std::array<std::size_t, R> dims;

  std::size_t size() const {
    std::size_t n = 1;
    for (auto d : dims) n *= d;
    return n;
  }
};

}  // namespace typeflow

#endif
