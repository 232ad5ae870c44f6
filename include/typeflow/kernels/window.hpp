#ifndef TYPEFLOW_KERNELS_WINDOW_HPP
#define TYPEFLOW_KERNELS_WINDOW_HPP

// A 2-D window sliding over NHWC images, as TensorFlow places it: a convolution's filter or a
// pooling window, with strides, dilations and "SAME" or "VALID" padding. The graph ops, the .pb
// runner and eager mode all compute their geometry here, so that the three agree with TF on
// every output size and padding.

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "../core/error.hpp"
#include "../core/shape.hpp"

namespace typeflow::kernels {

/// The output size of one spatial axis: in `in` cells, a window of `k` taps `dilation` apart,
/// moved by `stride`. "VALID" places only whole windows (none when the window is larger than
/// the input: -1); "SAME" gives ceil(in / stride) outputs, padded as evenly as possible.
constexpr std::int64_t window_output_size(std::int64_t in, std::int64_t k, std::int64_t stride, std::int64_t dilation,
                                          bool same) {
  const std::int64_t span = (k - 1) * dilation + 1;
  if (same) return (in + stride - 1) / stride;
  return in >= span ? (in - span) / stride + 1 : -1;
}

/// The padding before the first cell of an axis ("SAME": half the total, rounded down, as TF).
constexpr std::int64_t window_padding_before(std::int64_t in, std::int64_t k, std::int64_t stride,
                                             std::int64_t dilation, bool same) {
  if (!same) return 0;
  const std::int64_t span = (k - 1) * dilation + 1;
  const std::int64_t total = (window_output_size(in, k, stride, dilation, true) - 1) * stride + span - in;
  return std::max<std::int64_t>(total, 0) / 2;
}

/// Where a window op's taps fall, for input [batch, in_h, in_w, channels] and output
/// [batch, out_h, out_w, *]: output cell (oh, ow) reads input rows oh * stride_h + i * dilation_h
/// - pad_top (i < k_h), columns likewise; rows and columns outside the input are padding.
struct window2d {
  std::size_t batch = 0, in_h = 0, in_w = 0, channels = 0;
  std::size_t k_h = 1, k_w = 1;
  std::size_t stride_h = 1, stride_w = 1, dilation_h = 1, dilation_w = 1;
  std::size_t pad_top = 0, pad_left = 0;
  std::size_t out_h = 0, out_w = 0;

  /// The first input row of output row oh (may be negative: padding).
  std::ptrdiff_t row0(std::size_t oh) const {
    return static_cast<std::ptrdiff_t>(oh * stride_h) - static_cast<std::ptrdiff_t>(pad_top);
  }
  std::ptrdiff_t col0(std::size_t ow) const {
    return static_cast<std::ptrdiff_t>(ow * stride_w) - static_cast<std::ptrdiff_t>(pad_left);
  }
  std::size_t in_image() const { return in_h * in_w * channels; }
  std::size_t out_cells() const { return out_h * out_w; }
};

/// The geometry of a window op over input dims [n, h, w, c]; throws, naming the op and the
/// input's dims, when a "VALID" window does not fit or a size is 0 where TF requires one.
inline window2d make_window(std::string_view op, const std::array<std::size_t, 4>& input, std::size_t k_h,
                            std::size_t k_w, std::size_t stride_h, std::size_t stride_w, std::size_t dilation_h,
                            std::size_t dilation_w, bool same) {
  const auto size = [](std::size_t v) { return static_cast<std::int64_t>(v); };
  // Below 2^31 (TF's int32 attrs), (k - 1) dilation and the output sizes cannot overflow.
  constexpr std::size_t limit = std::size_t{1} << 31;
  const bool in_range = k_h <= limit && k_w <= limit && stride_h <= limit && stride_w <= limit && dilation_h <= limit &&
                        dilation_w <= limit && input[1] <= limit && input[2] <= limit;
  if (k_h == 0 || k_w == 0 || stride_h == 0 || stride_w == 0 || dilation_h == 0 || dilation_w == 0 || !in_range)
    throw error(std::string(op) +
                ": window, strides, dilations and the input's height and width must be in [1, 2^31], got window " +
                std::to_string(k_h) + "x" + std::to_string(k_w) + ", strides " + std::to_string(stride_h) + "x" +
                std::to_string(stride_w) + ", dilations " + std::to_string(dilation_h) + "x" +
                std::to_string(dilation_w) + ", input " + shape_string(input));
  window2d w;
  w.batch = input[0];
  w.in_h = input[1];
  w.in_w = input[2];
  w.channels = input[3];
  w.k_h = k_h;
  w.k_w = k_w;
  w.stride_h = stride_h;
  w.stride_w = stride_w;
  w.dilation_h = dilation_h;
  w.dilation_w = dilation_w;
  const std::int64_t oh = window_output_size(size(w.in_h), size(k_h), size(stride_h), size(dilation_h), same);
  const std::int64_t ow = window_output_size(size(w.in_w), size(k_w), size(stride_w), size(dilation_w), same);
  if (oh < 0 || ow < 0)
    throw error(std::string(op) + ": a " + std::to_string((k_h - 1) * dilation_h + 1) + "x" +
                std::to_string((k_w - 1) * dilation_w + 1) + " window (with dilations) does not fit input " +
                shape_string(input) + " with \"VALID\" padding");
  w.out_h = static_cast<std::size_t>(oh);
  w.out_w = static_cast<std::size_t>(ow);
  w.pad_top =
      static_cast<std::size_t>(window_padding_before(size(w.in_h), size(k_h), size(stride_h), size(dilation_h), same));
  w.pad_left =
      static_cast<std::size_t>(window_padding_before(size(w.in_w), size(k_w), size(stride_w), size(dilation_w), same));
  return w;
}

}  // namespace typeflow::kernels

#endif
