#ifndef TYPEFLOW_RUNTIME_TRAIN_GRADIENT_DESCENT_HPP
#define TYPEFLOW_RUNTIME_TRAIN_GRADIENT_DESCENT_HPP

#include <tuple>
#include <type_traits>

#include "../../autodiff/gradients.hpp"
#include "../../graph/traversal.hpp"
#include "../../graph/variable.hpp"
#include "../../ops/training.hpp"

namespace typeflow {

/// The `var_list=[...]` argument of minimize: `opt.minimize(loss, tf::var_list(W, b))`.
template <graph_node... V>
struct var_list_t {};

template <graph_node... V>
constexpr var_list_t<V...> var_list(const V&...) {
  static_assert((is_variable_v<V> && ...), "typeflow::var_list: every element must be a tf::Variable");
  return {};
}

namespace detail {
template <class Loss>
struct trainable_in {
  template <class N>
  struct pred : std::bool_constant<is_variable_v<N> && depends_on_v<Loss, N>> {};
};
template <class List>
struct as_var_list;
template <class... V>
struct as_var_list<type_list<V...>> {
  using type = var_list_t<V...>;
};
}  // namespace detail

/// The variables that a loss is computed from, in graph order (TF's trainable variables that the loss uses).
template <class Loss>
using variables_of_t =
    typename detail::as_var_list<filter_t<topo_order_t<Loss>, detail::trainable_in<Loss>::template pred>>::type;

namespace train {

/// tf.train.GradientDescentOptimizer: var -= learning_rate * d(loss)/d(var).
class GradientDescentOptimizer {
 public:
  explicit GradientDescentOptimizer(double learning_rate) : m_learning_rate(learning_rate) {}

  /// The train operation updating every variable the loss depends on (or those of var_list).
  template <tensor_node Loss, class... V>
  auto minimize(const Loss& loss, var_list_t<V...> = {}) const {
    if constexpr (sizeof...(V) == 0) {
      static_assert(!std::is_same_v<variables_of_t<Loss>, var_list_t<>>,
                    "typeflow::train::GradientDescentOptimizer::minimize: the loss depends on no variable");
      return minimize(loss, variables_of_t<Loss>{});
    } else {
      auto grads = gradients(loss, V{}...);
      return std::apply(
          [&](const auto&... g) {
            return graph::node<op::group, decltype(update(V{}, g))...>(op::group{}, update(V{}, g)...);
          },
          grads);
    }
  }

 private:
  template <class V, class G>
  auto update(const V& var, const G& grad) const {
    using T = value_t<V>;
    op::apply_gradient_descent<T> apply;
    apply.m_alpha = static_cast<T>(m_learning_rate);
    return graph::node<op::apply_gradient_descent<T>, V, G>(apply, var, grad);
  }

  double m_learning_rate;
};

}  // namespace train
}  // namespace typeflow

#endif
