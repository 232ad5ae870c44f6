#ifndef TYPEFLOW_OPS_TRAINING_HPP
#define TYPEFLOW_OPS_TRAINING_HPP

// Operations: nodes that change variables and yield no value (TF's Apply* ops and NoOp
// groups). A Session runs them after every value of the run has been computed.

#include <cstddef>
#include <string_view>

#include "../core/tensor_ref.hpp"
#include "../graph/node.hpp"

namespace typeflow::op {

struct operation {
  static constexpr bool elementwise = false;
  template <class...>
  using value_type = void;
  template <class...>
  using shape_type = shape<>;
};

/// tf.group(ops...): runs its operands, does nothing itself.
struct group : operation {
  static constexpr std::string_view tf_name = "NoOp";
  static constexpr bool updates_variable = false;
};

/// var -= alpha * delta (TF's ApplyGradientDescent); operands: the variable, then delta.
template <class T>
struct apply_gradient_descent : operation {
  static constexpr std::string_view tf_name = "ApplyGradientDescent";
  static constexpr bool updates_variable = true;
  T m_alpha{};

  template <std::size_t R>
  void apply(tensor_ref<T, R> var, tensor_ref<const T, R> delta) const {
    const std::size_t n = var.size();
    for (std::size_t i = 0; i < n; ++i) var.data[i] -= m_alpha * delta.data[i];
  }
  bool operator==(const apply_gradient_descent& o) const { return m_alpha == o.m_alpha; }
};

}  // namespace typeflow::op

namespace typeflow {

/// tf.group(inputs...): one operation that runs all of its operands (assigns, train ops, ...).
template <graph_node... N>
  requires(sizeof...(N) > 0)
constexpr auto group(const N&... inputs) {
  return graph::node<op::group, N...>(op::group{}, inputs...);
}

}  // namespace typeflow

#endif
