#ifndef TYPEFLOW_OPS_MATH_HPP
#define TYPEFLOW_OPS_MATH_HPP

// Elementwise math functions: sqrt rsqrt exp log log1p abs sign pow maximum minimum erf erfc
// expm1 reciprocal squared_difference floor ceil round sin cos, and the composites
// clip_by_value and reduce_logsumexp. The scalar forms call <cmath>; the SIMD forms call
// xsimd's functions of the same names, found by argument-dependent lookup on the batch type,
// so ops/ does not include xsimd. Gradients reuse the forward node where TensorFlow does
// (exp' = y, sqrt' = 1/(2y)), so a run computes the forward value once for the loss and its
// gradients.

#include <cmath>
#include <limits>
#include <numbers>
#include <string_view>
#include <tuple>
#include <type_traits>

#include "../graph/constant.hpp"
#include "../graph/node.hpp"
#include "batch_math.hpp"
#include "compare.hpp"
#include "elementwise.hpp"
#include "elementwise_checks.hpp"
#include "reduce.hpp"
#include "shape.hpp"
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
using static_scalar_like = graph::static_scalar<value_t<N>, V>;

/// Op(a) in a gradient, where a has the forward's dtype (so no checks).
template <class Op, class A>
constexpr auto node_of(const A& a) {
  return graph::node<Op, A>({}, a);
}

/// The number v as a constant of node n's dtype, in a gradient.
template <class N>
constexpr auto constant_like(const N&, double v) {
  return constant(static_cast<value_t<N>>(v));
}

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
    return op::parts{g / (static_scalar_like<decltype(g), 2>{} * n)};
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
    return op::parts{g * (n * n * n) / static_scalar_like<decltype(g), -2>{}};
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
  static constexpr auto vjp(const auto& g, const auto& n) { return op::parts{g * n}; }
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
  static constexpr auto vjp(const auto& g, const auto& n) { return op::parts{g / n.template arg<0>()}; }
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
    return op::parts{g / (static_scalar_like<decltype(g), 1>{} + n.template arg<0>())};
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
    return op::parts{g * graph::node<sign, std::remove_cvref_t<decltype(x)>>({}, x)};
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
    using zero = static_scalar_like<X, 0>;
    using one = static_scalar_like<X, 1>;
    auto y_minus_1 = y - one{};
    auto dx = g * (y * graph::node<pow, X, decltype(y_minus_1)>({}, x, y_minus_1));
    auto positive = graph::node<greater, X, zero>({}, x, zero{});
    using P = decltype(positive);
    auto safe_x = graph::node<where, P, X, one>({}, positive, x, one{});
    auto log_safe_x = graph::node<log, decltype(safe_x)>({}, safe_x);
    auto log_x = graph::node<where, P, decltype(log_safe_x), zero>({}, positive, log_safe_x, zero{});
    return op::parts{dx, g * (n * log_x)};
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
    using zero = static_scalar_like<G, 0>;
    auto x_wins = graph::node<Wins, std::remove_cvref_t<decltype(x)>, std::remove_cvref_t<decltype(y)>>({}, x, y);
    using C = decltype(x_wins);
    return op::parts{graph::node<where, C, G, zero>({}, x_wins, g, zero{}),
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

struct cos;

struct erf : floating_unary {
  static constexpr std::string_view tf_name = "Erf";
  template <class T>
  T operator()(T a) const {
    return std::erf(a);
  }
  template <class B>
  B simd_apply(const B& a) const {
    return batch_math::erf_of(a);
  }
  // d erf(x) = 2/sqrt(pi) exp(-x^2) dx
  static constexpr auto vjp(const auto& g, const auto& n) {
    const auto& x = n.template arg<0>();
    return op::parts{g * (constant_like(n, 2 * std::numbers::inv_sqrtpi) * node_of<exp>(-(x * x)))};
  }
};

/// 1 - erf(x), without the cancellation for large x (gelu's exact form uses it, as TF's).
struct erfc : floating_unary {
  static constexpr std::string_view tf_name = "Erfc";
  template <class T>
  T operator()(T a) const {
    return std::erfc(a);
  }
  // In float only: xsimd's double erfc is off by up to 4e-12 relative (for x near 2.5), where
  // std::erfc (and TF's) is correctly rounded or nearly; double runs the scalar form.
  // clang-format 14 splits a function after a requires clause.
  // clang-format off
  template <class B>
    requires(std::is_same_v<typename B::value_type, float>)
  B simd_apply(const B& a) const {
    return batch_math::erfc_of(a);
  }
  // clang-format on
  // d erfc(x) = -2/sqrt(pi) exp(-x^2) dx
  static constexpr auto vjp(const auto& g, const auto& n) {
    const auto& x = n.template arg<0>();
    return op::parts{g * (constant_like(n, -2 * std::numbers::inv_sqrtpi) * node_of<exp>(-(x * x)))};
  }
};

struct expm1 : floating_unary {
  static constexpr std::string_view tf_name = "Expm1";
  template <class T>
  T operator()(T a) const {
    return std::expm1(a);
  }
  template <class B>
  B simd_apply(const B& a) const {
    return batch_math::expm1_of(a);
  }
  // d (e^x - 1) = e^x dx, with e^x computed anew as TF's: y + 1 would lose it where y is near -1
  static constexpr auto vjp(const auto& g, const auto& n) { return op::parts{g * node_of<exp>(n.template arg<0>())}; }
};

struct reciprocal : floating_unary {
  static constexpr std::string_view tf_name = "Reciprocal";
  template <class T>
  T operator()(T a) const {
    return T(1) / a;
  }
  // Not xsimd's reciprocal approximation (12 bits): 1/x.
  template <class B>
  B simd_apply(const B& a) const {
    return B(1) / a;
  }
  // d (1/x) = -y^2 dx (TF's ReciprocalGrad reads the output)
  static constexpr auto vjp(const auto& g, const auto& n) { return op::parts{-(g * (n * n))}; }
};

struct squared_difference : elementwise_binary {
  static constexpr std::string_view tf_name = "SquaredDifference";
  template <class T>
  static constexpr bool accepts = is_numeric_dtype_v<T>;
  template <class T>
  constexpr T operator()(T a, T b) const {
    return (a - b) * (a - b);
  }
  template <class B>
  B simd_apply(const B& a, const B& b) const {
    const B d = a - b;
    return d * d;
  }
  // d (x-y)^2 = 2 (x - y) (dx - dy)
  static constexpr auto vjp(const auto& g, const auto& n) {
    const auto d = g * (static_scalar_like<decltype(n), 2>{} * (n.template arg<0>() - n.template arg<1>()));
    return op::parts{d, -d};
  }
};

/// floor, ceil and round are flat where they are differentiable: TensorFlow's gradient is
/// None, and typeflow has no path through them.
struct rounding : floating_unary {
  static constexpr bool differentiable(std::size_t) { return false; }
};

struct floor : rounding {
  static constexpr std::string_view tf_name = "Floor";
  template <class T>
  T operator()(T a) const {
    return std::floor(a);
  }
  template <class B>
  B simd_apply(const B& a) const {
    return batch_math::floor_of(a);
  }
};

struct ceil : rounding {
  static constexpr std::string_view tf_name = "Ceil";
  template <class T>
  T operator()(T a) const {
    return std::ceil(a);
  }
  template <class B>
  B simd_apply(const B& a) const {
    return batch_math::ceil_of(a);
  }
};

/// Half to even, as TF's Round (banker's rounding): nearbyint in the default rounding mode.
struct round : rounding {
  static constexpr std::string_view tf_name = "Round";
  template <class T>
  T operator()(T a) const {
    return std::nearbyint(a);
  }
  template <class B>
  B simd_apply(const B& a) const {
    return batch_math::nearbyint_of(a);
  }
};

struct sin : floating_unary {
  static constexpr std::string_view tf_name = "Sin";
  template <class T>
  T operator()(T a) const {
    return std::sin(a);
  }
  template <class B>
  B simd_apply(const B& a) const {
    return batch_math::sin_of(a);
  }
  // d sin(x) = cos(x) dx
  static constexpr auto vjp(const auto& g, const auto& n) { return op::parts{g * node_of<cos>(n.template arg<0>())}; }
};

struct cos : floating_unary {
  static constexpr std::string_view tf_name = "Cos";
  template <class T>
  T operator()(T a) const {
    return std::cos(a);
  }
  template <class B>
  B simd_apply(const B& a) const {
    return batch_math::cos_of(a);
  }
  // d cos(x) = -sin(x) dx
  static constexpr auto vjp(const auto& g, const auto& n) {
    return op::parts{-(g * node_of<sin>(n.template arg<0>()))};
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

/// tf.math.erf(x), the error function, elementwise.
template <tensor_node A>
constexpr auto erf(const A& a) {
  return detail::make_checked_unary<op::erf>(a);
}
/// tf.math.erfc(x) = 1 - erf(x), accurate where erf(x) is near 1.
template <tensor_node A>
constexpr auto erfc(const A& a) {
  return detail::make_checked_unary<op::erfc>(a);
}
/// tf.math.expm1(x) = exp(x) - 1, accurate for small x.
template <tensor_node A>
constexpr auto expm1(const A& a) {
  return detail::make_checked_unary<op::expm1>(a);
}
/// tf.math.reciprocal(x) = 1 / x, elementwise.
template <tensor_node A>
constexpr auto reciprocal(const A& a) {
  return detail::make_checked_unary<op::reciprocal>(a);
}
/// tf.math.squared_difference(x, y) = (x - y)^2, elementwise with broadcasting.
template <class A, class B>
  requires node_and_operand<A, B>
constexpr auto squared_difference(const A& a, const B& b) {
  return detail::make_checked_binary<op::squared_difference>(a, b);
}
/// tf.math.floor(x), elementwise; no gradient flows through it.
template <tensor_node A>
constexpr auto floor(const A& a) {
  return detail::make_checked_unary<op::floor>(a);
}
/// tf.math.ceil(x), elementwise; no gradient flows through it.
template <tensor_node A>
constexpr auto ceil(const A& a) {
  return detail::make_checked_unary<op::ceil>(a);
}
/// tf.math.round(x): to the nearest integer, halves to even (0.5 -> 0, 1.5 -> 2), as TF's;
/// no gradient flows through it.
template <tensor_node A>
constexpr auto round(const A& a) {
  return detail::make_checked_unary<op::round>(a);
}
/// tf.math.sin(x), elementwise.
template <tensor_node A>
constexpr auto sin(const A& a) {
  return detail::make_checked_unary<op::sin>(a);
}
/// tf.math.cos(x), elementwise.
template <tensor_node A>
constexpr auto cos(const A& a) {
  return detail::make_checked_unary<op::cos>(a);
}

/// tf.clip_by_value(t, lo, hi) = maximum(minimum(t, hi), lo), composed as TF composes it, so
/// the gradient is TF's: to t where lo <= t <= hi (both ends included), to hi where t > hi, to
/// lo where min(t, hi) < lo. lo and hi broadcast to t's shape (numbers take t's dtype).
template <tensor_node T, class Lo, class Hi>
  requires node_and_operand<T, Lo> && node_and_operand<T, Hi>
constexpr auto clip_by_value(const T& t, const Lo& lo, const Hi& hi) {
  auto clipped = maximum(minimum(t, hi), lo);
  static_assert(std::is_same_v<shape_of_t<decltype(clipped)>, shape_of_t<T>>,
                "tf::clip_by_value(t, lo, hi): lo and hi must broadcast to t's shape, not t to theirs");
  return clipped;
}

namespace detail {
/// m with the axes Axes (all if none) removed, as reduce_<kind>(x, axes) removes them.
template <int... A, class M>
constexpr auto drop_reduced_axes(const M& m, axis_t<A...>*) {
  return squeeze<A...>(m);
}
template <class M>
constexpr auto drop_reduced_axes(const M& m, void*) {
  return squeeze(m);  // every axis is reduced, so every dim of m is 1
}
}  // namespace detail

/// tf.math.reduce_logsumexp(x, axis, keepdims), with the arguments of tf::reduce_sum:
/// log(sum(exp(x))) computed as TF computes it, shifted by the max so that exp never
/// overflows: m = reduce_max(x) where finite (else 0), held constant for the gradient, then
/// log(sum(exp(x - m))) + m. The gradient, softmax over the reduced axes, is the composite's.
template <tensor_node X, class... Options>
constexpr auto reduce_logsumexp(const X& x, Options... options) {
  using T = value_t<X>;
  const auto raw_max = reduce_max(x, options..., keep_dims);
  const auto m = stop_gradient(where(abs(raw_max) < std::numeric_limits<T>::infinity(), raw_max, T(0)));
  const auto sum = log(reduce_sum(exp(x - m), options...));
  if constexpr ((std::is_same_v<Options, keep_dims_t> || ...)) {
    return sum + m;
  } else {
    using axes = decltype(detail::find_axes(static_cast<Options*>(nullptr)...));
    return sum + detail::drop_reduced_axes(m, static_cast<axes*>(nullptr));
  }
}

}  // namespace typeflow

#endif
