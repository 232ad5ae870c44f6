#ifndef TYPEFLOW_GRAPH_PLACEHOLDER_HPP
#define TYPEFLOW_GRAPH_PLACEHOLDER_HPP

#include "../core/dtype.hpp"
#include "../core/fixed_string.hpp"
#include "node.hpp"

namespace typeflow {
namespace graph {

/// A value fed at run time, named and typed in the graph: `tf.placeholder(tf.float32, [None, 3], name="x")`.
template <class Name, dtype T, class Shape>
struct placeholder : evaluable<placeholder<Name, T, Shape>> {
  using name_type = Name;
  using value_type = T;
  using shape_type = Shape;
  bool operator==(const placeholder&) const = default;
};

}  // namespace graph

#if !defined(__clang__)
namespace diagnostic {
/// A placeholder as g++ diagnostics name it, its name in quotes (core/fixed_string.hpp says why).
template <fixed_string Name, class T, class Shape>
struct placeholder;
template <class Name, class T, class S>
struct spelled<graph::placeholder<Name, T, S>> {
  using type = placeholder<to_fixed_string(Name{}), T, S>;
};
}  // namespace diagnostic
#endif

template <class N>
inline constexpr bool is_placeholder_v = false;
template <class Name, class T, class S>
inline constexpr bool is_placeholder_v<graph::placeholder<Name, T, S>> = true;

/// `tf::placeholder<"x", float, tf::none, 3>()`: a placeholder named "x" of shape [None, 3].
template <fixed_string Name, dtype T, std::int64_t... Dims>
constexpr auto placeholder() {
  static_assert(((Dims >= 0 || Dims == none) && ...), "typeflow::placeholder: a dimension is >= 0 or tf::none");
  static_assert(detail::static_count_fits<Dims...>(),
                "typeflow::placeholder: the product of the static dims overflows std::int64_t");
  // Not shape<Dims...> after that error: its own static_assert would say it again.
  if constexpr (detail::static_count_fits<Dims...>())
    return detail::make_leaf<graph::placeholder, name_of<Name>, T, shape<Dims...>>();
}

}  // namespace typeflow

#endif
