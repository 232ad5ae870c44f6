#ifndef TYPEFLOW_AUTODIFF_GRADIENTS_HPP
#define TYPEFLOW_AUTODIFF_GRADIENTS_HPP

// Symbolic reverse-mode differentiation over node types: tf::gradients(y, xs...) returns,
// for each x, an ordinary expression that shares the forward nodes, so a Session computes
// them once for the loss and all its gradients.
//
// Reverse accumulation: the gradient reaching a node (its adjoint) is built once, as the sum
// of what each of its users passes down through the user's vector-Jacobian product (the op
// tag's `vjp`), so a graph that reuses a node gets one adjoint for it, not one per path.
// That needs one identity per node, and a type is one only for nodes without a payload:
// `x * 2.0f` and `x * 3.0f` have one type but are two nodes. So the walk has two parts:
// - from y down through nodes that carry a payload (a literal, a constant, an attribute
//   somewhere below them), every path is followed with its own instance, and what reaches
//   a payload-free node is handed over as a contribution keyed by that node's type;
// - below, payload-free nodes are unique by type, and adjoints accumulate by type, in one
//   table of gradient edges.
// Edges that carry no gradient (stop_gradient, comparisons, integer dtypes, shape-only
// operands) are cut at compile time: see differentiable_v in graph/node.hpp.

#include <array>
#include <cstddef>
#include <tuple>
#include <type_traits>
#include <utility>

#include "../core/fixed_string.hpp"
#include "../core/flat_tuple.hpp"
#include "../core/type_list.hpp"
#include "../graph/constant.hpp"
#include "../graph/node.hpp"
#include "../graph/traversal.hpp"
#include "../ops/elementwise.hpp"
#include "../ops/reduce.hpp"

namespace typeflow {

namespace diagnostic {
/// tf::gradients(y, x): y is not computed from the x named in this type (TensorFlow
/// would return None). Pass only tensors that y depends on.
template <class X>
struct error_y_does_not_depend_on;
}  // namespace diagnostic

/// Whether a gradient flows from node N to node X (along differentiable operand edges).
template <class N, class X>
inline constexpr bool depends_on_v = [] {
  if constexpr (std::is_same_v<N, X>) {
    return true;
  } else if constexpr (is_op_node_v<N>) {
    return []<std::size_t... I>(std::index_sequence<I...>) {
      return ((differentiable_v<N, I> && depends_on_v<std::tuple_element_t<I, typename N::args_type>, X>) || ...);
    }(std::make_index_sequence<std::tuple_size_v<typename N::args_type>>{});
  } else {
    return false;
  }
}();

namespace detail {

/// The empty sum of gradients: what a node gets when no path from y reaches it.
struct no_gradient {};

/// What a gradient through op tag Op, which defines no vjp, becomes: it is passed down and
/// summed as a gradient, without another error, until gradients() names Op (one frame from
/// the user's line, where the walk's frames print the graph's types many times over).
template <class Op>
struct vjp_missing {};
template <class T>
inline constexpr bool is_vjp_missing_v = false;
template <class Op>
inline constexpr bool is_vjp_missing_v<vjp_missing<Op>> = true;

// The calls below that take gradients are qualified, and gradients are summed by a function,
// not by a fold over `+`: an unqualified call looks its arguments' types up (ADL), and clang 14
// walks a node type's operands for that as a tree, whose size is exponential in depth where a
// graph reuses a node level upon level (benchmarks/README.md, "Residual blocks").

template <class A, class B>
constexpr auto add_gradients(const A& a, const B& b) {
  if constexpr (is_vjp_missing_v<A> || std::is_same_v<B, no_gradient>) return a;
  else if constexpr (is_vjp_missing_v<B> || std::is_same_v<A, no_gradient>) return b;
  else return typeflow::detail::make_add(a, b);
}

/// ((a + b) + c) + ...: the order a fold over `+` would sum in.
template <class A>
constexpr auto sum_left(const A& a) {
  return a;
}
template <class A, class B, class... R>
constexpr auto sum_left(const A& a, const B& b, const R&... r) {
  return detail::sum_left(detail::add_gradients(a, b), r...);
}

/// What the payload-carrying part of the walk hands to the node of type Key.
template <class Key, class G>
struct contribution {
  G g;
};

/// The nodes gradients are taken with respect to.
template <class... Xs>
struct wrt {
  template <class N>
  static constexpr bool reached_from = (depends_on_v<N, Xs> || ...);
  template <class N>
  static constexpr bool is_target = (std::is_same_v<N, Xs> || ...);
};

// --- the payload-carrying part: every path, with its own instances ----------------------

template <class Wrt, class N, class G>
constexpr auto walk(const N& n, const G& g);

/// Whether N hands a gradient to any operand on the way to an x (else its vjp is not called).
template <class Wrt, class N>
inline constexpr bool passes_gradient = []<std::size_t... I>(std::index_sequence<I...>) {
  return ((differentiable_v<N, I> && Wrt::template reached_from<std::tuple_element_t<I, typename N::args_type>>) || ...);
}(std::make_index_sequence<std::tuple_size_v<typename N::args_type>>{});

template <class Wrt, std::size_t I, class N, class Parts>
constexpr auto walk_operand(const N& n, const Parts& parts) {
  using A = std::tuple_element_t<I, typename N::args_type>;
  if constexpr (differentiable_v<N, I> && Wrt::template reached_from<A>)
    return detail::walk<Wrt>(n.template arg<I>(), typeflow::unbroadcast<shape_of_t<A>>(op::get<I>(parts)));
  else
    return std::tuple<>{};
}

/// The contributions that gradient g of node n passes to the payload-free nodes below it
/// (and to payload-carrying targets on the way).
template <class Wrt, class N, class G>
constexpr auto walk(const N& n, const G& g) {
  if constexpr (payload_free_v<N> || !is_op_node_v<N>) {
    return std::tuple<contribution<N, G>>{{g}};  // a payload-free node, or a target leaf
  } else {
    auto here = [&] {
      if constexpr (Wrt::template is_target<N>) return std::tuple<contribution<N, G>>{{g}};
      else return std::tuple<>{};
    }();
    if constexpr (!passes_gradient<Wrt, N>) {
      return here;  // a target whose operands take no gradient: its vjp (if any) is not needed
    } else if constexpr (!op::differentiable_op<typename N::op_type, G, N>) {
      return std::tuple_cat(here, std::tuple<contribution<vjp_missing<typename N::op_type>, no_gradient>>{});
    } else {
      const auto parts = N::op_type::vjp(g, n);
      return [&]<std::size_t... I>(std::index_sequence<I...>) {
        return std::tuple_cat(here, detail::walk_operand<Wrt, I>(n, parts)...);
      }(std::make_index_sequence<std::tuple_size_v<typename N::args_type>>{});
    }
  }
}

template <class Key, class C>
constexpr auto keyed(const C& c) {
  if constexpr (std::is_same_v<C, contribution<Key, decltype(c.g)>>) return c.g;
  else return no_gradient{};
}

/// The sum of the contributions handed to Key.
template <class Key, class... Cs>
constexpr auto handed_to(const std::tuple<Cs...>& cs) {
  return [&]<std::size_t... I>(std::index_sequence<I...>) {
    return detail::sum_left(no_gradient{}, detail::keyed<Key>(std::get<I>(cs))...);
  }(std::index_sequence_for<Cs...>{});
}

// --- the payload-free part: one adjoint per type ----------------------------------------

/// The gradient edges among the nodes of L (payload-free, reached from y, reaching an x):
/// user U's operand I is node `operand`. Computed once per L.
template <class L>
struct gradient_edges {
  struct edge {
    std::size_t user, operand, index;
  };
  template <class U>
  static constexpr std::size_t arity = std::tuple_size_v<typename operands_of<U>::type>;

  static constexpr auto all = []<class... Us>(type_list<Us...>) {
    std::array<edge, (arity<Us> + ... + 0) + 1> es{};
    std::size_t n = 0;
    auto add = [&]<class U>() {
      if constexpr (is_op_node_v<U>)
        [&]<std::size_t... I>(std::index_sequence<I...>) {
          auto one = [&]<std::size_t J>() {
            using A = std::tuple_element_t<J, typename U::args_type>;
            if constexpr (differentiable_v<U, J> && contains_v<L, A>)
              es[n++] = {position_v<L, U>, position_v<L, A>, J};
          };
          (one.template operator()<I>(), ...);
        }(std::make_index_sequence<arity<U>>{});
    };
    (add.template operator()<Us>(), ...);
    return std::pair{es, n};
  }(L{});

  /// The edges into node B (its users and the operand index B has in each).
  template <std::size_t B>
  static constexpr auto into = [] {
    std::array<edge, all.second + 1> r{};
    std::size_t n = 0;
    for (std::size_t k = 0; k < all.second; ++k)
      if (all.first[k].operand == B) r[n++] = all.first[k];
    return std::pair{r, n};
  }();
};

template <class L>
struct as_tuple;
template <class... Ts>
struct as_tuple<type_list<Ts...>> {
  using type = std::tuple<Ts...>;
};
template <class L, std::size_t I>
using node_at_t = std::tuple_element_t<I, typename as_tuple<L>::type>;

template <class L, class B, class E>
constexpr auto adjoint(const E& handed);

/// What user U (a payload-free node) passes to its operand I of type B.
template <class L, class U, std::size_t I, class B, class E>
constexpr auto passed_down(const E& handed) {
  const auto gu = detail::adjoint<L, U>(handed);
  using GU = std::remove_cvref_t<decltype(gu)>;
  if constexpr (std::is_same_v<GU, no_gradient> || is_vjp_missing_v<GU>) {
    return GU{};
  } else if constexpr (!op::differentiable_op<typename U::op_type, GU, U>) {
    return vjp_missing<typename U::op_type>{};
  } else {
    return typeflow::unbroadcast<shape_of_t<B>>(op::get<I>(U::op_type::vjp(gu, U{})));
  }
}

template <class L, class B, class E>
constexpr auto adjoint_sum(const E& handed) {
  using edges = gradient_edges<L>;
  constexpr std::size_t b = position_v<L, B>;
  return [&]<std::size_t... J>(std::index_sequence<J...>) {
    return detail::sum_left(
        detail::handed_to<B>(handed),
        detail::passed_down<L, node_at_t<L, edges::template into<b>.first[J].user>, edges::template into<b>.first[J].index, B>(
            handed)...);
  }(std::make_index_sequence<edges::template into<b>.second>{});
}

/// The gradient of sum(y) with respect to node B. A payload-free adjoint is a type, built
/// without walking its users again; only adjoints with payloads are built from the users'.
template <class L, class B, class E>
constexpr auto adjoint(const E& handed) {
  using A = decltype(detail::adjoint_sum<L, B>(handed));
  if constexpr (std::is_same_v<A, no_gradient> || payload_free_v<A>) return A{};
  else return detail::adjoint_sum<L, B>(handed);
}

/// The gradient seed: ones in y's shape (a plain 1 for a scalar y), as TF's gradients() uses.
template <tensor_node Y>
constexpr auto ones_like(const Y& y) {
  using one = graph::static_scalar<value_t<Y>, 1>;
  if constexpr (rank_v<Y> == 0) {
    return one{};
  } else {
    using fill = op::reduce_grad<op::reduction::sum, all_axes<rank_v<Y>>(), false>;  // 1 broadcast to y
    return graph::node<fill, one, Y>({}, one{}, y);
  }
}

template <class Wrt>
struct in_reverse_region {
  template <class N>
  struct pred : std::bool_constant<payload_free_v<N> && Wrt::template reached_from<N>> {};
};

// The checks below are not constexpr: clang 14 crashes evaluating a function whose body holds
// the (invalid) diagnostic declaration. They have a deduced return type, so that they are
// instantiated where gradients() calls them, with the user's line in the error's context
// (clang instantiates a void function's body at the end of the file, where that is lost).
// They take no y: its type would be printed in the error's context once more.

template <bool Depends, class X>
auto require_dependence() {
  if constexpr (!Depends) {
    // y is not computed from this x; see the comment on the type above.
    diagnostic::error_y_does_not_depend_on<diagnostic::spelled_t<X>> error;
  }
  return 0;
}

template <class Op>
auto require_vjp() {
  // A gradient flows through this op tag, which defines no vjp (graph/op_contract.hpp).
  diagnostic::error_op_tag_defines_no_vjp<Op> error;
  return 0;
}

template <class L, class X, class E>
constexpr auto gradient_of(const E& handed) {
  if constexpr (payload_free_v<X>) return detail::adjoint<L, X>(handed);
  else return detail::handed_to<X>(handed);
}

/// The op tag of the first vjp_missing in T (a gradient, a contribution, or a tuple of them), or void.
template <class T>
struct vjp_missing_in {
  using type = void;
};
template <class Op>
struct vjp_missing_in<vjp_missing<Op>> {
  using type = Op;
};
template <class Op, class G>
struct vjp_missing_in<contribution<vjp_missing<Op>, G>> {
  using type = Op;
};
template <class T, class... Ts>
struct vjp_missing_in<std::tuple<T, Ts...>> {
  using first = typename vjp_missing_in<T>::type;
  using type = std::conditional_t<std::is_void_v<first>, typename vjp_missing_in<std::tuple<Ts...>>::type, first>;
};

}  // namespace detail

/// tf.gradients(y, [x1, x2, ...]): the gradients of sum(y) with respect to each x, as a tuple
/// of expressions to fetch or build on: `auto [dW, db] = tf::gradients(loss, W, b);`, or
/// `tf::get<0>(tf::gradients(loss, W))` (a flat_tuple: core/flat_tuple.hpp says why).
/// A gradient of an x that y does not depend on is a compile error (TensorFlow's None).
template <tensor_node Y, graph_node... X>
constexpr auto gradients(const Y& y, const X&...) {
  using Wrt = detail::wrt<X...>;
  if constexpr (!(depends_on_v<Y, X> && ...)) {
    (detail::require_dependence<depends_on_v<Y, X>, X>(), ...);
    return flat_tuple{(static_cast<void>(sizeof(X)), detail::ones_like(y))...};  // after the error
  } else {
    using L = filter_t<topo_order_t<Y>, detail::in_reverse_region<Wrt>::template pred>;
    const auto handed = detail::walk<Wrt>(y, detail::ones_like(y));
    using no_vjp = typename detail::vjp_missing_in<
        std::tuple<std::remove_const_t<decltype(handed)>, decltype(detail::gradient_of<L, X>(handed))...>>::type;
    if constexpr (!std::is_void_v<no_vjp>) {
      detail::require_vjp<no_vjp>();
      return flat_tuple{(static_cast<void>(sizeof(X)), detail::ones_like(y))...};
    } else {
      return flat_tuple{detail::gradient_of<L, X>(handed)...};
    }
  }
}

}  // namespace typeflow

#endif
