#ifndef TYPEFLOW_OPS_WINDOW_HPP
#define TYPEFLOW_OPS_WINDOW_HPP

// The attributes of the window ops (tf.nn.conv2d, max_pool, avg_pool) as a TF1 program writes
// them, `strides=[1, 2, 2, 1], padding='SAME'`:
//
//   tf::nn::conv2d(x, W, tf::strides<1, 2, 2, 1>, tf::padding<"SAME">)
//   tf::nn::max_pool(x, tf::ksize<1, 2, 2, 1>, tf::strides<1, 2, 2, 1>, tf::padding<"VALID">)
//
// They are template arguments, so that output shapes are static and a window that cannot fit
// is a compile-time error. As TF2 allows, strides, ksize and dilations take one value (both
// spatial axes), two (height, width) or four (NHWC, with 1 for the batch and the channels).

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "../core/fixed_string.hpp"
#include "../core/shape.hpp"
#include "../kernels/window.hpp"

namespace typeflow {

template <std::int64_t... S>
struct strides_t {};
template <std::int64_t... K>
struct ksize_t {};
template <std::int64_t... D>
struct dilations_t {};

/// tf.nn.conv2d's and the pools' `strides`.
template <std::int64_t... S>
inline constexpr strides_t<S...> strides{};
/// The pools' window size, TF's `ksize`.
template <std::int64_t... K>
inline constexpr ksize_t<K...> ksize{};
/// tf.nn.conv2d's `dilations` (taps this far apart; default 1).
template <std::int64_t... D>
inline constexpr dilations_t<D...> dilations{};

/// TF's `padding`: "SAME" (ceil(in / stride) outputs, zeros or ignored cells around the
/// input) or "VALID" (whole windows only).
template <fixed_string P>
struct padding_t {
  static constexpr std::string_view spelled{P.data, P.size()};
  static constexpr bool same = spelled == "SAME";
  static_assert(same || spelled == "VALID", "tf::padding: TensorFlow's paddings are \"SAME\" and \"VALID\"");
};
template <fixed_string P>
inline constexpr padding_t<P> padding{};

namespace op {

/// The static attributes of a window op, in the spatial axes. A convolution's window size is
/// its filter's, so k_h and k_w are those of pooling only.
struct window_attrs {
  std::int64_t k_h = 1, k_w = 1;
  std::int64_t stride_h = 1, stride_w = 1;
  std::int64_t dilation_h = 1, dilation_w = 1;
  bool same = false;

  /// The geometry over input dims x, for a window of k_h x k_w (a filter's, or these).
  kernels::window2d window(std::string_view op, const std::array<std::size_t, 4>& x, std::size_t kh,
                           std::size_t kw) const {
    const auto u = [](std::int64_t v) { return static_cast<std::size_t>(v); };
    return kernels::make_window(op, x, kh, kw, u(stride_h), u(stride_w), u(dilation_h), u(dilation_w), same);
  }

  /// A static output dim: `none` where the input's or the window's dim is (a window that does
  /// not fit is reported by the op's check, not here).
  constexpr std::int64_t output_dim(std::int64_t in, std::int64_t k, bool height) const {
    if (in == none || k == none) return none;
    const std::int64_t out =
        kernels::window_output_size(in, k, height ? stride_h : stride_w, height ? dilation_h : dilation_w, same);
    return out < 0 ? none : out;
  }
  /// Whether a window of k cells fits a static input of `in` ("SAME" always fits).
  constexpr bool fits(std::int64_t in, std::int64_t k, bool height) const {
    return in == none || k == none || same ||
           kernels::window_output_size(in, k, height ? stride_h : stride_w, height ? dilation_h : dilation_w, false) >
               0;
  }

  /// TensorFlow's attrs: strides, padding, data_format, and dilations or ksize.
  void tf_attrs(auto& node, bool with_ksize, bool with_dilations) const {
    const std::array<std::int64_t, 4> s{1, stride_h, stride_w, 1};
    node.attr_int_list("strides", s);
    node.attr_string("padding", same ? "SAME" : "VALID");
    node.attr_string("data_format", "NHWC");
    if (with_ksize) {
      const std::array<std::int64_t, 4> k{1, k_h, k_w, 1};
      node.attr_int_list("ksize", k);
    }
    if (with_dilations) {
      const std::array<std::int64_t, 4> d{1, dilation_h, dilation_w, 1};
      node.attr_int_list("dilations", d);
    }
  }
};

}  // namespace op

namespace detail {

/// (height, width) of a strides/ksize/dilations list in TF's three forms; {0, 0} where the
/// list is not one of them (a four-value list must have 1 for the batch and the channels).
template <std::int64_t... V>
constexpr std::array<std::int64_t, 2> spatial_pair() {
  constexpr std::array<std::int64_t, sizeof...(V)> v{V...};
  if constexpr (sizeof...(V) == 1) return {v[0], v[0]};
  else if constexpr (sizeof...(V) == 2) return {v[0], v[1]};
  else if constexpr (sizeof...(V) == 4)
    return v[0] == 1 && v[3] == 1 ? std::array<std::int64_t, 2>{v[1], v[2]} : std::array<std::int64_t, 2>{0, 0};
  else return {0, 0};
}

template <std::int64_t... V>
inline constexpr bool valid_spatial_v = spatial_pair<V...>()[0] >= 1 && spatial_pair<V...>()[1] >= 1;

}  // namespace detail

}  // namespace typeflow

#endif
