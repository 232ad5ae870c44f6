#ifndef TYPEFLOW_OPS_ELEMENTWISE_CHECKS_HPP
#define TYPEFLOW_OPS_ELEMENTWISE_CHECKS_HPP

// Building elementwise nodes of ops that TensorFlow defines for some dtypes only: each such
// op tag says which with `template <class T> static constexpr bool accepts`, and a call
// with another dtype names the op and the dtype (diagnostic::error_op_does_not_support_dtype).

#include <type_traits>

#include "../graph/node.hpp"
#include "diagnostics.hpp"
#include "elementwise.hpp"

namespace typeflow {

/// The dtypes of math functions defined on real numbers only (tf.sqrt, tf.exp, ...).
template <class T>
inline constexpr bool is_floating_dtype_v = std::is_floating_point_v<T>;

/// The dtypes of ops defined on every number (tf.abs, tf.maximum, comparisons): not bool.
template <class T>
inline constexpr bool is_numeric_dtype_v = std::is_arithmetic_v<T> && !std::is_same_v<T, bool>;

namespace detail {

template <class Op, class T>
constexpr void check_dtype() {
  if constexpr (requires { Op::template accepts<T>; }) {
    if constexpr (!Op::template accepts<T>) {
      // The op named in this type has no kernel for this dtype; cast the operand first.
      diagnostic::error_op_does_not_support_dtype<Op, T> error;
    }
  }
}

/// A node of the unary op `op` (with its run-time attributes, if any) on a.
template <class Op, tensor_node A>
constexpr auto make_checked_unary(const A& a, Op op = {}) {
  check_dtype<Op, value_t<A>>();
  return graph::node<Op, A>(op, a);
}

/// A node as itself; a number as a constant of the other operand's dtype.
template <class Other, class V>
constexpr auto operand_like(const V& v) {
  if constexpr (tensor_node<V>) return v;
  else return literal_like<Other>(v);
}

/// A node of the binary op Op; a number on either side takes the other operand's dtype.
template <class Op, class A, class B>
  requires node_and_operand<A, B>
constexpr auto make_checked_binary(const A& a, const B& b) {
  const auto na = operand_like<B>(a);
  const auto nb = operand_like<A>(b);
  check_dtype<Op, value_t<decltype(na)>>();
  return make_binary<Op>(na, nb);
}

}  // namespace detail
}  // namespace typeflow

#endif
