#ifndef TYPEFLOW_GRAPH_VARIABLE_HPP
#define TYPEFLOW_GRAPH_VARIABLE_HPP

#include "../core/dtype.hpp"
#include "../core/fixed_string.hpp"
#include "../core/unnamed.hpp"
#include "node.hpp"

namespace typeflow {
namespace graph {

/// A trainable tensor whose value lives in a Session. The name is its identity: two
/// declarations of `Variable<"W", ...>` are the same variable. An unnamed variable's Name is
/// `unnamed<Id>` (core/unnamed.hpp), Id unique to its declaration.
/// Create one with `tf::Variable<"W", float, 3, 1>(initializer)` (runtime/variables.hpp).
template <class Name, dtype T, class Shape>
struct variable : evaluable<variable<Name, T, Shape>> {
  static_assert(Shape::fully_static, "typeflow::Variable: every dimension of a variable must be static");
  using name_type = Name;
  using value_type = T;
  using shape_type = Shape;
  bool operator==(const variable&) const = default;
};

}  // namespace graph

#if !defined(__clang__)
namespace diagnostic {
/// A variable as g++ diagnostics name it, its name in quotes (core/fixed_string.hpp says why).
template <fixed_string Name, class T, class Shape>
struct variable;
template <char... C, class T, class S>
struct spelled<graph::variable<name<C...>, T, S>> {
  using type = variable<to_fixed_string(name<C...>{}), T, S>;
};
}  // namespace diagnostic
#endif

template <class N>
inline constexpr bool is_variable_v = false;
template <class Name, class T, class S>
inline constexpr bool is_variable_v<graph::variable<Name, T, S>> = true;

}  // namespace typeflow

#endif
