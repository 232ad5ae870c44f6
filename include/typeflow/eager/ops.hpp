#ifndef TYPEFLOW_EAGER_OPS_HPP
#define TYPEFLOW_EAGER_OPS_HPP

// The eager ops, with TF's names: each runs an op tag of ops/ through the eager executor
// (execute.hpp), so its forward and gradient are graph mode's. Operands are tensors,
// variables (read as TF reads them) and, beside a tensor, numbers, which take the tensor's
// dtype as Python numbers do in TF. Two tensors of different dtypes do not compile (TF raises
// InvalidArgumentError; it never promotes): cast one with tfe::cast<T>.
//
// Where graph mode fixes an attribute in the type and eager mode knows it at run time only (a
// reduction's axes, a reshape's dims), the op picks the tag's instance at run time: a
// reduction collapses adjacent axes first, so that any axes of any rank are one of 16
// instances per kind (ranks 1-8, starting with a reduced axis or not).

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "../ops/activations.hpp"
#include "../ops/cast.hpp"
#include "../ops/compare.hpp"
#include "../ops/elementwise.hpp"
#include "../ops/linalg.hpp"
#include "../ops/logical.hpp"
#include "../ops/math.hpp"
#include "../ops/nn.hpp"
#include "../ops/reduce.hpp"
#include "../ops/shape.hpp"
#include "../ops/where.hpp"
#include "../runtime/initializers.hpp"
#include "execute.hpp"
#include "tensor.hpp"
#include "variable.hpp"

namespace typeflow::eager {

/// What an eager op takes as a tensor: a tensor or a variable (read now).
template <class X>
inline constexpr bool is_tensor_like_v = false;
template <class T>
inline constexpr bool is_tensor_like_v<Tensor<T>> = true;
template <class T>
inline constexpr bool is_tensor_like_v<Variable<T>> = true;
template <class X>
concept tensor_like = is_tensor_like_v<std::remove_cvref_t<X>>;

template <class X>
concept number = std::is_arithmetic_v<X>;

/// The tensor of operand x: itself, a variable's value, or a number in dtype T.
template <class T, class X>
Tensor<T> as_tensor(const X& x) {
  static_assert(!std::is_integral_v<T> || !std::is_floating_point_v<X>,
                "tfe: a floating-point number next to an integer tensor (TF: Cannot convert 0.5 to EagerTensor of "
                "dtype int32): write an integer, or cast the tensor first with tfe::cast<float>(x)");
  if constexpr (number<X>) return Tensor<T>(static_cast<T>(x));
  else if constexpr (std::is_same_v<X, Tensor<T>>) return x;
  else return x.value();
}

namespace detail {
/// The dtype of a binary op's operands: a tensor's; two tensors must agree.
template <class A, class B>
constexpr auto binary_dtype() {
  if constexpr (tensor_like<A> && tensor_like<B>) {
    static_assert(std::is_same_v<typename A::value_type, typename B::value_type>,
                  "tfe: the operands have different dtypes (TF does not promote): cast one with tfe::cast<T>(x)");
    return std::type_identity<typename A::value_type>{};
  } else if constexpr (tensor_like<A>) {
    return std::type_identity<typename A::value_type>{};
  } else {
    return std::type_identity<typename B::value_type>{};
  }
}
template <class A, class B>
using binary_dtype_t = typename decltype(binary_dtype<A, B>())::type;

template <class Op, class A, class B>
auto binary(const A& a, const B& b) {
  using T = binary_dtype_t<A, B>;
  return execute_elementwise(Op{}, as_tensor<T>(a), as_tensor<T>(b));
}
template <class Op, class X>
auto unary(const X& x, const Op& tag = {}) {
  return execute_elementwise(tag, as_tensor<typename X::value_type>(x));
}
}  // namespace detail

/// A binary op's operands: two tensors, or a tensor and a number.
template <class A, class B>
concept binary_operands = (tensor_like<A> && (tensor_like<B> || number<B>)) || (number<A> && tensor_like<B>);

/// A binary op's operands in a tfe::function's trace: graph nodes, or a node and a number.
template <class A, class B>
concept node_operands = (tensor_node<A> && (tensor_node<B> || number<B>)) || (number<A> && tensor_node<B>);

namespace detail {
/// The graph node of a binary op in a trace (a number takes the node's dtype, as in graph mode).
template <class Op, class A, class B>
auto traced_binary(const A& a, const B& b) {
  if constexpr (number<A>) return typeflow::detail::make_binary<Op>(typeflow::detail::literal_like<B>(a), b);
  else if constexpr (number<B>) return typeflow::detail::make_binary<Op>(a, typeflow::detail::literal_like<A>(b));
  else return typeflow::detail::make_binary<Op>(a, b);
}
}  // namespace detail

// Each function has a second form for graph nodes, which builds the op's node: the body of a
// tfe::function is traced with placeholders through the same calls (function.hpp).
// clang-format off
#define TYPEFLOW_EAGER_BINARY(NAME, OP) \
  template <class A, class B> requires binary_operands<A, B> \
  auto NAME(const A& a, const B& b) { return detail::binary<OP>(a, b); } \
  template <class A, class B> requires node_operands<A, B> \
  auto NAME(const A& a, const B& b) { return detail::traced_binary<OP>(a, b); }
#define TYPEFLOW_EAGER_OPERATOR(SYMBOL, OP) \
  template <class A, class B> requires binary_operands<A, B> \
  auto operator SYMBOL(const A& a, const B& b) { return detail::binary<OP>(a, b); }
#define TYPEFLOW_EAGER_UNARY(NAME, OP) \
  template <tensor_like X> auto NAME(const X& x) { return detail::unary<OP>(x); } \
  template <tensor_node X> auto NAME(const X& x) { return graph::node<OP, X>(OP{}, x); }
// clang-format on

TYPEFLOW_EAGER_OPERATOR(+, op::add)
TYPEFLOW_EAGER_OPERATOR(-, op::sub)
TYPEFLOW_EAGER_OPERATOR(*, op::mul)
TYPEFLOW_EAGER_OPERATOR(/, op::div)
TYPEFLOW_EAGER_OPERATOR(<, op::less)
TYPEFLOW_EAGER_OPERATOR(<=, op::less_equal)
TYPEFLOW_EAGER_OPERATOR(>, op::greater)
TYPEFLOW_EAGER_OPERATOR(>=, op::greater_equal)
TYPEFLOW_EAGER_BINARY(add, op::add)
TYPEFLOW_EAGER_BINARY(subtract, op::sub)
TYPEFLOW_EAGER_BINARY(multiply, op::mul)
TYPEFLOW_EAGER_BINARY(divide, op::div)
TYPEFLOW_EAGER_BINARY(pow, op::pow)
TYPEFLOW_EAGER_BINARY(maximum, op::maximum)
TYPEFLOW_EAGER_BINARY(minimum, op::minimum)
TYPEFLOW_EAGER_BINARY(squared_difference, op::squared_difference)
TYPEFLOW_EAGER_BINARY(equal, op::equal)
TYPEFLOW_EAGER_BINARY(not_equal, op::not_equal)
TYPEFLOW_EAGER_BINARY(less, op::less)
TYPEFLOW_EAGER_BINARY(less_equal, op::less_equal)
TYPEFLOW_EAGER_BINARY(greater, op::greater)
TYPEFLOW_EAGER_BINARY(greater_equal, op::greater_equal)
TYPEFLOW_EAGER_BINARY(logical_and, op::logical_and)
TYPEFLOW_EAGER_BINARY(logical_or, op::logical_or)

template <tensor_like X>
auto operator-(const X& x) {
  return detail::unary<op::neg>(x);
}
TYPEFLOW_EAGER_UNARY(negative, op::neg)
TYPEFLOW_EAGER_UNARY(square, op::square)
TYPEFLOW_EAGER_UNARY(sqrt, op::sqrt)
TYPEFLOW_EAGER_UNARY(rsqrt, op::rsqrt)
TYPEFLOW_EAGER_UNARY(exp, op::exp)
TYPEFLOW_EAGER_UNARY(expm1, op::expm1)
TYPEFLOW_EAGER_UNARY(log, op::log)
TYPEFLOW_EAGER_UNARY(log1p, op::log1p)
TYPEFLOW_EAGER_UNARY(abs, op::abs)
TYPEFLOW_EAGER_UNARY(sign, op::sign)
TYPEFLOW_EAGER_UNARY(reciprocal, op::reciprocal)
TYPEFLOW_EAGER_UNARY(sin, op::sin)
TYPEFLOW_EAGER_UNARY(cos, op::cos)
TYPEFLOW_EAGER_UNARY(erf, op::erf)
TYPEFLOW_EAGER_UNARY(tanh, op::tanh)
TYPEFLOW_EAGER_UNARY(sigmoid, op::sigmoid)
TYPEFLOW_EAGER_UNARY(floor, op::floor)
TYPEFLOW_EAGER_UNARY(ceil, op::ceil)
TYPEFLOW_EAGER_UNARY(round, op::round)
TYPEFLOW_EAGER_UNARY(logical_not, op::logical_not)

/// tf.where(condition, x, y): x where the bool condition holds, else y, all three broadcast.
template <tensor_like C, class X, class Y>
  requires std::is_same_v<typename C::value_type, bool> &&
      (tensor_like<X> || tensor_like<Y>)auto where(const C& condition, const X& x, const Y& y) {
    using T = detail::binary_dtype_t<X, Y>;
    return detail::execute_elementwise(op::where{}, as_tensor<bool>(condition), as_tensor<T>(x), as_tensor<T>(y));
  }

  /// tf.clip_by_value(t, lo, hi) = maximum(minimum(t, hi), lo), composed as TF composes it (so the
  /// gradient is TF's: to t inside [lo, hi], both ends included).
  template <tensor_like X, class Lo, class Hi>
  auto clip_by_value(const X& t, const Lo& lo, const Hi& hi) {
    return maximum(minimum(t, hi), lo);
  }

  /// tf.cast(x, To).
  template <dtype To, tensor_like X>
  Tensor<To> cast(const X& x) {
    return detail::unary(x, op::cast<To>{});
  }
  template <dtype To, tensor_node X>
  auto cast(const X& x) {
    return typeflow::cast<To>(x);
  }

  // --- reshapes ----------------------------------------------------------------------------------

  namespace detail {
  /// A reshape's record: its gradient is g reshaped back to the operand's dims.
  template <dtype T>
  struct reshape_entry final : tape_entry {
    TensorShape from;
    void backward(const body_ptr& g, std::span<const char> wanted, std::span<body_ptr> grads) const override {
      if (wanted[0]) grads[0] = reshape(Tensor<T>(g), from).body();
    }
  };

  /// Requested dims with at most one -1 (the size that makes the counts agree), as TF's Reshape.
  inline TensorShape resolve_dims(std::span<const std::int64_t> requested, const TensorShape& from) {
    TensorShape out;
    std::size_t known = 1;
    int unknown = -1;
    for (std::size_t i = 0; i < requested.size(); ++i) {
      if (requested[i] == -1 && unknown < 0) {
        unknown = static_cast<int>(i);
        out.push_back(1);
      } else if (requested[i] < 0) {
        throw error("Reshape: requested shape has more than one -1 or a negative size");
      } else {
        out.push_back(static_cast<std::size_t>(requested[i]));
        known *= out[i];
      }
    }
    const std::size_t n = from.num_elements();
    if (unknown >= 0) {
      if (known == 0 || n % known != 0)
        throw error("Reshape: cannot reshape a tensor of shape " + to_string(from) + " (" + std::to_string(n) +
                    " values) with a -1 in the requested shape");
      out[static_cast<std::size_t>(unknown)] = n / known;
    }
    if (out.num_elements() != n)
      throw error("Reshape: cannot reshape a tensor with " + std::to_string(n) + " elements (shape " + to_string(from) +
                  ") to shape " + to_string(out) + " (" + std::to_string(out.num_elements()) + " elements)");
    return out;
  }
  }  // namespace detail

  /// tf.reshape(x, dims): the same values under new dims (no copy).
  template <dtype T>
  Tensor<T> reshape(const Tensor<T>& x, const TensorShape& shape) {
    if (shape.num_elements() != x.size())
      throw error("Reshape: cannot reshape a tensor with " + std::to_string(x.size()) + " elements (shape " +
                  to_string(x.shape()) + ") to shape " + to_string(shape) + " (" +
                  std::to_string(shape.num_elements()) + " elements)");
    const Tensor<T> y(detail::alias_body(*x.body(), shape));
    if constexpr (std::is_floating_point_v<T>) {
      if (detail::any_recording()) {
        const std::array<std::uint64_t, 1> ids{x.id()};
        detail::record(ids, y.id(), [&] {
          auto e = std::make_shared<detail::reshape_entry<T>>();
          e->output = y.id();
          e->inputs = {x.id()};
          e->from = x.shape();
          return e;
        });
      }
    }
    return y;
  }
  template <tensor_like X>
  auto reshape(const X& x, std::initializer_list<std::int64_t> dims) {
    const auto t = as_tensor<typename X::value_type>(x);
    return reshape(t, detail::resolve_dims({dims.begin(), dims.size()}, t.shape()));
  }

  /// tf.expand_dims(x, axis): a dim of 1 inserted at `axis` (negative: from the end, -1 appends).
  template <tensor_like X>
  auto expand_dims(const X& x, int axis) {
    const auto t = as_tensor<typename X::value_type>(x);
    const int r = static_cast<int>(t.rank());
    if (axis < -r - 1 || axis > r)
      throw error("ExpandDims: axis " + std::to_string(axis) + " is out of range for a tensor of rank " +
                  std::to_string(r));
    const auto at = static_cast<std::size_t>(axis < 0 ? axis + r + 1 : axis);
    TensorShape dims;
    for (std::size_t i = 0; i <= t.rank(); ++i) {
      if (i == at) dims.push_back(1);
      if (i < t.rank()) dims.push_back(t.shape()[i]);
    }
    return reshape(t, dims);
  }

  /// tf.squeeze(x): every dim of 1 removed; tf.squeeze(x, {axes}): those, which must be 1.
  template <tensor_like X>
  auto squeeze(const X& x, std::initializer_list<int> axes = {}) {
    const auto t = as_tensor<typename X::value_type>(x);
    std::vector<bool> drop(t.rank(), false);
    for (const int a : axes) {
      const int r = static_cast<int>(t.rank());
      if (a < -r || a >= r)
        throw error("Squeeze: axis " + std::to_string(a) + " is out of range for a tensor of rank " +
                    std::to_string(r));
      const auto i = static_cast<std::size_t>(a < 0 ? a + r : a);
      if (t.shape()[i] != 1)
        throw error("Squeeze: cannot squeeze axis " + std::to_string(a) + " of shape " + to_string(t.shape()) +
                    ": its dim is " + std::to_string(t.shape()[i]) + ", not 1");
      drop[i] = true;
    }
    TensorShape dims;
    for (std::size_t i = 0; i < t.rank(); ++i)
      if (!(axes.size() ? drop[i] : t.shape()[i] == 1)) dims.push_back(t.shape()[i]);
    return reshape(t, dims);
  }

  // --- reductions --------------------------------------------------------------------------------

  namespace detail {

  /// Calls f.template operator()<R>() for rank r in 1-8 (a tensor's rank is at most max_rank).
  template <class F>
  decltype(auto) with_rank(std::size_t r, F&& f) {
    switch (r) {
      case 1: return f.template operator()<1>();
      case 2: return f.template operator()<2>();
      case 3: return f.template operator()<3>();
      case 4: return f.template operator()<4>();
      case 5: return f.template operator()<5>();
      case 6: return f.template operator()<6>();
      case 7: return f.template operator()<7>();
      default: return f.template operator()<8>();
    }
  }

  /// Every other axis of a rank-max_rank tensor: the even ones (EvenReduced) or the odd ones.
  template <bool EvenReduced>
  constexpr op::axes_mask alternate_axes() {
    op::axes_mask m = 0;
    for (std::size_t i = EvenReduced ? 0 : 1; i < max_rank; i += 2) m |= op::axes_mask{1} << i;
    return m;
  }

  /// Reduction Kind of x over the axes marked in `reduced`, keeping them as 1 or not.
  ///
  /// Adjacent axes that are both reduced or both kept are one axis to the kernel, so the
  /// reduced axes alternate with kept ones; with unit axes in front up to max_rank, every
  /// reduction is one of two kernel ops (reduced axes odd or even). One per collapsed rank was
  /// 16 per kind and dtype, each with its recorded gradient and that gradient's: in the digits
  /// MLP example (eager and graph mode), a third of its compile time and of its machine code.
  template <op::reduction Kind, dtype T>
  Tensor<T> reduce(const Tensor<T>& x, const std::vector<bool>& reduced, bool keepdims) {
    TensorShape result, collapsed;
    bool first_reduced = false;
    for (std::size_t i = 0; i < x.rank(); ++i) {
      if (!reduced[i]) result.push_back(x.shape()[i]);
      else if (keepdims) result.push_back(1);
      if (i == 0 || reduced[i] != reduced[i - 1]) {
        if (i == 0) first_reduced = reduced[0];
        collapsed.push_back(x.shape()[i]);
      } else {
        collapsed[collapsed.rank() - 1] *= x.shape()[i];
      }
    }
    if (x.rank() == 0 || std::none_of(reduced.begin(), reduced.end(), [](bool b) { return b; }))
      return reshape(x, result);  // nothing reduced: TF's reduction is the identity then
    // Unit axes in front (they keep the innermost axis the loops' contiguous one); the first
    // collapsed axis lands on axis `pad`, which must be reduced exactly when it is.
    const std::size_t pad = max_rank - collapsed.rank();
    std::array<std::size_t, max_rank> dims;
    std::fill_n(dims.begin(), pad, std::size_t{1});
    std::copy(collapsed.begin(), collapsed.end(), dims.begin() + pad);
    const Tensor<T> flat = reshape(x, TensorShape(dims));
    const auto run = [&]<bool EvenReduced>() {
      return execute<op::reduce<Kind, alternate_axes<EvenReduced>(), false>, max_rank>({}, flat);
    };
    const Tensor<T> y =
        (pad % 2 == 0) == first_reduced ? run.template operator()<true>() : run.template operator()<false>();
    return reshape(y, result);
  }

  /// The axes `axes` (negative from the end, as TF's) of a rank-r tensor as flags.
  inline std::vector<bool> axes_flags(std::span<const int> axes, std::size_t r, std::string_view op) {
    std::vector<bool> flags(r, axes.empty());
    for (const int a : axes) {
      const int i = a < 0 ? a + static_cast<int>(r) : a;
      if (i < 0 || i >= static_cast<int>(r))
        throw error(std::string(op) + ": axis " + std::to_string(a) + " is out of range for a tensor of rank " +
                    std::to_string(r));
      flags[static_cast<std::size_t>(i)] = true;
    }
    return flags;
  }

  }  // namespace detail

/// tf.reduce_sum(x), tf.reduce_sum(x, axis), tf.reduce_sum(x, {0, 2}, /*keepdims=*/true); and
/// likewise reduce_mean, reduce_max, reduce_min and reduce_prod.
#define TYPEFLOW_EAGER_REDUCTION(NAME, KIND)                                                                    \
  template <tensor_like X>                                                                                      \
  auto NAME(const X& x, std::initializer_list<int> axes = {}, bool keepdims = false) {                          \
    const auto t = as_tensor<typename X::value_type>(x);                                                        \
    return detail::reduce<KIND>(t, detail::axes_flags({axes.begin(), axes.size()}, t.rank(), #NAME), keepdims); \
  }                                                                                                             \
  template <tensor_like X>                                                                                      \
  auto NAME(const X& x, int axis, bool keepdims = false) {                                                      \
    return NAME(x, {axis}, keepdims);                                                                           \
  }                                                                                                             \
  /* graph mode's compile-time axes, in both modes: reduce_sum(x, tf::axis<1>, tf::keep_dims) */                \
  template <tensor_like X, int... A, class... Keep>                                                             \
  auto NAME(const X& x, axis_t<A...>, Keep...) {                                                                \
    return NAME(x, {A...}, (std::is_same_v<Keep, keep_dims_t> || ...));                                         \
  }                                                                                                             \
  template <tensor_node X, class... Options>                                                                    \
  auto NAME(const X& x, Options... options) {                                                                   \
    static_assert((!std::is_integral_v<Options> && ...),                                                        \
                  "tfe::" #NAME " in a tfe::function: give the axes as tf::axis<...> (a graph's are "           \
                  "fixed at compile time)");                                                                    \
    return typeflow::NAME(x, options...);                                                                       \
  }
  TYPEFLOW_EAGER_REDUCTION(reduce_sum, op::reduction::sum)
  TYPEFLOW_EAGER_REDUCTION(reduce_mean, op::reduction::mean)
  TYPEFLOW_EAGER_REDUCTION(reduce_max, op::reduction::max)
  TYPEFLOW_EAGER_REDUCTION(reduce_min, op::reduction::min)
  TYPEFLOW_EAGER_REDUCTION(reduce_prod, op::reduction::prod)
#undef TYPEFLOW_EAGER_REDUCTION

  /// tf.slice(x, begin, size): the block of dims `size` at `begin` (a size of -1: to the end of its
  /// axis), through graph mode's Slice tag (its begin and size are run-time attributes there too).
  template <dtype T>
  Tensor<T> slice(const Tensor<T>& x, std::span<const std::int64_t> begin, std::span<const std::int64_t> size) {
    if (begin.size() != x.rank() || size.size() != x.rank())
      throw error("Slice: begin and size must have one entry per axis of the input of shape " + to_string(x.shape()) +
                  ", got " + std::to_string(begin.size()) + " and " + std::to_string(size.size()));
    if (x.rank() == 0) return x;
    return detail::with_rank(x.rank(), [&]<std::size_t R>() {
      op::slice<R, typename detail::dynamic_shape<R>::type> tag;
      std::copy(begin.begin(), begin.end(), tag.m_begin.begin());
      std::copy(size.begin(), size.end(), tag.m_size.begin());
      return detail::execute<decltype(tag), R>(tag, x);
    });
  }
  template <tensor_like X>
  auto slice(const X& x, std::initializer_list<std::int64_t> begin, std::initializer_list<std::int64_t> size) {
    return slice(as_tensor<typename X::value_type>(x), std::span(begin.begin(), begin.size()),
                 std::span(size.begin(), size.size()));
  }

  namespace detail {
  /// Python's start:stop:step over an axis of dim elements, as {first index, count}: a negative
  /// bound counts from the end, then bounds are clamped as Python clamps them for the step's sign.
  inline std::pair<std::int64_t, std::int64_t> resolve_slice(const Slice& s, std::int64_t dim) {
    const bool forward = s.step > 0;
    const auto bound = [&](std::int64_t b, std::int64_t omitted) {
      if (b == Slice::open) return omitted;
      return forward ? std::clamp(b < 0 ? b + dim : b, std::int64_t{0}, dim)
                     : std::clamp(b < 0 ? b + dim : b, std::int64_t{-1}, dim - 1);
    };
    const std::int64_t first = bound(s.start, forward ? 0 : dim - 1), stop = bound(s.stop, forward ? dim : -1);
    const std::int64_t span = forward ? stop - first : first - stop, stride = forward ? s.step : -s.step;
    if (span <= 0) return {0, 0};
    return {first, (span + stride - 1) / stride};
  }

  /// The elements begin + j step (j < size) along each axis, through graph mode's StridedSlice tag.
  template <dtype T>
  Tensor<T> strided_block(const Tensor<T>& x, std::span<const std::int64_t> begin, std::span<const std::int64_t> step,
                          std::span<const std::int64_t> size) {
    if (x.rank() == 0) return x;
    return with_rank(x.rank(), [&]<std::size_t R>() {
      op::strided_slice<R, typename dynamic_shape<R>::type> tag;
      std::copy(begin.begin(), begin.end(), tag.m_begin.begin());
      std::copy(step.begin(), step.end(), tag.m_step.begin());
      std::copy(size.begin(), size.end(), tag.m_size.begin());
      return execute<decltype(tag), R>(tag, x);
    });
  }
  }  // namespace detail

  /// tf.strided_slice(x, begin, end, strides) without its masks: along axis i the elements from
  /// begin[i] up to (not including) end[i] in steps of strides[i], backwards for a negative step;
  /// bounds resolved as Python's (negative from the end, then clamped). x[a:b:s] is the same.
  template <dtype T>
  Tensor<T> strided_slice(const Tensor<T>& x, std::span<const std::int64_t> begin, std::span<const std::int64_t> end,
                          std::span<const std::int64_t> strides) {
    if (begin.size() != x.rank() || end.size() != x.rank() || strides.size() != x.rank())
      throw error("StridedSlice: Expected begin, end, and strides to have one entry per axis of the input of shape " +
                  to_string(x.shape()) + ", but got " + std::to_string(begin.size()) + ", " +
                  std::to_string(end.size()) + " and " + std::to_string(strides.size()));
    std::array<std::int64_t, max_rank> first{}, count{};
    for (std::size_t i = 0; i < x.rank(); ++i) {
      if (strides[i] == 0) throw error("StridedSlice: strides[" + std::to_string(i) + "] must be non-zero");
      std::tie(first[i], count[i]) =
          detail::resolve_slice(Slice(begin[i], end[i], strides[i]), static_cast<std::int64_t>(x.shape()[i]));
    }
    return detail::strided_block(x, std::span(first.data(), x.rank()), strides, std::span(count.data(), x.rank()));
  }
  template <tensor_like X>
  auto strided_slice(const X& x, std::initializer_list<std::int64_t> begin, std::initializer_list<std::int64_t> end,
                     std::initializer_list<std::int64_t> strides) {
    return strided_slice(as_tensor<typename X::value_type>(x), std::span(begin.begin(), begin.size()),
                         std::span(end.begin(), end.size()), std::span(strides.begin(), strides.size()));
  }

  /// Sums gradient g back to the dims of the operand it belongs to, undoing NumPy broadcasting
  /// (what graph mode's unbroadcast does with static shapes).
  template <dtype T>
  Tensor<T> unbroadcast(const Tensor<T>& g, const TensorShape& target) {
    if (g.shape() == target) return g;
    std::vector<bool> reduced(g.rank(), false);
    const std::size_t lead = g.rank() - target.rank();
    for (std::size_t i = 0; i < g.rank(); ++i) reduced[i] = i < lead || (target[i - lead] == 1 && g.shape()[i] != 1);
    return reshape(detail::reduce<op::reduction::sum>(g, reduced, false), target);
  }

  // --- products and the nn ops -------------------------------------------------------------------

  /// tf.matmul(a, b, transpose_a, transpose_b) of rank-2 tensors.
  template <tensor_like A, tensor_like B>
  auto matmul(const A& a, const B& b, bool transpose_a = false, bool transpose_b = false) {
    using T = detail::binary_dtype_t<A, B>;
    const Tensor<T> x = as_tensor<T>(a), y = as_tensor<T>(b);
    if (transpose_a)
      return transpose_b ? detail::execute<op::matmul<true, true>, 2, 2>({}, x, y)
                         : detail::execute<op::matmul<true, false>, 2, 2>({}, x, y);
    return transpose_b ? detail::execute<op::matmul<false, true>, 2, 2>({}, x, y)
                       : detail::execute<op::matmul<false, false>, 2, 2>({}, x, y);
  }

  template <tensor_node A, tensor_node B>
  auto matmul(const A& a, const B& b) {
    return typeflow::matmul(a, b);
  }

  /// tf.transpose(x) of a rank-2 tensor.
  template <tensor_like X>
  auto transpose(const X& x) {
    return detail::execute<op::transpose<1, 0>, 2>({}, as_tensor<typename X::value_type>(x));
  }
  template <tensor_node X>
  auto transpose(const X& x) {
    return typeflow::transpose(x);
  }

  namespace detail {
  template <class A, class B>
  inline constexpr bool cross_entropy_keywords_v =
      typeflow::detail::keywords_v<keyword_key::labels, keyword_key::logits, A, B>;

  /// Logits of any rank as rows (all axes but the last collapsed), as the row kernels take them.
  template <dtype T>
  Tensor<T> as_rows(const Tensor<T>& logits, std::string_view op) {
    if (logits.rank() == 0) throw error(std::string(op) + ": logits must have rank at least 1, got a scalar");
    const std::size_t last = logits.shape()[logits.rank() - 1];
    return reshape(logits, TensorShape{last ? logits.size() / last : 0, last});
  }
  /// The per-example result's dims: the logits' without the last axis.
  inline TensorShape without_last(const TensorShape& s) {
    TensorShape out;
    for (std::size_t i = 0; i + 1 < s.rank(); ++i) out.push_back(s[i]);
    return out;
  }
  }  // namespace detail

  namespace nn {
  TYPEFLOW_EAGER_UNARY(relu, op::relu)
  TYPEFLOW_EAGER_UNARY(relu6, op::relu6)
  TYPEFLOW_EAGER_UNARY(elu, op::elu)
  TYPEFLOW_EAGER_UNARY(selu, op::selu)
  TYPEFLOW_EAGER_UNARY(softplus, op::softplus)
  TYPEFLOW_EAGER_UNARY(softsign, op::softsign)
  TYPEFLOW_EAGER_UNARY(sigmoid, op::sigmoid)
  TYPEFLOW_EAGER_UNARY(tanh, op::tanh)

  /// tf.nn.leaky_relu(x, alpha).
  template <class X>
    requires(tensor_like<X> || tensor_node<X>)
  auto leaky_relu(const X& x, double alpha = 0.2) {
    using T = typename X::value_type;
    op::leaky_relu<T> tag;
    tag.m_alpha = static_cast<T>(alpha);
    if constexpr (tensor_node<X>) return graph::node<op::leaky_relu<T>, X>(tag, x);
    else return detail::unary(x, tag);
  }

  /// tf.nn.softmax(x) and tf.nn.log_softmax(x) over the last axis.
  template <tensor_like X>
  auto softmax(const X& x) {
    const auto t = as_tensor<typename X::value_type>(x);
    if (t.rank() == 0) throw error("Softmax: logits must have rank at least 1, got a scalar");
    const std::size_t last = t.shape()[t.rank() - 1];
    const auto y =
        detail::execute<op::softmax, 2>({}, reshape(t, TensorShape{t.size() / std::max<std::size_t>(last, 1), last}));
    return reshape(y, t.shape());
  }
  template <tensor_node X>
  auto softmax(const X& x) {
    return typeflow::nn::softmax(x);
  }
  template <tensor_node X>
  auto log_softmax(const X& x) {
    return typeflow::nn::log_softmax(x);
  }
  template <tensor_like X>
  auto log_softmax(const X& x) {
    const auto t = as_tensor<typename X::value_type>(x);
    if (t.rank() == 0) throw error("LogSoftmax: logits must have rank at least 1, got a scalar");
    const std::size_t last = t.shape()[t.rank() - 1];
    const auto y = detail::execute<op::log_softmax, 2>(
        {}, reshape(t, TensorShape{t.size() / std::max<std::size_t>(last, 1), last}));
    return reshape(y, t.shape());
  }

  /// tf.nn.softmax_cross_entropy_with_logits(labels=z, logits=x), by keyword as in TF1 (either
  /// order): -sum(z log_softmax(x), -1), gradients to both.
  template <class A, class B>
    requires(typeflow::detail::is_keyword_argument_v<A>&& typeflow::detail::is_keyword_argument_v<B>)
  auto softmax_cross_entropy_with_logits(const A& a, const B& b) {
    static_assert(
        detail::cross_entropy_keywords_v<A, B>,
        "tfe::nn::softmax_cross_entropy_with_logits takes keyword arguments: (tf::labels = y, tf::logits = x)");
    const auto& z = typeflow::detail::by_keyword<keyword_key::labels, true>(a, b);
    const auto& x = typeflow::detail::by_keyword<keyword_key::logits, false>(a, b);
    using Z = std::remove_cvref_t<decltype(z)>;
    using X = std::remove_cvref_t<decltype(x)>;
    if constexpr (tensor_node<Z> && tensor_node<X>) {
      return typeflow::nn::softmax_cross_entropy_with_logits(a, b);
    } else {
      using T = typename X::value_type;
      const auto logits = as_tensor<T>(x), labels = as_tensor<T>(z);
      if (!(labels.shape() == logits.shape()))
        throw error("SoftmaxCrossEntropyWithLogits: labels of shape " + to_string(labels.shape()) +
                    " and logits of shape " + to_string(logits.shape()) + " differ");
      const auto rows = detail::execute<op::softmax_cross_entropy_with_logits, 2, 2>(
          {}, detail::as_rows(labels, "SoftmaxCrossEntropyWithLogits"),
          detail::as_rows(logits, "SoftmaxCrossEntropyWithLogits"));
      return reshape(rows, detail::without_last(logits.shape()));
    }
  }

  /// tf.nn.sparse_softmax_cross_entropy_with_logits(labels=l, logits=x), by keyword: l are int32
  /// or int64 class indices of the logits' shape without its last axis.
  template <class A, class B>
    requires(typeflow::detail::is_keyword_argument_v<A>&& typeflow::detail::is_keyword_argument_v<B>)
  auto sparse_softmax_cross_entropy_with_logits(const A& a, const B& b) {
    static_assert(detail::cross_entropy_keywords_v<A, B>,
                  "tfe::nn::sparse_softmax_cross_entropy_with_logits takes keyword arguments: (tf::labels = y, "
                  "tf::logits = x)");
    const auto& l = typeflow::detail::by_keyword<keyword_key::labels, true>(a, b);
    const auto& x = typeflow::detail::by_keyword<keyword_key::logits, false>(a, b);
    using L = std::remove_cvref_t<decltype(l)>;
    using X = std::remove_cvref_t<decltype(x)>;
    if constexpr (tensor_node<L> && tensor_node<X>) {
      return typeflow::nn::sparse_softmax_cross_entropy_with_logits(a, b);
    } else {
      using T = typename X::value_type;
      using I = typename L::value_type;
      static_assert(std::is_same_v<I, std::int32_t> || std::is_same_v<I, std::int64_t>,
                    "tfe::nn::sparse_softmax_cross_entropy_with_logits: labels must be int32 or int64 class indices");
      const auto logits = as_tensor<T>(x);
      const auto labels = as_tensor<I>(l);
      const auto dims = detail::without_last(logits.shape());
      if (!(labels.shape() == dims))
        throw error("SparseSoftmaxCrossEntropyWithLogits: labels of shape " + to_string(labels.shape()) +
                    " do not match logits of shape " + to_string(logits.shape()) + " (expected labels of shape " +
                    to_string(dims) + ")");
      const auto rows = detail::as_rows(logits, "SparseSoftmaxCrossEntropyWithLogits");
      const auto per_row = detail::execute<op::sparse_softmax_cross_entropy_with_logits, 1, 2>(
          {}, reshape(labels, TensorShape{rows.shape()[0]}), rows);
      return reshape(per_row, dims);
    }
  }

  /// tf.nn.sigmoid_cross_entropy_with_logits(labels=z, logits=x), by keyword: elementwise
  /// max(x, 0) - x z + log(1 + exp(-|x|)).
  template <class A, class B>
    requires(typeflow::detail::is_keyword_argument_v<A>&& typeflow::detail::is_keyword_argument_v<B>)
  auto sigmoid_cross_entropy_with_logits(const A& a, const B& b) {
    static_assert(
        detail::cross_entropy_keywords_v<A, B>,
        "tfe::nn::sigmoid_cross_entropy_with_logits takes keyword arguments: (tf::labels = y, tf::logits = x)");
    const auto& z = typeflow::detail::by_keyword<keyword_key::labels, true>(a, b);
    const auto& x = typeflow::detail::by_keyword<keyword_key::logits, false>(a, b);
    using T = typename std::remove_cvref_t<decltype(x)>::value_type;
    const auto logits = as_tensor<T>(x), labels = as_tensor<T>(z);
    if (!(labels.shape() == logits.shape()))
      throw error("SigmoidCrossEntropyWithLogits: labels of shape " + to_string(labels.shape()) +
                  " and logits of shape " + to_string(logits.shape()) + " differ");
    return detail::execute_elementwise(op::sigmoid_cross_entropy_with_logits{}, labels, logits);
  }

  /// tf.nn.l2_loss(t) = sum(t^2) / 2, a scalar.
  template <tensor_like X>
  auto l2_loss(const X& x) {
    const auto t = as_tensor<typename X::value_type>(x);
    return detail::execute<op::l2_loss, 1>({}, reshape(t, TensorShape{t.size()}));
  }

  /// tf.nn.bias_add(value, bias): bias (rank 1) added along value's last axis.
  template <tensor_like X, tensor_like B>
  auto bias_add(const X& value, const B& bias) {
    using T = detail::binary_dtype_t<X, B>;
    const auto v = as_tensor<T>(value), b = as_tensor<T>(bias);
    if (v.rank() < 1 || b.rank() != 1 || b.shape()[0] != v.shape()[v.rank() - 1])
      throw error("BiasAdd: bias of shape " + to_string(b.shape()) + " must have rank 1 and value's last dim (value " +
                  to_string(v.shape()) + ")");
    const auto y = detail::execute<op::bias_add, 2, 1>({}, detail::as_rows(v, "BiasAdd"), b);
    return reshape(y, v.shape());
  }
  }  // namespace nn

#undef TYPEFLOW_EAGER_BINARY
#undef TYPEFLOW_EAGER_OPERATOR
#undef TYPEFLOW_EAGER_UNARY

  namespace detail {
  template <bool Max, dtype T>
  Tensor<std::int64_t> arg_extremum(const Tensor<T>& x, int axis) {
    const std::string_view name = Max ? "ArgMax" : "ArgMin";
    const int r = static_cast<int>(x.rank());
    if (axis < -r || axis >= r)
      throw error(std::string(name) + ": axis " + std::to_string(axis) + " is out of range for a tensor of rank " +
                  std::to_string(r));
    const auto a = static_cast<std::size_t>(axis < 0 ? axis + r : axis);
    std::size_t outer = 1, inner = 1;
    TensorShape result;
    for (std::size_t i = 0; i < x.rank(); ++i) {
      if (i < a) outer *= x.shape()[i];
      if (i > a) inner *= x.shape()[i];
      if (i != a) result.push_back(x.shape()[i]);
    }
    const auto y = execute<op::arg_extremum<Max, 1>, 3>({}, reshape(x, TensorShape{outer, x.shape()[a], inner}));
    return reshape(y, result);
  }
  }  // namespace detail

  /// tf.argmax(x, axis) and tf.argmin(x, axis): int64 indices of the first largest (smallest)
  /// value along `axis`. The axes before and after it are collapsed, so that one instance of the
  /// op tag (a rank-3 input, axis 1) serves every rank and axis.
  template <tensor_like X>
  Tensor<std::int64_t> argmax(const X& x, int axis) {
    return detail::arg_extremum<true>(as_tensor<typename X::value_type>(x), axis);
  }
  template <tensor_like X>
  Tensor<std::int64_t> argmin(const X& x, int axis) {
    return detail::arg_extremum<false>(as_tensor<typename X::value_type>(x), axis);
  }

  // --- random tensors ----------------------------------------------------------------------------

  namespace detail {
  /// A tensor of `shape` filled by one of graph mode's initializers (the same values for a seed).
  template <dtype T, class Init>
  Tensor<T> initialized(const TensorShape& shape, const Init& init) {
    xt::xtensor<T, 1> values = xt::xtensor<T, 1>::from_shape({shape.num_elements()});
    init(values);
    return reshape(Tensor<T>(values), shape);
  }
  }  // namespace detail

  /// tf.random.normal(shape, mean, stddev, seed), tf.random.truncated_normal and
  /// tf.random.uniform: graph mode's initializers (runtime/initializers.hpp), so a seed gives
  /// the values a graph's variable initialised with it gets.
  template <dtype T>
  Tensor<T> random_normal(const TensorShape& shape, double mean = 0.0, double stddev = 1.0,
                          std::optional<std::uint64_t> seed = std::nullopt) {
    return detail::initialized<T>(shape, typeflow::random_normal(mean, stddev, seed));
  }
  template <dtype T>
  Tensor<T> truncated_normal(const TensorShape& shape, double mean = 0.0, double stddev = 1.0,
                             std::optional<std::uint64_t> seed = std::nullopt) {
    return detail::initialized<T>(shape, typeflow::truncated_normal(mean, stddev, seed));
  }
  template <dtype T>
  Tensor<T> random_uniform(const TensorShape& shape, double minval = 0.0, double maxval = 1.0,
                           std::optional<std::uint64_t> seed = std::nullopt) {
    return detail::initialized<T>(shape, typeflow::random_uniform(minval, maxval, seed));
  }

}  // namespace typeflow::eager

#endif
