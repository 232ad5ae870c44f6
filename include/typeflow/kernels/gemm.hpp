#ifndef TYPEFLOW_KERNELS_GEMM_HPP
#define TYPEFLOW_KERNELS_GEMM_HPP

// General matrix product C = op(A) op(B) on row-major buffers, GotoBLAS/BLIS style:
// op(B) is packed into slivers of NR columns (KC x NR each, contiguous and aligned), and a
// register-blocked micro-kernel on xsimd batches computes one MR x NR tile of C per call from
// one sliver of B and MR rows of op(A). The kernel reads A where it is, rows or columns
// contiguous, so one micro-kernel serves the four transpose cases; A stored transposed is
// packed into slivers of MR rows when many B slivers reuse it (see gemm_block).
// Edge tiles: a narrow sliver is zero-padded to whole vectors and its last vector loaded and
// stored with masks (AVX-512); a tile shorter than MR runs micro-kernels of fewer rows
// (8, 4, 2, 1). A^T B with fewer than 13 columns has a path of its own (narrow_transposed_a).
// Nothing here knows about graphs or xtensor.
//
// Threads: gemm_block computes the rectangle [row_begin, row_end) x [col_begin, col_end) of C
// and touches nothing else, with its own (thread_local) packing buffers, so disjoint
// rectangles can run on different threads; gemm splits large products so.

#include <algorithm>
#include <cstddef>
#include <new>
#include <type_traits>
#include <utility>
#include <vector>

#include "../core/thread_pool.hpp"
#include "simd.hpp"

namespace typeflow::kernels::gemm {

/// Register and cache blocking for element type T.
///
/// Micro-tile: with AVX-512 (32 vector registers) MR = 12 rows by NR = 2 vectors holds 24
/// accumulators, plus two B vectors and one broadcast A value; with 16 registers (AVX2, SSE)
/// 6 by 2 (12 accumulators). Caches (L1d 32-48 KiB, L2 1-2 MiB per core on the x86 machines
/// measured): an A sliver (MR x KC, 12 KiB for floats) stays in L1 while the B slivers of the
/// panel stream past it from L2, each KC x NR x sizeof(T) = 32 KiB (KC = 256 for float and
/// double); the packed B panel (KC x NC) is 512 KiB, to stay in L2 across all the A slivers
/// of the block. Measured on 512^3 to 2048^3 (benchmarks/README.md, "GEMM"): KC = 128 no faster,
/// KC = 512 slower, and the opposite order, a B sliver kept in L1 while A slivers stream past it,
/// 5-25% slower. MC bounds the packed A block (MC x KC: 384 KiB).
template <class T>
struct blocking {
  using batch = xsimd::batch<T>;
  static constexpr std::size_t lanes = batch::size;
  static constexpr bool many_registers = sizeof(batch) == 64;
  static constexpr std::size_t mr = many_registers ? 12 : 6;
  static constexpr std::size_t nv = 2;
  static constexpr std::size_t nr = nv * lanes;
  static constexpr std::size_t kc = 32768 / (nr * sizeof(T));
  static constexpr std::size_t mc = mr * (393216 / (mr * kc * sizeof(T)));
  static constexpr std::size_t nc = nr * (524288 / (nr * kc * sizeof(T)));
};

namespace detail {

/// f(integral_constant<I>) for I = 0 .. N-1, unrolled.
template <std::size_t N, class F>
[[gnu::always_inline]] inline void unroll(F&& f) {
  // clang-format off
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    (f(std::integral_constant<std::size_t, I>{}), ...);
  }(std::make_index_sequence<N>{});
  // clang-format on
}

/// The first `count` (< lanes) elements at p as a batch, the rest zero; only those are read.
template <class T>
[[gnu::always_inline]] inline xsimd::batch<T> load_partial(const T* p, std::size_t count) {
#if defined(__AVX512F__)
  if constexpr (sizeof(xsimd::batch<T>) == 64) {
    if constexpr (std::is_same_v<T, float>) return _mm512_maskz_loadu_ps(static_cast<__mmask16>((1u << count) - 1), p);
    else return _mm512_maskz_loadu_pd(static_cast<__mmask8>((1u << count) - 1), p);
  }
#endif
  alignas(64) T tmp[xsimd::batch<T>::size] = {};
  for (std::size_t j = 0; j < count; ++j) tmp[j] = p[j];
  return xsimd::batch<T>::load_aligned(tmp);
}

/// Stores the first `count` (< lanes) elements of x at p; writes nothing else.
template <class T>
[[gnu::always_inline]] inline void store_partial(T* p, const xsimd::batch<T>& x, std::size_t count) {
#if defined(__AVX512F__)
  if constexpr (sizeof(xsimd::batch<T>) == 64) {
    if constexpr (std::is_same_v<T, float>) _mm512_mask_storeu_ps(p, static_cast<__mmask16>((1u << count) - 1), x);
    else _mm512_mask_storeu_pd(p, static_cast<__mmask8>((1u << count) - 1), x);
    return;
  }
#endif
  alignas(64) T tmp[xsimd::batch<T>::size];
  x.store_aligned(tmp);
  for (std::size_t j = 0; j < count; ++j) p[j] = tmp[j];
}

/// op(A) element (r, p) of a block starting at `a`: `rows` when row r is contiguous (a[r * ld + p],
/// A as stored, untransposed), `cols` when column p is (a[p * ld + r]: a packed sliver, ld = MR,
/// or A stored transposed, ld = m).
enum class layout { rows, cols };

/// C[R x ncols] (+)= A[R x kc] B[kc x V*lanes], B a packed sliver (row stride V * lanes).
template <class T, std::size_t R, std::size_t V, layout L>
void micro_kernel(std::size_t kc, const T* __restrict a, std::size_t lda, const T* __restrict b, T* __restrict c,
                  std::size_t ldc, std::size_t ncols, bool accumulate) {
  using batch = xsimd::batch<T>;
  constexpr std::size_t lanes = batch::size;
  batch acc[R][V];
  unroll<R>([&](auto r) { unroll<V>([&](auto v) { acc[r][v] = batch(T(0)); }); });
  for (std::size_t p = 0; p < kc; ++p) {
    batch bv[V];
    unroll<V>([&](auto v) { bv[v] = batch::load_aligned(b + v * lanes); });
    unroll<R>([&](auto r) {
      const batch ar(L == layout::cols ? a[r] : a[r * lda]);
      unroll<V>([&](auto v) { acc[r][v] = xsimd::fma(ar, bv[v], acc[r][v]); });
    });
    a += L == layout::cols ? lda : 1;
    b += V * lanes;
  }
  if (ncols == V * lanes) {
    unroll<R>([&](auto r) {
      unroll<V>([&](auto v) {
        T* cp = c + r * ldc + v * lanes;
        (accumulate ? acc[r][v] + batch::load_unaligned(cp) : acc[r][v]).store_unaligned(cp);
      });
    });
  } else {
    // The last vector is partial: whole vectors before it, then a masked store.
    const std::size_t rest = ncols - (V - 1) * lanes;
    unroll<R>([&](auto r) {
      unroll<V - 1>([&](auto v) {
        T* cp = c + r * ldc + v * lanes;
        (accumulate ? acc[r][v] + batch::load_unaligned(cp) : acc[r][v]).store_unaligned(cp);
      });
      T* cp = c + r * ldc + (V - 1) * lanes;
      store_partial(cp, accumulate ? acc[r][V - 1] + load_partial(cp, rest) : acc[r][V - 1], rest);
    });
  }
}

/// One tile of at most MR rows and NR columns: the full micro-kernel, or for a short tile
/// micro-kernels of 8, 4, 2 and 1 rows (fewer instantiations than one per height).
template <class T, layout L, std::size_t V>
void tile_rows(std::size_t kc, const T* a, std::size_t lda, const T* b, T* c, std::size_t ldc, std::size_t rows,
               std::size_t ncols, bool accumulate) {
  constexpr std::size_t mr = blocking<T>::mr;
  if (rows == mr) return micro_kernel<T, mr, V, L>(kc, a, lda, b, c, ldc, ncols, accumulate);
  auto part = [&](auto h) {
    if (rows & h) {
      micro_kernel<T, h(), V, L>(kc, a, lda, b, c, ldc, ncols, accumulate);
      a += L == layout::cols ? h() : h() * lda;
      c += h() * ldc;
    }
  };
  if constexpr (mr > 8) part(std::integral_constant<std::size_t, 8>{});
  part(std::integral_constant<std::size_t, 4>{});
  part(std::integral_constant<std::size_t, 2>{});
  part(std::integral_constant<std::size_t, 1>{});
}

template <class T, layout L>
void tile(std::size_t kc, const T* a, std::size_t lda, const T* b, T* c, std::size_t ldc, std::size_t rows,
          std::size_t ncols, bool accumulate) {
  static_assert(blocking<T>::nv == 2);
  if (ncols > blocking<T>::lanes) tile_rows<T, L, 2>(kc, a, lda, b, c, ldc, rows, ncols, accumulate);
  else tile_rows<T, L, 1>(kc, a, lda, b, c, ldc, rows, ncols, accumulate);
}

/// Packs op(A)[i0 : i0 + mc, p0 : p0 + kc] for A stored k x m (op(A)(i, p) = a[p * m + i]) as
/// slivers of MR rows: sliver s holds element (r, p) at dst[(s * kc + p) * MR + r], rows past
/// mc zero.
template <class T>
void pack_transposed_a(const T* __restrict a, std::size_t m, std::size_t i0, std::size_t mc, std::size_t p0,
                       std::size_t kc, T* __restrict dst) {
  constexpr std::size_t mr = blocking<T>::mr;
  for (std::size_t s = 0; s < mc; s += mr, dst += kc * mr) {
    const std::size_t rows = std::min(mr, mc - s);
    for (std::size_t p = 0; p < kc; ++p) {
      const T* src = a + (p0 + p) * m + i0 + s;
      T* d = dst + p * mr;
      for (std::size_t r = 0; r < rows; ++r) d[r] = src[r];
      for (std::size_t r = rows; r < mr; ++r) d[r] = T(0);
    }
  }
}

/// Packs op(B)[p0 : p0 + kc, j0 : j0 + nc] as slivers of NR columns: sliver s holds element
/// (p, j) at dst[s * kc * NR + p * w + j], w = NR but for a last sliver narrower than NR, whose
/// width w is rounded up to whole vectors only; columns past nc are zero.
template <bool TransposeB, class T>
void pack_b(const T* __restrict b, std::size_t n, std::size_t k, std::size_t p0, std::size_t kc, std::size_t j0,
            std::size_t nc, T* __restrict dst) {
  using batch = xsimd::batch<T>;
  constexpr std::size_t nr = blocking<T>::nr, lanes = batch::size;
  for (std::size_t s = 0; s < nc; s += nr, dst += kc * nr) {
    const std::size_t cols = std::min(nr, nc - s), w = (cols + lanes - 1) / lanes * lanes;
    if constexpr (!TransposeB) {
      // B stored k x n: a row of the sliver is contiguous.
      for (std::size_t p = 0; p < kc; ++p) {
        const T* src = b + (p0 + p) * n + j0 + s;
        T* d = dst + p * w;
        if (cols == nr) {
          for (std::size_t v = 0; v < nr; v += lanes) batch::load_unaligned(src + v).store_aligned(d + v);
        } else {
          const std::size_t v = cols / lanes * lanes;
          for (std::size_t u = 0; u < v; u += lanes) batch::load_unaligned(src + u).store_aligned(d + u);
          if (v < w) load_partial(src + v, cols - v).store_aligned(d + v);
        }
      }
    } else {
      // B stored n x k: op(B)(p, j) = b[j * k + p], contiguous over p.
#if defined(__AVX512F__)
      // A transpose: one gather per vector of the sliver's row (2-3x the scalar copy).
      if constexpr (sizeof(batch) == 64) {
        if ((n + lanes) * k < (std::size_t(1) << 31)) {
          const T* src = b + (j0 + s) * k + p0;
          for (std::size_t v = 0; v < w; v += lanes) {
            const std::size_t count = std::min(lanes, cols - v);
            if constexpr (std::is_same_v<T, float>) {
              const __m512i idx = _mm512_mullo_epi32(
                  _mm512_add_epi32(_mm512_set1_epi32(static_cast<int>(v)),
                                   _mm512_set_epi32(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0)),
                  _mm512_set1_epi32(static_cast<int>(k)));
              const auto mask = static_cast<__mmask16>((1u << count) - 1);
              for (std::size_t p = 0; p < kc; ++p)
                _mm512_store_ps(dst + p * w + v, _mm512_mask_i32gather_ps(_mm512_setzero_ps(), mask, idx, src + p, 4));
            } else {
              const __m256i idx = _mm256_mullo_epi32(
                  _mm256_add_epi32(_mm256_set1_epi32(static_cast<int>(v)), _mm256_set_epi32(7, 6, 5, 4, 3, 2, 1, 0)),
                  _mm256_set1_epi32(static_cast<int>(k)));
              const auto mask = static_cast<__mmask8>((1u << count) - 1);
              for (std::size_t p = 0; p < kc; ++p)
                _mm512_store_pd(dst + p * w + v, _mm512_mask_i32gather_pd(_mm512_setzero_pd(), mask, idx, src + p, 8));
            }
          }
          continue;
        }
      }
#endif
      for (std::size_t j = 0; j < cols; ++j) {
        const T* src = b + (j0 + s + j) * k + p0;
        for (std::size_t p = 0; p < kc; ++p) dst[p * w + j] = src[p];
      }
      for (std::size_t p = 0; p < kc; ++p)
        for (std::size_t j = cols; j < w; ++j) dst[p * w + j] = T(0);
    }
  }
}

/// A 64-byte aligned buffer that grows only when a larger one is asked for.
template <class T>
class pack_buffer {
 public:
  pack_buffer() = default;
  pack_buffer(const pack_buffer&) = delete;
  pack_buffer& operator=(const pack_buffer&) = delete;
  ~pack_buffer() { release(); }

  T* get(std::size_t n, std::size_t max) {
    if (n > size_) {
      release();
      // Grow geometrically (up to the block size) so a sequence of growing products does not
      // reallocate each time.
      size_ = std::max(n, std::min(2 * size_, max));
      data_ = static_cast<T*>(::operator new (size_ * sizeof(T), std::align_val_t{64}));
    }
    return data_;
  }

 private:
  void release() {
    if (data_) ::operator delete (data_, std::align_val_t{64});
    data_ = nullptr;
  }
  T* data_ = nullptr;
  std::size_t size_ = 0;
};

/// This thread's buffers for a packed A block and a packed B panel.
template <class T>
struct pack_buffers {
  pack_buffer<T> a, b;
};
template <class T>
pack_buffers<T>& thread_buffers() {
  thread_local pack_buffers<T> buffers;
  return buffers;
}

/// C = A^T op(B) for A stored k x m and C narrower than a vector (N columns): the tile-based
/// path would fill N of each vector's lanes. Here the vectors run down the columns of C, read
/// straight from A's rows, and each block of C is transposed through a small buffer on the
/// way out. Rows [i0, i1) of C only.
template <bool TransposeB, std::size_t N, class T>
void narrow_transposed_a(const T* __restrict a, const T* __restrict b, T* __restrict c, std::size_t m, std::size_t k,
                         std::size_t i0, std::size_t i1) {
  using batch = xsimd::batch<T>;
  constexpr std::size_t lanes = batch::size;
  auto block = [&]<std::size_t I>(std::integral_constant<std::size_t, I>, std::size_t i, std::size_t rows) {
    batch acc[I][N];
    unroll<I>([&](auto v) { unroll<N>([&](auto j) { acc[v][j] = batch(T(0)); }); });
    for (std::size_t p = 0; p < k; ++p) {
      batch av[I];
      const T* ap = a + p * m + i;
      unroll<I>([&](auto v) {
        av[v] = rows == I * lanes ? batch::load_unaligned(ap + v * lanes) : load_partial(ap + v * lanes, rows);
      });
      unroll<N>([&](auto j) {
        const batch bj(TransposeB ? b[j * k + p] : b[p * N + j]);
        unroll<I>([&](auto v) { acc[v][j] = xsimd::fma(av[v], bj, acc[v][j]); });
      });
    }
    alignas(64) T tile[N][I * lanes];
    unroll<I>([&](auto v) { unroll<N>([&](auto j) { acc[v][j].store_aligned(&tile[j][v * lanes]); }); });
    for (std::size_t l = 0; l < rows; ++l)
      for (std::size_t j = 0; j < N; ++j) c[(i + l) * N + j] = tile[j][l];
  };
  constexpr std::size_t wide = 2;  // 2 N accumulators: N <= 12 fits the 32 registers of AVX-512
  std::size_t i = i0;
  for (; i + wide * lanes <= i1; i += wide * lanes) block(std::integral_constant<std::size_t, wide>{}, i, wide * lanes);
  for (; i + lanes <= i1; i += lanes) block(std::integral_constant<std::size_t, 1>{}, i, lanes);
  if (i < i1) block(std::integral_constant<std::size_t, 1>{}, i, i1 - i);
}

/// narrow_transposed_a for n in 2 .. min(lanes - 1, 12) (a compile-time N); returns whether it
/// ran. Measured on 128 x n x 64 floats: 1.3x faster than the tiles at n = 10, slower from 14.
template <bool TransposeB, class T>
bool narrow(const T* a, const T* b, T* c, std::size_t m, std::size_t n, std::size_t k, std::size_t i0, std::size_t i1) {
  constexpr std::size_t lanes = xsimd::batch<T>::size, widest = std::min<std::size_t>(lanes - 1, 12);
  if constexpr (widest < 2 || !blocking<T>::many_registers) {
    return false;
  } else {
    // clang-format off
    return [&]<std::size_t... N>(std::index_sequence<N...>) {
      return ((n == N + 2 ? (narrow_transposed_a<TransposeB, N + 2>(a, b, c, m, k, i0, i1), true) : false) || ...);
    }(std::make_index_sequence<widest - 1>{});
    // clang-format on
  }
}

}  // namespace detail

/// op(B) packed once for many products with it (a frozen graph's constant weights, as
/// onnxruntime pre-packs its initializers): every KC-row block packed as gemm_block packs it
/// per call, for the whole width, one block after another. A product reads its slivers from
/// here instead of packing them (10% of an MLP layer's time on a batch of 64).
template <class T>
class packed_b {
 public:
  /// op(B) for B as gemm takes it: k x n, or stored n x k when TransposeB.
  template <bool TransposeB>
  static packed_b pack(const T* b, std::size_t n, std::size_t k) {
    using blk = blocking<T>;
    packed_b p;
    p.m_n = n;
    p.m_k = k;
    p.m_transposed = TransposeB;
    p.m_width = (n + blk::nr - 1) / blk::nr * blk::nr;
    p.m_data.resize(p.m_width * k);
    for (std::size_t pc = 0; pc < k; pc += blk::kc)
      detail::pack_b<TransposeB>(b, n, k, pc, std::min(blk::kc, k - pc), 0, n, p.m_data.data() + pc * p.m_width);
    return p;
  }

  /// Whether this is op(B) for a product with these dims and this transpose.
  bool fits(std::size_t n, std::size_t k, bool transposed) const {
    return n == m_n && k == m_k && transposed == m_transposed;
  }

  /// The slivers from column jc (a multiple of NR) of the block of rows from pc (kc of them).
  const T* panel(std::size_t pc, std::size_t jc, std::size_t kc) const {
    return m_data.data() + pc * m_width + jc * kc;
  }

 private:
  std::size_t m_n = 0, m_k = 0, m_width = 0;
  bool m_transposed = false;
  std::vector<T, xsimd::aligned_allocator<T, 64>> m_data;
};

/// C[row_begin : row_end, col_begin : col_end] = op(A) op(B) for row-major C (m x n, ldc = n),
/// op(A) m x k (A stored k x m when TransposeA), op(B) k x n (B stored n x k when TransposeB).
/// Other elements of C are not touched; disjoint rectangles may run concurrently. `packed`,
/// where not null, is op(B) packed already (packed_b::fits these dims and TransposeB).
template <bool TransposeA, bool TransposeB, class T>
void gemm_block(const T* a, const T* b, T* c, std::size_t m, std::size_t n, std::size_t k, std::size_t row_begin,
                std::size_t row_end, std::size_t col_begin, std::size_t col_end, const packed_b<T>* packed = nullptr) {
  using blk = blocking<T>;
  using detail::layout;
  if (row_begin >= row_end || col_begin >= col_end) return;
  if (k == 0) {
    for (std::size_t i = row_begin; i < row_end; ++i) std::fill(c + i * n + col_begin, c + i * n + col_end, T(0));
    return;
  }
  if constexpr (TransposeA)
    if (col_begin == 0 && col_end == n && detail::narrow<TransposeB>(a, b, c, m, n, k, row_begin, row_end)) return;
  auto& buffers = detail::thread_buffers<T>();
  const std::size_t rows = row_end - row_begin, cols = col_end - col_begin;
  for (std::size_t jc = col_begin; jc < col_end; jc += blk::nc) {
    const std::size_t nc = std::min(blk::nc, col_end - jc);
    const std::size_t slivers = (nc + blk::nr - 1) / blk::nr;
    // An A sliver comes from memory once and then from L1, for every B sliver of the panel.
    // Stored transposed, A holds the sliver's KC steps m elements apart: where that is a
    // multiple of 4 KiB they share one L1 set (1024^3 ran 1.3x slower read in place), so A^T is
    // packed where more than 8 B slivers reuse it. A as stored, 12 rows read in place measured
    // as fast as packed or faster.
    const bool pack_a = TransposeA && slivers > 8;
    for (std::size_t pc = 0; pc < k; pc += blk::kc) {
      const std::size_t kc = std::min(blk::kc, k - pc);
      const T* bp = nullptr;
      if (packed) {
        bp = packed->panel(pc, jc, kc);
      } else {
        T* buf = buffers.b.get(slivers * blk::nr * kc, std::min(cols + blk::nr, blk::nc) * std::min(k, blk::kc));
        detail::pack_b<TransposeB>(b, n, k, pc, kc, jc, nc, buf);
        bp = buf;
      }
      for (std::size_t ic = row_begin; ic < row_end; ic += blk::mc) {
        const std::size_t mc = std::min(blk::mc, row_end - ic);
        const T* ap = nullptr;
        if (pack_a) {
          T* buf = buffers.a.get((mc + blk::mr - 1) / blk::mr * blk::mr * kc,
                                 (std::min(rows, blk::mc) + blk::mr) * std::min(k, blk::kc));
          detail::pack_transposed_a(a, m, ic, mc, pc, kc, buf);
          ap = buf;
        }
        for (std::size_t ir = 0; ir < mc; ir += blk::mr) {
          const std::size_t h = std::min(blk::mr, mc - ir);
          for (std::size_t jr = 0; jr < nc; jr += blk::nr) {
            const std::size_t ncols = std::min(blk::nr, nc - jr);
            const T* bs = bp + jr * kc;
            T* ct = c + (ic + ir) * n + jc + jr;
            if (pack_a) detail::tile<T, layout::cols>(kc, ap + ir * kc, blk::mr, bs, ct, n, h, ncols, pc > 0);
            else if constexpr (TransposeA)
              detail::tile<T, layout::cols>(kc, a + pc * m + ic + ir, m, bs, ct, n, h, ncols, pc > 0);
            else detail::tile<T, layout::rows>(kc, a + (ic + ir) * k + pc, k, bs, ct, n, h, ncols, pc > 0);
          }
        }
      }
    }
  }
}

/// C = op(A) op(B) for the whole m x n output, split across the threads of the current pool
/// (core/thread_pool.hpp) where each gets at least 2^21 multiply-adds (some 40 us, against
/// microseconds to wake a thread): into row blocks when C is at least as tall as wide, else
/// column blocks, at whole micro-tiles. Each thread packs its own panels, or all read `packed`
/// (op(B) packed already, or null).
template <bool TransposeA, bool TransposeB, class T>
void gemm(const T* a, const T* b, T* c, std::size_t m, std::size_t n, std::size_t k,
          const packed_b<T>* packed = nullptr) {
  if (packed && !packed->fits(n, k, TransposeB)) packed = nullptr;
  using blk = blocking<T>;
  constexpr std::size_t min_task = std::size_t{1} << 21;
  if (m >= n) {
    const std::size_t grain = std::max<std::size_t>(1, min_task / std::max<std::size_t>(1, n * k));
    const auto rows = [&](std::size_t begin, std::size_t end) {
      gemm_block<TransposeA, TransposeB>(a, b, c, m, n, k, begin, end, 0, n, packed);
    };
    parallel::for_ranges(m, grain, rows, blk::mr);
  } else {
    const std::size_t grain = std::max<std::size_t>(1, min_task / std::max<std::size_t>(1, m * k));
    const auto cols = [&](std::size_t begin, std::size_t end) {
      gemm_block<TransposeA, TransposeB>(a, b, c, m, n, k, 0, m, begin, end, packed);
    };
    parallel::for_ranges(n, grain, cols, blk::nr);
  }
}

/// gemm_block's instances for float and double, each transpose: `extern` declares them (compiled
/// elsewhere), an empty first argument defines them.
#define TYPEFLOW_GEMM_INSTANCES(EXTERN, T)                                                                        \
  EXTERN template void gemm_block<false, false, T>(const T*, const T*, T*, std::size_t, std::size_t, std::size_t, \
                                                   std::size_t, std::size_t, std::size_t, std::size_t,            \
                                                   const packed_b<T>*);                                           \
  EXTERN template void gemm_block<false, true, T>(const T*, const T*, T*, std::size_t, std::size_t, std::size_t,  \
                                                  std::size_t, std::size_t, std::size_t, std::size_t,             \
                                                  const packed_b<T>*);                                            \
  EXTERN template void gemm_block<true, false, T>(const T*, const T*, T*, std::size_t, std::size_t, std::size_t,  \
                                                  std::size_t, std::size_t, std::size_t, std::size_t,             \
                                                  const packed_b<T>*);                                            \
  EXTERN template void gemm_block<true, true, T>(const T*, const T*, T*, std::size_t, std::size_t, std::size_t,   \
                                                 std::size_t, std::size_t, std::size_t, std::size_t,              \
                                                 const packed_b<T>*);

// A program whose translation units all multiply matrices may compile the kernels once: one file
// defines the instances (TYPEFLOW_GEMM_INSTANCES(, float) and (, double) in this namespace; the
// tests' gemm_instances.cpp), and every file is compiled with -DTYPEFLOW_EXTERN_GEMM, which
// declares them here so that no other file instantiates them. Header-only use is unchanged.
#if defined(TYPEFLOW_EXTERN_GEMM)
TYPEFLOW_GEMM_INSTANCES(extern, float)
TYPEFLOW_GEMM_INSTANCES(extern, double)
#endif

}  // namespace typeflow::kernels::gemm

#endif
