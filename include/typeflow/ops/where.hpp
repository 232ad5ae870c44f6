#ifndef TYPEFLOW_OPS_WHERE_HPP
#define TYPEFLOW_OPS_WHERE_HPP

// tf.where(cond, x, y) (TF 2's where, the SelectV2 op): x where cond holds, y elsewhere, the
// three operands broadcast together. The gradient goes to x where cond holds and to y
// elsewhere; none to cond. Also the building block of the gradients of maximum, relu, ...

#include <cstddef>
#include <string_view>
#include <tuple>
#include <type_traits>

#include "../graph/constant.hpp"
#include "../graph/node.hpp"
#include "batch_math.hpp"
#include "diagnostics.hpp"
#include "elementwise.hpp"
#include "elementwise_checks.hpp"

namespace typeflow {
namespace op {

struct where {
  static constexpr bool elementwise = true;
  static constexpr std::string_view tf_name = "SelectV2";
  static void tf_attrs(auto& node) { node.attr_dtype("T", node.input_dtype(1)); }  // x's, not the condition's
  template <class C, class X, class Y>
  using value_type = value_t<X>;
  template <class C, class X, class Y>
  using shape_type = broadcast_shape_t<broadcast_shape_t<shape_of_t<C>, shape_of_t<X>>, shape_of_t<Y>>;

  template <class T>
  constexpr T operator()(bool c, T x, T y) const {
    return c ? x : y;
  }
  // cond arrives as the batch_bool of x's batch type (loaded from bools, or a lazy comparison
  // computed in x's dtype: eval/schedule.hpp sees to it).
  template <class B>
  constexpr B simd_apply(const typename B::batch_bool_type& c, const B& x, const B& y) const {
    return batch_math::select_of(c, x, y);
  }

  static constexpr bool differentiable(std::size_t i) { return i != 0; }
  // d where(c, x, y) = where(c, dx, 0) + where(c, 0, dy)
  static constexpr auto vjp(const auto& g, const auto& n) {
    using G = std::remove_cvref_t<decltype(g)>;
    using C = std::remove_cvref_t<decltype(n.template arg<0>())>;
    using zero = graph::static_scalar<value_t<G>, 0>;
    const auto& c = n.template arg<0>();
    return op::parts{g, graph::node<where, C, G, zero>({}, c, g, zero{}),
                     graph::node<where, C, zero, G>({}, c, zero{}, g)};
  }
};

}  // namespace op

namespace detail {

/// where(c, x, y) without the checks of tf::where, for gradients (operands of one dtype by construction).
template <class C, class X, class Y>
constexpr auto select_node(const C& c, const X& x, const Y& y) {
  return graph::node<op::where, C, X, Y>({}, c, x, y);
}

template <tensor_node C, tensor_node X, tensor_node Y>
constexpr auto make_where(const C& c, const X& x, const Y& y) {
  using SC = shape_of_t<C>;
  using SX = shape_of_t<X>;
  using SY = shape_of_t<Y>;
  if constexpr (!std::is_same_v<value_t<C>, bool>) {
    // The condition's dtype, named in this type, is not bool: compare first (tf::greater, ...).
    diagnostic::error_where_condition_is_not_bool<value_t<C>> error;
  } else if constexpr (!std::is_same_v<value_t<X>, value_t<Y>>) {
    // x and y must have one dtype; convert one of them first (tf::cast).
    diagnostic::error_dtypes_differ<op::where, value_t<X>, value_t<Y>> error;
  } else if constexpr (!is_numeric_dtype_v<value_t<X>>) {
    // typeflow selects between numbers only (its SIMD loop has no batch of bools to select).
    diagnostic::error_op_does_not_support_dtype<op::where, value_t<X>> error;
  } else if constexpr (!broadcastable_v<SC, SX>) {
    // The condition's and x's static shapes, named in this type, do not broadcast.
    diagnostic::error_shapes_do_not_broadcast<op::where, SC, SX> error;
  } else if constexpr (!broadcastable_v<broadcast_shape_t<SC, SX>, SY>) {
    // The shape of cond and x broadcast together does not broadcast with y's.
    diagnostic::error_shapes_do_not_broadcast<op::where, broadcast_shape_t<SC, SX>, SY> error;
  }
  return graph::node<op::where, C, X, Y>({}, c, x, y);
}

}  // namespace detail

/// tf.where(cond, x, y): x where cond is true, y elsewhere; all three broadcast together.
/// A number for x or y takes the other's dtype: `tf::where(x > 0.0f, x, 0.0f)`.
template <tensor_node C, class X, class Y>
  requires node_and_operand<X, Y>
constexpr auto where(const C& cond, const X& x, const Y& y) {
  return detail::make_where(cond, detail::operand_like<Y>(x), detail::operand_like<X>(y));
}

}  // namespace typeflow

#endif
