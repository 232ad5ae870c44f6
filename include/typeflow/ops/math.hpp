#ifndef TYPEFLOW_OPS_MATH_HPP
#define TYPEFLOW_OPS_MATH_HPP

// Elementwise math functions: sqrt rsqrt exp log log1p abs sign pow maximum minimum. The
// scalar forms call <cmath>; the SIMD forms call xsimd's functions of the same names, found
// by argument-dependent lookup on the batch type, so ops/ does not include xsimd. Gradients
// reuse the forward node where TensorFlow does (exp' = y, sqrt' = 1/(2y)), so a run computes
// the forward value once for the loss and its gradients.

#include <cmath>
#include <limits>
#include <string_view>
#include <tuple>
#include <type_traits>

#include "../graph/constant.hpp"
#include "../graph/node.hpp"
#include "batch_math.hpp"
#include "compare.hpp"
#include "elementwise.hpp"
#include "elementwise_checks.hpp"
#include "where.hpp"

namespace typeflow {
namespace op {

/// A function of the reals (no kernel for integers in TensorFlow).
struct floating_unary : elementwise_unary {
  template <class T>
  static constexpr bool accepts = is_floating_dtype_v<T>;
};

/// A function of any number.
struct numeric_unary : elementwise_unary {
  template <class T>
  static constexpr bool accepts = is_numeric_dtype_v<T>;
};

template <class N, int V>
using integer_like = graph::integer<value_t<N>, V>;

struct sqrt : floating_unary {
  static constexpr std::string_view tf_name = "Sqrt";
  template <class T>
  T operator()(T a) const {
    return std::sqrt(a);
  }
  template <class B>
  B simd_apply(const B& a) const {
    return batch_math::sqrt_of(a);
  }
  // d sqrt(x) = dx / (2 y)
  static constexpr auto vjp(const auto& g, const auto& n) {
    return std::tuple{g / (integer_like<decltype(g), 2>{} * n)};
  }
};

struct rsqrt : floating_unary {
  static constexpr std::string_view tf_name = "Rsqrt";
  template <class T>
  T operator()(T a) const {
    return T(1) / std::sqrt(a);
  }
  // Not xsimd's rsqrt: that is the hardware approximation (12 bits), not 1/sqrt.
  template <class B>
  B simd_apply(const B& a) const {
    return B(1) / batch_math::sqrt_of(a);
  }
  // d x^(-1/2) = -y^3/2 dx
  static constexpr auto vjp(const auto& g, const auto& n) {
    return std::tuple{g * (n * n * n) / integer_like<decltype(g), -2>{}};
  }
};

struct exp : floating_unary {
  static constexpr std::string_view tf_name = "Exp";
  template <class T>
  T operator()(T a) const {
    return std::exp(a);
  }
  template <class B>
  B simd_apply(const B& a) const {
    return batch_math::exp_of(a);
  }
  // d exp(x) = y dx
  static constexpr auto vjp(const auto& g, const auto& n) { return std::tuple{g * n}; }
};

struct log : floating_unary {
  static constexpr std::string_view tf_name = "Log";
  template <class T>
  T operator()(T a) const {
    return std::log(a);
  }
  template <class B>
  B simd_apply(const B& a) const {
    return batch_math::log_of(a);
  }
  // d log(x) = dx / x
  static constexpr auto vjp(const auto& g, const auto& n) { return std::tuple{g / n.template arg<0>()}; }
};

struct log1p : floating_unary {
  static constexpr std::string_view tf_name = "Log1p";
  template <class T>
  T operator()(T a) const {
    return std::log1p(a);
  }
  template <class B>
  B simd_apply(const B& a) const {
    return batch_math::log1p_of(a);
  }
  // d log(1 + x) = dx / (1 + x)
  static constexpr auto vjp(const auto& g, const auto& n) {
    return std::tuple{g / (integer_like<decltype(g), 1>{} + n.template arg<0>())};
  }
};

struct sign : numeric_unary {
  static constexpr std::string_view tf_name = "Sign";
  template <class T>
  constexpr T operator()(T a) const {
    if constexpr (std::is_floating_point_v<T>)
      if (std::isnan(a)) return a;  // as TensorFlow (Eigen's sign)
    return static_cast<T>((T(0) < a) - (a < T(0)));
  }
  template <class B>
  B simd_apply(const B& a) const {
    return batch_math::sign_of(a);  // NaN stays NaN
  }
  // sign is flat where it is differentiable: TensorFlow's gradient is zeros. typeflow cuts
  // the path instead, so that no zeros are computed; a y that depends on x only through a
  // sign has no gradient with respect to x (a compile error, as for an unrelated x).
  static constexpr bool differentiable(std::size_t) { return false; }
};

struct abs : numeric_unary {
  static constexpr std::string_view tf_name = "Abs";
  template <class T>
  constexpr T operator()(T a) const {
    return a < T(0) ? T(-a) : a;
  }
  template <class B>
  B simd_apply(const B& a) const {
    return batch_math::abs_of(a);
  }
  // d |x| = sign(x) dx
  static constexpr auto vjp(const auto& g, const auto& n) {
    const auto& x = n.template arg<0>();
    return std::tuple{g * graph::node<sign, std::remove_cvref_t<decltype(x)>>({}, x)};
  }
};

struct pow : elementwise_binary {
  static constexpr std::string_view tf_name = "Pow";
  template <class T>
  static constexpr bool accepts = is_floating_dtype_v<T>;
  template <class T>
  T operator()(T a, T b) const {
    return std::pow(a, b);
  }
  // xsimd's pow is exp(y log|x|) with 0^y = 0 for every y: x^0 is 1 and 0^y (y < 0) is inf, as std::pow's.
  template <class B>
  B simd_apply(const B& a, const B& b) const {
    const B inf(std::numeric_limits<typename B::value_type>::infinity());
    const B z = batch_math::select_of((a == B(0)) && (b < B(0)), inf, batch_math::pow_of(a, b));
    return batch_math::select_of(b == B(0), B(1), z);
  }
  // d x^y = y x^(y-1) dx + x^y log(x) dy, the log taken where x > 0 and 0 elsewhere (TF's _PowGrad)
  static constexpr auto vjp(const auto& g, const auto& n) {
    const auto& x = n.template arg<0>();
    const auto& y = n.template arg<1>();
    using X = std::remove_cvref_t<decltype(x)>;
    using zero = integer_like<X, 0>;
    using one = integer_like<X, 1>;
    auto y_minus_1 = y - one{};
    auto dx = g * (y * graph::node<pow, X, decltype(y_minus_1)>({}, x, y_minus_1));
    auto positive = graph::node<greater, X, zero>({}, x, zero{});
    using P = decltype(positive);
    auto safe_x = graph::node<where, P, X, one>({}, positive, x, one{});
    auto log_safe_x = graph::node<log, decltype(safe_x)>({}, safe_x);
    auto log_x = graph::node<where, P, decltype(log_safe_x), zero>({}, positive, log_safe_x, zero{});
    return std::tuple{dx, g * (n * log_x)};
  }
};

/// maximum and minimum: the gradient goes to x where x wins or ties (x >= y for maximum,
/// x <= y for minimum), to y elsewhere, as TensorFlow's _MaximumGrad and _MinimumGrad.
template <class Wins>
struct extremum : elementwise_binary {
  template <class T>
  static constexpr bool accepts = is_numeric_dtype_v<T>;
  static constexpr auto vjp(const auto& g, const auto& n) {
    const auto& x = n.template arg<0>();
    const auto& y = n.template arg<1>();
    using G = std::remove_cvref_t<decltype(g)>;
    using zero = integer_like<G, 0>;
    auto x_wins =
        graph::node<Wins, std::remove_cvref_t<decltype(x)>, std::remove_cvref_t<decltype(y)>>({}, x, y);
    using C = decltype(x_wins);
    return std::tuple{graph::node<where, C, G, zero>({}, x_wins, g, zero{}),
                      graph::node<where, C, zero, G>({}, x_wins, zero{}, g)};
  }
};

struct maximum : extremum<greater_equal> {
  static constexpr std::string_view tf_name = "Maximum";
  template <class T>
  constexpr T operator()(T a, T b) const {
    return a < b ? b : a;
  }
  template <class B>
  B simd_apply(const B& a, const B& b) const {
    return batch_math::max_of(a, b);
  }
};

struct minimum : extremum<less_equal> {
  static constexpr std::string_view tf_name = "Minimum";
  template <class T>
  constexpr T operator()(T a, T b) const {
    return b < a ? b : a;
  }
  template <class B>
  B simd_apply(const B& a, const B& b) const {
    return batch_math::min_of(a, b);
  }
};

}  // namespace op

/// tf.sqrt(x), elementwise.
template <tensor_node A>
constexpr auto sqrt(const A& a) {
  return detail::make_checked_unary<op::sqrt>(a);
}
/// tf.math.rsqrt(x) = 1 / sqrt(x), elementwise.
template <tensor_node A>
constexpr auto rsqrt(const A& a) {
  return detail::make_checked_unary<op::rsqrt>(a);
}
/// tf.exp(x), elementwise.
template <tensor_node A>
constexpr auto exp(const A& a) {
  return detail::make_checked_unary<op::exp>(a);
}
/// tf.log(x), the natural logarithm, elementwise.
template <tensor_node A>
constexpr auto log(const A& a) {
  return detail::make_checked_unary<op::log>(a);
}
/// tf.log1p(x) = log(1 + x), accurate for small x.
template <tensor_node A>
constexpr auto log1p(const A& a) {
  return detail::make_checked_unary<op::log1p>(a);
}
/// tf.abs(x), for every numeric dtype.
template <tensor_node A>
constexpr auto abs(const A& a) {
  return detail::make_checked_unary<op::abs>(a);
}
/// tf.sign(x): -1, 0 or 1 (NaN stays NaN). No gradient flows through it (see op::sign).
template <tensor_node A>
constexpr auto sign(const A& a) {
  return detail::make_checked_unary<op::sign>(a);
}
/// tf.pow(x, y) = x^y, elementwise with broadcasting; floating dtypes.
template <class A, class B>
  requires node_and_operand<A, B>
constexpr auto pow(const A& a, const B& b) { return detail::make_checked_binary<op::pow>(a, b); }
/// tf.maximum(x, y), elementwise with broadcasting: `tf::maximum(x, 0.0f)`.
template <class A, class B>
  requires node_and_operand<A, B>
constexpr auto maximum(const A& a, const B& b) { return detail::make_checked_binary<op::maximum>(a, b); }
/// tf.minimum(x, y), elementwise with broadcasting.
template <class A, class B>
  requires node_and_operand<A, B>
constexpr auto minimum(const A& a, const B& b) { return detail::make_checked_binary<op::minimum>(a, b); }

}  // namespace typeflow

#endif
