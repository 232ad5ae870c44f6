#ifndef TYPEFLOW_GRAPH_TRAVERSAL_HPP
#define TYPEFLOW_GRAPH_TRAVERSAL_HPP

// The static graph seen as types: the unique nodes reachable from some roots, in
// topological order (operands before their users), and how each node is used. Two nodes
// of one type are one computation unless their payloads differ (see eval/plan.hpp).

#include <cstddef>
#include <tuple>
#include <type_traits>
#include <utility>

#include "../core/type_list.hpp"
#include "node.hpp"

namespace typeflow {

namespace detail {

template <class List, class... Ns>
struct collect_all {
  using type = List;
};

template <class List, class N, bool Seen = contains_v<List, N>>
struct collect {
  using type = List;
};

template <class List, class Args>
struct collect_operands;
template <class List, class... Args>
struct collect_operands<List, std::tuple<Args...>> {
  using type = typename collect_all<List, Args...>::type;
};

template <class List, class N>
struct collect<List, N, false> {
  using with_operands = typename collect_operands<List, typename operands_of<N>::type>::type;
  using type = push_unique_t<with_operands, N>;
};

template <class List, class N, class... Rest>
struct collect_all<List, N, Rest...> {
  using type = typename collect_all<typename collect<List, N>::type, Rest...>::type;
};

}  // namespace detail

/// Unique node types reachable from Roots, operands before users.
template <class... Roots>
using topo_order_t = typename detail::collect_all<type_list<>, Roots...>::type;

namespace detail {

/// How many of U's operands are N and read for their values.
template <class U, class N>
constexpr std::size_t value_uses_in() {
  if constexpr (is_op_node_v<U>) {
    return []<std::size_t... I>(std::index_sequence<I...>) {
      return ((std::is_same_v<std::tuple_element_t<I, typename U::args_type>, N> && reads_values_v<U, I> ? 1 : 0) +
              ... + 0);
    }(std::make_index_sequence<std::tuple_size_v<typename U::args_type>>{});
  } else {
    return 0;
  }
}

}  // namespace detail

/// Number of value uses of N by the nodes of List.
template <class List, class N>
inline constexpr std::size_t use_count_v = 0;
template <class... Us, class N>
inline constexpr std::size_t use_count_v<type_list<Us...>, N> = (detail::value_uses_in<Us, N>() + ... + 0);

}  // namespace typeflow

#endif
