#ifndef TYPEFLOW_GRAPH_PARTS_HPP
#define TYPEFLOW_GRAPH_PARTS_HPP

// What an op's vjp returns: the gradient of each operand, in order (`return op::parts{g, -g};`;
// a std::tuple is accepted too). A flat_tuple, not a std::tuple, for compile time: gradient
// types of graphs that reuse a node level upon level are large (core/flat_tuple.hpp).

#include <cstddef>
#include <tuple>
#include <type_traits>
#include <utility>

#include "../core/flat_tuple.hpp"

namespace typeflow::op {

template <class... G>
struct parts : flat_tuple<G...> {
  using flat_tuple<G...>::flat_tuple;
};
template <class... G>
parts(G...) -> parts<G...>;

/// Gradient I of a vjp's parts (a std::tuple, which a user's op tag may return, works too).
template <std::size_t I, class... G>
constexpr const auto& get(const parts<G...>& p) {
  return typeflow::get<I>(p);
}
template <std::size_t I, class... G>
constexpr const auto& get(const std::tuple<G...>& t) {
  return std::get<I>(t);
}

/// The type of gradient I.
template <std::size_t I, class Parts>
using part_t = std::remove_cvref_t<decltype(op::get<I>(std::declval<const Parts&>()))>;

}  // namespace typeflow::op

#endif
