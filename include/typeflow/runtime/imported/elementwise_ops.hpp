#ifndef TYPEFLOW_RUNTIME_IMPORTED_ELEMENTWISE_OPS_HPP
#define TYPEFLOW_RUNTIME_IMPORTED_ELEMENTWISE_OPS_HPP

// The elementwise ops of an imported graph: each TF op name maps to typeflow's op tag, and a
// node becomes a function that runs the tag's scalar form (its SIMD form where it has one and
// operands and result share the dtype) over a block of values. The dtypes are resolved when
// the graph is imported, so a run calls one function pointer per op and block.

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "../../kernels/vector_math.hpp"
#include "../../ops/activations.hpp"
#include "../../ops/cast.hpp"
#include "../../ops/compare.hpp"
#include "../../ops/constructors.hpp"
#include "../../ops/elementwise.hpp"
#include "../../ops/logical.hpp"
#include "../../ops/math.hpp"
#include "../../ops/nn.hpp"
#include "../../ops/shape.hpp"
#include "../../ops/where.hpp"
#include "../tensor.hpp"
#include "node_attrs.hpp"

namespace typeflow::imported {

/// out[i] = op(in[0][i], ...) for i < n; the operands' and result's dtypes are fixed per function.
using block_fn = void (*)(const node_attrs&, void* out, const void* const* in, std::size_t n);

/// A resolved elementwise node: its block function and result dtype (fn null: dtype not accepted).
struct elementwise_kernel {
  block_fn fn = nullptr;
  io::data_type out = io::DT_INVALID;
};

namespace detail {

/// The op object, with the attrs it carries (leaky_relu's alpha).
template <class Op>
Op make_op(const node_attrs& a) {
  Op op{};
  if constexpr (requires { op.m_alpha; }) op.m_alpha = static_cast<decltype(op.m_alpha)>(a.alpha);
  return op;
}

template <class Op, class... T>
void run_block(const node_attrs& a, void* out, const void* const* in, std::size_t n) {
  const Op op = make_op<Op>(a);
  using R = decltype(op(std::declval<T>()...));
  R* o = static_cast<R*>(out);
  [&]<std::size_t... K>(std::index_sequence<K...>) {
    const std::tuple<const T*...> x{static_cast<const T*>(in[K])...};
    std::size_t i = 0;
    using T0 = std::tuple_element_t<0, std::tuple<T...>>;
    if constexpr ((std::is_same_v<T, R> && ...) && std::is_floating_point_v<R>) {
      if constexpr (op::simd_op<Op, xsimd::batch<T>...>) {
        constexpr std::size_t w = xsimd::batch<T0>::size;
        for (; i + w <= n; i += w)
          op.simd_apply(xsimd::batch<T>::load_unaligned(std::get<K>(x) + i)...).store_unaligned(o + i);
      }
    }
    for (; i < n; ++i) o[i] = static_cast<R>(op(std::get<K>(x)[i]...));
  }
  (std::index_sequence_for<T...>{});
}

template <std::size_t, class T>
using repeat = T;

enum dtype_set : unsigned { floating = 1, integer = 2, boolean = 4, numeric = 3, any = 7 };

template <class T>
constexpr bool in_set(unsigned set) {
  if constexpr (std::is_same_v<T, bool>) return set & boolean;
  else if constexpr (std::is_floating_point_v<T>) return set & floating;
  else return set & integer;
}

template <class Op, class T>
constexpr bool accepts() {
  if constexpr (requires { Op::template accepts<T>; }) return Op::template accepts<T>;
  else return true;
}

/// Op over Arity operands of one dtype T, for the T in Set that Op accepts; a result of T or bool.
template <class Op, std::size_t Arity, unsigned Set>
elementwise_kernel same_dtype(io::data_type t, const node_attrs&) {
  if (!is_supported_dtype(t)) return {};
  return visit_dtype(t, "", [&]<class T>() -> elementwise_kernel {
    if constexpr (in_set<T>(Set) && accepts<Op, T>()) {
      return [&]<std::size_t... K>(std::index_sequence<K...>)->elementwise_kernel {
        using R = decltype(std::declval<const Op&>()(std::declval<repeat<K, T>>()...));
        if constexpr (std::is_same_v<R, T> || std::is_same_v<R, bool>)
          return {&run_block<Op, repeat<K, T>...>, dtype_of<R>};
        else return {};
      }
      (std::make_index_sequence<Arity>{});
    } else {
      return {};
    }
  });
}

/// LeakyRelu's tag is a template over its alpha's dtype.
inline elementwise_kernel leaky_relu(io::data_type t, const node_attrs& a) {
  if (t == io::DT_FLOAT) return same_dtype<op::leaky_relu<float>, 1, floating>(t, a);
  if (t == io::DT_DOUBLE) return same_dtype<op::leaky_relu<double>, 1, floating>(t, a);
  return {};
}

/// Cast from t to attrs.to (DstT).
inline elementwise_kernel cast(io::data_type t, const node_attrs& a) {
  if (!is_supported_dtype(t) || !is_supported_dtype(a.to)) return {};
  return visit_dtype(a.to, "", [&]<class To>() {
    return visit_dtype(t, "", [&]<class From>() {
      return elementwise_kernel{&run_block<op::cast<To>, From>, dtype_of<To>};
    });
  });
}

/// SelectV2(condition, x, y): t is x's dtype (the caller checks the condition is bool).
inline elementwise_kernel select(io::data_type t, const node_attrs&) {
  if (!is_supported_dtype(t)) return {};
  return visit_dtype(t, "", [&]<class T>() { return elementwise_kernel{&run_block<op::where, bool, T, T>, t}; });
}

}  // namespace detail

/// How an elementwise TF op is resolved: its arity and a function from its operand dtype (the
/// first operand's; a select's x) and attrs to its kernel.
struct elementwise_entry {
  std::string_view tf_name;
  std::size_t arity;
  elementwise_kernel (*resolve)(io::data_type, const node_attrs&);
};

namespace detail {
template <class Op, std::size_t Arity, unsigned Set>
constexpr elementwise_entry entry(std::string_view name = Op::tf_name) {
  return {name, Arity, &same_dtype<Op, Arity, Set>};
}

// clang-format off
inline constexpr elementwise_entry elementwise_table[] = {
    entry<op::add, 2, numeric>(), entry<op::add, 2, numeric>("Add"), entry<op::sub, 2, numeric>(),
    entry<op::mul, 2, numeric>(), entry<op::div, 2, floating>(),  // integer RealDiv: no division by 0 crash
    entry<op::neg, 1, numeric>(), entry<op::square, 1, numeric>(), entry<op::bias_add, 2, numeric>(),
    entry<op::bias_add, 2, numeric>("BiasAddV1"),
    entry<op::sqrt, 1, any>(), entry<op::rsqrt, 1, any>(), entry<op::exp, 1, any>(), entry<op::log, 1, any>(),
    entry<op::log1p, 1, any>(), entry<op::sign, 1, any>(), entry<op::abs, 1, any>(), entry<op::pow, 2, any>(),
    entry<op::maximum, 2, any>(), entry<op::minimum, 2, any>(), entry<op::erf, 1, any>(),
    entry<op::erfc, 1, any>(), entry<op::expm1, 1, any>(), entry<op::reciprocal, 1, any>(),
    entry<op::squared_difference, 2, any>(), entry<op::floor, 1, any>(), entry<op::ceil, 1, any>(),
    entry<op::round, 1, any>(), entry<op::sin, 1, any>(), entry<op::cos, 1, any>(),
    entry<op::sigmoid, 1, any>(), entry<op::tanh, 1, any>(), entry<op::relu, 1, any>(),
    entry<op::relu6, 1, any>(), entry<op::elu, 1, any>(), entry<op::softplus, 1, any>(),
    entry<op::selu, 1, any>(), entry<op::softsign, 1, any>(),
    entry<op::equal, 2, any>(), entry<op::not_equal, 2, any>(), entry<op::less, 2, any>(),
    entry<op::less_equal, 2, any>(), entry<op::greater, 2, any>(), entry<op::greater_equal, 2, any>(),
    entry<op::logical_and, 2, any>(), entry<op::logical_or, 2, any>(), entry<op::logical_not, 1, any>(),
    entry<op::zeros_like, 1, any>(), entry<op::ones_like, 1, any>(),
    entry<op::sigmoid_cross_entropy_with_logits, 2, floating>(),
    {"LeakyRelu", 1, &leaky_relu}, {"Cast", 1, &cast}, {"SelectV2", 3, &select},
};
// clang-format on
}  // namespace detail

/// The elementwise op named `tf_name`; nullptr when it is not one.
inline const elementwise_entry* find_elementwise(std::string_view tf_name) {
  for (const auto& e : detail::elementwise_table)
    if (e.tf_name == tf_name) return &e;
  return nullptr;
}

}  // namespace typeflow::imported

#endif
