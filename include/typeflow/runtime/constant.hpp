#ifndef TYPEFLOW_RUNTIME_CONSTANT_HPP
#define TYPEFLOW_RUNTIME_CONSTANT_HPP

#include <algorithm>
#include <array>
#include <memory>
#include <tuple>
#include <vector>

#include "../core/error.hpp"
#include "../eval/xtensor.hpp"
#include "../graph/constant.hpp"

namespace typeflow {

/// `tf::constant(array)`: a constant tensor node holding a copy of an xtensor expression of
/// static rank. Its dims are `tf::none` unless given: `tf::constant<3, 2>(array)` checks them
/// and makes them part of the static shape.
template <std::int64_t... Dims, class E>
  requires(xt::is_xexpression<E>::value)
auto constant(const E& expr) {
  using T = typename E::value_type;
  constexpr auto rank = xt::static_dimension<typename E::shape_type>::value;
  static_assert(rank >= 0 || sizeof...(Dims) > 0,
                "typeflow::constant: give the dims of an array of dynamic rank: tf::constant<3, 2>(array)");
  constexpr std::size_t R = sizeof...(Dims) > 0 ? sizeof...(Dims) : static_cast<std::size_t>(rank);
  // clang-format off
  using S = std::conditional_t<sizeof...(Dims) == 0,
                               decltype([]<std::size_t... I>(std::index_sequence<I...>) {
                                 return shape<(static_cast<void>(I), none)...>{};
                               }(std::make_index_sequence<R>{})),
                               shape<Dims...>>;
  // clang-format on
  xt::xtensor<T, R> value;
  const auto& sh = expr.shape();
  if (sh.size() != R || !matches_static<S>(sh))
    throw error("tf::constant: expected shape " + shape_string(S::dims) + ", got " + shape_string(sh));
  value = expr;
  graph::constant<T, S> c;
  c.m_data = std::make_shared<const std::vector<T>>(value.begin(), value.end());
  std::copy(value.shape().begin(), value.shape().end(), c.m_shape.begin());
  return c;
}

}  // namespace typeflow

#endif
