#ifndef TYPEFLOW_KERNELS_MATMUL_HPP
#define TYPEFLOW_KERNELS_MATMUL_HPP

// Matrix product on raw row-major buffers: the packed, register-blocked GEMM of gemm.hpp,
// with direct paths where packing costs more than it saves: a column result (n == 1: the
// regression's x W and x^T g) and a row result (m == 1), where the product is a
// matrix-vector one and every element of the matrix is used once. The output never
// overlaps the inputs (it is the node's own buffer): hence __restrict. Nothing here knows
// about graphs or xtensor.
//
// Built with -Dcblas=true (TYPEFLOW_USE_CBLAS), products of at least cblas_min_flops
// multiply-adds go to cblas_sgemm / cblas_dgemm instead.

#include <algorithm>
#include <cstddef>
#include <type_traits>
#include <utility>

#include "gemm.hpp"

#if defined(TYPEFLOW_USE_CBLAS)
#include <cblas.h>
#endif

namespace typeflow::kernels {

namespace detail {

/// out(i) = row i of a (K values) . b, for a small K known at compile time: the rows are
/// interleaved groups of K, which the compiler vectorises over i.
template <std::size_t K, class T>
void rows_dot(const T* __restrict a, const T* __restrict b, T* __restrict out, std::size_t m) {
  T bk[K];
  for (std::size_t p = 0; p < K; ++p) bk[p] = b[p];
  for (std::size_t i = 0; i < m; ++i) {
    T acc = 0;
    for (std::size_t p = 0; p < K; ++p) acc += a[i * K + p] * bk[p];
    out[i] = acc;
  }
}

/// out = a^T b for a (k x M) with a small M known at compile time: M sums over k, each
/// split into partial sums so the loop vectorises.
template <std::size_t M, class T>
void columns_dot(const T* __restrict a, const T* __restrict b, T* __restrict out, std::size_t k) {
  constexpr std::size_t lanes = 8;
  T acc[M][lanes] = {};
  std::size_t p = 0;
  for (; p + lanes <= k; p += lanes)
    for (std::size_t l = 0; l < lanes; ++l)
      for (std::size_t i = 0; i < M; ++i) acc[i][l] += a[(p + l) * M + i] * b[p + l];
  for (std::size_t i = 0; i < M; ++i) {
    T sum = 0;
    for (std::size_t l = 0; l < lanes; ++l) sum += acc[i][l];
    for (std::size_t q = p; q < k; ++q) sum += a[q * M + i] * b[q];
    out[i] = sum;
  }
}

/// Calls f(std::integral_constant<std::size_t, N>) when 1 <= n <= 8; returns whether it did.
template <class F>
bool with_small(std::size_t n, F&& f) {
  // clang-format off
  return [&]<std::size_t... N>(std::index_sequence<N...>) {
    return ((n == N + 1 ? (f(std::integral_constant<std::size_t, N + 1>{}), true) : false) || ...);
  }(std::make_index_sequence<8>{});
  // clang-format on
}

}  // namespace detail

#if defined(TYPEFLOW_USE_CBLAS)
/// Below this many multiply-adds the CBLAS call costs more than it saves.
inline constexpr std::size_t cblas_min_flops = 64 * 64 * 64;
#endif

/// out[m x n] = op(a) * op(b), where op(a) is m x k (a stored k x m when TransposeA) and
/// op(b) is k x n (b stored n x k when TransposeB).
template <bool TransposeA, bool TransposeB, class T>
void matmul(const T* __restrict a, const T* __restrict b, T* __restrict out, std::size_t m, std::size_t n,
            std::size_t k) {
  if (n == 1 && !TransposeA) {
    // out(i) = row i of a . b (b is a column, contiguous whether or not it is transposed).
    if (detail::with_small(k, [&](auto K) { detail::rows_dot<K()>(a, b, out, m); })) return;
    for (std::size_t i = 0; i < m; ++i) {
      const T* ai = a + i * k;
      T acc = 0;
      for (std::size_t p = 0; p < k; ++p) acc += ai[p] * b[p];
      out[i] = acc;
    }
  } else if (n == 1) {
    // out = a^T b: row p of a, scaled by b(p), added to out; contiguous over i.
    if (detail::with_small(m, [&](auto M) { detail::columns_dot<M()>(a, b, out, k); })) return;
    std::fill(out, out + m, T(0));
    for (std::size_t p = 0; p < k; ++p) {
      const T s = b[p];
      const T* ap = a + p * m;
      for (std::size_t i = 0; i < m; ++i) out[i] += ap[i] * s;
    }
  } else if (m == 1) {
    // A row result: a is a contiguous k-vector whether or not it is transposed.
    if constexpr (!TransposeB) {
      // Row p of b, scaled by a(p), added to out; contiguous over j.
      std::fill(out, out + n, T(0));
      for (std::size_t p = 0; p < k; ++p) {
        const T s = a[p];
        const T* bp = b + p * n;
        for (std::size_t j = 0; j < n; ++j) out[j] += s * bp[j];
      }
    } else {
      // out(j) = a . row j of b; rows_dot is that product with the roles swapped.
      matmul<false, false>(b, a, out, n, 1, k);
    }
  } else {
#if defined(TYPEFLOW_USE_CBLAS)
    if constexpr (std::is_same_v<T, float> || std::is_same_v<T, double>) {
      if (m * n * k >= cblas_min_flops) {
        const auto ta = TransposeA ? CblasTrans : CblasNoTrans, tb = TransposeB ? CblasTrans : CblasNoTrans;
        const int mi = static_cast<int>(m), ni = static_cast<int>(n), ki = static_cast<int>(k);
        const int lda = TransposeA ? mi : ki, ldb = TransposeB ? ki : ni;
        if constexpr (std::is_same_v<T, float>)
          cblas_sgemm(CblasRowMajor, ta, tb, mi, ni, ki, 1.0f, a, lda, b, ldb, 0.0f, out, ni);
        else cblas_dgemm(CblasRowMajor, ta, tb, mi, ni, ki, 1.0, a, lda, b, ldb, 0.0, out, ni);
        return;
      }
    }
#endif
    gemm::gemm<TransposeA, TransposeB>(a, b, out, m, n, k);
  }
}

}  // namespace typeflow::kernels

#endif
