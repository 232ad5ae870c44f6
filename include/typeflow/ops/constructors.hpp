#ifndef TYPEFLOW_OPS_CONSTRUCTORS_HPP
#define TYPEFLOW_OPS_CONSTRUCTORS_HPP

// The tensors TF programs make first: tf.zeros, tf.ones, tf.fill, tf.range and tf.linspace of
// a static shape (constants: their values are computed once, when the node is made, and a
// Variable takes one as its initial value), and tf.zeros_like / tf.ones_like of any node (ops,
// since their operand's shape may be known only at run time).

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "../graph/constant.hpp"
#include "../graph/node.hpp"
#include "elementwise_checks.hpp"

namespace typeflow {

namespace op {

/// ZerosLike and OnesLike: the operand gives the shape and dtype; no gradient flows through
/// (TF's is None).
template <int V>
struct filled_like : elementwise_unary {
  template <class T>
  static constexpr bool accepts = is_numeric_dtype_v<T>;
  static constexpr std::string_view tf_name = V == 0 ? "ZerosLike" : "OnesLike";
  static constexpr bool differentiable(std::size_t) { return false; }
  template <class T>
  constexpr T operator()(T) const {
    return T(V);
  }
  template <class B>
  B simd_apply(const B&) const {
    return B(typename B::value_type(V));
  }
};
using zeros_like = filled_like<0>;
using ones_like = filled_like<1>;

}  // namespace op

namespace detail {

/// A constant of static shape [Dims...] whose element i is f(i).
template <dtype T, std::int64_t... Dims, class F>
graph::constant<T, shape<Dims...>> static_constant(F f) {
  static_assert(((Dims >= 0) && ...),
                "tf::zeros, ones, fill, range, linspace: every dim must be static (not tf::none)");
  constexpr std::size_t n = (std::size_t{1} * ... * static_cast<std::size_t>(Dims));
  std::vector<T> data(n);
  for (std::size_t i = 0; i < n; ++i) data[i] = f(i);
  graph::constant<T, shape<Dims...>> c;
  c.m_data = std::make_shared<const std::vector<T>>(std::move(data));
  c.m_shape = {static_cast<std::size_t>(Dims)...};
  return c;
}

/// The length of tf.range(start, limit, delta): ceil((limit - start) / delta), at least 0.
constexpr std::int64_t range_size(std::int64_t start, std::int64_t limit, std::int64_t delta) {
  if (delta == 0) return -1;
  const std::int64_t d = delta > 0 ? limit - start : start - limit, step = delta > 0 ? delta : -delta;
  return d <= 0 ? 0 : (d + step - 1) / step;
}

}  // namespace detail

/// tf.zeros([d0, d1, ...], dtype): `tf::zeros<3, 2>()` (float32, as TF's default), `tf::zeros<double, 3, 2>()`.
template <dtype T, std::int64_t... Dims>
auto zeros() {
  return detail::static_constant<T, Dims...>([](std::size_t) { return T(0); });
}
template <std::int64_t... Dims>
auto zeros() {
  return zeros<float, Dims...>();
}

/// tf.ones([d0, d1, ...], dtype): `tf::ones<3, 2>()` (float32), `tf::ones<double, 3, 2>()`.
template <dtype T, std::int64_t... Dims>
auto ones() {
  return detail::static_constant<T, Dims...>([](std::size_t) { return T(1); });
}
template <std::int64_t... Dims>
auto ones() {
  return ones<float, Dims...>();
}

/// tf.fill([d0, d1, ...], value): `tf::fill<3, 2>(0.5f)`, of value's dtype.
template <std::int64_t... Dims, dtype T>
auto fill(T value) {
  return detail::static_constant<T, Dims...>([value](std::size_t) { return value; });
}

/// tf.range(limit), tf.range(start, limit), tf.range(start, limit, delta) with integer bounds
/// known at compile time: `tf::range<5>()` is [0, 1, 2, 3, 4] (int32, as TF's), `tf::range<2, 11, 3>()`
/// [2, 5, 8]; `tf::range<float, 5>()` in another dtype.
template <dtype T, std::int64_t... Args>
  requires(sizeof...(Args) >= 1 && sizeof...(Args) <= 3)
auto range() {
  constexpr std::int64_t a[] = {Args...};
  constexpr std::int64_t start = sizeof...(Args) == 1 ? 0 : a[0];
  constexpr std::int64_t limit = sizeof...(Args) == 1 ? a[0] : a[1];
  constexpr std::int64_t delta = sizeof...(Args) == 3 ? a[2] : 1;
  constexpr std::int64_t n = detail::range_size(start, limit, delta);
  static_assert(n >= 0, "tf::range<start, limit, delta>: delta must not be 0");
  return detail::static_constant<T, n>([](std::size_t i) { return static_cast<T>(start + delta * std::int64_t(i)); });
}
template <std::int64_t... Args>
  requires(sizeof...(Args) >= 1 && sizeof...(Args) <= 3)
auto range() { return range<std::int32_t, Args...>(); }

/// tf.linspace(start, stop, num) with num known at compile time: `tf::linspace<5>(0.0f, 1.0f)`,
/// of start's dtype. As TF's: start + i * ((stop - start) / (num - 1)) in that dtype, and the
/// last value is stop itself.
template <std::int64_t Num, dtype T>
auto linspace(T start, T stop) {
  static_assert(Num >= 1, "tf::linspace<num>(start, stop): num must be at least 1");
  const T delta = (stop - start) / static_cast<T>(Num > 1 ? Num - 1 : 1);
  return detail::static_constant<T, Num>([=](std::size_t i) {
    if (i == 0) return start;
    if (i + 1 == std::size_t(Num)) return stop;
    // TF's Mul then AddV2, each rounded: volatile keeps the compiler from fusing them into an
    // FMA (clang does by default where the CPU has one), which differs in the last bit.
    const volatile T step = static_cast<T>(i) * delta;
    return start + step;
  });
}

/// tf.zeros_like(x): zeros of x's shape (known at run time) and dtype.
template <tensor_node X>
constexpr auto zeros_like(const X& x) {
  return detail::make_checked_unary<op::zeros_like>(x);
}

/// tf.ones_like(x): ones of x's shape (known at run time) and dtype.
template <tensor_node X>
constexpr auto ones_like(const X& x) {
  return detail::make_checked_unary<op::ones_like>(x);
}

}  // namespace typeflow

#endif
