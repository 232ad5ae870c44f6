#ifndef TYPEFLOW_OPS_ACTIVATIONS_HPP
#define TYPEFLOW_OPS_ACTIVATIONS_HPP

// Activation functions: tf::sigmoid, tf::tanh (also as tf::nn::), tf::nn::relu, relu6,
// leaky_relu, elu, selu, softplus, softsign, and the composites silu (swish) and gelu. Forward
// forms are the numerically stable ones TensorFlow uses (no inf or NaN for large inputs);
// gradients are TensorFlow's *Grad ops written as typeflow expressions, reading the op's
// output where TensorFlow does (sigmoid' = y(1-y)), so that the forward value is computed once.

#include <cmath>
#include <string_view>
#include <tuple>
#include <type_traits>

#include "../core/dtype.hpp"
#include "../graph/constant.hpp"
#include "../graph/node.hpp"
#include "batch_math.hpp"
#include "compare.hpp"
#include "elementwise.hpp"
#include "elementwise_checks.hpp"
#include "math.hpp"
#include "where.hpp"

namespace typeflow {
namespace op {

struct sigmoid : elementwise_unary {
  static constexpr std::string_view tf_name = "Sigmoid";
  template <class T>
  static constexpr bool accepts = is_floating_dtype_v<T>;
  // 1/(1 + e^-x) for x >= 0 and e^x/(1 + e^x) below: exp never overflows, small results keep their precision.
  template <class T>
  T operator()(T a) const {
    const T e = std::exp(-std::abs(a));
    const T r = T(1) / (T(1) + e);
    return a >= T(0) ? r : e * r;
  }
  template <class B>
  B simd_apply(const B& a) const {
    const B e = batch_math::exp_of(-batch_math::abs_of(a));
    const B r = B(1) / (B(1) + e);
    return batch_math::select_of(a >= B(0), r, e * r);
  }
  // d sigmoid(x) = y (1 - y) dx
  static constexpr auto vjp(const auto& g, const auto& n) {
    using one = graph::static_scalar<value_t<decltype(n)>, 1>;
    return op::parts{g * (n * (one{} - n))};
  }
};

struct tanh : elementwise_unary {
  static constexpr std::string_view tf_name = "Tanh";
  template <class T>
  static constexpr bool accepts = is_floating_dtype_v<T>;
  template <class T>
  T operator()(T a) const {
    return std::tanh(a);
  }
  template <class B>
  B simd_apply(const B& a) const {
    return batch_math::tanh_of(a);
  }
  // d tanh(x) = (1 - y^2) dx
  static constexpr auto vjp(const auto& g, const auto& n) {
    using one = graph::static_scalar<value_t<decltype(n)>, 1>;
    return op::parts{g * (one{} - n * n)};
  }
};

struct relu : elementwise_unary {
  static constexpr std::string_view tf_name = "Relu";
  template <class T>
  static constexpr bool accepts = is_numeric_dtype_v<T>;
  template <class T>
  constexpr T operator()(T a) const {
    return a > T(0) ? a : T(0);
  }
  template <class B>
  B simd_apply(const B& a) const {
    return batch_math::max_of(a, B(0));
  }
  // d relu(x) = dx where y > 0 (TF's ReluGrad reads the output)
  static constexpr auto vjp(const auto& g, const auto& n) {
    using zero = graph::static_scalar<value_t<decltype(g)>, 0>;
    return op::parts{typeflow::detail::select_node(typeflow::detail::compare_to_zero<greater>(n), g, zero{})};
  }
};

struct relu6 : elementwise_unary {
  static constexpr std::string_view tf_name = "Relu6";
  template <class T>
  static constexpr bool accepts = is_numeric_dtype_v<T>;
  template <class T>
  constexpr T operator()(T a) const {
    return a > T(0) ? (a < T(6) ? a : T(6)) : T(0);
  }
  template <class B>
  B simd_apply(const B& a) const {
    return batch_math::min_of(batch_math::max_of(a, B(0)), B(6));
  }
  // d relu6(x) = dx where 0 < x < 6 (TF's Relu6Grad reads the input)
  static constexpr auto vjp(const auto& g, const auto& n) {
    const auto& x = n.template arg<0>();
    using X = std::remove_cvref_t<decltype(x)>;
    using zero = graph::static_scalar<value_t<X>, 0>;
    using six = graph::static_scalar<value_t<X>, 6>;
    const auto below_six = graph::node<less, X, six>({}, x, six{});
    return op::parts{typeflow::detail::select_node(typeflow::detail::compare_to_zero<greater>(x),
                                                   typeflow::detail::select_node(below_six, g, zero{}), zero{})};
  }
};

/// LeakyRelu with its `alpha` attribute: two leaky ReLUs with different alphas are two nodes.
template <class T>
struct leaky_relu : elementwise_unary {
  static constexpr std::string_view tf_name = "LeakyRelu";
  template <class U>
  static constexpr bool accepts = is_floating_dtype_v<U>;
  T m_alpha{};

  constexpr T operator()(T a) const { return a > T(0) ? a : a * m_alpha; }
  template <class B>
  B simd_apply(const B& a) const {
    return batch_math::select_of(a > B(0), a, a * B(m_alpha));
  }
  // d leaky_relu(x) = dx where x > 0, alpha dx elsewhere (TF's LeakyReluGrad)
  static constexpr auto vjp(const auto& g, const auto& n) {
    const auto& x = n.template arg<0>();
    return op::parts{
        typeflow::detail::select_node(typeflow::detail::compare_to_zero<greater>(x), g, g * constant(n.op().m_alpha))};
  }
  bool operator==(const leaky_relu& o) const { return same_payload(m_alpha, o.m_alpha); }
  void tf_attrs(auto& node) const { node.attr_float("alpha", static_cast<float>(m_alpha)); }
};

struct elu : elementwise_unary {
  static constexpr std::string_view tf_name = "Elu";
  template <class T>
  static constexpr bool accepts = is_floating_dtype_v<T>;
  template <class T>
  T operator()(T a) const {
    return a < T(0) ? std::expm1(a) : a;
  }
  template <class B>
  B simd_apply(const B& a) const {
    return batch_math::select_of(a < B(0), batch_math::expm1_of(a), a);
  }
  // d elu(x) = (y + 1) dx where y < 0, dx elsewhere (TF's EluGrad reads the output)
  static constexpr auto vjp(const auto& g, const auto& n) {
    using one = graph::static_scalar<value_t<decltype(n)>, 1>;
    return op::parts{typeflow::detail::select_node(typeflow::detail::compare_to_zero<less>(n), g * (n + one{}), g)};
  }
};

struct softplus : elementwise_unary {
  static constexpr std::string_view tf_name = "Softplus";
  template <class T>
  static constexpr bool accepts = is_floating_dtype_v<T>;
  // log(1 + e^x) = max(x, 0) + log1p(e^-|x|): exp never overflows, and large x gives x.
  template <class T>
  T operator()(T a) const {
    return (a > T(0) ? a : T(0)) + std::log1p(std::exp(-std::abs(a)));
  }
  template <class B>
  B simd_apply(const B& a) const {
    return batch_math::max_of(a, B(0)) + batch_math::log1p_of(batch_math::exp_of(-batch_math::abs_of(a)));
  }
  // d softplus(x) = sigmoid(x) dx
  static constexpr auto vjp(const auto& g, const auto& n) {
    const auto& x = n.template arg<0>();
    return op::parts{g * graph::node<sigmoid, std::remove_cvref_t<decltype(x)>>({}, x)};
  }
};

/// TF's SELU constants: scale, and scale * alpha (as TF writes it, not a product rounded twice).
inline constexpr double selu_scale = 1.0507009873554804934193349852946;
inline constexpr double selu_scale_alpha = 1.7580993408473768599402175208123;

struct selu : elementwise_unary {
  static constexpr std::string_view tf_name = "Selu";
  template <class T>
  static constexpr bool accepts = is_floating_dtype_v<T>;
  // scale x where x >= 0, scale alpha (e^x - 1) below (expm1: no cancellation near 0).
  template <class T>
  T operator()(T a) const {
    return a < T(0) ? T(selu_scale_alpha) * std::expm1(a) : T(selu_scale) * a;
  }
  template <class B>
  B simd_apply(const B& a) const {
    return batch_math::select_of(a < B(0), B(selu_scale_alpha) * batch_math::expm1_of(a), B(selu_scale) * a);
  }
  // d selu(x) = (y + scale alpha) dx where y < 0, scale dx elsewhere (TF's SeluGrad reads the output)
  static constexpr auto vjp(const auto& g, const auto& n) {
    return op::parts{typeflow::detail::select_node(typeflow::detail::compare_to_zero<less>(n),
                                                   g * (n + constant_like(n, selu_scale_alpha)),
                                                   g * constant_like(n, selu_scale))};
  }
};

struct softsign : elementwise_unary {
  static constexpr std::string_view tf_name = "Softsign";
  template <class T>
  static constexpr bool accepts = is_floating_dtype_v<T>;
  template <class T>
  T operator()(T a) const {
    return a / (T(1) + std::abs(a));
  }
  template <class B>
  B simd_apply(const B& a) const {
    return a / (B(1) + batch_math::abs_of(a));
  }
  // d softsign(x) = dx / (1 + |x|)^2 (TF's SoftsignGrad)
  static constexpr auto vjp(const auto& g, const auto& n) {
    const auto d = graph::static_scalar<value_t<decltype(n)>, 1>{} + node_of<abs>(n.template arg<0>());
    return op::parts{g / (d * d)};
  }
};

}  // namespace op

/// tf.sigmoid(x) = 1 / (1 + exp(-x)), stable for inputs of any size.
template <tensor_node A>
constexpr auto sigmoid(const A& a) {
  return detail::make_checked_unary<op::sigmoid>(a);
}
/// tf.tanh(x), elementwise.
template <tensor_node A>
constexpr auto tanh(const A& a) {
  return detail::make_checked_unary<op::tanh>(a);
}

namespace nn {

using typeflow::sigmoid;
using typeflow::tanh;

/// tf.nn.relu(x) = max(x, 0).
template <tensor_node A>
constexpr auto relu(const A& a) {
  return typeflow::detail::make_checked_unary<op::relu>(a);
}
/// tf.nn.relu6(x) = min(max(x, 0), 6).
template <tensor_node A>
constexpr auto relu6(const A& a) {
  return typeflow::detail::make_checked_unary<op::relu6>(a);
}
/// tf.nn.leaky_relu(x, alpha=0.2) = x where x > 0, alpha * x elsewhere.
template <tensor_node A>
constexpr auto leaky_relu(const A& a, double alpha = 0.2) {
  using T = value_t<A>;
  op::leaky_relu<T> tag;
  tag.m_alpha = static_cast<T>(static_cast<float>(alpha));  // TF's attr is a float32, also for double x
  return typeflow::detail::make_checked_unary(a, tag);
}
/// tf.nn.elu(x) = x where x >= 0, exp(x) - 1 elsewhere.
template <tensor_node A>
constexpr auto elu(const A& a) {
  return typeflow::detail::make_checked_unary<op::elu>(a);
}
/// tf.nn.softplus(x) = log(1 + exp(x)), stable for inputs of any size.
template <tensor_node A>
constexpr auto softplus(const A& a) {
  return typeflow::detail::make_checked_unary<op::softplus>(a);
}
/// tf.nn.selu(x) = scale x where x >= 0, scale alpha (exp(x) - 1) elsewhere (TF's constants).
template <tensor_node A>
constexpr auto selu(const A& a) {
  return typeflow::detail::make_checked_unary<op::selu>(a);
}
/// tf.nn.softsign(x) = x / (1 + |x|).
template <tensor_node A>
constexpr auto softsign(const A& a) {
  return typeflow::detail::make_checked_unary<op::softsign>(a);
}
/// tf.nn.silu(x) = x sigmoid(x), also tf.nn.swish (beta = 1 only). Its gradient, TF's
/// sigmoid(x) (1 + x (1 - sigmoid(x))), is the product rule's.
template <tensor_node A>
constexpr auto silu(const A& a) {
  return a * sigmoid(a);
}
/// tf.nn.swish: tf::nn::silu.
template <tensor_node A>
constexpr auto swish(const A& a) {
  return silu(a);
}

struct approximate_t {};
/// The `approximate=True` argument of tf.nn.gelu.
inline constexpr approximate_t approximate{};

// TF writes 1/sqrt(2) and 0.044715 as math_ops.cast(python_float, dtype), which makes a float32
// tensor first: in double its gelu uses them rounded to float32. typeflow rounds them likewise.

/// tf.nn.gelu(x) = x P(X <= x), X ~ N(0, 1), as TF composes it: 0.5 x erfc(-x / sqrt(2)) (erfc
/// keeps the tail's precision, where 1 + erf cancels); the gradient is the composite's.
template <tensor_node A>
constexpr auto gelu(const A& a) {
  return 0.5 * a * erfc(-a * 0.7071067811865476f);
}
/// tf.nn.gelu(x, approximate=True) = 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))), as TF's.
template <tensor_node A>
constexpr auto gelu(const A& a, approximate_t) {
  return 0.5 * a * (1.0 + tanh(0.7978845608028654 * (a + 0.044715f * pow(a, 3))));
}

}  // namespace nn
}  // namespace typeflow

#endif
