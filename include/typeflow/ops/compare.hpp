#ifndef TYPEFLOW_OPS_COMPARE_HPP
#define TYPEFLOW_OPS_COMPARE_HPP

// Elementwise comparisons: tf::equal, not_equal, less, less_equal, greater, greater_equal.
// They broadcast as the arithmetic ops and yield bool tensors, through which no gradient
// flows. Their SIMD form yields a batch_bool of the operands' batch type: the plan keeps a
// comparison lazy inside a user computed in its operands' dtype (tf::where over that dtype)
// and gives it a bool buffer otherwise.

#include <string_view>
#include <tuple>
#include <type_traits>

#include "../graph/constant.hpp"
#include "../graph/node.hpp"
#include "elementwise.hpp"
#include "elementwise_checks.hpp"

namespace typeflow {
namespace op {

/// A comparison of two numeric tensors; TensorFlow defines none of them on bool (but for
/// equality) and typeflow none at all, so that a bool never has to be loaded as a number.
struct comparison : elementwise_binary {
  template <class A, class B>
  using value_type = bool;
  template <class T>
  static constexpr bool accepts = std::is_arithmetic_v<T> && !std::is_same_v<T, bool>;
  // A comparison is flat almost everywhere: TensorFlow registers no gradient for it.
  static constexpr bool differentiable(std::size_t) { return false; }
};

#define TYPEFLOW_COMPARISON(NAME, TF_NAME, SYMBOL)            \
  struct NAME : comparison {                                  \
    static constexpr std::string_view tf_name = TF_NAME;      \
    template <class T>                                        \
    constexpr bool operator()(T a, T b) const {               \
      return a SYMBOL b;                                      \
    }                                                         \
    template <class B>                                        \
    constexpr auto simd_apply(const B& a, const B& b) const { \
      return a SYMBOL b;                                      \
    }                                                         \
  };

TYPEFLOW_COMPARISON(equal, "Equal", ==)
TYPEFLOW_COMPARISON(not_equal, "NotEqual", !=)
TYPEFLOW_COMPARISON(less, "Less", <)
TYPEFLOW_COMPARISON(less_equal, "LessEqual", <=)
TYPEFLOW_COMPARISON(greater, "Greater", >)
TYPEFLOW_COMPARISON(greater_equal, "GreaterEqual", >=)
#undef TYPEFLOW_COMPARISON

}  // namespace op

namespace detail {
/// The node `a CMP 0`, the 0 of a's dtype (for gradients: relu's is where(y > 0, g, 0)).
template <class Cmp, class A>
constexpr auto compare_to_zero(const A& a) {
  using zero = graph::integer<value_t<A>, 0>;
  return graph::node<Cmp, A, zero>({}, a, zero{});
}
}  // namespace detail

// TensorFlow's functions; a number on either side takes the tensor's dtype.
#define TYPEFLOW_COMPARISON_FUNCTION(NAME) \
  template <class A, class B>              \
    requires node_and_operand<A, B>        \
  constexpr auto NAME(const A& a, const B& b) { return detail::make_checked_binary<op::NAME>(a, b); }

/// tf.equal(x, y): x == y elementwise, a bool tensor.
TYPEFLOW_COMPARISON_FUNCTION(equal)
/// tf.not_equal(x, y): x != y elementwise, a bool tensor.
TYPEFLOW_COMPARISON_FUNCTION(not_equal)
/// tf.less(x, y): x < y elementwise, a bool tensor.
TYPEFLOW_COMPARISON_FUNCTION(less)
/// tf.less_equal(x, y): x <= y elementwise, a bool tensor.
TYPEFLOW_COMPARISON_FUNCTION(less_equal)
/// tf.greater(x, y): x > y elementwise, a bool tensor.
TYPEFLOW_COMPARISON_FUNCTION(greater)
/// tf.greater_equal(x, y): x >= y elementwise, a bool tensor.
TYPEFLOW_COMPARISON_FUNCTION(greater_equal)
#undef TYPEFLOW_COMPARISON_FUNCTION

// The ordering operators of a TF 1.x Tensor (`x < y` is tf.less); == and != stay node
// identity, as in TensorFlow 1.x.
#define TYPEFLOW_COMPARISON_OPERATOR(SYMBOL, NAME) \
  template <class A, class B>                      \
    requires node_and_operand<A, B>                \
  constexpr auto operator SYMBOL(const A& a, const B& b) { return NAME(a, b); }

TYPEFLOW_COMPARISON_OPERATOR(<, less)
TYPEFLOW_COMPARISON_OPERATOR(<=, less_equal)
TYPEFLOW_COMPARISON_OPERATOR(>, greater)
TYPEFLOW_COMPARISON_OPERATOR(>=, greater_equal)
#undef TYPEFLOW_COMPARISON_OPERATOR

}  // namespace typeflow

#endif
