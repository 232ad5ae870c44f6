#ifndef TYPEFLOW_OPS_DROPOUT_HPP
#define TYPEFLOW_OPS_DROPOUT_HPP

// tf.nn.dropout(x, rate, seed): each element kept with probability 1 - rate and scaled by
// 1 / (1 - rate), zeroed otherwise, with a new draw in every run. It is x times a mask node,
// so the gradient is g times the same mask (the product's own gradient) and the mask is
// drawn once per run however many nodes read it.
//
// The mask is counter-based: element i of a node's r-th run is splitmix64 of a key made from
// the seed and r, so a seed fixes the node's sequence of masks, whatever the thread split, and
// concurrent runs (each takes its own r) need no lock. The count belongs to the node, not to
// a Session: where TF starts a seeded op's sequence again in each new Session, a typeflow node
// goes on with it (a new node with the seed starts it again). A TF1 program
// switches dropout off at evaluation by feeding the rate (TF1's keep_prob placeholder):
//
//   auto rate = tf::placeholder<"rate", float>();
//   auto h = tf::nn::dropout(hidden, rate);        // feed 0.5 to train, 0 to evaluate

#include <array>
#include <atomic>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>

#include "../core/error.hpp"
#include "../core/tensor_ref.hpp"
#include "../graph/constant.hpp"
#include "../graph/node.hpp"
#include "diagnostics.hpp"
#include "elementwise.hpp"

namespace typeflow {

namespace diagnostic {
/// tf::nn::dropout(x, rate): the rate is a number or a rank-0 node of x's dtype (a placeholder
/// fed at each run); the rate's node type is named here.
template <class Rate>
struct error_dropout_rate_must_be_a_scalar_of_x_dtype;
}  // namespace diagnostic

namespace op {

/// The mask of a dropout: 1 / (1 - rate) where a uniform draw in [0, 1) is >= rate, 0
/// elsewhere; operands (x, read for its dims only; the rate, a scalar). Each tf::nn::dropout
/// call is a node of its own (its run counter is its identity).
struct dropout_mask {
  static constexpr std::string_view tf_name = "DropoutMask";
  static constexpr bool tf_op = false;  // TF's dropout is RandomUniform, GreaterEqual, Cast and Mul
  static constexpr bool reads_values(std::size_t i) { return i == 1; }
  static constexpr bool differentiable(std::size_t) { return false; }
  template <class X, class Rate>
  using value_type = value_t<X>;
  template <class X, class Rate>
  using shape_type = shape_of_t<X>;

  std::uint64_t m_seed = 0;
  std::shared_ptr<std::atomic<std::uint64_t>> m_runs = std::make_shared<std::atomic<std::uint64_t>>(0);

  bool operator==(const dropout_mask& o) const { return m_runs == o.m_runs; }

  template <std::size_t R>
  static std::array<std::size_t, R> result_dims(const std::array<std::size_t, R>& x,
                                                const std::array<std::size_t, 0>&) {
    return x;
  }

  /// splitmix64's output function: a bijection of 64-bit words that mixes every bit.
  static constexpr std::uint64_t mix(std::uint64_t z) {
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

  template <class T, std::size_t R>
  void forward(tensor_ref<T, R> out, tensor_ref<const T, R>, tensor_ref<const T, 0> rate) const {
    const double r = static_cast<double>(*rate.data);
    if (!(r >= 0 && r < 1)) throw error("dropout: rate must be in [0, 1), got " + std::to_string(r));
    constexpr std::uint64_t golden = 0x9e3779b97f4a7c15ULL;
    const std::uint64_t key = mix(m_seed + golden * (m_runs->fetch_add(1, std::memory_order_relaxed) + 1));
    const T scale = static_cast<T>(1 / (1 - r));
    // 24 random bits per element: the float draw of TF's RandomUniform has as many.
    const auto threshold = static_cast<std::uint64_t>(std::ceil(r * 16777216.0));  // u >= r: bits >= 2^24 r
    const std::size_t n = out.size();
    for (std::size_t i = 0; i < n; ++i) out.data[i] = (mix(key + golden * i) >> 40) >= threshold ? scale : T(0);
  }
};

}  // namespace op

namespace nn {

/// tf.nn.dropout(x, rate, seed): x / (1 - rate) where kept (probability 1 - rate), 0 elsewhere,
/// drawn anew at each run. `rate` is a number or a rank-0 node (a placeholder: feed 0 to turn
/// dropout off). Without a seed each dropout draws its own sequence, as in TF; with one, the
/// node's k-th run draws the same mask in every program run.
template <tensor_node X, class Rate>
auto dropout(const X& x, const Rate& rate, std::optional<std::uint64_t> seed = std::nullopt) {
  using T = value_t<X>;
  static_assert(std::is_floating_point_v<T>, "tf::nn::dropout: x must have a floating dtype");
  op::dropout_mask mask;
  if (seed) {
    mask.m_seed = *seed;
  } else {
    std::random_device entropy;
    mask.m_seed = (std::uint64_t{entropy()} << 32) ^ entropy();
  }
  if constexpr (std::is_arithmetic_v<Rate>) {
    if (!(rate >= 0 && rate < 1))
      throw error("tf::nn::dropout: rate must be in [0, 1), got " + std::to_string(static_cast<double>(rate)));
    graph::scalar<T> r;
    r.m_value = static_cast<T>(rate);
    return x * graph::node<op::dropout_mask, X, graph::scalar<T>>(mask, x, r);
  } else if constexpr (tensor_node<Rate>) {
    if constexpr (rank_v<Rate> != 0 || !std::is_same_v<value_t<Rate>, T>) {
      diagnostic::error_dropout_rate_must_be_a_scalar_of_x_dtype<Rate> error;
      return x;
    } else {
      return x * graph::node<op::dropout_mask, X, Rate>(mask, x, rate);
    }
  } else {
    diagnostic::error_dropout_rate_must_be_a_scalar_of_x_dtype<Rate> error;
    return x;
  }
}

}  // namespace nn

}  // namespace typeflow

#endif
