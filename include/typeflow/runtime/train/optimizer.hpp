#ifndef TYPEFLOW_RUNTIME_TRAIN_OPTIMIZER_HPP
#define TYPEFLOW_RUNTIME_TRAIN_OPTIMIZER_HPP

// What every optimizer shares (TF's tf.train.Optimizer): minimize = compute_gradients +
// apply_gradients, var_list and global_step arguments, and slot variables. A slot is a
// variable per trained variable (Adam's m and v), a type named as TF names it ("W/Adam",
// "W/Adam_1"), declared in the default graph so that global_variables_initializer sets it
// and a Saver stores it. Hyperparameters are run-time payloads of the update ops.

#include <any>
#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "../../autodiff/gradients.hpp"
#include "../../core/dtype.hpp"
#include "../../core/error.hpp"
#include "../../core/fixed_string.hpp"
#include "../../core/unnamed.hpp"
#include "../../graph/traversal.hpp"
#include "../../graph/variable.hpp"
#include "../../ops/training.hpp"
#include "../graph.hpp"

namespace typeflow {

namespace diagnostic {
/// apply_gradients: the gradient paired with the variable named here (with its dtype and
/// shape) has another dtype or static shape (GradDtype, GradShape).
template <class Variable, class GradDtype, class GradShape>
struct error_gradient_does_not_match_variable;
}  // namespace diagnostic

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

namespace detail {
/// A pair (gradient, eager variable) of eager mode's apply_gradients (eager/variable.hpp).
template <class P>
inline constexpr bool is_eager_pair_v = false;
template <class G, class V>
  requires requires { V::is_eager_variable; }
inline constexpr bool is_eager_pair_v<std::pair<G, V>> = true;
/// A leaf that stands for an eager variable in an optimizer's update (eager/optimizer.hpp).
template <class V>
inline constexpr bool is_eager_leaf_v = requires {
  V::is_eager_variable_leaf;
};

template <class T>
inline constexpr bool is_var_list_v = false;
template <class... V>
inline constexpr bool is_var_list_v<var_list_t<V...>> = true;

/// A global step: a scalar integer variable (TF's tf.train.get_or_create_global_step()).
template <class T>
inline constexpr bool is_global_step_v = [] {
  if constexpr (is_variable_v<T>) return std::is_integral_v<value_t<T>> && rank_v<T> == 0;
  else return false;
}();

/// Names as char packs, concatenated: `name<'W'>`, `name<'/'>`, `name<'A', 'd', 'a', 'm'>` is "W/Adam".
template <class... Ns>
struct cat_names {
  using type = joined_name<Ns...>;  // a name known at run time among them (an unnamed variable's)
};
template <char... A>
struct cat_names<name<A...>> {
  using type = name<A...>;
};
template <char... A, char... B, class... Rest>
struct cat_names<name<A...>, name<B...>, Rest...> : cat_names<name<A..., B...>, Rest...> {};
template <class... Ns>
using cat_names_t = typename cat_names<Ns...>::type;

/// TF's uniquified suffix of the I-th slot of one variable: "", "_1", "_2", ...
template <std::size_t I>
using slot_suffix_t = std::conditional_t<I == 0, name<>, name<'_', static_cast<char>('0' + I)>>;

/// Declares variable V in the default graph, filled with `value` by global_variables_initializer.
template <class V>
V declare_filled_variable(double value) {
  using T = value_t<V>;
  using S = shape_of_t<V>;
  const std::string name(V::name_type::view());
  std::array<std::size_t, S::rank> dims{};
  for (std::size_t i = 0; i < S::rank; ++i) dims[i] = static_cast<std::size_t>(S::dims[i]);
  get_default_graph().add_variable({name, std::string(dtype_name<T>()),
                                    std::vector<std::int64_t>(S::dims.begin(), S::dims.end()),
                                    [dims, value](eval::variable_store& s) {
                                      auto& v = s.get(V{});
                                      v.value.resize(dims);
                                      v.value.fill(static_cast<T>(value));
                                      v.initialized = true;
                                    },
                                    [](eval::variable_store& s) { return s.bytes(V{}); }});
  return V{};
}

/// The optimizer's name given at run time must be the one in its type (slots are types).
inline void check_optimizer_name(std::string_view given, std::string_view in_type, std::string_view optimizer) {
  if (given != in_type)
    throw error("tf::train::" + std::string(optimizer) + ": name '" + std::string(given) + "' differs from '" +
                std::string(in_type) + "', the name in its type, which names its slot variables; write tf::train::" +
                std::string(optimizer) + "<\"" + std::string(given) + "\">(...)");
}

template <template <class> class Pred, class A>
constexpr auto keep_if(const A& a) {
  if constexpr (Pred<A>::value) return std::tuple<A>{a};
  else return std::tuple<>{};
}
template <class T>
struct var_list_pred : std::bool_constant<is_var_list_v<T>> {};
template <class T>
struct global_step_pred : std::bool_constant<is_global_step_v<T>> {};

/// Whether a gradient of type G matches variable V: the same dtype and static shape.
template <class G, class V>
concept matches_variable = std::is_same_v<value_t<G>, value_t<V>> && std::is_same_v<shape_of_t<G>, shape_of_t<V>>;

/// Pairs (gradient, variable) of apply_gradients where a gradient does not match its variable.
template <class... P>
concept mismatched_pairs = (is_variable_v<typename P::second_type> && ...) &&
                           !(matches_variable<typename P::first_type, typename P::second_type> && ...);

/// The first pair (G, V) whose gradient does not match its variable: the variable as a
/// diagnostic spells it, and the gradient's dtype and static shape (none where all match).
template <class... P>
struct first_mismatch {};
template <class G, class V, class... P>
struct first_mismatch<std::pair<G, V>, P...> : first_mismatch<P...> {};
template <class G, class V, class... P>
  requires(!matches_variable<G, V>)
struct first_mismatch<std::pair<G, V>, P...> {
  using variable = diagnostic::spelled_t<V>;
  using dtype = value_t<G>;
  using shape = shape_of_t<G>;
};

}  // namespace detail

namespace train {

/// The base of the optimizers (TF's tf.train.Optimizer). Derived (which befriends it)
/// supplies `apply_dense(grad, var, context)`, the update op of one variable, and optionally
/// `prepare<V...>()`, which makes the context (Adam's beta powers; by default nothing), and
/// `finish(updates, context)`, the op that follows all updates (by default the updates).
template <class Derived>
class Optimizer {
 public:
  /// The pairs (gradient, variable) of the loss for the variables of var_list (by default
  /// all the variables the loss depends on): a std::tuple of std::pair<gradient expression, variable>.
  template <tensor_node Loss, class... V>
  auto compute_gradients(const Loss& loss, var_list_t<V...> = {}) const {
    if constexpr (sizeof...(V) == 0) {
      static_assert(!std::is_same_v<variables_of_t<Loss>, var_list_t<>>,
                    "typeflow::train::Optimizer::compute_gradients: the loss depends on no variable");
      return compute_gradients(loss, variables_of_t<Loss>{});
    } else {
      // Not std::tuple{std::pair{...}}: for one pair, that deduces tuple<G, V>.
      return typeflow::apply(
          [](const auto&... g) {
            return std::make_tuple(std::pair{g, V{}}...);
          },
          gradients(loss, V{}...));
    }
  }

  /// The train operation applying grads_and_vars (as compute_gradients returns them, perhaps
  /// transformed); with a global step, it also adds 1 to it after the updates.
  template <class... G, class... V, class... Step>
    requires(!detail::mismatched_pairs<std::pair<G, V>...>)
  auto apply_gradients(const std::tuple<std::pair<G, V>...>& grads_and_vars, const Step&... global_step) const {
    static_assert(sizeof...(V) > 0, "typeflow::train::Optimizer::apply_gradients: no (gradient, variable) pairs");
    static_assert((is_variable_v<V> && ...),
                  "typeflow::train::Optimizer::apply_gradients: the second of each pair must be a tf::Variable");
    static_assert(sizeof...(Step) <= 1 && (detail::is_global_step_v<Step> && ...),
                  "typeflow::train::Optimizer::apply_gradients: global_step must be an integer scalar tf::Variable "
                  "(tf::train::get_or_create_global_step())");
    return apply_pairs(grads_and_vars, global_step...);
  }

  /// apply_gradients where a gradient does not match its variable: declared to return the
  /// incomplete type that names the first such pair, so the error is one line at the call, not
  /// a body's frames, which print the gradients' types (pages of them in a real model).
  template <class... G, class... V, class... Step, class M = detail::first_mismatch<std::pair<G, V>...>>
  auto apply_gradients(const std::tuple<std::pair<G, V>...>&, const Step&...) const
      -> diagnostic::error_gradient_does_not_match_variable<typename M::variable, typename M::dtype, typename M::shape>
    requires detail::mismatched_pairs<std::pair<G, V>...>;

  /// Eager mode (typeflow/eager.hpp): applies pairs (gradient, variable) of eager tensors and
  /// variables now, through the same apply_dense, update kernels and slot names as graph mode
  /// (the leaves stand for the eager tensors and variables; eager/optimizer.hpp runs the
  /// updates). A gradient that is std::nullopt (the tape's None) skips its variable, as TF
  /// does; when all are, it is TF's error "No gradients provided for any variable".
  template <class... P>
    requires(sizeof...(P) > 0 && (detail::is_eager_pair_v<P> && ...))
  void apply_gradients(const P&... pairs) const {
    if (!(has_eager_gradient(pairs) || ...))
      throw error("tf::train::Optimizer::apply_gradients: no gradients provided for any variable");
    const auto context = make_context<decltype(eager_variable_leaf(pairs))...>();
    (
        [&] {
          if (has_eager_gradient(pairs))
            run_eager_operation(
                locking(self().apply_dense(eager_gradient_leaf(pairs), eager_variable_leaf(pairs), context)));
        }(),
        ...);
    if constexpr (requires { self().finish(graph::node<op::group>{}, context); })
      run_eager_operation(self().finish(graph::node<op::group>{}, context));
  }

  /// compute_gradients then apply_gradients. After the loss come, in either order, an
  /// optional tf::var_list(...) and an optional global step (TF1's order is global_step, var_list).
  template <tensor_node Loss, class... Args>
  auto minimize(const Loss& loss, const Args&... args) const {
    // clang-format off
    static_assert((detail::is_var_list_v<Args> + ... + 0) <= 1 && (detail::is_global_step_v<Args> + ... + 0) <= 1 &&
                      ((detail::is_var_list_v<Args> || detail::is_global_step_v<Args>) && ...),
                  "typeflow::train::Optimizer::minimize(loss, ...): after the loss, pass at most one tf::var_list(...) "
                  "and one global step (an integer scalar tf::Variable)");
    // clang-format on
    // No std::apply here: its noexcept check instantiates the lambda inside type_traits, which
    // added a dozen `required from` lines of gradient types to an error.
    const auto vars = std::tuple_cat(detail::keep_if<detail::var_list_pred>(args)...);
    const auto steps = std::tuple_cat(detail::keep_if<detail::global_step_pred>(args)...);
    const auto grads_and_vars = [&] {
      if constexpr (std::tuple_size_v<decltype(vars)> == 0) return compute_gradients(loss);
      else return compute_gradients(loss, std::get<0>(vars));
    }();
    // Autodiff gives each gradient its variable's dtype and shape, unless the loss's graph has
    // an error, which its op has reported: apply_gradients' check would only repeat it.
    if constexpr (std::tuple_size_v<decltype(steps)> == 0) return apply_pairs(grads_and_vars);
    else return apply_pairs(grads_and_vars, std::get<0>(steps));
  }

 protected:
  /// use_locking: each update holds its variables' locks (TF's), else concurrent updates race.
  explicit Optimizer(bool use_locking = false) : m_use_locking(use_locking) {}

  /// apply_gradients without its checks (minimize's gradients match their variables).
  template <class... G, class... V, class... Step>
  auto apply_pairs(const std::tuple<std::pair<G, V>...>& grads_and_vars, const Step&... global_step) const {
    const auto context = make_context<V...>();
    // A braced list applies (and declares the slots of) the variables in order, as TF does.
    const auto applies = std::apply(
        [&](const auto&... gv) { return std::tuple{locking(self().apply_dense(gv.first, gv.second, context))...}; },
        grads_and_vars);
    auto updates = std::apply([](const auto&... u) { return group(u...); }, applies);
    auto finished = finish_updates(updates, context);
    if constexpr (sizeof...(Step) == 0) {
      return finished;
    } else {
      using S = std::tuple_element_t<0, std::tuple<Step...>>;
      return graph::node<op::increment_global_step<value_t<S>>, S, decltype(finished)>({}, global_step..., finished);
    }
  }

  /// The slot variable number I of var (TF's "var/Name", "var/Name_1", ...), declared in the
  /// default graph with every element `initial_value`; in eager mode, the eager variable's own.
  template <std::size_t I, class V>
  static auto slot(const V& var, double initial_value) {
    if constexpr (detail::is_eager_leaf_v<V>) {
      return var.slot(std::string(Derived::name_type::view()) + (I == 0 ? "" : "_" + std::to_string(I)), initial_value);
    } else {
      using N =
          detail::cat_names_t<typename V::name_type, name<'/'>, typename Derived::name_type, detail::slot_suffix_t<I>>;
      using S = decltype(detail::make_leaf<graph::variable, N, value_t<V>, shape_of_t<V>>());
      return detail::declare_filled_variable<S>(initial_value);
    }
  }

  /// Eager mode's non-slot variables of the optimizer (Adam's beta powers), made on first use.
  mutable std::map<std::string, std::any> m_eager_variables;

  template <class... U>
  static auto group(const U&... updates) {
    return graph::node<op::group, U...>(op::group{}, updates...);
  }

 private:
  const Derived& self() const { return static_cast<const Derived&>(*this); }

  /// The update of a variable, with the optimizer's use_locking.
  template <class Op, class... A>
  graph::node<Op, A...> locking(const graph::node<Op, A...>& update) const {
    Op op = update.op();
    op.m_use_locking = m_use_locking;
    return update.with_args([&](const auto&... a) { return graph::node<Op, A...>(op, a...); });
  }

  template <class... V>
  auto make_context() const {
    if constexpr (requires { self().template prepare<V...>(); }) return self().template prepare<V...>();
    else return std::tuple<>{};
  }

  template <class Updates, class Context>
  auto finish_updates(const Updates& updates, const Context& context) const {
    if constexpr (requires { self().finish(updates, context); }) return self().finish(updates, context);
    else return updates;
  }

  bool m_use_locking;
};

}  // namespace train
}  // namespace typeflow

#endif
