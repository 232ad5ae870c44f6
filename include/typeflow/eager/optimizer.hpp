#ifndef TYPEFLOW_EAGER_OPTIMIZER_HPP
#define TYPEFLOW_EAGER_OPTIMIZER_HPP

// The optimizers in eager mode: `opt.apply_gradients(std::pair{dw, w}, std::pair{db, b})`.
// tf::train's optimizers build their update as graph nodes (apply_dense, with its slots, and
// Adam's finish); given leaves that stand for eager variables and gradients, the same code
// builds the same update, which run_eager_operation applies now with the op tags' kernels.
// So eager and graph mode share hyperparameters, slot names ("w/Adam", "w/Adam_1") and the
// arithmetic of every step.

#include <any>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>

#include "../core/error.hpp"
#include "../core/tensor_ref.hpp"
#include "../graph/node.hpp"
#include "../ops/training.hpp"
#include "../runtime/train/optimizer.hpp"
#include "execute.hpp"
#include "variable.hpp"

namespace typeflow::eager {

namespace detail {

/// A graph node standing for eager variable `var` in an update (rank R: the values seen
/// flat, or a scalar's).
template <dtype T, std::size_t R>
struct variable_leaf : node_base {
  using value_type = T;
  using shape_type = typename dynamic_shape<R>::type;
  static constexpr bool is_eager_variable_leaf = true;
  Variable<T> var;

  bool operator==(const variable_leaf& o) const { return var.is(o.var); }

  /// The optimizer's slot `name` of this variable ("Adam_1": the variable "w/Adam_1").
  variable_leaf slot(const std::string& name, double initial_value) const {
    return {{}, const_cast<Variable<T>&>(var).slot(name, static_cast<T>(initial_value))};
  }
  /// An optimizer's own scalar variable (Adam's beta1_power), kept in `store` by name.
  template <dtype P>
  static variable_leaf<P, 0> non_slot(std::map<std::string, std::any>& store, std::string_view name, double initial) {
    auto it = store.find(std::string(name));
    if (it == store.end())
      it = store.emplace(std::string(name), Variable<P>(static_cast<P>(initial), std::string(name), false)).first;
    return {{}, std::any_cast<Variable<P>>(it->second)};
  }
};

template <class T, std::size_t R>
tensor_ref<T, R> values_of(T* data, std::size_t n) {
  if constexpr (R == 0) return {data, {}};
  else return {data, {n}};
}

/// Operand I of an update as its kernel takes it: a variable it writes, or values it reads.
template <bool Writes, class A>
auto operand_ref(const A& a) {
  using T = value_t<A>;
  constexpr std::size_t R = rank_v<A>;
  if constexpr (requires { A::is_eager_variable_leaf; }) {
    auto& var = const_cast<Variable<T>&>(a.var);
    if constexpr (Writes) return values_of<T, R>(var.mutable_values(), var.size());
    else return values_of<const T, R>(var.value().data().data(), var.size());
  } else {
    static_assert(!Writes, "typeflow internal: an update writes an operand that is not a variable");
    return values_of<const T, R>(a.tensor->data().data(), a.tensor->size());
  }
}

/// Runs an update built from eager leaves: its operations among the operands first (as a
/// Session runs control dependencies), then its kernel, on the variables' values in place.
template <class Op, class... A>
void run_eager_operation(const graph::node<Op, A...>& n) {
  n.with_args([&](const auto&... a) {
    (
        [&] {
          if constexpr (is_operation_v<std::remove_cvref_t<decltype(a)>>) run_eager_operation(a);
        }(),
        ...);
    if constexpr (op::traits<Op>::updates_variable) {
      constexpr std::size_t writes = op::traits<Op>::updated_operands;
      const auto refs = [&]<std::size_t... I>(std::index_sequence<I...>) {
        return std::tuple_cat([&] {
          using X = std::tuple_element_t<I, std::tuple<A...>>;
          if constexpr (is_operation_v<X>) return std::tuple<>{};
          else return std::tuple{operand_ref<(I < writes)>(graph::nth_operand<I>(a...))};
        }()...);
      }
      (std::index_sequence_for<A...>{});
      std::apply([&](const auto&... r) { n.op().apply(r...); }, refs);
    }
  });
}

}  // namespace detail

// The hooks tf::train::Optimizer's eager apply_gradients finds by argument-dependent lookup
// (run_eager_operation above, through the leaves' namespace).

template <class G, dtype T>
bool has_eager_gradient(const std::pair<G, Variable<T>>& p) {
  if constexpr (std::is_same_v<G, Tensor<T>>) return true;
  else return p.first.has_value();
}

template <class G, dtype T>
detail::leaf<T, 1> eager_gradient_leaf(const std::pair<G, Variable<T>>& p) {
  const Tensor<T>* g = nullptr;
  if constexpr (std::is_same_v<G, Tensor<T>>) g = &p.first;
  else g = &*p.first;
  if (!(g->shape() == p.second.shape()))
    throw error("tf::train::Optimizer::apply_gradients: the gradient of variable '" + p.second.name() + "' has shape " +
                to_string(g->shape()) + ", the variable " + to_string(p.second.shape()));
  return {{}, g};
}

template <class G, dtype T>
detail::variable_leaf<T, 1> eager_variable_leaf(const std::pair<G, Variable<T>>& p) {
  return {{}, p.second};
}

}  // namespace typeflow::eager

#endif
