#ifndef TYPEFLOW_KERNELS_CONV_HPP
#define TYPEFLOW_KERNELS_CONV_HPP

// 2-D convolution of NHWC images with an HWIO filter, and its two gradients, through the GEMM
// of gemm.hpp. im2col lays the window of each output cell out as one row of a patch matrix
// (out cells x k_h k_w in_channels, zeros for padding), so that the convolution is that matrix
// times the filter read as a (k_h k_w in_channels) x out_channels matrix: TF's own layouts
// make both operands row-major as they are. A 1x1 window with stride 1 needs no patches: the
// images are the matrix. Patches are built a few images at a time into a per-thread scratch
// buffer (scratch.hpp: no allocation in a steady step), small enough to stay in L2.
//
// Threads: images are split across the current pool (core/thread_pool.hpp); a batch smaller
// than the pool runs its products on the pool instead (gemm splits them). The filter's
// gradient sums per-part partial products in part order, so its value does not depend on
// which thread ran what.

#include <algorithm>
#include <cstddef>

#include "../core/thread_pool.hpp"
#include "gemm.hpp"
#include "scratch.hpp"
#include "window.hpp"

namespace typeflow::kernels {

namespace detail {

/// Whether the patch matrix of w is the images themselves (a 1x1 window, stride 1).
inline bool is_pointwise(const window2d& w) {
  return w.k_h == 1 && w.k_w == 1 && w.stride_h == 1 && w.stride_w == 1 && w.pad_top == 0 && w.pad_left == 0;
}

/// Images per patch buffer: about 2^18 values (1 MiB of floats, within L2), at least one.
inline std::size_t images_per_chunk(const window2d& w) {
  const std::size_t per_image = w.out_cells() * w.k_h * w.k_w * w.channels;
  return std::max<std::size_t>(1, (std::size_t{1} << 18) / std::max<std::size_t>(per_image, 1));
}

/// Calls f(ow, ih, tap) for each output cell of one image and each row of its window: ow the
/// cell's column, ih the input row the window row reads (-1: padding), tap the offset of that
/// row's first tap in the patch matrix. im2col and col2im share it.
template <class F>
void for_each_tap_row(const window2d& w, F&& f) {
  const std::size_t c = w.channels, row_taps = w.k_w * c, patch = w.k_h * row_taps;
  for (std::size_t oh = 0; oh < w.out_h; ++oh)
    for (std::size_t ow = 0; ow < w.out_w; ++ow) {
      const std::size_t cell = (oh * w.out_w + ow) * patch;
      for (std::size_t i = 0; i < w.k_h; ++i) {
        const std::ptrdiff_t ih = w.row0(oh) + static_cast<std::ptrdiff_t>(i * w.dilation_h);
        f(ow, ih >= 0 && ih < static_cast<std::ptrdiff_t>(w.in_h) ? ih : -1, cell + i * row_taps);
      }
    }
}

/// The patch rows of one image [in_h, in_w, c] into cols [out cells, k_h k_w c].
template <class T>
void im2col(const window2d& w, const T* image, T* cols) {
  const std::size_t c = w.channels;
  for_each_tap_row(w, [&](std::size_t ow, std::ptrdiff_t ih, std::size_t tap) {
    T* dst = cols + tap;
    if (ih < 0) return void(std::fill(dst, dst + w.k_w * c, T(0)));
    for (std::size_t j = 0; j < w.k_w; ++j, dst += c) {
      const std::ptrdiff_t iw = w.col0(ow) + static_cast<std::ptrdiff_t>(j * w.dilation_w);
      const bool inside = iw >= 0 && iw < static_cast<std::ptrdiff_t>(w.in_w);
      const T* src = image + (static_cast<std::size_t>(ih) * w.in_w + static_cast<std::size_t>(inside ? iw : 0)) * c;
      if (c == 1) *dst = inside ? *src : T(0);  // a first layer's single channel: no call per value
      else if (inside) std::copy_n(src, c, dst);
      else std::fill(dst, dst + c, T(0));
    }
  });
}

/// The adjoint of im2col: each patch value added to the image cell it was read from
/// (padding taps dropped). The image must be zeroed first.
template <class T>
void col2im(const window2d& w, const T* cols, T* image) {
  const std::size_t c = w.channels;
  for_each_tap_row(w, [&](std::size_t ow, std::ptrdiff_t ih, std::size_t tap) {
    if (ih < 0) return;
    const T* src = cols + tap;
    for (std::size_t j = 0; j < w.k_w; ++j, src += c) {
      const std::ptrdiff_t iw = w.col0(ow) + static_cast<std::ptrdiff_t>(j * w.dilation_w);
      if (iw < 0 || iw >= static_cast<std::ptrdiff_t>(w.in_w)) continue;
      T* dst = image + (static_cast<std::size_t>(ih) * w.in_w + static_cast<std::size_t>(iw)) * c;
      for (std::size_t k = 0; k < c; ++k) dst[k] += src[k];
    }
  });
}

/// C = op(A) op(B) (m x n, inner k), on the pool when `threaded`, else on this thread.
template <bool TA, bool TB, class T>
void product(bool threaded, const T* a, const T* b, T* c, std::size_t m, std::size_t n, std::size_t k) {
  if (threaded) gemm::gemm<TA, TB>(a, b, c, m, n, k);
  else gemm::gemm_block<TA, TB>(a, b, c, m, n, k, 0, m, 0, n);
}

/// Calls f(part, first image, end image, threaded products) over the batch: split across the
/// pool when every part gets at least ~2^21 multiply-adds, else on this thread with the
/// products split instead. Part numbers are below the pool's size.
template <class F>
void for_image_parts(const window2d& w, std::size_t out_channels, F&& f) {
  const std::size_t per_image = w.out_cells() * w.k_h * w.k_w * w.channels * out_channels;
  const std::size_t grain = std::max<std::size_t>(1, (std::size_t{1} << 21) / std::max<std::size_t>(per_image, 1));
  const parallel::thread_pool* pool = parallel::current();
  if (!pool || w.batch < 2 * grain || w.batch < pool->size()) return f(0, 0, w.batch, pool != nullptr);
  parallel::for_parts(w.batch, grain, 1, pool->size(),
                      [&](std::size_t part, std::size_t begin, std::size_t end) { f(part, begin, end, false); });
}

}  // namespace detail

/// out [batch, out_h, out_w, out_channels] = the convolution of in [batch, in_h, in_w, c] with
/// filter [k_h, k_w, c, out_channels] (TF's Conv2D: a cross-correlation, no flip).
template <class T>
void conv2d(const window2d& w, const T* in, const T* filter, std::size_t out_channels, T* out) {
  const std::size_t patch = w.k_h * w.k_w * w.channels, cells = w.out_cells();
  if (patch == 0 || cells == 0 || w.batch == 0 || out_channels == 0)  // sums over nothing, or no output
    return std::fill(out, out + w.batch * cells * out_channels, T(0));
  if (detail::is_pointwise(w))
    return detail::product<false, false>(true, in, filter, out, w.batch * cells, out_channels, w.channels);
  const std::size_t chunk = detail::images_per_chunk(w);
  detail::for_image_parts(w, out_channels, [&](std::size_t, std::size_t begin, std::size_t end, bool threaded) {
    T* cols = scratch<T, 0>(std::min(chunk, end - begin) * cells * patch);
    for (std::size_t n = begin; n < end; n += chunk) {
      const std::size_t images = std::min(chunk, end - n);
      for (std::size_t i = 0; i < images; ++i) detail::im2col(w, in + (n + i) * w.in_image(), cols + i * cells * patch);
      detail::product<false, false>(threaded, cols, filter, out + n * cells * out_channels, images * cells,
                                    out_channels, patch);
    }
  });
}

/// The gradient of conv2d to its input: dx [batch, in_h, in_w, c] from g [batch, out_h,
/// out_w, out_channels] (TF's Conv2DBackpropInput): g times the filter transposed, scattered
/// back through each cell's window.
template <class T>
void conv2d_backprop_input(const window2d& w, const T* filter, const T* g, std::size_t out_channels, T* dx) {
  const std::size_t patch = w.k_h * w.k_w * w.channels, cells = w.out_cells();
  if (patch == 0 || cells == 0 || w.batch == 0 || out_channels == 0)
    return std::fill(dx, dx + w.batch * w.in_image(), T(0));
  if (detail::is_pointwise(w))
    return detail::product<false, true>(true, g, filter, dx, w.batch * cells, w.channels, out_channels);
  const std::size_t chunk = detail::images_per_chunk(w);
  detail::for_image_parts(w, out_channels, [&](std::size_t, std::size_t begin, std::size_t end, bool threaded) {
    T* cols = scratch<T, 0>(std::min(chunk, end - begin) * cells * patch);
    std::fill(dx + begin * w.in_image(), dx + end * w.in_image(), T(0));
    for (std::size_t n = begin; n < end; n += chunk) {
      const std::size_t images = std::min(chunk, end - n);
      detail::product<false, true>(threaded, g + n * cells * out_channels, filter, cols, images * cells, patch,
                                   out_channels);
      for (std::size_t i = 0; i < images; ++i) detail::col2im(w, cols + i * cells * patch, dx + (n + i) * w.in_image());
    }
  });
}

/// The gradient of conv2d to its filter: df [k_h, k_w, c, out_channels] from the input and g
/// (TF's Conv2DBackpropFilter): the patch matrix transposed times g, summed over the batch.
template <class T>
void conv2d_backprop_filter(const window2d& w, const T* in, const T* g, std::size_t out_channels, T* df) {
  const std::size_t patch = w.k_h * w.k_w * w.channels, cells = w.out_cells(), size = patch * out_channels;
  if (size == 0 || cells == 0 || w.batch == 0) return std::fill(df, df + size, T(0));
  if (detail::is_pointwise(w))
    return detail::product<true, false>(true, in, g, df, w.channels, out_channels, w.batch * cells);
  const std::size_t chunk = detail::images_per_chunk(w);
  const std::size_t parts = parallel::current() ? parallel::current()->size() : 1;
  // Part p sums its images' products into partial p (the first into df itself); then the
  // partials are added in part order.
  T* partials = scratch<T, 1>((parts - 1) * size + size);
  std::fill(df, df + size, T(0));
  std::fill(partials, partials + parts * size, T(0));
  detail::for_image_parts(w, out_channels, [&](std::size_t part, std::size_t begin, std::size_t end, bool threaded) {
    T* cols = scratch<T, 0>(std::min(chunk, end - begin) * cells * patch);
    T* sum = part == 0 ? df : partials + part * size;
    T* product = partials;  // partial 0 is free: part 0 sums into df
    if (part != 0) product = scratch<T, 2>(size);
    for (std::size_t n = begin; n < end; n += chunk) {
      const std::size_t images = std::min(chunk, end - n);
      for (std::size_t i = 0; i < images; ++i) detail::im2col(w, in + (n + i) * w.in_image(), cols + i * cells * patch);
      detail::product<true, false>(threaded, cols, g + n * cells * out_channels, product, patch, out_channels,
                                   images * cells);
      for (std::size_t k = 0; k < size; ++k) sum[k] += product[k];
    }
  });
  for (std::size_t p = 1; p < parts; ++p)
    for (std::size_t k = 0; k < size; ++k) df[k] += partials[p * size + k];
}

}  // namespace typeflow::kernels

#endif
