#ifndef TYPEFLOW_GRAPH_PARTS_HPP
#define TYPEFLOW_GRAPH_PARTS_HPP

// What an op's vjp returns: the gradient of each operand, in order (`return op::parts{g, -g};`;
// a std::tuple is accepted too).
//
// Not a std::tuple, for compile time: a tuple's constructors are templates whose parameters are
// its element types, not deduced, and g++ 12 pays for such a parameter in proportion to the
// element type's size written out as a tree. Gradient types of graphs that reuse a node level
// upon level (residual blocks) are such trees, exponential in depth; these constructors are not
// templates (benchmarks/README.md, "Residual blocks").

#include <cstddef>
#include <tuple>
#include <type_traits>
#include <utility>

namespace typeflow::op {

template <std::size_t I, class G>
struct part {
  G g;
};

template <class Seq, class... G>
struct parts_base;
template <std::size_t... I, class... G>
struct parts_base<std::index_sequence<I...>, G...> : part<I, G>... {
  constexpr explicit parts_base(const G&... g) : part<I, G>{g}... {}
};

template <class... G>
struct parts : parts_base<std::index_sequence_for<G...>, G...> {
  using parts_base<std::index_sequence_for<G...>, G...>::parts_base;
};
template <class... G>
parts(G...) -> parts<G...>;

/// Gradient I of a vjp's parts (a std::tuple, which a user's op tag may return, works too).
template <std::size_t I, class G>
constexpr const G& get(const part<I, G>& p) {
  return p.g;
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
