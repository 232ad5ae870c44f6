#ifndef TYPEFLOW_OPS_NORMALIZATION_HPP
#define TYPEFLOW_OPS_NORMALIZATION_HPP

// tf.nn.moments and tf.nn.batch_normalization, composed of existing ops as TF composes them
// (nn_impl.py), so their gradients are those ops' gradients and their elementwise parts fuse:
//
//   mean, variance = tf.nn.moments(x, axes=[0, 1, 2])
//   y = tf.nn.batch_normalization(x, mean, variance, offset, scale, variance_epsilon)
//
// FusedBatchNormV3, the kernel op of the layer with its variables and moving averages
// (tf.compat.v1.layers.batch_normalization, runtime/batch_normalization.hpp), normalises in one
// pass and differentiates in one more (kernels/batch_norm.hpp), where the composite's
// gradient is a dozen nodes per layer, each a type the compiler instantiates.

#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>

#include "../core/error.hpp"
#include "../core/tensor_ref.hpp"
#include "../graph/node.hpp"
#include "../kernels/batch_norm.hpp"
#include "elementwise.hpp"
#include "math.hpp"
#include "reduce.hpp"
#include "shape.hpp"

namespace typeflow {

namespace detail {
template <std::size_t... I>
axis_t<static_cast<int>(I)...> leading_axes(std::index_sequence<I...>);
}  // namespace detail

/// The axes of a rank-R tensor but the last (the channels'): what batch normalisation reduces.
template <std::size_t R>
using all_but_last_axis_t = decltype(detail::leading_axes(std::make_index_sequence<R - 1>{}));

namespace op {

/// What FusedBatchNormV3 and its gradients share: epsilon, and the operands' checks.
struct batch_norm_base {
  double m_epsilon = 1e-3;
  bool operator==(const batch_norm_base&) const = default;

  /// Throws unless each per-channel operand has dims [channels of x].
  template <std::size_t R, std::size_t... RC>
  static void check_channels(std::string_view op, const std::array<std::size_t, R>& x,
                             const std::array<std::size_t, RC>&... per_channel) {
    const auto check = [&](const auto& d) {
      if (d.size() != 1 || d[0] != x[R - 1])
        throw error(std::string(op) + ": a per-channel operand has dims " + shape_string(d) + ", expected [" +
                    std::to_string(x[R - 1]) + "] (the last dim of x " + shape_string(x) + ")");
    };
    (check(per_channel), ...);
  }
  template <std::size_t R>
  static std::size_t cells(const std::array<std::size_t, R>& x) {
    std::size_t n = 1;
    for (std::size_t i = 0; i + 1 < R; ++i) n *= x[i];
    return n;
  }
};

template <bool ToScale>
struct fused_batch_norm_grad;

/// FusedBatchNormV3 over x's last axis; operands (x, scale, offset, mean, variance, training):
/// with `training` (a rank-0 bool, read at run time) true, x's own batch statistics, else the
/// given mean and variance. Gradients flow to x, scale and offset (TF's give none to the
/// mean and variance either).
struct fused_batch_norm : batch_norm_base {
  static constexpr std::string_view tf_name = "FusedBatchNormV3";
  static constexpr bool differentiable(std::size_t i) { return i < 3; }
  template <class X, class... A>
  using value_type = value_t<X>;
  template <class X, class... A>
  using shape_type = shape_of_t<X>;

  /// Exported in TF's inference form (is_training false; the training operand dropped): an
  /// exported graph is frozen for inference.
  void tf_attrs(auto& node) const {
    node.remove_input(5);
    node.attr_float("epsilon", static_cast<float>(m_epsilon));
    node.attr_bool("is_training", false);
    node.attr_string("data_format", node.input_rank(0) == 4 ? "NHWC" : "NDHWC");
    node.attr_dtype("U", node.input_dtype(1));
    if (node.input_rank(0) != 4 && node.input_rank(0) != 5)
      throw error("GraphDef export: TensorFlow's FusedBatchNormV3 takes rank 4 or 5 x, not rank " +
                  std::to_string(node.input_rank(0)));
  }

  template <std::size_t R>
  static std::array<std::size_t, R> result_dims(const std::array<std::size_t, R>& x,
                                                const std::array<std::size_t, 1>& scale,
                                                const std::array<std::size_t, 1>& offset,
                                                const std::array<std::size_t, 1>& mean,
                                                const std::array<std::size_t, 1>& variance,
                                                const std::array<std::size_t, 0>&) {
    check_channels(tf_name, x, scale, offset, mean, variance);
    return x;
  }
  template <class T, std::size_t R>
  void forward(tensor_ref<T, R> out, tensor_ref<const T, R> x, tensor_ref<const T, 1> scale,
               tensor_ref<const T, 1> offset, tensor_ref<const T, 1> mean, tensor_ref<const T, 1> variance,
               tensor_ref<const bool, 0> training) const {
    kernels::batch_norm(x.data, cells(x.dims), x.dims[R - 1], scale.data, offset.data, mean.data, variance.data,
                        m_epsilon, *training.data, out.data);
  }

  static constexpr auto vjp(const auto& g, const auto& n) {
    using G = std::remove_cvref_t<decltype(g)>;
    const auto grad = [&]<bool ToScale>(std::bool_constant<ToScale>) {
      return n.with_args([&](const auto& x, const auto& scale, const auto&, const auto& mean, const auto& variance,
                             const auto& training) {
        return graph::node<fused_batch_norm_grad<ToScale>, G, std::remove_cvref_t<decltype(x)>,
                           std::remove_cvref_t<decltype(scale)>, std::remove_cvref_t<decltype(mean)>,
                           std::remove_cvref_t<decltype(variance)>, std::remove_cvref_t<decltype(training)>>(
            {n.op()}, g, x, scale, mean, variance, training);
      });
    };
    return op::parts{
        grad(std::false_type{}), grad(std::true_type{}), reduce_sum(g, all_but_last_axis_t<rank_v<G>>{}), g, g, g};
  }
};

/// FusedBatchNormGradV3's output for x (ToScale false) or for scale (true); operands (g, x,
/// scale, mean, variance, training). It has no gradient of its own (TF's
/// FusedBatchNormGradGrad): differentiating through it is a compile-time error.
template <bool ToScale>
struct fused_batch_norm_grad : batch_norm_base {
  static constexpr std::string_view tf_name = "FusedBatchNormGradV3";
  template <class G, class X, class S, class... A>
  using value_type = value_t<X>;
  template <class G, class X, class S, class... A>
  using shape_type = std::conditional_t<ToScale, shape_of_t<S>, shape_of_t<X>>;

  template <std::size_t R>
  static std::array<std::size_t, ToScale ? 1 : R> result_dims(const std::array<std::size_t, R>& g,
                                                              const std::array<std::size_t, R>& x,
                                                              const std::array<std::size_t, 1>& scale,
                                                              const std::array<std::size_t, 1>& mean,
                                                              const std::array<std::size_t, 1>& variance,
                                                              const std::array<std::size_t, 0>&) {
    if (g != x)
      throw error(std::string(tf_name) + ": y_backprop " + shape_string(g) + " differs from x " + shape_string(x));
    check_channels(tf_name, x, scale, mean, variance);
    if constexpr (ToScale) return scale;
    else return x;
  }
  template <class T, std::size_t R, std::size_t RO>
  void forward(tensor_ref<T, RO> out, tensor_ref<const T, R> g, tensor_ref<const T, R> x, tensor_ref<const T, 1> scale,
               tensor_ref<const T, 1> mean, tensor_ref<const T, 1> variance, tensor_ref<const bool, 0> training) const {
    kernels::batch_norm_grad(g.data, x.data, cells(x.dims), x.dims[R - 1], scale.data, mean.data, variance.data,
                             m_epsilon, *training.data, ToScale ? nullptr : out.data, ToScale ? out.data : nullptr);
  }
};

}  // namespace op

namespace nn {

/// tf.nn.moments(x, axes, keepdims): the mean and the (biased) variance over the axes, as a
/// pair: `auto [mean, variance] = tf::nn::moments(x, tf::axis<0, 1, 2>);`. As in TF, the
/// variance is the mean of squared_difference(x, stop_gradient(mean)).
template <tensor_node X, int... A, class... Options>
constexpr auto moments(const X& x, axis_t<A...> axes, Options... options) {
  static_assert((std::is_same_v<Options, keep_dims_t> && ...), "tf::nn::moments: the only option is tf::keep_dims");
  const auto mean = reduce_mean(x, axes, keep_dims);
  const auto variance = reduce_mean(squared_difference(x, stop_gradient(mean)), axes, options...);
  if constexpr (sizeof...(Options) == 0) return std::pair{squeeze<A...>(mean), variance};
  else return std::pair{mean, variance};
}

/// tf.nn.batch_normalization(x, mean, variance, offset, scale, variance_epsilon):
/// (x - mean) scale / sqrt(variance + epsilon) + offset, computed as TF does, x inv +
/// (offset - mean inv) with inv = scale rsqrt(variance + epsilon). offset and scale may be
/// nullptr (TF's None: 0 and 1).
template <tensor_node X, tensor_node M, tensor_node V, class Offset, class Scale>
constexpr auto batch_normalization(const X& x, const M& mean, const V& variance, const Offset& offset,
                                   const Scale& scale, double variance_epsilon) {
  using T = value_t<X>;
  const auto inv = [&] {
    if constexpr (std::is_null_pointer_v<Scale>) return rsqrt(variance + T(variance_epsilon));
    else return rsqrt(variance + T(variance_epsilon)) * scale;
  }();
  if constexpr (std::is_null_pointer_v<Offset>) return x * inv + -(mean * inv);
  else return x * inv + (offset - mean * inv);
}

}  // namespace nn

}  // namespace typeflow

#endif
