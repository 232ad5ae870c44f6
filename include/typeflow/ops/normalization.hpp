#ifndef TYPEFLOW_OPS_NORMALIZATION_HPP
#define TYPEFLOW_OPS_NORMALIZATION_HPP

// tf.nn.moments and tf.nn.batch_normalization, composed of existing ops as TF composes them
// (nn_impl.py), so their gradients are those ops' gradients and their elementwise parts fuse:
//
//   mean, variance = tf.nn.moments(x, axes=[0, 1, 2])
//   y = tf.nn.batch_normalization(x, mean, variance, offset, scale, variance_epsilon)
//
// The layer with its variables and moving averages (tf.compat.v1.layers.batch_normalization)
// is runtime/batch_normalization.hpp.

#include <cstddef>
#include <type_traits>
#include <utility>

#include "../graph/node.hpp"
#include "elementwise.hpp"
#include "math.hpp"
#include "reduce.hpp"
#include "shape.hpp"

namespace typeflow::nn {

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

}  // namespace typeflow::nn

#endif
