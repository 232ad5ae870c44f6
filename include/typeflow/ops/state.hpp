#ifndef TYPEFLOW_OPS_STATE_HPP
#define TYPEFLOW_OPS_STATE_HPP

// State ops: tf::assign(var, value), tf::assign_add, tf::assign_sub. Operations, as
// TensorFlow's Assign/AssignAdd/AssignSub: they yield no value here, and a Session applies
// them after every value of the run has been computed, so `tf::assign(W, W * 2.0f)` and a
// tf::group of assigns read the variables' old values throughout.

#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <type_traits>

#include "../core/error.hpp"
#include "../core/tensor_ref.hpp"
#include "../graph/node.hpp"
#include "../graph/variable.hpp"
#include "elementwise.hpp"
#include "shape.hpp"
#include "training.hpp"

namespace typeflow {

namespace diagnostic {
/// tf::assign(var, value): the first operand (its type is named) is not a tf::Variable.
template <class Node>
struct error_assign_target_is_not_a_variable;
/// tf::assign(var, value): the value's static shape (second) is not the variable's (first).
template <class VariableShape, class ValueShape>
struct error_assign_shapes_differ;
}  // namespace diagnostic

namespace op {

enum class assignment { assign, add, sub };

/// var = value, var += value or var -= value; operands: the variable, then the value.
template <assignment Kind>
struct assign : operation {
  static constexpr std::string_view tf_name = Kind == assignment::assign ? "Assign"
                                              : Kind == assignment::add  ? "AssignAdd"
                                                                         : "AssignSub";
  static constexpr bool updates_variable = true;
  // Assign never reads the variable, so it may initialise one; the others read it first.
  static constexpr bool reads_values(std::size_t i) { return Kind != assignment::assign || i == 1; }

  /// A tf::none dim of the value, checked before any assign of the run writes.
  template <std::size_t R>
  static void validate(const std::array<std::size_t, R>& var, const std::array<std::size_t, R>& value) {
    if (var != value)
      throw error(std::string(tf_name) + ": the value's shape " + shape_string(value) +
                  " differs from the variable's " + shape_string(var));
  }
  template <class T, std::size_t R>
  static void apply(tensor_ref<T, R> var, tensor_ref<const T, R> value) {
    const std::size_t n = var.size();
    if constexpr (Kind == assignment::assign)
      for (std::size_t i = 0; i < n; ++i) var.data[i] = value.data[i];
    else if constexpr (Kind == assignment::add)
      for (std::size_t i = 0; i < n; ++i) var.data[i] += value.data[i];
    else
      for (std::size_t i = 0; i < n; ++i) var.data[i] -= value.data[i];
  }
};

}  // namespace op

namespace detail {

template <op::assignment Kind, graph_node V, class X>
constexpr auto make_assign(const V& var, const X& x) {
  if constexpr (std::is_arithmetic_v<X>) {
    return make_assign<Kind>(var, literal_like<V>(x));
  } else if constexpr (!is_variable_v<V>) {
    // The first operand of an assign, whose type is named here, must be a tf::Variable.
    diagnostic::error_assign_target_is_not_a_variable<V> error;
    return graph::node<op::group>{};
  } else {
    using SV = shape_of_t<V>;
    using SX = shape_of_t<X>;
    constexpr bool shapes_fit = [] {
      if (SV::rank != SX::rank) return false;
      for (std::size_t i = 0; i < SV::rank; ++i)
        if (SX::dims[i] != none && SX::dims[i] != SV::dims[i]) return false;
      return true;
    }();
    if constexpr (!std::is_same_v<value_t<V>, value_t<X>>) {
      // The variable and the value must have one dtype.
      diagnostic::error_dtypes_differ<op::assign<Kind>, value_t<V>, value_t<X>> error;
      return graph::node<op::group>{};
    } else if constexpr (!shapes_fit) {
      // The value's shape (second) is not the variable's (first): TF's Assign validates shapes.
      diagnostic::error_assign_shapes_differ<SV, SX> error;
      return graph::node<op::group>{};
    } else if constexpr (is_variable_v<X>) {
      // A variable read straight from its storage could be written by another assign of the
      // same run first (tf::group(assign(a, b), assign(b, a))): copy it, as TF's read does.
      return graph::node<op::assign<Kind>, V, graph::node<op::identity, X>>({}, var, identity(x));
    } else {
      return graph::node<op::assign<Kind>, V, X>({}, var, x);
    }
  }
}

}  // namespace detail

/// tf.assign(ref, value): the operation setting variable ref to value (which may read ref:
/// the old value is used). It initialises an uninitialised variable, as TF's Assign does.
template <graph_node V, class X>
  requires(tensor_node<X> || arithmetic<X>)
constexpr auto assign(const V& var, const X& value) { return detail::make_assign<op::assignment::assign>(var, value); }

/// tf.assign_add(ref, value): ref += value.
template <graph_node V, class X>
  requires(tensor_node<X> || arithmetic<X>)
constexpr auto assign_add(const V& var, const X& value) { return detail::make_assign<op::assignment::add>(var, value); }

/// tf.assign_sub(ref, value): ref -= value.
template <graph_node V, class X>
  requires(tensor_node<X> || arithmetic<X>)
constexpr auto assign_sub(const V& var, const X& value) { return detail::make_assign<op::assignment::sub>(var, value); }

}  // namespace typeflow

#endif
