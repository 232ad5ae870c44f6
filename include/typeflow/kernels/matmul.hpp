#ifndef TYPEFLOW_KERNELS_MATMUL_HPP
#define TYPEFLOW_KERNELS_MATMUL_HPP

// Matrix product on raw row-major buffers. The loop orders keep the innermost loop
// contiguous so that the compiler vectorises it (-O2 -march=native); nothing here knows
// about graphs or xtensor.

#include <algorithm>
#include <cstddef>

namespace typeflow::kernels {

/// out[m x n] = op(a) * op(b), where op(a) is m x k (a stored k x m when TransposeA) and
/// op(b) is k x n (b stored n x k when TransposeB).
template <bool TransposeA, bool TransposeB, class T>
void matmul(const T* a, const T* b, T* out, std::size_t m, std::size_t n, std::size_t k) {
  auto at = [&](std::size_t i, std::size_t p) { return TransposeA ? a[p * m + i] : a[i * k + p]; };
  if constexpr (!TransposeB) {
    // Row i of out accumulates a(i, p) * row p of b: contiguous in b and out.
    std::fill(out, out + m * n, T(0));
    for (std::size_t i = 0; i < m; ++i) {
      T* o = out + i * n;
      for (std::size_t p = 0; p < k; ++p) {
        const T s = at(i, p);
        const T* bp = b + p * n;
        for (std::size_t j = 0; j < n; ++j) o[j] += s * bp[j];
      }
    }
  } else if constexpr (!TransposeA) {
    // out(i, j) is the dot product of row i of a with row j of b: both contiguous.
    for (std::size_t i = 0; i < m; ++i)
      for (std::size_t j = 0; j < n; ++j) {
        const T* ai = a + i * k;
        const T* bj = b + j * k;
        T acc = 0;
        for (std::size_t p = 0; p < k; ++p) acc += ai[p] * bj[p];
        out[i * n + j] = acc;
      }
  } else {
    // a^T b^T: row p of a is contiguous over i; b(j, p) is strided (rare in practice).
    std::fill(out, out + m * n, T(0));
    for (std::size_t p = 0; p < k; ++p)
      for (std::size_t i = 0; i < m; ++i) {
        const T s = a[p * m + i];
        for (std::size_t j = 0; j < n; ++j) out[i * n + j] += s * b[j * k + p];
      }
  }
}

}  // namespace typeflow::kernels

#endif
