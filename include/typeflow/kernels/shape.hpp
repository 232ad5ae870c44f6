#ifndef TYPEFLOW_KERNELS_SHAPE_HPP
#define TYPEFLOW_KERNELS_SHAPE_HPP

// Data movement on raw row-major buffers: transposes, blocks (slice, pad, concat and its
// gradient), strided blocks (strided slice and its gradient), tiles and their sums. Each walks
// the leading axes like an odometer and moves the last axis as a contiguous row where it can.

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>

namespace typeflow::kernels {

template <std::size_t R>
std::array<std::size_t, R> row_major_strides(const std::array<std::size_t, R>& dims) {
  std::array<std::size_t, R> s{};
  std::size_t stride = 1;
  for (std::size_t a = R; a-- > 0;) {
    s[a] = stride;
    stride *= dims[a];
  }
  return s;
}

/// Calls f(index) for every index over the first R-1 axes of dims, in row-major order
/// (once for R <= 1); nothing when one of those axes is empty.
template <std::size_t R, class F>
void for_each_row(const std::array<std::size_t, R>& dims, F&& f) {
  std::array<std::size_t, R> index{};
  if constexpr (R > 1)
    for (std::size_t a = 0; a + 1 < R; ++a)
      if (dims[a] == 0) return;
  for (;;) {
    f(index);
    if constexpr (R <= 1) {
      return;
    } else {
      std::size_t a = R - 1;
      for (;;) {
        if (a == 0) return;
        --a;
        if (++index[a] < dims[a]) break;
        index[a] = 0;
      }
    }
  }
}

/// out = x transposed by perm: out axis i is x axis perm[i].
template <class T, std::size_t R>
void transpose(const T* x, const std::array<std::size_t, R>& x_dims, const std::array<std::size_t, R>& perm, T* out) {
  if constexpr (R == 0) {
    out[0] = x[0];
  } else {
    const auto xs = row_major_strides(x_dims);
    std::array<std::size_t, R> out_dims{}, stride{};  // stride: x's stride along out axis i
    for (std::size_t i = 0; i < R; ++i) {
      out_dims[i] = x_dims[perm[i]];
      stride[i] = xs[perm[i]];
    }
    const std::size_t n = out_dims[R - 1], inner = stride[R - 1];
    if (n == 0) return;
    for_each_row(out_dims, [&](const std::array<std::size_t, R>& index) {
      std::size_t off = 0;
      for (std::size_t a = 0; a + 1 < R; ++a) off += index[a] * stride[a];
      for (std::size_t j = 0; j < n; ++j) *out++ = x[off + j * inner];
    });
  }
}

/// Copies a block of `block` dims from src (at src_begin) into dst (at dst_begin).
template <class T, std::size_t R>
void copy_block(const T* src, const std::array<std::size_t, R>& src_dims, const std::array<std::size_t, R>& src_begin,
                T* dst, const std::array<std::size_t, R>& dst_dims, const std::array<std::size_t, R>& dst_begin,
                const std::array<std::size_t, R>& block) {
  if constexpr (R == 0) {
    dst[0] = src[0];
  } else {
    const auto ss = row_major_strides(src_dims), ds = row_major_strides(dst_dims);
    const std::size_t n = block[R - 1];
    if (n == 0) return;
    for_each_row(block, [&](const std::array<std::size_t, R>& index) {
      std::size_t so = src_begin[R - 1], doff = dst_begin[R - 1];
      for (std::size_t a = 0; a + 1 < R; ++a) {
        so += (src_begin[a] + index[a]) * ss[a];
        doff += (dst_begin[a] + index[a]) * ds[a];
      }
      std::copy(src + so, src + so + n, dst + doff);
    });
  }
}

/// Calls f(offset in x, index in the block) for the elements of x at begin + j step along each
/// axis (steps may be negative), j over the block's dims, in the block's row-major order.
template <std::size_t R, class F>
void for_each_strided(const std::array<std::size_t, R>& x_dims, const std::array<std::int64_t, R>& begin,
                      const std::array<std::int64_t, R>& step, const std::array<std::size_t, R>& block, F&& f) {
  if constexpr (R == 0) {
    f(std::size_t{0}, std::size_t{0});
  } else {
    const auto xs = row_major_strides(x_dims);
    const std::size_t n = block[R - 1];
    if (n == 0) return;
    const std::int64_t inner = step[R - 1] * static_cast<std::int64_t>(xs[R - 1]);
    std::size_t k = 0;
    for_each_row(block, [&](const std::array<std::size_t, R>& index) {
      std::int64_t offset = begin[R - 1] * static_cast<std::int64_t>(xs[R - 1]);
      for (std::size_t a = 0; a + 1 < R; ++a)
        offset += (begin[a] + static_cast<std::int64_t>(index[a]) * step[a]) * static_cast<std::int64_t>(xs[a]);
      for (std::size_t j = 0; j < n; ++j, ++k, offset += inner) f(static_cast<std::size_t>(offset), k);
    });
  }
}

/// out = x repeated along each axis: out dims are x's times the multiples.
template <class T, std::size_t R>
void tile(const T* x, const std::array<std::size_t, R>& x_dims, T* out, const std::array<std::size_t, R>& out_dims) {
  if constexpr (R == 0) {
    out[0] = x[0];
  } else {
    const auto xs = row_major_strides(x_dims);
    const std::size_t n = out_dims[R - 1], d = x_dims[R - 1];
    if (n == 0) return;
    for_each_row(out_dims, [&](const std::array<std::size_t, R>& index) {
      std::size_t off = 0;
      for (std::size_t a = 0; a + 1 < R; ++a) off += (index[a] % x_dims[a]) * xs[a];
      for (std::size_t j = 0; j < n; j += d) out = std::copy(x + off, x + off + d, out);
    });
  }
}

/// The gradient of tile: out (x's dims) = the sum of g's tiles.
template <class T, std::size_t R>
void tile_sum(const T* g, const std::array<std::size_t, R>& g_dims, T* out, const std::array<std::size_t, R>& x_dims) {
  std::size_t size = 1;
  for (auto d : x_dims) size *= d;
  std::fill(out, out + size, T(0));
  if constexpr (R == 0) {
    out[0] = g[0];
  } else {
    const auto xs = row_major_strides(x_dims);
    const std::size_t n = g_dims[R - 1], d = x_dims[R - 1];
    if (n == 0) return;
    for_each_row(g_dims, [&](const std::array<std::size_t, R>& index) {
      std::size_t off = 0;
      for (std::size_t a = 0; a + 1 < R; ++a) off += (index[a] % x_dims[a]) * xs[a];
      for (std::size_t j = 0; j < n; ++j) out[off + j % d] += *g++;
    });
  }
}

}  // namespace typeflow::kernels

#endif
