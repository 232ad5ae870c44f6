#ifndef TYPEFLOW_OPS_LOGICAL_HPP
#define TYPEFLOW_OPS_LOGICAL_HPP

// The logical ops on bool tensors: tf::logical_and, logical_or (broadcasting as the
// arithmetic ops) and logical_not. No gradient flows through them (bool has none). They have
// no SIMD form: the fused loop computes a bool result of bool operands element by element.

#include <cstddef>
#include <string_view>
#include <type_traits>

#include "../graph/node.hpp"
#include "elementwise.hpp"
#include "elementwise_checks.hpp"

namespace typeflow {
namespace op {

/// An op of bools, as TensorFlow's LogicalAnd, LogicalOr and LogicalNot.
template <class Base>
struct logical : Base {
  template <class T>
  static constexpr bool accepts = std::is_same_v<T, bool>;
  static constexpr bool differentiable(std::size_t) { return false; }
  static void tf_attrs(auto& node) { node.remove_attr("T"); }  // TF's logical ops have no T
};

struct logical_and : logical<elementwise_binary> {
  static constexpr std::string_view tf_name = "LogicalAnd";
  constexpr bool operator()(bool a, bool b) const { return a && b; }
};

struct logical_or : logical<elementwise_binary> {
  static constexpr std::string_view tf_name = "LogicalOr";
  constexpr bool operator()(bool a, bool b) const { return a || b; }
};

struct logical_not : logical<elementwise_unary> {
  static constexpr std::string_view tf_name = "LogicalNot";
  constexpr bool operator()(bool a) const { return !a; }
};

}  // namespace op

/// tf.math.logical_and(x, y): x && y elementwise, bool tensors, with broadcasting.
template <class A, class B>
  requires node_and_operand<A, B>
constexpr auto logical_and(const A& a, const B& b) { return detail::make_checked_binary<op::logical_and>(a, b); }
/// tf.math.logical_or(x, y): x || y elementwise, bool tensors, with broadcasting.
template <class A, class B>
  requires node_and_operand<A, B>
constexpr auto logical_or(const A& a, const B& b) { return detail::make_checked_binary<op::logical_or>(a, b); }
/// tf.math.logical_not(x): !x elementwise, a bool tensor.
template <tensor_node A>
constexpr auto logical_not(const A& a) {
  return detail::make_checked_unary<op::logical_not>(a);
}

}  // namespace typeflow

#endif
