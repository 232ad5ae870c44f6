#ifndef TYPEFLOW_OPS_SHAPE_HPP
#define TYPEFLOW_OPS_SHAPE_HPP

// Shape ops with TensorFlow's names: reshape (one dim inferred), transpose, expand_dims,
// squeeze, concat, slice, tile, and the identities stop_gradient and identity. Static shapes
// are computed at compile time (tf::none dims carried through) and static mismatches are
// compile errors naming the shapes; run-time dims are checked in result_dims. Each copies
// into its own buffer (the plan has no views); stop_gradient and identity are elementwise,
// so they fuse into their users' loops and cost nothing.

#include <algorithm>
#include <array>
#include <cstddef>
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
#include "../kernels/shape.hpp"
#include "elementwise.hpp"
#include "reduce.hpp"

namespace typeflow {

/// The begin of a compile-time slice, as named in diagnostics: `tf::slice<1, 0>(x, tf::size<2, -1>)`.
template <std::int64_t... B>
struct slice_begin_t {};
/// The `size` argument of a compile-time slice; -1 takes the rest of an axis.
template <std::int64_t... S>
struct slice_size_t {};
template <std::int64_t... S>
inline constexpr slice_size_t<S...> size{};
/// The multiples of tf::tile, as named in diagnostics.
template <std::int64_t... M>
struct multiples_t {};

namespace diagnostic {
/// tf::reshape: the input's static element count (its shape is named first) does not fit
/// the requested shape (named second; -1 is the inferred dim).
template <class Shape, class Requested>
struct error_reshape_sizes_differ;
/// tf::reshape: a requested dim is below -1, more than one is -1, or the others' product
/// overflows int64.
template <class Requested>
struct error_reshape_requested_shape_invalid;
/// tf::transpose<perm...>: perm must hold each axis of the input's rank exactly once.
template <class Shape, class Perm>
struct error_transpose_perm_is_not_a_permutation;
/// tf::squeeze<axes...>: an axis is out of range, or its static dim is not 1.
template <class Shape, class Axes>
struct error_squeeze_dim_is_not_1;
/// tf::concat<axis>: the operands' ranks or dtypes differ, or a dim off the axis differs
/// (all shapes are named), or the axis is out of range.
template <class Axis, class... Shapes>
struct error_concat_shapes_differ_off_axis;
/// tf::slice: begin/size do not fit the input's static shape (or its rank).
template <class Shape, class Begin, class Size>
struct error_slice_out_of_bounds;
/// tf::tile: one multiple per axis, each >= 0; a static dim times its multiple fits in int64.
template <class Shape, class Multiples>
struct error_tile_multiples_do_not_match_rank;
}  // namespace diagnostic

namespace op {

/// A kernel that copies its input's values into a result of other dims (reshape and kin).
struct copy_kernel {
  template <class A>
  using value_type = value_t<A>;
  template <class T, std::size_t R, std::size_t RI>
  static void forward(tensor_ref<T, R> out, tensor_ref<const T, RI> in) {
    std::copy(in.data, in.data + in.size(), out.data);
  }
};

/// What the gradients of reshape, slice and strided slice share: operands (g, x), a result of
/// g's dtype in x's dims. They read only x's dims, and pass no gradient to x.
struct into_dims_of_x {
  static constexpr bool reads_values(std::size_t i) { return i == 0; }
  static constexpr bool differentiable(std::size_t i) { return i == 0; }
  bool operator==(const into_dims_of_x&) const = default;
  template <class G, class X>
  using value_type = value_t<G>;
  template <class G, class X>
  using shape_type = shape_of_t<X>;
  template <class DG, class DX>
  static DX result_dims(const DG&, const DX& x) {
    return x;
  }
};

/// The gradient of reshape, expand_dims and squeeze: g in the run-time dims of x, whose
/// values it never reads.
struct reshape_like : into_dims_of_x {
  static constexpr std::string_view tf_name = "Reshape";
  template <class T, std::size_t R, std::size_t RG>
  static void forward(tensor_ref<T, R> out, tensor_ref<const T, RG> g, tensor_ref<const T, R>) {
    std::copy(g.data, g.data + g.size(), out.data);
  }
  // d(g in x's dims) = the incoming gradient in g's dims (second derivatives of a reshape)
  static constexpr auto vjp(const auto& h, const auto& n) {
    using H = std::remove_cvref_t<decltype(h)>;
    using G = std::remove_cvref_t<decltype(n.template arg<0>())>;
    return op::parts{graph::node<reshape_like, H, G>({}, h, n.template arg<0>()), h};
  }
};

/// d(reshape x) = g reshaped back to x's dims.
template <class G, class N>
constexpr auto reshape_back(const G& g, const N& n) {
  using X = std::remove_cvref_t<decltype(n.template arg<0>())>;
  return op::parts{graph::node<reshape_like, G, X>({}, g, n.template arg<0>())};
}

namespace detail {
template <class Range>
std::string dims_string(const Range& dims) {  // -1 printed as -1, as in a reshape's request
  std::string s = "[";
  for (std::size_t i = 0; i < std::size(dims); ++i) s += (i ? ", " : "") + std::to_string(dims[i]);
  return s + "]";
}
}  // namespace detail

/// tf.reshape to Requested (a shape<...>); one dim may be -1, inferred from the element count.
template <class Requested>
struct reshape : copy_kernel {
  static constexpr std::string_view tf_name = "Reshape";
  static constexpr std::size_t rank = Requested::rank;
  static constexpr std::size_t inferred = [] {  // index of the -1, or rank
    for (std::size_t i = 0; i < rank; ++i)
      if (Requested::dims[i] == -1) return i;
    return rank;
  }();
  static constexpr std::int64_t known = [] {  // product of the other dims, -1 if it overflows
    std::int64_t n = 1;
    for (std::size_t i = 0; i < rank; ++i)
      if (i != inferred && Requested::dims[i] >= 0 && __builtin_mul_overflow(n, Requested::dims[i], &n))
        return std::int64_t{-1};
    return n;
  }();

  template <class A>
  struct result_of {
    static constexpr auto dims() {
      auto d = Requested::dims;
      if (inferred < rank && shape_of_t<A>::fully_static && known > 0)
        d[inferred] = static_size_v<shape_of_t<A>> / known;
      return d;
    }
  };
  template <class A>
  using shape_type = shape_from_t<result_of<A>>;

  template <std::size_t RI>
  static std::array<std::size_t, rank> result_dims(const std::array<std::size_t, RI>& in) {
    std::size_t count = 1;
    for (auto d : in) count *= d;
    std::array<std::size_t, rank> out{};
    for (std::size_t i = 0; i < rank; ++i) out[i] = static_cast<std::size_t>(Requested::dims[i]);
    const auto k = static_cast<std::size_t>(known);
    const auto head = [&] {  // built only on the error path: a steady run allocates nothing
      return "Reshape: input to reshape is a tensor with " + std::to_string(count) + " values " + shape_string(in) +
             ", but the requested shape " + detail::dims_string(Requested::dims);
    };
    if (inferred < rank) {
      if (k == 0 || count % k != 0) throw error(head() + " requires a multiple of " + std::to_string(k));
      out[inferred] = count / k;
    } else if (k != count) {
      throw error(head() + " has " + std::to_string(k));
    }
    return out;
  }

  static constexpr auto vjp(const auto& g, const auto& n) { return reshape_back(g, n); }

  /// TensorFlow takes the requested shape as an int32 input (-1 where inferred).
  static void tf_attrs(auto& node) {
    node.const_input("shape", std::vector<std::int32_t>(Requested::dims.begin(), Requested::dims.end()));
    node.attr_type("Tshape", std::int32_t{});
  }
};

/// tf.expand_dims: a 1 inserted before axis Axis (0 <= Axis <= rank).
template <std::size_t Axis>
struct expand_dims : copy_kernel {
  static constexpr std::string_view tf_name = "ExpandDims";
  static void tf_attrs(auto& node) {
    node.scalar_input("dim", static_cast<std::int32_t>(Axis));
    node.attr_type("Tdim", std::int32_t{});
  }
  template <class D, std::size_t R>
  static constexpr std::array<D, R + 1> result_dims(const std::array<D, R>& in) {
    std::array<D, R + 1> out{};
    for (std::size_t i = 0, o = 0; o <= R; ++o) out[o] = o == Axis ? D(1) : in[i++];
    return out;
  }
  template <class A>
  struct result_of {
    static constexpr auto dims() { return result_dims(shape_of_t<A>::dims); }
  };
  template <class A>
  using shape_type = shape_from_t<result_of<A>>;
  static constexpr auto vjp(const auto& g, const auto& n) { return reshape_back(g, n); }
};

/// tf.squeeze: the axes in Mask (each of size 1) removed.
template <axes_mask Mask>
struct squeeze : copy_kernel {
  static constexpr std::string_view tf_name = "Squeeze";
  static void tf_attrs(auto& node) {
    std::vector<std::int64_t> axes;
    for (std::size_t i = 0; i < 64; ++i)
      if (in_mask(Mask, i)) axes.push_back(static_cast<std::int64_t>(i));
    node.attr_int_list("squeeze_dims", axes);
  }
  template <std::size_t R>
  static constexpr std::size_t out_rank = [] {
    std::size_t n = 0;
    for (std::size_t i = 0; i < R; ++i) n += !in_mask(Mask, i);
    return n;
  }();
  template <class D, std::size_t R>
  static constexpr std::array<D, out_rank<R>> drop(const std::array<D, R>& in) {
    std::array<D, out_rank<R>> out{};
    for (std::size_t i = 0, o = 0; i < R; ++i)
      if (!in_mask(Mask, i)) out[o++] = in[i];
    return out;
  }
  template <class A>
  struct result_of {
    static constexpr auto dims() { return drop(shape_of_t<A>::dims); }
  };
  template <class A>
  using shape_type = shape_from_t<result_of<A>>;

  template <std::size_t R>
  static auto result_dims(const std::array<std::size_t, R>& in) {
    for (std::size_t i = 0; i < R; ++i)
      if (in_mask(Mask, i) && in[i] != 1)
        throw error("Squeeze: can not squeeze dim[" + std::to_string(i) + "] of " + shape_string(in) +
                    ", expected a dimension of 1, got " + std::to_string(in[i]));
    return drop(in);
  }
  static constexpr auto vjp(const auto& g, const auto& n) { return reshape_back(g, n); }
};

/// tf.transpose(x, perm): result axis i is input axis Perm[i].
template <std::size_t... Perm>
struct transpose {
  static constexpr std::string_view tf_name = "Transpose";
  static constexpr std::size_t rank = sizeof...(Perm);
  static constexpr std::array<std::size_t, rank> perm{Perm...};
  static void tf_attrs(auto& node) {
    node.const_input("perm", std::vector<std::int32_t>{static_cast<std::int32_t>(Perm)...});
    node.attr_type("Tperm", std::int32_t{});
  }

  template <class D>
  static constexpr std::array<D, rank> result_dims(const std::array<D, rank>& in) {
    std::array<D, rank> out{};
    for (std::size_t i = 0; i < rank; ++i) out[i] = in[perm[i]];
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

  template <class T>
  static void forward(tensor_ref<T, rank> out, tensor_ref<const T, rank> in) {
    kernels::transpose(in.data, in.dims, perm, out.data);
  }

  static constexpr std::array<std::size_t, rank> inverse = [] {
    std::array<std::size_t, rank> inv{};
    for (std::size_t i = 0; i < rank; ++i) inv[perm[i]] = i;
    return inv;
  }();
  template <std::size_t... I>
  static auto inverse_of(std::index_sequence<I...>) -> transpose<inverse[I]...>;
  using inverse_type = decltype(inverse_of(std::make_index_sequence<rank>{}));

  // d(transpose(x, p)) = transpose(g, p^-1)
  static constexpr auto vjp(const auto& g, const auto&) {
    using G = std::remove_cvref_t<decltype(g)>;
    return op::parts{graph::node<inverse_type, G>({}, g)};
  }
};

/// The gradient of concat for operand I: the part of g at that operand's place along Axis.
/// Reads g's values and only the dims of the operands (A...).
template <std::size_t Axis, std::size_t I>
struct concat_part {
  static constexpr std::string_view tf_name = "Slice";
  static constexpr bool reads_values(std::size_t i) { return i == 0; }
  template <class G, class... A>
  using value_type = value_t<G>;
  template <class G, class... A>
  using shape_type = shape_of_t<std::tuple_element_t<I, std::tuple<A...>>>;

  template <class DG, class... DA>
  static auto result_dims(const DG&, const DA&... a) {
    return std::get<I>(std::tuple<const DA&...>(a...));
  }
  template <class T, std::size_t R, class... A>
  static void forward(tensor_ref<T, R> out, tensor_ref<const T, R> g, const A&... a) {
    std::array<std::size_t, R> begin{}, zero{};
    std::size_t j = 0;
    ((begin[Axis] += j++ < I ? a.dims[Axis] : 0), ...);
    kernels::copy_block(g.data, g.dims, begin, out.data, out.dims, zero, out.dims);
  }
};

/// tf.concat(values, axis): the operands joined along Axis; other dims must agree.
template <std::size_t Axis>
struct concat {
  static constexpr std::string_view tf_name = "ConcatV2";
  static void tf_attrs(auto& node) {
    node.attr_int("N", static_cast<std::int64_t>(node.input_count()));
    node.scalar_input("axis", static_cast<std::int32_t>(Axis));
    node.attr_type("Tidx", std::int32_t{});
  }

  template <class A0, class... A>
  using value_type = value_t<A0>;

  /// The static result dims; ok is false when a dim off the axis differs.
  template <class A0, class... A>
  static constexpr auto static_result() {
    struct result {
      dims_t<rank_v<A0>> dims{};
      bool ok = true;
    } r;
    r.dims = shape_of_t<A0>::dims;
    auto join = [&](const auto& d) {
      for (std::size_t i = 0; i < d.size(); ++i) {
        if (i == Axis) r.dims[i] = (r.dims[i] == none || d[i] == none) ? none : r.dims[i] + d[i];
        else if (r.dims[i] == none) r.dims[i] = d[i];
        else if (d[i] != none && d[i] != r.dims[i]) r.ok = false;
      }
    };
    (join(shape_of_t<A>::dims), ...);
    return r;
  }
  template <class... A>
  struct result_of {
    static constexpr auto dims() { return static_result<A...>().dims; }
  };
  template <class... A>
  using shape_type = shape_from_t<result_of<A...>>;

  template <std::size_t R, class... D>
  static std::array<std::size_t, R> result_dims(const std::array<std::size_t, R>& first, const D&... rest) {
    auto out = first;
    std::size_t k = 0;
    auto join = [&](const std::array<std::size_t, R>& d) {
      ++k;
      for (std::size_t i = 0; i < R; ++i) {
        if (i == Axis) out[i] += d[i];
        else if (d[i] != first[i])
          throw error("ConcatV2: dimensions of inputs should match: shape[0] = " + shape_string(first) + " vs. shape[" +
                      std::to_string(k) + "] = " + shape_string(d));
      }
    };
    (join(rest), ...);
    return out;
  }

  template <class T, std::size_t R, class... A>
  static void forward(tensor_ref<T, R> out, const A&... in) {
    std::array<std::size_t, R> begin{}, zero{};
    auto put = [&](const auto& a) {
      kernels::copy_block(a.data, a.dims, zero, out.data, out.dims, begin, a.dims);
      begin[Axis] += a.dims[Axis];
    };
    (put(in), ...);
  }

  // d(concat(a, b)) = (the part of g over a, the part over b)
  static constexpr auto vjp(const auto& g, const auto& n) {
    return n.with_args([&](const auto&... a) {
      // clang-format off
      return [&]<std::size_t... I>(std::index_sequence<I...>) {
        return op::parts{graph::node<concat_part<Axis, I>, std::remove_cvref_t<decltype(g)>,
                                      std::remove_cvref_t<decltype(a)>...>({}, g, a...)...};
      }(std::index_sequence_for<decltype(a)...>{});
      // clang-format on
    });
  }
};

template <std::size_t R, class Shape>
struct slice;
template <std::size_t R, class Shape>
struct strided_slice;

/// The gradient of slice: g placed at begin in zeros of x's dims (TF's Pad). It keeps the
/// slice's begin and size, for its own gradient: that slice of the incoming gradient.
template <std::size_t R>
struct slice_grad : into_dims_of_x {
  static constexpr std::string_view tf_name = "Pad";
  std::array<std::size_t, R> m_begin{};
  std::array<std::int64_t, R> m_size{};
  bool operator==(const slice_grad&) const = default;

  template <class T>
  void forward(tensor_ref<T, R> out, tensor_ref<const T, R> g, tensor_ref<const T, R>) const {
    std::fill(out.data, out.data + out.size(), T(0));
    kernels::copy_block(g.data, g.dims, {}, out.data, out.dims, m_begin, g.dims);
  }
  static constexpr auto vjp(const auto& h, const auto& n) {
    using H = std::remove_cvref_t<decltype(h)>;
    using S = slice<R, shape_of_t<std::remove_cvref_t<decltype(n.template arg<0>())>>>;
    S cut;
    for (std::size_t i = 0; i < R; ++i) cut.m_begin[i] = static_cast<std::int64_t>(n.op().m_begin[i]);
    cut.m_size = n.op().m_size;
    return op::parts{graph::node<S, H>(cut, h), h};
  }
};

/// tf.slice(x, begin, size): the block of `size` at `begin` (size -1: to the end of the axis).
/// begin and size are run-time payload; Shape is the static result shape.
template <std::size_t R, class Shape>
struct slice {
  static constexpr std::string_view tf_name = "Slice";
  std::array<std::int64_t, R> m_begin{}, m_size{};
  bool operator==(const slice&) const = default;

  void tf_attrs(auto& node) const {
    node.const_input("begin", std::vector<std::int64_t>(m_begin.begin(), m_begin.end()));
    node.const_input("size", std::vector<std::int64_t>(m_size.begin(), m_size.end()));
    node.attr_type("Index", std::int64_t{});
  }

  template <class A>
  using value_type = value_t<A>;
  template <class A>
  using shape_type = Shape;

  std::array<std::size_t, R> result_dims(const std::array<std::size_t, R>& in) const {
    std::array<std::size_t, R> out{};
    for (std::size_t i = 0; i < R; ++i) {
      const auto d = static_cast<std::int64_t>(in[i]), b = m_begin[i];
      if (b < 0 || b > d)
        throw error("Slice: expected begin[" + std::to_string(i) + "] in [0, " + std::to_string(d) + "], but got " +
                    std::to_string(b) + " (input shape " + shape_string(in) + ")");
      const std::int64_t s = m_size[i] == -1 ? d - b : m_size[i];
      if (s < 0 || b + s > d)
        throw error("Slice: expected size[" + std::to_string(i) + "] in [0, " + std::to_string(d - b) + "], but got " +
                    std::to_string(m_size[i]) + " (input shape " + shape_string(in) + ")");
      out[i] = static_cast<std::size_t>(s);
    }
    return out;
  }

  template <class T>
  void forward(tensor_ref<T, R> out, tensor_ref<const T, R> in) const {
    kernels::copy_block(in.data, in.dims, begin(), out.data, out.dims, {}, out.dims);
  }

  std::array<std::size_t, R> begin() const {
    std::array<std::size_t, R> b{};
    for (std::size_t i = 0; i < R; ++i) b[i] = static_cast<std::size_t>(m_begin[i]);
    return b;
  }

  // d(slice x) = g padded with zeros to x's dims
  static constexpr auto vjp(const auto& g, const auto& n) {
    using G = std::remove_cvref_t<decltype(g)>;
    using X = std::remove_cvref_t<decltype(n.template arg<0>())>;
    slice_grad<R> pad;
    pad.m_begin = n.op().begin();
    pad.m_size = n.op().m_size;
    return op::parts{graph::node<slice_grad<R>, G, X>(pad, g, n.template arg<0>())};
  }
};

/// The gradient of strided_slice: g placed at the strided positions in zeros of x's dims. It
/// keeps the slice's payload, for its own gradient: that strided slice of the incoming gradient.
template <std::size_t R>
struct strided_slice_grad : into_dims_of_x {
  static constexpr std::string_view tf_name = "StridedSliceGrad";
  std::array<std::int64_t, R> m_begin{}, m_step{}, m_size{};
  bool operator==(const strided_slice_grad&) const = default;

  template <class T>
  void forward(tensor_ref<T, R> out, tensor_ref<const T, R> g, tensor_ref<const T, R>) const {
    std::fill(out.data, out.data + out.size(), T(0));
    kernels::for_each_strided(out.dims, m_begin, m_step, g.dims,
                              [&](std::size_t at, std::size_t k) { out.data[at] = g.data[k]; });
  }
  static constexpr auto vjp(const auto& h, const auto& n) {
    using H = std::remove_cvref_t<decltype(h)>;
    using S = strided_slice<R, shape_of_t<std::remove_cvref_t<decltype(n.template arg<0>())>>>;
    S cut;
    cut.m_begin = n.op().m_begin;
    cut.m_step = n.op().m_step;
    cut.m_size = n.op().m_size;
    return op::parts{graph::node<S, H>(cut, h), h};
  }
};

/// Python's x[a:b:s] on every axis (TF's StridedSlice with its bounds resolved): along axis i the
/// m_size[i] elements m_begin[i] + j m_step[i], where a step may be negative. The eager index
/// (tfe::Slice with a step) resolves Python's bounds into these; Shape is the static result shape.
template <std::size_t R, class Shape>
struct strided_slice {
  static constexpr std::string_view tf_name = "StridedSlice";
  std::array<std::int64_t, R> m_begin{}, m_step{}, m_size{};
  bool operator==(const strided_slice&) const = default;

  // TF's end is exclusive; an end before index 0 (a negative step run to the start) would read
  // as counted from the back, so such an axis sets its bit of end_mask instead.
  void tf_attrs(auto& node) const {
    std::vector<std::int64_t> end(R);
    std::int64_t end_mask = 0;
    for (std::size_t i = 0; i < R; ++i) {
      end[i] = m_begin[i] + m_size[i] * m_step[i];
      if (end[i] < 0) end_mask |= std::int64_t{1} << i;
    }
    node.const_input("begin", std::vector<std::int64_t>(m_begin.begin(), m_begin.end()));
    node.const_input("end", end);
    node.const_input("strides", std::vector<std::int64_t>(m_step.begin(), m_step.end()));
    node.attr_type("Index", std::int64_t{});
    for (const char* mask : {"begin_mask", "ellipsis_mask", "new_axis_mask", "shrink_axis_mask"})
      node.attr_int(mask, 0);
    node.attr_int("end_mask", end_mask);
  }

  template <class A>
  using value_type = value_t<A>;
  template <class A>
  using shape_type = Shape;

  std::array<std::size_t, R> result_dims(const std::array<std::size_t, R>& in) const {
    std::array<std::size_t, R> out{};
    for (std::size_t i = 0; i < R; ++i) {
      const auto d = static_cast<std::int64_t>(in[i]), first = m_begin[i], n = m_size[i];
      const std::int64_t last = first + (n - 1) * m_step[i];
      if (m_step[i] == 0) throw error("StridedSlice: strides[" + std::to_string(i) + "] must be non-zero");
      if (n < 0 || (n > 0 && (first < 0 || first >= d || last < 0 || last >= d)))
        throw error("StridedSlice: " + std::to_string(n) + " elements from " + std::to_string(first) + " in steps of " +
                    std::to_string(m_step[i]) + " do not fit dimension " + std::to_string(i) + " of the input shape " +
                    shape_string(in));
      out[i] = static_cast<std::size_t>(n);
    }
    return out;
  }

  template <class T>
  void forward(tensor_ref<T, R> out, tensor_ref<const T, R> in) const {
    kernels::for_each_strided(in.dims, m_begin, m_step, out.dims,
                              [&](std::size_t at, std::size_t k) { out.data[k] = in.data[at]; });
  }

  // d(x[a:b:s]) = g at the strided positions, zeros elsewhere
  static constexpr auto vjp(const auto& g, const auto& n) {
    using G = std::remove_cvref_t<decltype(g)>;
    using X = std::remove_cvref_t<decltype(n.template arg<0>())>;
    strided_slice_grad<R> scatter;
    scatter.m_begin = n.op().m_begin;
    scatter.m_step = n.op().m_step;
    scatter.m_size = n.op().m_size;
    return op::parts{graph::node<strided_slice_grad<R>, G, X>(scatter, g, n.template arg<0>())};
  }
};

/// The gradient of tile: the sum of g's tiles, in x's dims (TF reshapes g and sums).
struct tile_grad {
  static constexpr std::string_view tf_name = "Sum";
  static constexpr bool reads_values(std::size_t i) { return i == 0; }
  template <class G, class X>
  using value_type = value_t<G>;
  template <class G, class X>
  using shape_type = shape_of_t<X>;
  template <class D>
  static D result_dims(const D&, const D& x) {
    return x;
  }
  template <class T, std::size_t R>
  static void forward(tensor_ref<T, R> out, tensor_ref<const T, R> g, tensor_ref<const T, R>) {
    kernels::tile_sum(g.data, g.dims, out.data, out.dims);
  }
};

/// tf.tile(x, multiples): x repeated Multiples[i] times along axis i.
template <std::int64_t... Multiples>
struct tile {
  static constexpr std::string_view tf_name = "Tile";
  static constexpr std::size_t rank = sizeof...(Multiples);
  static constexpr std::array<std::int64_t, rank> multiples{Multiples...};
  static void tf_attrs(auto& node) {
    node.const_input("multiples", std::vector<std::int64_t>{Multiples...});
    node.attr_type("Tmultiples", std::int64_t{});
  }

  template <class A>
  using value_type = value_t<A>;
  template <class S>
  static constexpr bool static_dims_fit() {
    std::int64_t p = 0;
    for (std::size_t i = 0; i < rank; ++i)
      if (S::dims[i] > 0 && __builtin_mul_overflow(S::dims[i], multiples[i], &p)) return false;
    return true;
  }
  template <class A>
  struct result_of {
    static constexpr auto dims() {
      auto d = shape_of_t<A>::dims;
      for (std::size_t i = 0; i < rank; ++i) d[i] = multiples[i] == 0 ? 0 : d[i] == none ? none : d[i] * multiples[i];
      return d;
    }
  };
  template <class A>
  using shape_type = shape_from_t<result_of<A>>;

  static std::array<std::size_t, rank> result_dims(const std::array<std::size_t, rank>& in) {
    auto d = in;
    bool overflow = false;
    for (std::size_t i = 0; i < rank; ++i)
      overflow = __builtin_mul_overflow(d[i], static_cast<std::size_t>(multiples[i]), &d[i]) || overflow;
    if (overflow)  // a wrapped dim would size the result smaller than its loops
      throw error("Tile: input of dims " + shape_string(in) + " repeated " + detail::dims_string(multiples) +
                  " times: a dim overflows size_t");
    return d;
  }
  template <class T>
  static void forward(tensor_ref<T, rank> out, tensor_ref<const T, rank> in) {
    kernels::tile(in.data, in.dims, out.data, out.dims);
  }

  // d(tile x) = the sum of g's tiles
  static constexpr auto vjp(const auto& g, const auto& n) {
    using G = std::remove_cvref_t<decltype(g)>;
    using X = std::remove_cvref_t<decltype(n.template arg<0>())>;
    return op::parts{graph::node<tile_grad, G, X>({}, g, n.template arg<0>())};
  }
};

/// tf.identity: the same values (elementwise, so it fuses and costs nothing).
struct identity : elementwise_unary {
  static constexpr std::string_view tf_name = "Identity";
  constexpr auto operator()(auto a) const { return a; }
  template <class B>
  constexpr B simd_apply(const B& a) const {
    return a;
  }
  static constexpr auto vjp(const auto& g, const auto&) { return op::parts{g}; }
};

/// tf.stop_gradient: the identity forward; no gradient flows through it.
struct stop_gradient : elementwise_unary {
  static constexpr std::string_view tf_name = "StopGradient";
  static constexpr bool differentiable(std::size_t) { return false; }
  constexpr auto operator()(auto a) const { return a; }
  template <class B>
  constexpr B simd_apply(const B& a) const {
    return a;
  }
};

}  // namespace op

/// tf.reshape(x, [dims...]): `tf::reshape<-1, 3>(x)`; one dim may be -1 (tf::none), inferred
/// from x's element count (at compile time when x's shape is static, else at run time).
template <std::int64_t... Dims, tensor_node X>
constexpr auto reshape(const X& x) {
  using requested = shape<Dims...>;
  using op_type = op::reshape<requested>;
  using S = shape_of_t<X>;
  if constexpr (((Dims < -1) || ...) || ((Dims == -1) + ... + 0) > 1 || op_type::known < 0) {
    // At most one requested dim is -1 (inferred); the others are >= 0, their product fits in int64.
    diagnostic::error_reshape_requested_shape_invalid<requested> error;
  } else if constexpr (S::fully_static && op_type::inferred == op_type::rank && static_size_v<S> != op_type::known) {
    // The static element counts of the two shapes named in this type differ.
    diagnostic::error_reshape_sizes_differ<S, requested> error;
  } else if constexpr (S::fully_static && op_type::inferred < op_type::rank &&
                       (op_type::known == 0 || static_size_v<S> % op_type::known != 0)) {
    // The input's element count (first shape) is not a multiple of the other requested dims.
    diagnostic::error_reshape_sizes_differ<S, requested> error;
  }
  return graph::node<op_type, X>({}, x);
}

/// tf.transpose(x) reverses the axes; tf::transpose<perm...>(x) is tf.transpose(x, perm).
template <int... Perm, tensor_node X>
constexpr auto transpose(const X& x) {
  constexpr std::size_t R = rank_v<X>;
  if constexpr (sizeof...(Perm) == 0) {
    // clang-format off
    return [&]<std::size_t... I>(std::index_sequence<I...>) {
      return graph::node<op::transpose<(R - 1 - I)...>, X>({}, x);
    }(std::make_index_sequence<R>{});
    // clang-format on
  } else {
    constexpr bool ok = [] {
      if (sizeof...(Perm) != R) return false;
      std::array<bool, sizeof...(Perm)> seen{};
      for (int p : {Perm...}) {
        if (p < 0 || p >= static_cast<int>(R) || seen[static_cast<std::size_t>(p)]) return false;
        seen[static_cast<std::size_t>(p)] = true;
      }
      return true;
    }();
    if constexpr (!ok) {
      // perm (named in this type) is not a permutation of the axes of the shape named.
      diagnostic::error_transpose_perm_is_not_a_permutation<shape_of_t<X>, axis_t<Perm...>> error;
      return x;
    } else {
      return graph::node<op::transpose<static_cast<std::size_t>(Perm)...>, X>({}, x);
    }
  }
}

/// tf.expand_dims(x, axis): a dim of 1 inserted at axis (-rank-1 <= axis <= rank).
template <int Axis, tensor_node X>
constexpr auto expand_dims(const X& x) {
  constexpr int R = static_cast<int>(rank_v<X>);
  constexpr int a = Axis < 0 ? Axis + R + 1 : Axis;
  if constexpr (a < 0 || a > R) {
    // The axis named in this type is outside [-rank-1, rank] for the shape named.
    diagnostic::error_axis_out_of_range<shape_of_t<X>, axis_t<Axis>> error;
    return x;
  } else {
    return graph::node<op::expand_dims<static_cast<std::size_t>(a)>, X>({}, x);
  }
}

/// tf.squeeze(x, axis): tf::squeeze<1>(x) removes axis 1 (of size 1; checked at run time
/// for a tf::none dim); tf::squeeze(x) removes every axis whose static dim is 1.
template <int... Axes, tensor_node X>
constexpr auto squeeze(const X& x) {
  using S = shape_of_t<X>;
  constexpr std::size_t R = S::rank;
  constexpr auto m = [] {
    struct result {
      op::axes_mask mask = 0;
      bool ok = true;
    } r;
    if constexpr (sizeof...(Axes) == 0) {
      for (std::size_t i = 0; i < R; ++i)
        if (S::dims[i] == 1) r.mask |= op::axes_mask{1} << i;
    } else {
      for (int a : {Axes...}) {
        const int i = a < 0 ? a + static_cast<int>(R) : a;
        if (i < 0 || i >= static_cast<int>(R) ||
            (S::dims[static_cast<std::size_t>(i)] != 1 && S::dims[static_cast<std::size_t>(i)] != none))
          r.ok = false;
        else r.mask |= op::axes_mask{1} << i;
      }
    }
    return r;
  }();
  if constexpr (!m.ok) {
    // An axis named in this type is out of range, or its static dim in the shape named is not 1.
    diagnostic::error_squeeze_dim_is_not_1<S, axis_t<Axes...>> error;
  }
  return graph::node<op::squeeze<m.mask>, X>({}, x);
}

/// tf.concat([a, b, ...], axis): `tf::concat<1>(a, b, c)`. Dims off the axis must agree.
template <int Axis, tensor_node X0, tensor_node... X>
constexpr auto concat(const X0& x0, const X&... xs) {
  constexpr int R = static_cast<int>(rank_v<X0>);
  constexpr int a = Axis < 0 ? Axis + R : Axis;
  // clang-format off
  constexpr bool same_kind = ((rank_v<X> == rank_v<X0> && std::is_same_v<value_t<X>, value_t<X0>>) && ...);
  // clang-format on
  if constexpr (a < 0 || a >= R || !same_kind) {
    // The shapes named in this type differ in rank (or the dtypes differ), or the axis is out of range.
    diagnostic::error_concat_shapes_differ_off_axis<axis_t<Axis>, shape_of_t<X0>, shape_of_t<X>...> error;
    return x0;
  } else {
    using op_type = op::concat<static_cast<std::size_t>(a)>;
    if constexpr (!op_type::template static_result<X0, X...>().ok) {
      // A dim off the axis differs between the shapes named in this type.
      diagnostic::error_concat_shapes_differ_off_axis<axis_t<Axis>, shape_of_t<X0>, shape_of_t<X>...> error;
    }
    return graph::node<op_type, X0, X...>({}, x0, xs...);
  }
}

/// tf.slice(x, begin, size) with both fixed at compile time: `tf::slice<1, 0>(x, tf::size<2, -1>)`
/// (size -1: to the end of the axis); the result's static shape follows.
template <std::int64_t... Begin, tensor_node X, std::int64_t... Size>
constexpr auto slice(const X& x, slice_size_t<Size...>) {
  using S = shape_of_t<X>;
  constexpr std::size_t R = S::rank;
  constexpr bool ok = [] {
    const std::array<std::int64_t, sizeof...(Begin)> b{Begin...};
    const std::array<std::int64_t, sizeof...(Size)> s{Size...};
    if (b.size() != R || s.size() != R) return false;
    for (std::size_t i = 0; i < R; ++i) {
      if (b[i] < 0 || s[i] < -1) return false;
      if (S::dims[i] != none && (b[i] > S::dims[i] || (s[i] != -1 && b[i] + s[i] > S::dims[i]))) return false;
    }
    return true;
  }();
  if constexpr (!ok) {
    // begin/size (named in this type) do not fit the shape named (or its rank).
    diagnostic::error_slice_out_of_bounds<S, slice_begin_t<Begin...>, slice_size_t<Size...>> error;
    return x;
  } else {
    struct result_of {
      static constexpr auto dims() {
        dims_t<R> d{};
        for (std::size_t i = 0; i < R; ++i)
          d[i] = std::array<std::int64_t, R>{Size...}[i] != -1 ? std::array<std::int64_t, R>{Size...}[i]
                 : S::dims[i] == none                          ? none
                                                               : S::dims[i] - std::array<std::int64_t, R>{Begin...}[i];
        return d;
      }
    };
    using op_type = op::slice<R, shape_from_t<result_of>>;
    op_type op;
    op.m_begin = {Begin...};
    op.m_size = {Size...};
    return graph::node<op_type, X>(op, x);
  }
}

/// tf.slice(x, begin, size) with run-time begin and size: `tf::slice(x, {1, 0}, {2, -1})`.
/// The result's dims are all tf::none; bounds are checked when it runs.
template <tensor_node X>
auto slice(const X& x, const std::array<std::int64_t, rank_v<X>>& begin,
           const std::array<std::int64_t, rank_v<X>>& size) {
  constexpr std::size_t R = rank_v<X>;
  using S = decltype([]<std::size_t... I>(std::index_sequence<I...>) {
    return shape<(static_cast<void>(I), none)...>{};
  }(std::make_index_sequence<R>{}));
  op::slice<R, S> op;
  op.m_begin = begin;
  op.m_size = size;
  return graph::node<op::slice<R, S>, X>(op, x);
}

/// tf.tile(x, multiples): `tf::tile<2, 1>(x)` repeats x twice along axis 0.
template <std::int64_t... Multiples, tensor_node X>
constexpr auto tile(const X& x) {
  if constexpr (sizeof...(Multiples) != rank_v<X> || ((Multiples < 0) || ...) ||
                !op::tile<Multiples...>::template static_dims_fit<shape_of_t<X>>()) {
    // One multiple >= 0 per axis of the shape named in this type, and each static dim times
    // its multiple fits in int64.
    diagnostic::error_tile_multiples_do_not_match_rank<shape_of_t<X>, multiples_t<Multiples...>> error;
    return x;
  } else {
    return graph::node<op::tile<Multiples...>, X>({}, x);
  }
}

/// tf.identity(x).
template <tensor_node X>
constexpr auto identity(const X& x) {
  return graph::node<op::identity, X>({}, x);
}

/// tf.stop_gradient(x): x in the forward pass; gradients do not flow into x.
template <tensor_node X>
constexpr auto stop_gradient(const X& x) {
  return graph::node<op::stop_gradient, X>({}, x);
}

}  // namespace typeflow

#endif
