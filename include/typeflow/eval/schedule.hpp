#ifndef TYPEFLOW_EVAL_SCHEDULE_HPP
#define TYPEFLOW_EVAL_SCHEDULE_HPP

// The compile-time schedule of a set of fetches: which nodes a run computes, in which order,
// which get a buffer of their own, and how each reads its operands. It is decided from the
// node types and the op contract (graph/op_contract.hpp) alone, and holds no run-time state,
// so an executor (eval/cpu_executor.hpp; see docs/ARCHITECTURE.md for others) only carries it out:
// - the unique nodes in topological order come from the types (graph/traversal.hpp);
// - a node gets a buffer ("is materialised") when it is fetched, used twice, computed by a
//   kernel, or read as a buffer; every other elementwise node stays lazy inside its user, so
//   a chain of them runs as one loop (eval/fused.hpp);
// - a node read only for its dims (a reduction's input under its gradient) is not computed.

#include <array>
#include <cstddef>
#include <tuple>
#include <type_traits>
#include <utility>

#include "../core/shape.hpp"
#include "../core/type_list.hpp"
#include "../graph/node.hpp"
#include "../graph/placeholder.hpp"
#include "../graph/traversal.hpp"
#include "../graph/variable.hpp"

namespace typeflow::eval {

template <class N>
struct node_compute_type;
template <class Op, class... A>
struct node_compute_type<graph::node<Op, A...>> {
  using type = op::compute_type_t<Op, A...>;
};
/// The dtype in which a fused loop computes elementwise node N (the op contract's compute_type).
template <class N>
using compute_type_t = typename node_compute_type<N>::type;

template <class... Roots>
struct schedule {
  using nodes = topo_order_t<Roots...>;

  template <class N>
  static constexpr bool is_root = (std::is_same_v<N, Roots> || ...);

  /// Whether elementwise user U reads its operand I as one value broadcast (a fused::scalar):
  /// a single element spread over a larger result keeps the loop contiguous.
  template <class U, std::size_t I>
  static constexpr bool reads_scalar() {
    using A = std::tuple_element_t<I, typename U::args_type>;
    return is_single_element_v<shape_of_t<A>> && !is_single_element_v<shape_of_t<U>>;
  }

  /// Whether kernel op U is the sum of every element of its elementwise operand (op tag's
  /// `sums_all`): an executor then runs it inside the operand's loop, which needs no buffer.
  template <class U>
  static constexpr bool sums_operand() {
    if constexpr (!is_op_node_v<U> || std::tuple_size_v<typename U::args_type> != 1) {
      return false;
    } else {
      using A = std::tuple_element_t<0, typename U::args_type>;
      if constexpr (!is_elementwise_v<A> || !requires { U::op_type::template sums_all<A>; }) return false;
      else return U::op_type::template sums_all<A>;
    }
  }

  /// Whether user U reads its operand I from a buffer rather than as a fused expression.
  template <class U, std::size_t I>
  static constexpr bool reads_buffer() {
    using A = std::tuple_element_t<I, typename U::args_type>;
    using Op = typename U::op_type;
    if constexpr (!reads_values_v<U, I>) return false;
    else if constexpr (sums_operand<U>()) return false;
    else if constexpr (!is_elementwise_v<U>) return true;  // kernels and operations
    else if constexpr (op::traits<Op>::broadcast_from_buffer(I) || reads_scalar<U, I>()) return true;
    // A fused loop computes in batches of one dtype, converting what it loads from buffers;
    // a lazy operand computed in another dtype gets a buffer.
    else if constexpr (!is_elementwise_v<A>) return false;
    else return !std::is_same_v<compute_type_t<A>, compute_type_t<U>>;
  }

  /// Per node: `live` if its value is needed (a root, or read by a live node), `uses` its value
  /// reads by live nodes, `buffer` whether a live node reads it as a buffer. One pass over the
  /// nodes, so the cost of scheduling grows linearly with the graph.
  static constexpr auto usage = []<class... Us>(type_list<Us...>) {
    constexpr std::size_t n = sizeof...(Us);
    struct edge {
      std::size_t user, operand;
      bool as_buffer;
    };
    std::array<edge, (std::tuple_size_v<typename operands_of<Us>::type> + ... + 0) + 1> edges{};
    std::size_t count = 0;
    auto add_edges = [&]<class U>() {
      if constexpr (is_op_node_v<U>)
        [&]<std::size_t... I>(std::index_sequence<I...>) {
          ((reads_values_v<U, I> ? (edges[count++] = {position_v<nodes, U>,
                                                      position_v<nodes, std::tuple_element_t<I, typename U::args_type>>,
                                                      reads_buffer<U, I>()},
                                    0)
                                 : 0),
           ...);
        }(std::make_index_sequence<std::tuple_size_v<typename U::args_type>>{});
    };
    (add_edges.template operator()<Us>(), ...);
    struct result {
      std::array<bool, n> live{}, buffer{};
      std::array<std::size_t, n> uses{};
    } r;
    std::size_t i = 0;
    ((r.live[i++] = is_root<Us>), ...);
    for (std::size_t e = count; e-- > 0;)  // users come after their operands: walk backwards
      if (r.live[edges[e].user]) {
        r.live[edges[e].operand] = true;
        ++r.uses[edges[e].operand];
        r.buffer[edges[e].operand] = r.buffer[edges[e].operand] || edges[e].as_buffer;
      }
    return r;
  }(nodes{});

  /// Whether node N's value is needed by the run.
  template <class N>
  static constexpr bool live = usage.live[position_v<nodes, N>];

  /// Whether node N gets a buffer of its own (see the header comment).
  template <class N>
  static constexpr bool materialised = [] {
    if constexpr (!is_op_node_v<N> || is_operation_v<N>) {
      return false;
    } else {
      constexpr std::size_t i = position_v<nodes, N>;
      return usage.live[i] && (!is_elementwise_v<N> || is_root<N> || usage.uses[i] > 1 || usage.buffer[i]);
    }
  }();

 private:
  template <class N>
  struct is_materialised : std::bool_constant<materialised<N>> {};
  template <class N>
  struct is_registered : std::bool_constant<materialised<N> || (is_op_node_v<N> && is_operation_v<N>)> {};
  template <class N>
  struct is_placeholder : std::bool_constant<is_placeholder_v<N>> {};
  template <class N>
  struct is_variable : std::bool_constant<is_variable_v<N>> {};

 public:
  /// The nodes a run keeps instances of: those with buffers, and the operations it applies.
  using registered = filter_t<nodes, is_registered>;
  using materialised_nodes = filter_t<nodes, is_materialised>;
  using placeholders = filter_t<nodes, is_placeholder>;
  using variables = filter_t<nodes, is_variable>;
};

}  // namespace typeflow::eval

#endif
