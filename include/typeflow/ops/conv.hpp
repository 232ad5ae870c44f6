#ifndef TYPEFLOW_OPS_CONV_HPP
#define TYPEFLOW_OPS_CONV_HPP

// tf.nn.conv2d over NHWC images with an HWIO filter, and its gradients: Conv2DBackpropInput
// and Conv2DBackpropFilter, kernel ops of their own (kernels/conv.hpp), as in TF. Each of the
// three is linear in each operand, so the gradients of the gradients are the same three ops
// with their operands exchanged: second derivatives need nothing more.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>

#include "../core/error.hpp"
#include "../core/tensor_ref.hpp"
#include "../graph/node.hpp"
#include "../kernels/conv.hpp"
#include "diagnostics.hpp"
#include "window.hpp"

namespace typeflow {

namespace diagnostic {
/// tf::nn::conv2d(input, filters, ...): input is NHWC (rank 4) and filters HWIO, [height,
/// width, in_channels, out_channels] (rank 4); both shapes are named in this type.
template <class InputShape, class FilterShape>
struct error_conv2d_needs_rank_4_input_and_filter;
/// tf::nn::conv2d: the input's channels (its last dim) differ from the filter's in_channels
/// (its third dim); both shapes are named in this type.
template <class InputShape, class FilterShape>
struct error_conv2d_input_channels_differ_from_filter;
/// A "VALID" window (a filter, with its dilations, or a pool's ksize: the second shape) is
/// larger than the input (the first) in height or width: no whole window fits.
template <class Op, class InputShape, class WindowShape>
struct error_valid_window_larger_than_input;
}  // namespace diagnostic

namespace op {

template <window_attrs A>
struct conv2d_backprop_input;
template <window_attrs A>
struct conv2d_backprop_filter;

/// The geometry of a convolution of input dims x by filter dims f with attrs a; throws,
/// naming op and both shapes, where x's channels are not f's in_channels. The graph ops and
/// the .pb runner (runtime/imported) share it.
inline kernels::window2d conv_geometry(std::string_view op, const window_attrs& a, const std::array<std::size_t, 4>& x,
                                       const std::array<std::size_t, 4>& f) {
  if (x[3] != f[2])
    throw error(std::string(op) + ": input depth " + std::to_string(x[3]) + " (input " + shape_string(x) +
                ") differs from the filter's in_channels " + std::to_string(f[2]) + " (filter " + shape_string(f) +
                ")");
  return a.window(op, x, f[0], f[1]);
}

/// What the three convolution ops share: the geometry from input and filter dims, checked.
template <window_attrs A>
struct conv_window {
  static constexpr window_attrs attrs = A;

  static kernels::window2d window(std::string_view op, const std::array<std::size_t, 4>& x,
                                  const std::array<std::size_t, 4>& f) {
    return conv_geometry(op, A, x, f);
  }
  /// The dims of conv2d's result for input dims x and filter dims f.
  static std::array<std::size_t, 4> output_dims(std::string_view op, const std::array<std::size_t, 4>& x,
                                                const std::array<std::size_t, 4>& f) {
    const auto w = window(op, x, f);
    return {x[0], w.out_h, w.out_w, f[3]};
  }
  /// Throws unless g has the dims of conv2d's result (a gradient fed or built wrongly).
  static void check_gradient(std::string_view op, const std::array<std::size_t, 4>& x,
                             const std::array<std::size_t, 4>& f, const std::array<std::size_t, 4>& g) {
    if (output_dims(op, x, f) != g)
      throw error(std::string(op) + ": out_backprop " + shape_string(g) + " is not the output shape " +
                  shape_string(output_dims(op, x, f)) + " of input " + shape_string(x) + " and filter " +
                  shape_string(f));
  }

  template <class X, class F>
  struct result_of {
    static constexpr auto dims() {
      using SX = shape_of_t<X>;
      using SF = shape_of_t<F>;
      return dims_t<4>{SX::dims[0], A.output_dim(SX::dims[1], SF::dims[0], true),
                       A.output_dim(SX::dims[2], SF::dims[1], false), SF::dims[3]};
    }
  };
};

/// Conv2D: out[n, i, j, o] = sum over (di, dj, c) of input[n, i s + di d - pad, j s + dj d - pad, c]
/// filter[di, dj, c, o] (a cross-correlation, as TF's); operands (input, filter).
template <window_attrs A>
struct conv2d : conv_window<A> {
  static constexpr std::string_view tf_name = "Conv2D";
  template <class X, class F>
  using value_type = value_t<X>;
  template <class X, class F>
  using shape_type = shape_from_t<typename conv_window<A>::template result_of<X, F>>;

  static void tf_attrs(auto& node) { A.tf_attrs(node, false, true); }

  static std::array<std::size_t, 4> result_dims(const std::array<std::size_t, 4>& x,
                                                const std::array<std::size_t, 4>& f) {
    return conv_window<A>::output_dims(tf_name, x, f);
  }
  template <class T>
  static void forward(tensor_ref<T, 4> out, tensor_ref<const T, 4> x, tensor_ref<const T, 4> f) {
    kernels::conv2d(conv_window<A>::window(tf_name, x.dims, f.dims), x.data, f.data, f.dims[3], out.data);
  }

  static constexpr auto vjp(const auto& g, const auto& n) {
    const auto& x = n.template arg<0>();
    const auto& f = n.template arg<1>();
    return op::parts{make<conv2d_backprop_input<A>>(x, f, g), make<conv2d_backprop_filter<A>>(x, f, g)};
  }

  template <class Op, class... N>
  static constexpr auto make(const N&... operands) {
    return graph::node<Op, N...>(Op{}, operands...);
  }
};

/// Conv2DBackpropInput: the gradient of conv2d to its input, from the filter and out_backprop
/// g; operands (input, filter, g), the input read for its dims only.
template <window_attrs A>
struct conv2d_backprop_input : conv_window<A> {
  static constexpr std::string_view tf_name = "Conv2DBackpropInput";
  static constexpr bool reads_values(std::size_t i) { return i != 0; }
  static constexpr bool differentiable(std::size_t i) { return i != 0; }
  template <class X, class F, class G>
  using value_type = value_t<F>;
  template <class X, class F, class G>
  using shape_type = shape_of_t<X>;

  static std::array<std::size_t, 4> result_dims(const std::array<std::size_t, 4>& x,
                                                const std::array<std::size_t, 4>& f,
                                                const std::array<std::size_t, 4>& g) {
    conv_window<A>::check_gradient(tf_name, x, f, g);
    return x;
  }
  template <class T>
  static void forward(tensor_ref<T, 4> out, tensor_ref<const T, 4> x, tensor_ref<const T, 4> f,
                      tensor_ref<const T, 4> g) {
    kernels::conv2d_backprop_input(conv_window<A>::window(tf_name, x.dims, f.dims), f.data, g.data, f.dims[3],
                                   out.data);
  }

  // Linear in f and in g: with u the gradient of the result (the input's shape), u's gradient
  // to f is Conv2DBackpropFilter(u, f, g) and to g is conv2d(u, f).
  static constexpr auto vjp(const auto& u, const auto& n) {
    const auto& f = n.template arg<1>();
    const auto& g = n.template arg<2>();
    return op::parts{u, conv2d<A>::template make<conv2d_backprop_filter<A>>(u, f, g),
                     conv2d<A>::template make<conv2d<A>>(u, f)};
  }
};

/// Conv2DBackpropFilter: the gradient of conv2d to its filter, from the input and out_backprop
/// g; operands (input, filter, g), the filter read for its dims only.
template <window_attrs A>
struct conv2d_backprop_filter : conv_window<A> {
  static constexpr std::string_view tf_name = "Conv2DBackpropFilter";
  static constexpr bool reads_values(std::size_t i) { return i != 1; }
  static constexpr bool differentiable(std::size_t i) { return i != 1; }
  template <class X, class F, class G>
  using value_type = value_t<X>;
  template <class X, class F, class G>
  using shape_type = shape_of_t<F>;

  static std::array<std::size_t, 4> result_dims(const std::array<std::size_t, 4>& x,
                                                const std::array<std::size_t, 4>& f,
                                                const std::array<std::size_t, 4>& g) {
    conv_window<A>::check_gradient(tf_name, x, f, g);
    return f;
  }
  template <class T>
  static void forward(tensor_ref<T, 4> out, tensor_ref<const T, 4> x, tensor_ref<const T, 4> f,
                      tensor_ref<const T, 4> g) {
    kernels::conv2d_backprop_filter(conv_window<A>::window(tf_name, x.dims, f.dims), x.data, g.data, f.dims[3],
                                    out.data);
  }

  // Linear in x and in g: with u the gradient of the result (the filter's shape), u's
  // gradient to x is Conv2DBackpropInput(x, u, g) and to g is conv2d(x, u).
  static constexpr auto vjp(const auto& u, const auto& n) {
    const auto& x = n.template arg<0>();
    const auto& g = n.template arg<2>();
    return op::parts{conv2d<A>::template make<conv2d_backprop_input<A>>(x, u, g), u,
                     conv2d<A>::template make<conv2d<A>>(x, u)};
  }
};

}  // namespace op

namespace detail {

template <class O>
struct dilations_option : std::false_type {
  static constexpr bool valid = true;  // not dilations: conv2d says so
};
template <std::int64_t... D>
struct dilations_option<dilations_t<D...>> : std::true_type {
  static constexpr bool valid = valid_spatial_v<D...>;
  static constexpr auto pair = spatial_pair<D...>();
};

/// The dilations among conv2d's options, {1, 1} when there are none.
template <class... Options>
constexpr std::array<std::int64_t, 2> dilations_of() {
  std::array<std::int64_t, 2> d{1, 1};
  ((dilations_option<Options>::value ? void(d = dilations_option<Options>::pair) : void()), ...);
  return d;
}

/// What is wrong with conv2d's operands (dtypes DX, DF; static shapes SX, SF), if anything.
enum class conv2d_problem { none, dtypes_differ, dtype, rank, channels, window };
template <op::window_attrs A, class DX, class DF, class SX, class SF>
constexpr conv2d_problem conv2d_problem_of() {
  if constexpr (!std::is_same_v<DX, DF>) return conv2d_problem::dtypes_differ;
  else if constexpr (!std::is_floating_point_v<DX>) return conv2d_problem::dtype;
  else if constexpr (SX::rank != 4 || SF::rank != 4) return conv2d_problem::rank;
  else if constexpr (SX::dims[3] != SF::dims[2] && SX::dims[3] != none && SF::dims[2] != none)
    return conv2d_problem::channels;
  else if constexpr (!A.fits(SX::dims[1], SF::dims[0], true) || !A.fits(SX::dims[2], SF::dims[1], false))
    return conv2d_problem::window;
  else return conv2d_problem::none;
}

/// tf::nn::conv2d's operand checks, on dtypes and shapes alone (as check_matmul): the user's
/// call is the one frame of an error, which names the shapes or dtypes.
template <class Op, class DX, class DF, class SX, class SF>
constexpr void check_conv2d() {
  constexpr auto problem = conv2d_problem_of<Op::attrs, DX, DF, SX, SF>();
  if constexpr (problem == conv2d_problem::dtypes_differ) {
    // Input and filter must have one dtype.
    diagnostic::error_dtypes_differ<Op, DX, DF> error;
  } else if constexpr (problem == conv2d_problem::dtype) {
    // TensorFlow's Conv2D is defined for floating dtypes.
    diagnostic::error_op_does_not_support_dtype<Op, DX> error;
  } else if constexpr (problem == conv2d_problem::rank) {
    // Input NHWC and filter HWIO, both rank 4; the shapes are named in this type.
    diagnostic::error_conv2d_needs_rank_4_input_and_filter<SX, SF> error;
  } else if constexpr (problem == conv2d_problem::channels) {
    // The input's channels (last dim) differ from the filter's in_channels (third dim).
    diagnostic::error_conv2d_input_channels_differ_from_filter<SX, SF> error;
  } else if constexpr (problem == conv2d_problem::window) {
    // The filter (second shape), with its dilations, is larger than the input (first shape).
    diagnostic::error_valid_window_larger_than_input<Op, SX, SF> error;
  }
}

}  // namespace detail

namespace nn {

/// tf.nn.conv2d(input, filters, strides, padding, dilations=...): input NHWC, filters
/// [height, width, in_channels, out_channels]; the result [batch, out_h, out_w, out_channels].
///   tf::nn::conv2d(x, W, tf::strides<1, 1, 1, 1>, tf::padding<"SAME">)
///   tf::nn::conv2d(x, W, tf::strides<1>, tf::padding<"VALID">, tf::dilations<2>)
template <tensor_node X, tensor_node F, std::int64_t... S, fixed_string P, class... Options>
constexpr auto conv2d(const X& input, const F& filters, strides_t<S...>, padding_t<P>, Options...) {
  static_assert(detail::valid_spatial_v<S...>,
                "tf::nn::conv2d: strides are one value, two (height, width) or four with 1 for the batch and the "
                "channels (TF's [1, sh, sw, 1]), each at least 1");
  static_assert((detail::dilations_option<Options>::value && ...),
                "tf::nn::conv2d: the only option after the padding is tf::dilations<...>");
  static_assert(sizeof...(Options) <= 1, "tf::nn::conv2d: tf::dilations given twice");
  static_assert((detail::dilations_option<Options>::valid && ...),
                "tf::nn::conv2d: dilations are one value, two (height, width) or four with 1 for the batch and the "
                "channels, each at least 1");
  constexpr auto s = detail::spatial_pair<S...>();
  constexpr auto d = detail::dilations_of<Options...>();
  constexpr op::window_attrs attrs{1, 1, s[0], s[1], d[0], d[1], padding_t<P>::same};
  using Op = op::conv2d<attrs>;
  detail::check_conv2d<Op, value_t<X>, value_t<F>, shape_of_t<X>, shape_of_t<F>>();
  if constexpr (detail::conv2d_problem_of<attrs, value_t<X>, value_t<F>, shape_of_t<X>, shape_of_t<F>>() ==
                detail::conv2d_problem::none)
    return Op::template make<Op>(input, filters);
  else return input;  // reported by check_conv2d
}

}  // namespace nn

}  // namespace typeflow

#endif
