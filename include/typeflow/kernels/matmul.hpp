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
#include <cstdint>
#include <type_traits>
#include <utility>

#include "gemm.hpp"
#include "simd.hpp"

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

/// Lane l of the J-th of M batches of L lanes holds b[(J L + l) / M]: b spread to match M
/// interleaved columns (a swizzle's indices).
template <std::size_t M, std::size_t L, std::size_t J>
struct spread_index {
  static constexpr std::uint32_t get(std::size_t l, std::size_t) { return static_cast<std::uint32_t>((J * L + l) / M); }
};

// g++ 12.2 reports the undefined source register of the AVX-512 swizzle's intrinsic as
// uninitialized once it is inlined here (GCC PR 105593, as kernels/simd.hpp says): a false
// positive, silenced for this function, whose inlining stack the pragma covers.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

/// out = a^T b for a (k x M) with a small M known at compile time: M sums over k. In SIMD, L
/// rows of a are M whole batches of L lanes; each is multiplied by L values of b spread to
/// match (a swizzle of one load), into M accumulators whose lanes belong to the columns in
/// turn. Two sets of accumulators hide the latency of the multiply-adds. Lane e of the M L
/// holds a part of column e mod M; M L is M times a power of two, so halving the lanes
/// (lane e + half onto lane e, the same column) leaves the M sums in M vector adds' time,
/// where adding lane by lane took 390 instructions: the whole step at 1 to 16 rows.
template <std::size_t M, class T>
void columns_dot(const T* __restrict a, const T* __restrict b, T* __restrict out, std::size_t k) {
  T sum[M] = {};
  std::size_t p = 0;
#if XSIMD_WITH_SSE2 || XSIMD_WITH_NEON64
  if constexpr (std::is_same_v<T, float> || std::is_same_v<T, double>) {
    using batch = xsimd::batch<T>;
    using index = xsimd::batch<std::conditional_t<sizeof(T) == 4, std::uint32_t, std::uint64_t>>;
    constexpr std::size_t L = batch::size;
    if (k >= L) {  // else no whole batch, and nothing to fold
      batch acc[2][M];
      for (auto& set : acc)
        for (auto& v : set) v = batch(T(0));
      const auto rows = [&]<std::size_t... J>(std::size_t at, batch(&set)[M], std::index_sequence<J...>) {
        const batch bv = batch::load_unaligned(b + at);
        ((set[J] = xsimd::fma(batch::load_unaligned(a + at * M + J * L),
                              xsimd::swizzle(bv, xsimd::make_batch_constant<index, spread_index<M, L, J>>()), set[J])),
         ...);
      };
      for (; p + 2 * L <= k; p += 2 * L) {
        rows(p, acc[0], std::make_index_sequence<M>{});
        rows(p + L, acc[1], std::make_index_sequence<M>{});
      }
      for (; p + L <= k; p += L) rows(p, acc[0], std::make_index_sequence<M>{});
      alignas(batch::arch_type::alignment()) T lanes[M * L];
      for (std::size_t j = 0; j < M; ++j) (acc[0][j] + acc[1][j]).store_aligned(lanes + j * L);
      for (std::size_t half = M * L / 2; half >= M; half /= 2)
        for (std::size_t e = 0; e < half; ++e) lanes[e] += lanes[e + half];
      for (std::size_t i = 0; i < M; ++i) sum[i] = lanes[i];
    }
  }
#endif
  for (; p < k; ++p)
    for (std::size_t i = 0; i < M; ++i) sum[i] += a[p * M + i] * b[p];
  for (std::size_t i = 0; i < M; ++i) out[i] = sum[i];
}

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

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
/// op(b) is k x n (b stored n x k when TransposeB). `packed`, where not null, is op(b) packed
/// for the GEMM already (gemm::packed_b: a constant weight); the other paths read b.
template <bool TransposeA, bool TransposeB, class T>
void matmul(const T* __restrict a, const T* __restrict b, T* __restrict out, std::size_t m, std::size_t n,
            std::size_t k, const gemm::packed_b<T>* packed = nullptr) {
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
    gemm::gemm<TransposeA, TransposeB>(a, b, out, m, n, k, packed);
  }
}

}  // namespace typeflow::kernels

#endif
