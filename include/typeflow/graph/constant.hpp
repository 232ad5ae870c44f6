#ifndef TYPEFLOW_GRAPH_CONSTANT_HPP
#define TYPEFLOW_GRAPH_CONSTANT_HPP

#include <array>
#include <cstddef>
#include <memory>
#include <vector>

#include "../core/dtype.hpp"
#include "node.hpp"

namespace typeflow {
namespace graph {

/// A scalar known when the graph is built, such as the 2 in `2.0f * x`. The value is a
/// run-time payload: `2.0f * x` and `3.0f * x` have one type but are different nodes.
template <dtype T>
struct scalar : evaluable<scalar<T>> {
  using value_type = T;
  using shape_type = shape<>;
  T m_value{};
  bool operator==(const scalar& o) const { return same_payload(m_value, o.m_value); }
};

/// A scalar fixed in the type (the 2 of d(x^2) = 2x, the seed 1 of a gradient). Autodiff
/// simplifies with these: `static_scalar<T, 1> * x` is `x`.
template <dtype T, int N>
struct static_scalar : node_base {
  using value_type = T;
  using shape_type = shape<>;
  static constexpr T value = static_cast<T>(N);
  bool operator==(const static_scalar&) const = default;
};

/// A constant tensor (from an xtensor array), shared by reference among copies of the node;
/// two constants are the same node only if they share the data.
template <dtype T, class Shape>
struct constant : evaluable<constant<T, Shape>> {
  using value_type = T;
  using shape_type = Shape;
  std::shared_ptr<const std::vector<T>> m_data;
  std::array<std::size_t, Shape::rank> m_shape{};
  bool operator==(const constant& o) const { return m_data == o.m_data; }
};

}  // namespace graph

template <class N>
inline constexpr bool is_scalar_v = false;
template <class T>
inline constexpr bool is_scalar_v<graph::scalar<T>> = true;

template <class N>
inline constexpr bool is_static_scalar_v = false;
template <class T, int N>
inline constexpr bool is_static_scalar_v<graph::static_scalar<T, N>> = true;

template <class N>
inline constexpr bool is_constant_v = false;
template <class T, class S>
inline constexpr bool is_constant_v<graph::constant<T, S>> = true;

/// `tf::constant(2.0f)`: a scalar constant node (also usable as a Variable initializer).
template <dtype T>
constexpr graph::scalar<T> constant(T value) {
  graph::scalar<T> s;
  s.m_value = value;
  return s;
}

}  // namespace typeflow

#endif
