#ifndef TYPEFLOW_GRAPH_NODE_HPP
#define TYPEFLOW_GRAPH_NODE_HPP

#include <array>
#include <concepts>
#include <cstddef>
#include <tuple>
#include <type_traits>
#include <utility>

#include "../core/shape.hpp"
#include "op_contract.hpp"

namespace typeflow {

/// Base of every graph node. It lives in namespace typeflow so that argument-dependent
/// lookup finds typeflow's operators for every node type.
struct node_base {
  bool operator==(const node_base&) const = default;
};

/// The base of the nodes users hold, with TF1's Tensor.eval(feed_dict, session):
/// `accuracy.eval(sess, tf::feed(x, X))` is `sess.run(accuracy, tf::feed(x, X))`. There is no
/// default session, so the Session comes first; a template on it, so that graph/ needs nothing
/// of runtime/.
template <class Node>
struct evaluable : node_base {
  template <class Session, class... Feeds>
  auto eval(Session& session, const Feeds&... feeds) const {
    return session.run(static_cast<const Node&>(*this), feeds...);
  }
};

template <class T>
concept graph_node = std::derived_from<std::remove_cvref_t<T>, node_base>;

/// A node that yields a tensor (as opposed to an operation such as a train op).
template <class T>
concept tensor_node = graph_node<T> && !std::is_void_v<typename std::remove_cvref_t<T>::value_type>;

namespace graph {
template <class Op, graph_node... Args>
struct node;
}  // namespace graph

/// Whether every node of type N is the same computation: no run-time payload (a literal,
/// a constant's data, an op attribute) anywhere in it. Such types are default-constructible
/// and identify their node; `x * 2.0f` and `x * 3.0f` share a type but are two nodes.
template <class N>
inline constexpr bool payload_free_v = std::is_empty_v<N>;
template <class Op, class... A>
inline constexpr bool payload_free_v<graph::node<Op, A...>> = std::is_empty_v<Op> && (payload_free_v<A> && ...);

namespace graph {

/// A node's stored operands: a plain aggregate, one base per operand, not a std::tuple. A
/// tuple's constrained constructors make the compiler ask, for every copy of a node, whether
/// each nested node is constructible from its operands, all the way down: a cost that grew
/// faster than the graph (benchmarks/README.md, "clang's superlinear time").
template <std::size_t K, class A>
struct stored_operand {
  A value;
  bool operator==(const stored_operand&) const = default;
};
template <class Seq, class... A>
struct operand_store;
template <std::size_t... K, class... A>
struct operand_store<std::index_sequence<K...>, A...> : stored_operand<K, A>... {
  bool operator==(const operand_store&) const = default;
};

/// Operand K of a pack, by reference.
template <std::size_t K, class First, class... Rest>
constexpr const auto& nth_operand(const First& first, const Rest&... rest) {
  if constexpr (K == 0) return first;
  else return nth_operand<K - 1>(rest...);
}

/// The one generic op node: the op tag `Op` decides dtype, static shape, forward and
/// gradient (see ops/ and the contract in op_contract.hpp). Leaves (placeholder, variable,
/// constants) are separate types.
///
/// A node stores only the operands that carry a payload; a payload-free operand is its type
/// and is made anew by arg<I>(). Storing those too would cost memory exponential in depth
/// where a graph reuses nodes (`h + square(h)`, level upon level): empty members of one
/// type must have distinct addresses, so every copy takes a byte.
template <class Op, graph_node... Args>
struct node : evaluable<node<Op, Args...>> {
  using op_type = Op;
  using args_type = std::tuple<Args...>;
  // Not through op::value_type_t: an alias adds a line to the error that names a tag that
  // breaks the contract (op_contract.hpp).
  using value_type = typename op::detail::result_types<Op, Args...>::value;
  using shape_type = typename op::detail::result_types<Op, Args...>::shape;

 private:
  /// The places among Args of the operands that carry a payload, which the node stores.
  static constexpr auto stored_places = [] {
    constexpr bool carries[] = {!payload_free_v<Args>..., false};
    std::array<std::size_t, (std::size_t{!payload_free_v<Args>} + ... + 0)> places{};
    for (std::size_t i = 0, k = 0; i < sizeof...(Args); ++i)
      if (carries[i]) places[k++] = i;
    return places;
  }();
  using stored_sequence = std::make_index_sequence<stored_places.size()>;

  template <std::size_t... K>
  static operand_store<std::index_sequence<K...>, std::tuple_element_t<stored_places[K], args_type>...> store_type(
      std::index_sequence<K...>);
  using stored_type = decltype(store_type(stored_sequence{}));

  // Not a template: g++ 12 pays for a template's parameter that is not deduced (Args here) in
  // proportion to its type written out as a tree, exponential in depth where a graph reuses a
  // node level upon level (core/flat_tuple.hpp).
  static constexpr stored_type store([[maybe_unused]] const Args&... args) {
    return [&]<std::size_t... K>(std::index_sequence<K...>) {
      return stored_type{{nth_operand<stored_places[K]>(args...)}...};
    }(stored_sequence{});
  }

  /// Where operand I sits among the stored ones.
  template <std::size_t I>
  static constexpr std::size_t stored_index = [] {
    std::size_t k = 0;
    while (k < stored_places.size() && stored_places[k] < I) ++k;
    return k;
  }();

 public:
  constexpr node() = default;
  constexpr explicit node(Op op, Args... args) : m_op(op), m_stored(store(args...)) {}

  /// Operand I: a reference to the stored operand, or a fresh payload-free one.
  template <std::size_t I>
  constexpr decltype(auto) arg() const {
    using A = std::tuple_element_t<I, args_type>;
    if constexpr (payload_free_v<A>) return A{};
    else return static_cast<const A&>(static_cast<const stored_operand<stored_index<I>, A>&>(m_stored).value);
  }

  /// f(operand 0, operand 1, ...). Not through a std::tuple of the operands: its constructor's
  /// constraints would be checked for every node a plan walks (benchmarks/README.md).
  template <class F>
  constexpr decltype(auto) with_args(F&& f) const {
    return [&]<std::size_t... I>(std::index_sequence<I...>) -> decltype(auto) {
      return std::forward<F>(f)(arg<I>()...);
    }(std::index_sequence_for<Args...>{});
  }

  constexpr const Op& op() const { return m_op; }

  /// Same computation: equal op payloads (if any) and equal stored operands.
  friend bool operator==(const node& a, const node& b) {
    if constexpr (std::is_empty_v<Op>) return a.m_stored == b.m_stored;
    else return a.m_op == b.m_op && a.m_stored == b.m_stored;
  }

 private:
  [[no_unique_address]] Op m_op;
  [[no_unique_address]] stored_type m_stored;
};

}  // namespace graph

namespace detail {
/// Leaf<Name, T, Shape> built from deduced (canonical) arguments, so that clang prints
/// `placeholder<name<'x'>, float, shape<3>>` rather than the alias `name_of<{{120, 0}}>`.
template <template <class, class, class> class Leaf, class Name, class T, class Shape>
constexpr Leaf<Name, T, Shape> make_leaf() {
  return {};
}
}  // namespace detail

template <class T>
inline constexpr bool is_op_node_v = false;
template <class Op, class... A>
inline constexpr bool is_op_node_v<graph::node<Op, A...>> = true;

/// Operands of a node as a std::tuple type (empty for leaves).
template <class N>
struct operands_of {
  using type = std::tuple<>;
};
template <class Op, class... A>
struct operands_of<graph::node<Op, A...>> {
  using type = std::tuple<A...>;
};

/// Fused into its consumer's loop when true; otherwise computed by a kernel into a buffer.
template <class N>
inline constexpr bool is_elementwise_v = false;
template <class Op, class... A>
inline constexpr bool is_elementwise_v<graph::node<Op, A...>> = op::traits<Op>::elementwise;

/// An operation (train op, initializer) yields no value.
template <class N>
inline constexpr bool is_operation_v = std::is_void_v<typename N::value_type>;

/// Whether operand I of N is read for its values (false: only its shape is read).
template <class N, std::size_t I>
inline constexpr bool reads_values_v = true;
template <class Op, class... A, std::size_t I>
inline constexpr bool reads_values_v<graph::node<Op, A...>, I> = op::traits<Op>::reads_values(I);

template <class N>
using value_t = typename std::remove_cvref_t<N>::value_type;
template <class N>
using shape_of_t = typename std::remove_cvref_t<N>::shape_type;
template <class N>
inline constexpr std::size_t rank_v = shape_of_t<N>::rank;

/// Whether a gradient flows from N into its operand I, as in TensorFlow: only through
/// operands read for their values, of a floating dtype on both ends, and not cut by the op
/// (`Op::differentiable(I)` false: stop_gradient, a comparison, where's condition, argmax).
template <class N, std::size_t I>
inline constexpr bool differentiable_v = [] {
  if constexpr (!is_op_node_v<N>) {
    return false;
  } else {
    using A = std::tuple_element_t<I, typename N::args_type>;
    if constexpr (!reads_values_v<N, I> || is_operation_v<N> || is_operation_v<A>) return false;
    else if constexpr (!std::is_floating_point_v<value_t<N>> || !std::is_floating_point_v<value_t<A>>) return false;
    else return op::traits<typename N::op_type>::differentiable(I);
  }
}();

}  // namespace typeflow

#endif
