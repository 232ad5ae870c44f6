#ifndef TYPEFLOW_GRAPH_TRAVERSAL_HPP
#define TYPEFLOW_GRAPH_TRAVERSAL_HPP

// The static graph seen as types: the unique nodes reachable from some roots, in
// topological order (operands before their users), and how each node is used. Two nodes
// of one type are one computation unless their payloads differ (see eval/cpu_executor.hpp).

#include <array>
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
  // N is not among its operands' nodes (a graph has no cycles): appended without a search.
  using type = push_back_t<typename collect_operands<List, typename operands_of<N>::type>::type, N>;
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

/// Adds U's value-reading operands to the use counts of the nodes of List.
template <class List, class U, std::size_t N>
constexpr void count_uses(std::array<std::size_t, N>& counts) {
  if constexpr (is_op_node_v<U>) {
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      ((reads_values_v<U, I> ? ++counts[position_v<List, std::tuple_element_t<I, typename U::args_type>>] : 0), ...);
    }(std::make_index_sequence<std::tuple_size_v<typename U::args_type>>{});
  }
}

}  // namespace detail

/// Value uses of each node of List (a topo_order_t) by the others, in one pass over the list.
template <class List>
inline constexpr auto use_counts_v = []<class... Us>(type_list<Us...>) {
  std::array<std::size_t, sizeof...(Us)> counts{};
  (detail::count_uses<List, Us>(counts), ...);
  return counts;
}(List{});

/// Number of value uses of N by the nodes of List.
template <class List, class N>
inline constexpr std::size_t use_count_v = use_counts_v<List>[position_v<List, N>];

}  // namespace typeflow

#endif
