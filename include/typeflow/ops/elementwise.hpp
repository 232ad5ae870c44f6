#ifndef TYPEFLOW_OPS_ELEMENTWISE_HPP
#define TYPEFLOW_OPS_ELEMENTWISE_HPP

// Elementwise arithmetic: + - * / negate square. Each op tag holds, in one place, its
// TensorFlow name, its scalar and SIMD forward (read by xtensor's fused loops) and its
// vector-Jacobian product written as typeflow expressions. Operands broadcast as in NumPy;
// autodiff sums a broadcast operand's gradient back to its shape.

#include <string_view>
#include <tuple>
#include <type_traits>

#include "../graph/constant.hpp"
#include "../graph/node.hpp"
#include "diagnostics.hpp"

namespace typeflow {
namespace op {

struct elementwise_unary {
  static constexpr bool elementwise = true;
  template <class A>
  using value_type = value_t<A>;
  template <class A>
  using shape_type = shape_of_t<A>;
};

struct elementwise_binary {
  static constexpr bool elementwise = true;
  template <class A, class B>
  using value_type = value_t<A>;
  template <class A, class B>
  using shape_type = broadcast_shape_t<shape_of_t<A>, shape_of_t<B>>;
};

struct add : elementwise_binary {
  static constexpr std::string_view tf_name = "AddV2";
  constexpr auto operator()(auto a, auto b) const { return a + b; }
  template <class B>
  constexpr B simd_apply(const B& a, const B& b) const { return a + b; }
  // d(a+b) = da + db
  static constexpr auto vjp(const auto& g, const auto&) { return op::parts{g, g}; }
};

struct sub : elementwise_binary {
  static constexpr std::string_view tf_name = "Sub";
  constexpr auto operator()(auto a, auto b) const { return a - b; }
  template <class B>
  constexpr B simd_apply(const B& a, const B& b) const { return a - b; }
  // d(a-b) = da - db
  static constexpr auto vjp(const auto& g, const auto&) { return op::parts{g, -g}; }
};

struct mul : elementwise_binary {
  static constexpr std::string_view tf_name = "Mul";
  constexpr auto operator()(auto a, auto b) const { return a * b; }
  template <class B>
  constexpr B simd_apply(const B& a, const B& b) const { return a * b; }
  // d(a*b) = da*b + a*db
  static constexpr auto vjp(const auto& g, const auto& n) {
    return op::parts{g * n.template arg<1>(), g * n.template arg<0>()};
  }
};

struct div : elementwise_binary {
  static constexpr std::string_view tf_name = "RealDiv";
  constexpr auto operator()(auto a, auto b) const { return a / b; }
  template <class B>
  constexpr B simd_apply(const B& a, const B& b) const { return a / b; }
  // d(a/b) = da/b - a*db/b^2
  static constexpr auto vjp(const auto& g, const auto& n) {
    const auto& a = n.template arg<0>();
    const auto& b = n.template arg<1>();
    return op::parts{g / b, -(g * a / (b * b))};
  }
};

struct neg : elementwise_unary {
  static constexpr std::string_view tf_name = "Neg";
  constexpr auto operator()(auto a) const { return -a; }
  template <class B>
  constexpr B simd_apply(const B& a) const { return -a; }
  // d(-a) = -da
  static constexpr auto vjp(const auto& g, const auto&) { return op::parts{-g}; }
};

struct square : elementwise_unary {
  static constexpr std::string_view tf_name = "Square";
  constexpr auto operator()(auto a) const { return a * a; }
  template <class B>
  constexpr B simd_apply(const B& a) const { return a * a; }
  // d(a^2) = 2a da
  static constexpr auto vjp(const auto& g, const auto& n) {
    using T = value_t<decltype(n)>;
    return op::parts{g * (graph::static_scalar<T, 2>{} * n.template arg<0>())};
  }
};

}  // namespace op

template <class T>
concept arithmetic = std::is_arithmetic_v<T>;

namespace detail {

template <class N, int V>
inline constexpr bool is_static_scalar_of_v = false;
template <class T, int N, int V>
inline constexpr bool is_static_scalar_of_v<graph::static_scalar<T, N>, V> = N == V;

/// Whether `a op b` has a's dtype and shape, so that a neutral b may be dropped.
template <class A, class B>
inline constexpr bool keeps_shape_v = std::is_same_v<value_t<A>, value_t<B>> &&
                                      std::is_same_v<broadcast_shape_t<shape_of_t<A>, shape_of_t<B>>, shape_of_t<A>>;

/// The operand checks of a binary op, on dtypes and shapes alone: the user-facing function calls
/// it first, so an error's instantiation chain prints the operands' (long) node types once, in
/// the user's call, not again for every helper on the way. Helpers call it too; a second call
/// with the same arguments is the same instantiation and reports nothing new.
template <class Op, class TA, class TB, class SA, class SB>
constexpr void check_binary() {
  if constexpr (!std::is_same_v<TA, TB>) {
    // Both operands must have one dtype; convert one of them first.
    diagnostic::error_dtypes_differ<Op, TA, TB> error;
  } else if constexpr (!broadcastable_v<SA, SB>) {
    // The operands' static shapes, named in this type, do not broadcast.
    diagnostic::error_shapes_do_not_broadcast<Op, SA, SB> error;
  }
}

template <class Op, graph_node A, graph_node B>
constexpr auto make_binary(const A& a, const B& b) {
  check_binary<Op, value_t<A>, value_t<B>, shape_of_t<A>, shape_of_t<B>>();
  return graph::node<Op, A, B>(Op{}, a, b);
}

// Zeros and ones are types (graph::static_scalar), as the gradients write them, so these identities
// hold at compile time and keep gradient types small. Each applies only where the neutral
// operand does not broaden the other's shape.

/// x + 0 and 0 + x are x.
template <graph_node A, graph_node B>
constexpr auto make_add(const A& a, const B& b) {
  if constexpr (is_static_scalar_of_v<A, 0> && keeps_shape_v<B, A>) return b;
  else if constexpr (is_static_scalar_of_v<B, 0> && keeps_shape_v<A, B>) return a;
  else return make_binary<op::add>(a, b);
}

/// x - 0 is x; 0 - x is -x.
template <graph_node A, graph_node B>
constexpr auto make_sub(const A& a, const B& b) {
  if constexpr (is_static_scalar_of_v<B, 0> && keeps_shape_v<A, B>) return a;
  else if constexpr (is_static_scalar_of_v<A, 0> && keeps_shape_v<B, A>) return graph::node<op::neg, B>(op::neg{}, b);
  else return make_binary<op::sub>(a, b);
}

/// x * 1 and 1 * x are x; x * 0 and 0 * x are 0 where x is a scalar.
template <graph_node A, graph_node B>
constexpr auto make_mul(const A& a, const B& b) {
  if constexpr (is_static_scalar_of_v<A, 1> && keeps_shape_v<B, A>) return b;
  else if constexpr (is_static_scalar_of_v<B, 1> && keeps_shape_v<A, B>) return a;
  else if constexpr (is_static_scalar_of_v<A, 0> && keeps_shape_v<A, B>) return a;
  else if constexpr (is_static_scalar_of_v<B, 0> && keeps_shape_v<B, A>) return b;
  else return make_binary<op::mul>(a, b);
}

/// A number next to a tensor takes the tensor's dtype, as a Python number does in TensorFlow,
/// which refuses a floating-point one next to an integer tensor rather than truncate it.
template <graph_node A, arithmetic V>
constexpr auto literal_like(V v) {
  if constexpr (std::is_integral_v<value_t<A>> && std::is_floating_point_v<V>) {
    // clang-format off
    diagnostic::error_floating_point_number_with_integer_tensor<value_t<A>, V> error;  // write an integer, or cast the tensor first (tf::cast<float>(x))
    // clang-format on
  }
  return constant(static_cast<value_t<A>>(v));
}

}  // namespace detail

/// Neither a graph node nor a number (a std::string, an xtensor array): no operand of + - * /.
template <class T>
concept non_operand = !tensor_node<T> && !arithmetic<T>;

// Operators: tensor op tensor, and a number on either side. A node next to a non_operand: an
// operator declared (never defined) to return an incomplete type that names the operand, so the
// error is one line at the user's expression; a deleted operator did that on g++, but clang 14
// then lists every candidate, std::string's too (8,811 characters). `requires { a + b; }` stays
// false for such a pair.
#define TYPEFLOW_BINARY_OPERATOR(SYMBOL, OP, MAKE)                                                  \
  template <tensor_node A, tensor_node B>                                                           \
  constexpr auto operator SYMBOL(const A& a, const B& b) {                                          \
    detail::check_binary<OP, value_t<A>, value_t<B>, shape_of_t<A>, shape_of_t<B>>();              \
    return MAKE(a, b);                                                                              \
  }                                                                                                 \
  template <tensor_node A>                                                                          \
  constexpr auto operator SYMBOL(const A& a, arithmetic auto b) {                                   \
    return MAKE(a, detail::literal_like<A>(b));                                                     \
  }                                                                                                 \
  template <tensor_node B>                                                                          \
  constexpr auto operator SYMBOL(arithmetic auto a, const B& b) {                                   \
    return MAKE(detail::literal_like<B>(a), b);                                                     \
  }                                                                                                 \
  template <tensor_node A, non_operand B>                                                           \
  diagnostic::error_operand_is_neither_a_graph_node_nor_a_number<B>                                 \
  operator SYMBOL(const A&, const B&);                                                              \
  template <non_operand A, tensor_node B>                                                           \
  diagnostic::error_operand_is_neither_a_graph_node_nor_a_number<A>                                 \
  operator SYMBOL(const A&, const B&);

TYPEFLOW_BINARY_OPERATOR(+, op::add, detail::make_add)
TYPEFLOW_BINARY_OPERATOR(-, op::sub, detail::make_sub)
TYPEFLOW_BINARY_OPERATOR(*, op::mul, detail::make_mul)
TYPEFLOW_BINARY_OPERATOR(/, op::div, detail::make_binary<op::div>)
#undef TYPEFLOW_BINARY_OPERATOR

/// -x; -(-x) is x.
template <tensor_node A>
constexpr auto operator-(const A& a) {
  if constexpr (is_op_node_v<A>) {
    if constexpr (std::is_same_v<typename A::op_type, op::neg>) return a.template arg<0>();
    else return graph::node<op::neg, A>(op::neg{}, a);
  } else {
    return graph::node<op::neg, A>(op::neg{}, a);
  }
}

/// TensorFlow's function names for the operators (at least one operand is a node).
template <class A, class B>
concept node_and_operand = (tensor_node<A> && (tensor_node<B> || arithmetic<B>)) || (arithmetic<A> && tensor_node<B>);

template <class A, class B>
  requires node_and_operand<A, B>
constexpr auto add(const A& a, const B& b) { return a + b; }
template <class A, class B>
  requires node_and_operand<A, B>
constexpr auto subtract(const A& a, const B& b) { return a - b; }
template <class A, class B>
  requires node_and_operand<A, B>
constexpr auto multiply(const A& a, const B& b) { return a * b; }
template <class A, class B>
  requires node_and_operand<A, B>
constexpr auto divide(const A& a, const B& b) { return a / b; }
template <tensor_node A>
constexpr auto negative(const A& a) { return -a; }

/// tf.square(x) = x * x, elementwise.
template <tensor_node A>
constexpr auto square(const A& a) {
  return graph::node<op::square, A>(op::square{}, a);
}

}  // namespace typeflow

#endif
