#ifndef TYPEFLOW_KERNELS_POOL_HPP
#define TYPEFLOW_KERNELS_POOL_HPP

// Max and average pooling of NHWC images and their gradients, one pass each. Channels are
// contiguous in NHWC, so every loop runs over a cell's channels innermost and vectorises.
// As TF: padding cells are not part of a window (a max ignores them, an average divides by
// the cells that are inside the input), and a max's gradient goes to the first cell of the
// window (row by row) that holds the maximum.
//
// Threads: output rows are split across the current pool; the gradients split images, whose
// windows write disjoint parts of the input's gradient.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>

#include "../core/thread_pool.hpp"
#include "scratch.hpp"
#include "window.hpp"

namespace typeflow::kernels {

namespace detail {

/// The input rows [first, end) and columns of output cell (oh, ow)'s window (pooling has no
/// dilation), clipped to the input.
struct window_span {
  std::size_t h0, h1, w0, w1;
  std::size_t cells() const { return (h1 - h0) * (w1 - w0); }
};
inline window_span span_of(const window2d& w, std::size_t oh, std::size_t ow) {
  const auto clip = [](std::ptrdiff_t v, std::size_t n) {
    return static_cast<std::size_t>(std::clamp<std::ptrdiff_t>(v, 0, static_cast<std::ptrdiff_t>(n)));
  };
  const std::ptrdiff_t r = w.row0(oh), c = w.col0(ow);
  return {clip(r, w.in_h), clip(r + static_cast<std::ptrdiff_t>(w.k_h), w.in_h), clip(c, w.in_w),
          clip(c + static_cast<std::ptrdiff_t>(w.k_w), w.in_w)};
}

/// Calls f(n, oh, ow) for every output cell, split by rows across the pool (none when the
/// output is empty, whatever the other dims).
template <class F>
void for_output_cells(const window2d& w, F&& f) {
  if (w.channels == 0) return;
  const std::size_t work_per_row = std::max<std::size_t>(1, w.out_w * w.channels * w.k_h * w.k_w);
  parallel::for_ranges(w.batch * w.out_h, std::max<std::size_t>(1, parallel::elementwise_grain / work_per_row),
                       [&](std::size_t begin, std::size_t end) {
                         for (std::size_t r = begin; r < end; ++r)
                           for (std::size_t ow = 0; ow < w.out_w; ++ow) f(r / w.out_h, r % w.out_h, ow);
                       });
}

/// Calls f(n) for every image, split across the pool (none when the images have no channels:
/// the gradients are then empty too).
template <class F>
void for_images(const window2d& w, F&& f) {
  if (w.channels == 0) return;
  const std::size_t work = std::max<std::size_t>(1, w.out_cells() * w.channels * w.k_h * w.k_w);
  parallel::for_ranges(w.batch, std::max<std::size_t>(1, parallel::elementwise_grain / work),
                       [&](std::size_t begin, std::size_t end) {
                         for (std::size_t n = begin; n < end; ++n) f(n);
                       });
}

/// The offset of input cell (n, h, x)'s first channel.
inline std::size_t at(const window2d& w, std::size_t n, std::size_t h, std::size_t x) {
  return ((n * w.in_h + h) * w.in_w + x) * w.channels;
}

}  // namespace detail

/// out [batch, out_h, out_w, c] = the maximum of each window of in (TF's MaxPool).
template <class T>
void max_pool(const window2d& w, const T* in, T* out) {
  const std::size_t c = w.channels;
  detail::for_output_cells(w, [&](std::size_t n, std::size_t oh, std::size_t ow) {
    T* o = out + ((n * w.out_h + oh) * w.out_w + ow) * c;
    std::fill(o, o + c, std::numeric_limits<T>::lowest());
    const auto s = detail::span_of(w, oh, ow);
    for (std::size_t h = s.h0; h < s.h1; ++h)
      for (std::size_t x = s.w0; x < s.w1; ++x) {
        const T* p = in + detail::at(w, n, h, x);
        for (std::size_t k = 0; k < c; ++k) o[k] = std::max(o[k], p[k]);
      }
  });
}

/// out = the mean of each window of in over its cells inside the input (TF's AvgPool).
template <class T>
void avg_pool(const window2d& w, const T* in, T* out) {
  const std::size_t c = w.channels;
  detail::for_output_cells(w, [&](std::size_t n, std::size_t oh, std::size_t ow) {
    T* o = out + ((n * w.out_h + oh) * w.out_w + ow) * c;
    std::fill(o, o + c, T(0));
    const auto s = detail::span_of(w, oh, ow);
    for (std::size_t h = s.h0; h < s.h1; ++h)
      for (std::size_t x = s.w0; x < s.w1; ++x) {
        const T* p = in + detail::at(w, n, h, x);
        for (std::size_t k = 0; k < c; ++k) o[k] += p[k];
      }
    const T scale = T(1) / static_cast<T>(s.cells());
    for (std::size_t k = 0; k < c; ++k) o[k] *= scale;
  });
}

/// Calls f(i, o) for each output value o (an offset) with the input value i that max_pool took
/// it from: the first cell of the window, row by row, that equals it (a window of NaNs: none).
/// The window is scanned once, channels innermost, each channel's choice a branch-free select.
template <class T, class F>
void for_each_argmax(const window2d& w, const T* in, const T* out, F&& f) {
  const std::size_t c = w.channels;
  detail::for_images(w, [&](std::size_t n) {
    // taken[k]: 1 + the position in the window (row by row) of channel k's maximum, 0 while none.
    // 32 bits, as the floats compared: the select below then vectorises.
    std::uint32_t* taken = scratch<std::uint32_t, 0>(c);
    for (std::size_t oh = 0; oh < w.out_h; ++oh)
      for (std::size_t ow = 0; ow < w.out_w; ++ow) {
        const std::size_t o = ((n * w.out_h + oh) * w.out_w + ow) * c;
        const auto s = detail::span_of(w, oh, ow);
        std::fill(taken, taken + c, 0u);
        std::uint32_t position = 0;
        for (std::size_t h = s.h0; h < s.h1; ++h)
          for (std::size_t x = s.w0; x < s.w1; ++x) {
            ++position;
            const T* __restrict cell = in + detail::at(w, n, h, x);
            const T* __restrict max = out + o;
            std::uint32_t* __restrict t = taken;
            for (std::size_t k = 0; k < c; ++k) t[k] = ((t[k] == 0) & (cell[k] == max[k])) ? position : t[k];
          }
        const std::size_t width = s.w1 - s.w0;
        for (std::size_t k = 0; k < c; ++k)
          if (taken[k] != 0)
            f(detail::at(w, n, s.h0 + (taken[k] - 1) / width, s.w0 + (taken[k] - 1) % width) + k, o + k);
      }
  });
}

/// dx [batch, in_h, in_w, c]: each window's g added to the cell max_pool took (TF's MaxPoolGrad,
/// from the input, max_pool's output and g).
template <class T>
void max_pool_grad(const window2d& w, const T* in, const T* out, const T* g, T* dx) {
  std::fill(dx, dx + w.batch * w.in_image(), T(0));
  for_each_argmax(w, in, out, [&](std::size_t i, std::size_t o) { dx[i] += g[o]; });
}

/// The gradient of max_pool_grad to its g: u read at each window's taken cell (TF's
/// MaxPoolGradGrad), out [batch, out_h, out_w, c].
template <class T>
void max_pool_grad_grad(const window2d& w, const T* in, const T* out, const T* u, T* result) {
  std::fill(result, result + w.batch * w.out_cells() * w.channels, T(0));
  for_each_argmax(w, in, out, [&](std::size_t i, std::size_t o) { result[o] = u[i]; });
}

/// dx: each window's g spread evenly over its cells inside the input (TF's AvgPoolGrad).
template <class T>
void avg_pool_grad(const window2d& w, const T* g, T* dx) {
  const std::size_t c = w.channels;
  detail::for_images(w, [&](std::size_t n) {
    std::fill(dx + n * w.in_image(), dx + (n + 1) * w.in_image(), T(0));
    for (std::size_t oh = 0; oh < w.out_h; ++oh)
      for (std::size_t ow = 0; ow < w.out_w; ++ow) {
        const T* go = g + ((n * w.out_h + oh) * w.out_w + ow) * c;
        const auto s = detail::span_of(w, oh, ow);
        const T scale = T(1) / static_cast<T>(s.cells());
        for (std::size_t h = s.h0; h < s.h1; ++h)
          for (std::size_t x = s.w0; x < s.w1; ++x) {
            T* d = dx + detail::at(w, n, h, x);
            for (std::size_t k = 0; k < c; ++k) d[k] += go[k] * scale;
          }
      }
  });
}

}  // namespace typeflow::kernels

#endif
