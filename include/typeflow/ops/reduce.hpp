#ifndef TYPEFLOW_OPS_REDUCE_HPP
#define TYPEFLOW_OPS_REDUCE_HPP

// Reductions over compile-time axes: tf::reduce_sum(x), tf::reduce_mean(x, tf::axis<1>),
// tf::reduce_sum(x, tf::axis<0, 2>, tf::keep_dims), and likewise reduce_max, reduce_min and
// reduce_prod; tf::argmax(x, tf::axis<1>) and tf::argmin. Axes may be negative, as in TF.

#include <array>
#include <concepts>
#include <cstdint>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "../core/error.hpp"
#include "../core/tensor_ref.hpp"
#include "../graph/node.hpp"
#include "../kernels/reduce.hpp"
#include "diagnostics.hpp"

namespace typeflow {

template <int... Axes>
struct axis_t {};
/// The `axis=` argument of a reduction, fixed at compile time: `tf::axis<0, 2>`.
template <int... Axes>
inline constexpr axis_t<Axes...> axis{};

struct keep_dims_t {};
/// The `keepdims=True` argument of a reduction.
inline constexpr keep_dims_t keep_dims{};

namespace op {

enum class reduction { sum, mean, max, min, prod };

constexpr std::string_view reduction_name(reduction k) {
  switch (k) {
    case reduction::sum: return "Sum";
    case reduction::mean: return "Mean";
    case reduction::max: return "Max";
    case reduction::min: return "Min";
    default: return "Prod";
  }
}

/// A set of axes as a bit mask (bit i: axis i). An integer, not a std::array, because g++ 12
/// confuses class-type template arguments computed by constexpr functions (it gives
/// `reduce<K, mask(axis<1>)>` and `reduce<K, mask(axis<2>)>` one type).
using axes_mask = std::uint64_t;

constexpr bool in_mask(axes_mask m, std::size_t axis) { return (m >> axis) & 1U; }

/// How many elements each output of a reduction over the axes in m sums (a mean divides by it).
template <std::size_t R>
constexpr std::size_t reduced_count(axes_mask m, const std::array<std::size_t, R>& dims) {
  std::size_t count = 1;
  for (std::size_t i = 0; i < R; ++i)
    if (in_mask(m, i)) count *= dims[i];
  return count;
}

/// Every axis of a rank-R tensor.
template <std::size_t R>
constexpr axes_mask all_axes() {
  return R == 0 ? 0 : ~axes_mask{0} >> (64 - R);
}

/// Reduction Kind of `in` over the axes marked in `reduced` into out (n values): the forward of
/// op::reduce, with the axes known at run time (an imported graph's). A mean divides the sum by
/// the reduced count (0/0 = NaN for an empty mean, as TF). An empty max is -inf, an empty min
/// +inf, an empty product 1, as TF's.
template <reduction Kind, class T, std::size_t R>
void reduce_over(T* out, std::size_t n, tensor_ref<const T, R> in, const std::array<bool, R>& reduced) {
  if constexpr (Kind == reduction::max) kernels::reduce<kernels::max_op>(in.data, in.dims, reduced, out, n);
  else if constexpr (Kind == reduction::min) kernels::reduce<kernels::min_op>(in.data, in.dims, reduced, out, n);
  else if constexpr (Kind == reduction::prod) kernels::reduce<kernels::prod_op>(in.data, in.dims, reduced, out, n);
  else kernels::reduce_sum(in.data, in.dims, reduced, out, n);
  if constexpr (Kind == reduction::mean) {
    std::size_t count = 1;
    for (std::size_t i = 0; i < R; ++i)
      if (reduced[i]) count *= in.dims[i];
    if constexpr (std::is_floating_point_v<T>) {
      const T scale = T(1) / static_cast<T>(count);
      for (std::size_t i = 0; i < n; ++i) out[i] *= scale;
    } else if (count != 0) {  // integer mean truncates, as TF's
      for (std::size_t i = 0; i < n; ++i) out[i] /= static_cast<T>(count);
    }
  }
}

/// Reduces the axes in Mask. The mask is normalised, so `axis<-1>` and `axis<1>` on a
/// rank-2 input are the same node type.
template <reduction Kind, axes_mask Mask, bool KeepDims>
struct reduce {
  static constexpr std::string_view tf_name = reduction_name(Kind);

  template <std::size_t R>
  static constexpr std::size_t out_rank = [] {
    std::size_t n = 0;
    for (std::size_t i = 0; i < R; ++i) n += !in_mask(Mask, i) || KeepDims;
    return n;
  }();

  /// The dims of the result: reduced axes dropped, or kept as 1 with keep_dims.
  template <class D, std::size_t R>
  static constexpr std::array<D, out_rank<R>> result_dims(const std::array<D, R>& in) {
    std::array<D, out_rank<R>> out{};
    for (std::size_t i = 0, o = 0; i < R; ++i) {
      if (!in_mask(Mask, i)) out[o++] = in[i];
      else if (KeepDims) out[o++] = 1;
    }
    return out;
  }

  template <class A>
  using value_type = value_t<A>;
  template <class A>
  struct result_of {
    static constexpr auto dims() { return result_dims(shape_of_t<A>::dims); }
  };
  template <class A>
  using shape_type = shape_from_t<result_of<A>>;

  /// Reduces the masked axes (reduce_over above).
  template <class T, std::size_t R, std::size_t RO>
  static void forward(tensor_ref<T, RO> out, tensor_ref<const T, R> in) {
    std::array<bool, R> reduced{};
    for (std::size_t i = 0; i < R; ++i) reduced[i] = in_mask(Mask, i);
    reduce_over<Kind>(out.data, out.size(), in, reduced);
  }

  /// A sum or mean of every element of a floating x is `total_scale(x's dims) * sum(x)`: an
  /// executor may compute it inside x's fused loop (`reduce_mean(square(y - p))` needs no
  /// buffer for the squares). Axes it keeps must be 1: the sum of a [None, 1] column over
  /// axis 0 (a bias's gradient) is one too.
  template <class A>
  static constexpr bool sums_all =
      (Kind == reduction::sum || Kind == reduction::mean) && std::is_floating_point_v<value_t<A>>&& [] {
        for (std::size_t i = 0; i < rank_v<A>; ++i)
          if (!in_mask(Mask, i) && shape_of_t<A>::dims[i] != 1) return false;
        return true;
      }();
  template <class T, std::size_t R>
  static T total_scale(const std::array<std::size_t, R>& x) {
    return Kind == reduction::mean ? T(1) / static_cast<T>(reduced_count(Mask, x)) : T(1);
  }

  /// TensorFlow's Sum/Mean take the axes as an int32 input, for the exporters (io/meta_graph.hpp).
  static void tf_attrs(auto& node) {
    std::vector<std::int32_t> axes;
    for (std::size_t i = 0; i < 64; ++i)
      if (in_mask(Mask, i)) axes.push_back(static_cast<std::int32_t>(i));
    node.const_input("reduction_indices", axes);
    node.attr_type("Tidx", std::int32_t{});
    node.attr_bool("keep_dims", KeepDims);
  }

  // d(sum x)/dx broadcasts g back over the reduced axes; a mean also divides by the count.
  // max/min: g goes to the inputs equal to the result, shared among ties; prod: g times the
  // product of the other inputs.
  static constexpr auto vjp(const auto& g, const auto& n);
};

namespace detail {
template <axes_mask Mask, std::size_t R>
constexpr std::array<bool, R> mask_array() {
  std::array<bool, R> reduced{};
  for (std::size_t i = 0; i < R; ++i) reduced[i] = in_mask(Mask, i);
  return reduced;
}
}  // namespace detail

/// The gradient of reduce_max/reduce_min: operands g, x and y (the reduction's result). TF
/// composes it from Equal, Cast, Sum, RealDiv and Mul; here it is one kernel over the groups.
template <axes_mask Mask, bool KeepDims>
struct reduce_extremum_grad {
  static constexpr std::string_view tf_name = "ReduceExtremumGrad";
  template <class G, class X, class Y>
  using value_type = value_t<G>;
  template <class G, class X, class Y>
  using shape_type = shape_of_t<X>;

  template <class DG, class DX, class DY>
  static DX result_dims(const DG&, const DX& x, const DY&) {
    return x;
  }

  template <class T, std::size_t R, std::size_t RG>
  static void forward(tensor_ref<T, R> out, tensor_ref<const T, RG> g, tensor_ref<const T, R> x,
                      tensor_ref<const T, RG> y) {
    kernels::extremum_grad(g.data, x.data, y.data, x.dims, detail::mask_array<Mask, R>(), out.data);
  }
};

/// The gradient of reduce_prod: operands g and x. As TF's (Cumprod, exclusive, both ways).
template <axes_mask Mask, bool KeepDims>
struct reduce_prod_grad {
  static constexpr std::string_view tf_name = "ReduceProdGrad";
  template <class G, class X>
  using value_type = value_t<G>;
  template <class G, class X>
  using shape_type = shape_of_t<X>;

  template <class DG, class DX>
  static DX result_dims(const DG&, const DX& x) {
    return x;
  }

  template <class T, std::size_t R, std::size_t RG>
  static void forward(tensor_ref<T, R> out, tensor_ref<const T, RG> g, tensor_ref<const T, R> x) {
    kernels::prod_grad(g.data, x.data, x.dims, detail::mask_array<Mask, R>(), out.data);
  }
};

/// tf.argmax / tf.argmin over one axis: the int64 index of the first largest (smallest) value.
template <bool Max, std::size_t Axis>
struct arg_extremum {
  static constexpr std::string_view tf_name = Max ? "ArgMax" : "ArgMin";
  static void tf_attrs(auto& node) {
    node.scalar_input("dimension", static_cast<std::int32_t>(Axis));
    node.attr_type("Tidx", std::int32_t{});
    node.attr_type("output_type", std::int64_t{});
  }
  static constexpr bool differentiable(std::size_t) { return false; }  // an index has no gradient

  template <class D, std::size_t R>
  static constexpr std::array<D, R - 1> drop_axis(const std::array<D, R>& in) {
    std::array<D, R - 1> out{};
    for (std::size_t i = 0, o = 0; i < R; ++i)
      if (i != Axis) out[o++] = in[i];
    return out;
  }

  template <class A>
  using value_type = std::int64_t;
  template <class A>
  struct result_of {
    static constexpr auto dims() { return drop_axis(shape_of_t<A>::dims); }
  };
  template <class A>
  using shape_type = shape_from_t<result_of<A>>;

  /// Throws for an empty axis, as TF does (there is no index to return).
  template <std::size_t R>
  static std::array<std::size_t, R - 1> result_dims(const std::array<std::size_t, R>& in) {
    if (in[Axis] == 0)
      throw error(std::string(tf_name) + ": reduction axis " + std::to_string(Axis) + " is empty in shape " +
                  shape_string(in));
    return drop_axis(in);
  }

  template <class T, std::size_t R>
  static void forward(tensor_ref<std::int64_t, R - 1> out, tensor_ref<const T, R> in) {
    std::array<bool, R> reduced{};
    reduced[Axis] = true;
    kernels::arg_extremum<Max>(in.data, in.dims, reduced, out.data);
  }
};

/// g times a number fixed at run time (a mean's gradient: 1/count).
template <class T>
struct scale_by {
  T factor;
  constexpr T operator()(T g) const { return g * factor; }
  template <class B>
  B simd_apply(const B& g) const {
    return g * B(factor);
  }
};

/// The gradient of a reduction: g (the reduction's output gradient) broadcast back to the
/// shape of x, the reduction's input, whose values it never reads. TensorFlow builds the
/// same from Reshape, Tile and RealDiv; here it is one lazy, fusable node.
template <reduction Kind, axes_mask Mask, bool KeepDims>
struct reduce_grad {
  static constexpr bool elementwise = true;
  static constexpr std::string_view tf_name = "BroadcastTo";
  static constexpr std::size_t broadcast_operand = 0;                   // g, spread over the reduced axes...
  static constexpr std::size_t shape_operand = 1;                       // ...of x, which gives the shape
  static constexpr bool reads_values(std::size_t i) { return i == 0; }  // and nothing else

  template <class G, class X>
  using value_type = value_t<G>;
  template <class G, class X>
  using shape_type = shape_of_t<X>;

  /// g's values in x's rank: x's dims with the reduced axes as 1.
  template <std::size_t R>
  static std::array<std::size_t, R> broadcast_dims(std::array<std::size_t, R> x) {
    for (std::size_t i = 0; i < R; ++i)
      if (in_mask(Mask, i)) x[i] = 1;
    return x;
  }
  /// What the loop computes from g: g itself for a sum, g / count for a mean.
  template <class T, class DG, std::size_t R>
  static scale_by<T> at_run_time(const DG&, const std::array<std::size_t, R>& x) {
    return {Kind == reduction::mean ? T(1) / static_cast<T>(reduced_count(Mask, x)) : T(1)};
  }
};

template <reduction Kind, axes_mask Mask, bool KeepDims>
constexpr auto reduce<Kind, Mask, KeepDims>::vjp(const auto& g, const auto& n) {
  using G = std::remove_cvref_t<decltype(g)>;
  using X = std::remove_cvref_t<decltype(n.template arg<0>())>;
  using N = std::remove_cvref_t<decltype(n)>;
  if constexpr (Kind == reduction::max || Kind == reduction::min)
    return op::parts{graph::node<reduce_extremum_grad<Mask, KeepDims>, G, X, N>({}, g, n.template arg<0>(), n)};
  else if constexpr (Kind == reduction::prod)
    return op::parts{graph::node<reduce_prod_grad<Mask, KeepDims>, G, X>({}, g, n.template arg<0>())};
  else return op::parts{graph::node<reduce_grad<Kind, Mask, KeepDims>, G, X>({}, g, n.template arg<0>())};
}

}  // namespace op

namespace detail {

/// The axes of `axis_t<A...>` as a mask over a rank-R input; `ok` is false if one is out of range.
template <std::size_t R, int... A>
constexpr auto to_mask(axis_t<A...>) {
  struct result {
    op::axes_mask mask = 0;
    bool ok = true;
  } r;
  for (int a : {A...}) {
    const int i = a < 0 ? a + static_cast<int>(R) : a;
    if (i < 0 || i >= static_cast<int>(R)) r.ok = false;
    else r.mask |= op::axes_mask{1} << i;
  }
  return r;
}

using op::all_axes;

template <op::reduction Kind, class Axes, bool Keep, tensor_node X>
constexpr auto make_reduce(const X& x) {
  constexpr std::size_t R = rank_v<X>;
  if constexpr (std::is_same_v<Axes, void>) {
    return graph::node<op::reduce<Kind, all_axes<R>(), Keep>, X>({}, x);
  } else {
    constexpr auto m = to_mask<R>(Axes{});
    if constexpr (!m.ok) {
      // An axis named in this type is outside [-rank, rank) for the input's shape.
      diagnostic::error_axis_out_of_range<shape_of_t<X>, Axes> error;
    }
    return graph::node<op::reduce<Kind, m.mask, Keep>, X>({}, x);
  }
}

/// Picks the axis_t among a reduction's options (void when there is none: all axes).
inline auto find_axes() -> void;
template <int... A, class... Rest>
auto find_axes(axis_t<A...>*, Rest*...) -> axis_t<A...>;
template <class... Rest>
auto find_axes(keep_dims_t*, Rest*... rest) -> decltype(find_axes(rest...));

template <class Option>
inline constexpr bool is_axis_v = false;
template <int... A>
inline constexpr bool is_axis_v<axis_t<A...>> = true;

template <op::reduction Kind, tensor_node X, class... Options>
constexpr auto reduce_call(const X& x, Options...) {
  constexpr bool keep = (std::is_same_v<Options, keep_dims_t> || ...);
  if constexpr (((!is_axis_v<Options> && !std::is_same_v<Options, keep_dims_t>) || ...)) {
    static_assert(((is_axis_v<Options> || std::is_same_v<Options, keep_dims_t>)&&...),
                  "tf::reduce_*(x, axis): axes are compile-time types: write tf::axis<1> (not 1), tf::axis<0, 2> "
                  "for several, and tf::keep_dims for keepdims=True");
    return make_reduce<Kind, axis_t<-1>, keep>(x);  // a likely meaning, so that no second error follows
  } else {
    using axes = decltype(find_axes(static_cast<Options*>(nullptr)...));
    return make_reduce<Kind, axes, keep>(x);
  }
}

}  // namespace detail

/// tf.reduce_sum(x, axis, keepdims): `tf::reduce_sum(x)`, `tf::reduce_sum(x, tf::axis<1>, tf::keep_dims)`.
template <tensor_node X, class... Options>
constexpr auto reduce_sum(const X& x, Options... options) {
  return detail::reduce_call<op::reduction::sum>(x, options...);
}

/// tf.reduce_mean(x, axis, keepdims), with the arguments of tf::reduce_sum.
template <tensor_node X, class... Options>
constexpr auto reduce_mean(const X& x, Options... options) {
  return detail::reduce_call<op::reduction::mean>(x, options...);
}

/// tf.reduce_max(x, axis, keepdims), with the arguments of tf::reduce_sum; NaN propagates.
template <tensor_node X, class... Options>
constexpr auto reduce_max(const X& x, Options... options) {
  return detail::reduce_call<op::reduction::max>(x, options...);
}

/// tf.reduce_min(x, axis, keepdims), with the arguments of tf::reduce_sum; NaN propagates.
template <tensor_node X, class... Options>
constexpr auto reduce_min(const X& x, Options... options) {
  return detail::reduce_call<op::reduction::min>(x, options...);
}

/// tf.reduce_prod(x, axis, keepdims), with the arguments of tf::reduce_sum.
template <tensor_node X, class... Options>
constexpr auto reduce_prod(const X& x, Options... options) {
  return detail::reduce_call<op::reduction::prod>(x, options...);
}

namespace detail {
template <bool Max, int A, tensor_node X>
constexpr auto make_arg_extremum(const X& x) {
  constexpr std::size_t R = rank_v<X>;
  constexpr auto m = to_mask<R>(axis_t<A>{});
  if constexpr (!m.ok || R == 0) {
    // The axis named in this type is outside [-rank, rank) for the input's shape.
    diagnostic::error_axis_out_of_range<shape_of_t<X>, axis_t<A>> error;
    return x;
  } else {
    constexpr std::size_t axis = static_cast<std::size_t>(A < 0 ? A + static_cast<int>(R) : A);
    return graph::node<op::arg_extremum<Max, axis>, X>({}, x);
  }
}
}  // namespace detail

/// tf.argmax(x, axis): the int64 index of the first largest value along one axis (axis 0 by
/// default, as TF 2's); no gradient flows through it. `tf::argmax(logits, tf::axis<1>)`.
template <tensor_node X, int A = 0>
constexpr auto argmax(const X& x, axis_t<A> = {}) {
  return detail::make_arg_extremum<true, A>(x);
}

/// tf.argmin(x, axis): the int64 index of the first smallest value along one axis.
template <tensor_node X, int A = 0>
constexpr auto argmin(const X& x, axis_t<A> = {}) {
  return detail::make_arg_extremum<false, A>(x);
}

/// tf.argmax(x, 1) and tf.argmin(x, 1) as TF1 writes them: the axis must be a type here.
template <tensor_node X, std::integral I>
constexpr auto argmax(const X& x, I) {
  static_assert(!std::integral<I>,
                "tf::argmax(x, axis): the axis is a compile-time type: write tf::argmax(x, tf::axis<1>)");
  return detail::make_arg_extremum<true, -1>(x);
}
template <tensor_node X, std::integral I>
constexpr auto argmin(const X& x, I) {
  static_assert(!std::integral<I>,
                "tf::argmin(x, axis): the axis is a compile-time type: write tf::argmin(x, tf::axis<1>)");
  return detail::make_arg_extremum<false, -1>(x);
}

namespace detail {

/// The axes that unbroadcast<Target> sums for a gradient of shape S: `unit` are the axes
/// where Target has 1 and S does not (summed with keepdims), `leading` those Target lacks.
template <class Target, class S>
struct unbroadcast_axes {
  static constexpr std::size_t lead = S::rank - Target::rank;
  static constexpr op::axes_mask unit = [] {
    op::axes_mask m = 0;
    for (std::size_t i = lead; i < S::rank; ++i)
      if (Target::dims[i - lead] == 1 && S::dims[i] != 1) m |= op::axes_mask{1} << i;
    return m;
  }();
  static constexpr op::axes_mask leading = all_axes<lead>();
};

}  // namespace detail

/// Sums a gradient g back to the static shape Target of the operand it belongs to, undoing
/// NumPy broadcasting: leading axes that Target lacks are summed away, axes where Target
/// has 1 and g does not are summed with keepdims. The identity when the shapes agree.
template <class Target, tensor_node G>
constexpr auto unbroadcast(const G& g) {
  using axes = detail::unbroadcast_axes<Target, shape_of_t<G>>;
  if constexpr (axes::unit != 0)
    return unbroadcast<Target>(graph::node<op::reduce<op::reduction::sum, axes::unit, true>, G>({}, g));
  else if constexpr (axes::lead > 0) return graph::node<op::reduce<op::reduction::sum, axes::leading, false>, G>({}, g);
  else return g;
}

}  // namespace typeflow

#endif
