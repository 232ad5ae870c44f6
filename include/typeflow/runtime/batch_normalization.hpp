#ifndef TYPEFLOW_RUNTIME_BATCH_NORMALIZATION_HPP
#define TYPEFLOW_RUNTIME_BATCH_NORMALIZATION_HPP

// tf.compat.v1.layers.batch_normalization: batch normalisation over the last axis with its four
// variables, named as TF names them (NAME/gamma, NAME/beta, NAME/moving_mean,
// NAME/moving_variance, so checkpoints interchange), and the moving-average updates that TF
// puts in the UPDATE_OPS collection. A TF1 program
//
//   h = tf.compat.v1.layers.batch_normalization(conv, training=is_training, name='bn1')
//   update_ops = tf.compat.v1.get_collection(tf.compat.v1.GraphKeys.UPDATE_OPS)
//   with tf.control_dependencies(update_ops): train = opt.minimize(loss)
//
// reads in typeflow, where a graph holds no collections, with the updates returned:
//
//   auto bn1 = tf::layers::batch_normalization<"bn1">(conv, is_training);
//   auto train = tf::group(opt.minimize(loss), bn1.update_ops);
//
// Training (is_training fed true) normalises with the batch's mean and variance, and the
// gradient flows through them; evaluation with the moving averages, which no optimizer trains
// (they are read through stop_gradient, as TF's are not trainable). The normalisation is one
// kernel op, TF's FusedBatchNormV3 (ops/normalization.hpp). As TF's fused kernel does
// for NHWC images, the moving variance averages the batch variance with Bessel's correction
// (n / (n - 1)); for other ranks TF's layer uses the plain batch variance, and so does this.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <type_traits>
#include <utility>

#include "../core/fixed_string.hpp"
#include "../core/tensor_ref.hpp"
#include "../graph/node.hpp"
#include "../ops/normalization.hpp"
#include "../ops/state.hpp"
#include "../ops/training.hpp"
#include "variables.hpp"

namespace typeflow {

namespace op {

/// v n / (n - 1), n being the count of x's elements per element of v (the cells a variance v
/// was taken over); operands (v, x read for its dims only).
struct bessel_correction {
  static constexpr std::string_view tf_name = "BesselCorrection";
  static constexpr bool tf_op = false;
  static constexpr bool reads_values(std::size_t i) { return i == 0; }
  static constexpr bool differentiable(std::size_t) { return false; }
  template <class V, class X>
  using value_type = value_t<V>;
  template <class V, class X>
  using shape_type = shape_of_t<V>;
  template <std::size_t RV, std::size_t RX>
  static std::array<std::size_t, RV> result_dims(const std::array<std::size_t, RV>& v,
                                                 const std::array<std::size_t, RX>&) {
    return v;
  }
  template <class T, std::size_t RV, std::size_t RX>
  static void forward(tensor_ref<T, RV> out, tensor_ref<const T, RV> v, tensor_ref<const T, RX> x) {
    const std::size_t n = v.size() == 0 ? 0 : x.size() / v.size();
    const T factor = n > 1 ? static_cast<T>(n) / static_cast<T>(n - 1) : T(1);
    for (std::size_t i = 0; i < v.size(); ++i) out.data[i] = v.data[i] * factor;
  }
};

}  // namespace op

namespace layers {

/// What tf::layers::batch_normalization returns: the normalised tensor and the group of the
/// two moving-average updates (TF's UPDATE_OPS), to run with each training step.
template <class Output, class UpdateOps>
struct batch_normalization_layer {
  Output output;
  UpdateOps update_ops;
};

/// tf.compat.v1.layers.batch_normalization(x, training=training, momentum=0.99, epsilon=1e-3,
/// name=Name) over x's last axis (the channels); `training` is a rank-0 bool node, usually a
/// placeholder. gamma starts at 1, beta at 0, the moving mean at 0, the moving variance at 1.
template <fixed_string Name, tensor_node X, tensor_node Training>
auto batch_normalization(const X& x, const Training& training, double momentum = 0.99, double epsilon = 1e-3) {
  using T = value_t<X>;
  using S = shape_of_t<X>;
  static_assert(std::is_floating_point_v<T>, "tf::layers::batch_normalization: x must have a floating dtype");
  static_assert(S::rank >= 2 && S::dims[S::rank - 1] != none,
                "tf::layers::batch_normalization: x needs rank >= 2 and a static last dim (the channels)");
  static_assert(std::is_same_v<value_t<Training>, bool> && rank_v<Training> == 0,
                "tf::layers::batch_normalization: training is a rank-0 bool node (a placeholder fed true or false)");
  constexpr std::int64_t channels = S::dims[S::rank - 1];
  auto gamma = Variable<Name + "/gamma", T, channels>(constant(T(1)));
  auto beta = Variable<Name + "/beta", T, channels>(constant(T(0)));
  auto moving_mean = Variable<Name + "/moving_mean", T, channels>(constant(T(0)));
  auto moving_variance = Variable<Name + "/moving_variance", T, channels>(constant(T(1)));

  // One kernel op normalises (FusedBatchNormV3); the batch's moments are computed again, apart,
  // for the moving averages, by the update ops only.
  const auto output =
      graph::node<op::fused_batch_norm, X, decltype(gamma), decltype(beta), decltype(stop_gradient(moving_mean)),
                  decltype(stop_gradient(moving_variance)), Training>(op::fused_batch_norm{{epsilon}}, x, gamma, beta,
                                                                      stop_gradient(moving_mean),
                                                                      stop_gradient(moving_variance), training);
  const auto moments = nn::moments(x, all_but_last_axis_t<S::rank>{});
  const auto& batch_mean = moments.first;
  const auto& batch_variance = moments.second;

  // TF's assign_moving_average: v -= (v - value) (1 - momentum).
  const auto decay = T(1 - momentum);
  const auto averaged_variance = [&] {
    using V = std::remove_cvref_t<decltype(batch_variance)>;
    if constexpr (S::rank == 4) return graph::node<op::bessel_correction, V, X>({}, batch_variance, x);
    else return batch_variance;
  }();
  auto update_ops = group(assign_sub(moving_mean, (moving_mean - batch_mean) * decay),
                          assign_sub(moving_variance, (moving_variance - averaged_variance) * decay));
  return batch_normalization_layer<decltype(output), decltype(update_ops)>{output, update_ops};
}

}  // namespace layers

}  // namespace typeflow

#endif
