#ifndef TYPEFLOW_EAGER_ARRAY_OPS_HPP
#define TYPEFLOW_EAGER_ARRAY_OPS_HPP

// Eager ops that assemble tensors from others: tf.concat, tf.stack, tf.tile, and TF's
// indexing (`x[i]`, `x[1:3, 0]`). Their axes and multiples are run-time values, where graph
// mode's tags take them as template arguments, so these call graph mode's kernels
// (kernels/shape.hpp) directly. Each records an entry whose gradient is built from recorded eager
// ops (concat's is slices, tile's a sum of tiles, whose own gradient is a tile), so outer tapes
// see the gradient computation and second derivatives work, as in graph mode; indexing is a
// slice and a reshape, recorded as such.

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "../core/error.hpp"
#include "../kernels/shape.hpp"
#include "../ops/run_time_axes.hpp"
#include "ops.hpp"
#include "recording.hpp"
#include "tensor.hpp"

namespace typeflow::eager {

namespace detail {

/// Dims s seen around `axis` as [outer, s[axis], inner]: one kernel instance for every rank.
inline std::array<std::size_t, 3> around_axis(const TensorShape& s, std::size_t axis) {
  std::array<std::size_t, 3> d{1, s[axis], 1};
  for (std::size_t i = 0; i < s.rank(); ++i) {
    if (i < axis) d[0] *= s[i];
    if (i > axis) d[2] *= s[i];
  }
  return d;
}

/// Records `entry` (made once) for the tapes that track one of `inputs`.
template <class Entry>
void record_entry(const std::vector<std::uint64_t>& inputs, std::uint64_t output, const auto& fill) {
  if (!any_recording()) return;
  record(inputs, output, [&] {
    auto e = std::make_shared<Entry>();
    e->output = output;
    e->inputs = inputs;
    fill(*e);
    return e;
  });
}

template <dtype T>
struct concat_entry final : tape_entry {
  std::vector<TensorShape> shapes;  // the operands'
  std::size_t axis = 0;
  // d(concat(x...)) = the slice of g at each operand's place along the axis
  void backward(const body_ptr& g, std::span<const char> wanted, std::span<body_ptr> grads) const override {
    const Tensor<T> gt(g);
    std::vector<std::int64_t> begin(gt.rank(), 0), size(gt.rank(), -1);
    for (std::size_t i = 0; i < shapes.size(); ++i) {
      size[axis] = static_cast<std::int64_t>(shapes[i][axis]);
      if (wanted[i]) grads[i] = slice(gt, begin, size).body();
      begin[axis] += size[axis];
    }
  }
};

template <dtype T>
Tensor<T> tile_sum(const Tensor<T>& g, const TensorShape& x_shape);

/// x repeated multiples[i] times along axis i (the dims are x's times the multiples).
template <dtype T>
Tensor<T> tile_to(const Tensor<T>& x, const TensorShape& out_shape);

template <dtype T>
struct tile_entry final : tape_entry {
  TensorShape from;
  // d(tile x) = the sum of g's tiles (graph mode's tile_grad)
  void backward(const body_ptr& g, std::span<const char> wanted, std::span<body_ptr> grads) const override {
    if (wanted[0]) grads[0] = tile_sum(Tensor<T>(g), from).body();
  }
};

template <dtype T>
struct tile_sum_entry final : tape_entry {
  TensorShape tiled;
  // the sum of tiles is linear: its gradient is g tiled again
  void backward(const body_ptr& g, std::span<const char> wanted, std::span<body_ptr> grads) const override {
    if (wanted[0]) grads[0] = tile_to(Tensor<T>(g), tiled).body();
  }
};

template <dtype T>
Tensor<T> tile_to(const Tensor<T>& x, const TensorShape& out_shape) {
  if (x.rank() == 0) return x;  // a scalar has no multiples: itself
  Tensor<T> y(new_body<T>(out_shape));
  if (out_shape.num_elements() != 0) {
    with_rank(x.rank(), [&]<std::size_t R>() {
      kernels::tile(x.data().data(), to_array<R>(x.shape()), y.body()->template data<T>(), to_array<R>(out_shape));
    });
  }
  if constexpr (std::is_floating_point_v<T>)
    record_entry<tile_entry<T>>({x.id()}, y.id(), [&](tile_entry<T>& e) { e.from = x.shape(); });
  return y;
}

template <dtype T>
Tensor<T> tile_sum(const Tensor<T>& g, const TensorShape& x_shape) {
  if (g.rank() == 0) return g;
  Tensor<T> y(new_body<T>(x_shape));
  with_rank(g.rank(), [&]<std::size_t R>() {
    kernels::tile_sum(g.data().data(), to_array<R>(g.shape()), y.body()->template data<T>(), to_array<R>(x_shape));
  });
  record_entry<tile_sum_entry<T>>({g.id()}, y.id(), [&](tile_sum_entry<T>& e) { e.tiled = g.shape(); });
  return y;
}

}  // namespace detail

/// tf.concat(values, axis): the tensors joined along `axis` (negative: from the end); the other
/// dims must agree. `tfe::concat({a, b}, 0)`; with a variable among them, name the dtype:
/// `tfe::concat<float>({x, w}, 0)`.
template <dtype T>
Tensor<T> concat(std::span<const Tensor<T>> values, int axis) {
  if (values.empty()) throw error("ConcatV2: no tensors to concatenate");
  const TensorShape& first = values[0].shape();
  if (first.rank() == 0) throw error("ConcatV2: can't concatenate scalars (use tf.stack instead)");
  const std::size_t a = op::axis_of(axis, first.rank(), "ConcatV2");
  const TensorShape out =
      op::concat_result_dims(values.size(), a, [&](std::size_t k) -> const TensorShape& { return values[k].shape(); });
  Tensor<T> y(detail::new_body<T>(out));
  const auto out_dims = detail::around_axis(out, a);
  std::array<std::size_t, 3> at{};
  for (const auto& v : values) {
    const auto d = detail::around_axis(v.shape(), a);
    kernels::copy_block(v.data().data(), d, {}, y.body()->template data<T>(), out_dims, at, d);
    at[1] += d[1];
  }
  if constexpr (std::is_floating_point_v<T>) {  // no tape entry for integer dtypes
    if (!detail::any_recording()) return y;
    std::vector<std::uint64_t> ids;
    for (const auto& v : values) ids.push_back(v.id());
    detail::record_entry<detail::concat_entry<T>>(ids, y.id(), [&](detail::concat_entry<T>& e) {
      for (const auto& v : values) e.shapes.push_back(v.shape());
      e.axis = a;
    });
  }
  return y;
}
template <dtype T>
Tensor<T> concat(std::initializer_list<Tensor<T>> values, int axis) {
  return concat(std::span<const Tensor<T>>(values.begin(), values.size()), axis);
}
template <dtype T>
Tensor<T> concat(const std::vector<Tensor<T>>& values, int axis) {
  return concat(std::span<const Tensor<T>>(values), axis);
}

/// tf.stack(values, axis): the tensors, all of one shape, joined along a new axis.
template <dtype T>
Tensor<T> stack(std::span<const Tensor<T>> values, int axis = 0) {
  if (values.empty()) throw error("Pack: no tensors to stack");
  const TensorShape& first = values[0].shape();
  const int r = static_cast<int>(first.rank());
  if (axis < -r - 1 || axis > r)
    throw error("Pack: expected an axis in the range [" + std::to_string(-r - 1) + ", " + std::to_string(r + 1) +
                "), but got " + std::to_string(axis));
  std::vector<Tensor<T>> expanded;
  for (std::size_t k = 0; k < values.size(); ++k) {
    if (!(values[k].shape() == first))
      throw error("Pack: shapes of all inputs must match: values[0].shape = " + to_string(first) + " != values[" +
                  std::to_string(k) + "].shape = " + to_string(values[k].shape()));
    expanded.push_back(expand_dims(values[k], axis));
  }
  return concat(std::span<const Tensor<T>>(expanded), axis < 0 ? axis + r + 1 : axis);
}
template <dtype T>
Tensor<T> stack(std::initializer_list<Tensor<T>> values, int axis = 0) {
  return stack(std::span<const Tensor<T>>(values.begin(), values.size()), axis);
}
template <dtype T>
Tensor<T> stack(const std::vector<Tensor<T>>& values, int axis = 0) {
  return stack(std::span<const Tensor<T>>(values), axis);
}

/// tf.tile(x, multiples): x repeated multiples[i] times along axis i.
template <tensor_like X>
auto tile(const X& x, std::initializer_list<std::int64_t> multiples) {
  using T = typename X::value_type;
  const auto t = as_tensor<T>(x);
  if (multiples.size() != t.rank())
    throw error("Tile: expected multiples argument to be a vector of length " + std::to_string(t.rank()) +
                " but got length " + std::to_string(multiples.size()));
  TensorShape out;
  std::size_t i = 0;
  for (const std::int64_t m : multiples) {
    if (m < 0) throw error("Tile: expected multiples[" + std::to_string(i) + "] >= 0, but got " + std::to_string(m));
    out.push_back(t.shape()[i++] * static_cast<std::size_t>(m));
  }
  return detail::tile_to(t, out);
}

/// TF's `x[...]` with slices, integers, `...` and tf.newaxis (Python's rules): the block that the
/// entries select, as tf.slice (begin and size per axis) or, where a slice has a step, as a
/// strided slice; then reshaped to drop the axes an integer picks and to add the new ones. A
/// tape records the slice and the reshape.
template <dtype T>
Tensor<T> Tensor<T>::index(std::initializer_list<Index> entries) const {
  using kind = Index::kind;
  const auto n_rank = static_cast<std::size_t>(rank());
  std::size_t used = 0, ellipses = 0;
  for (const Index& e : entries) {
    used += e.what() == kind::integer || e.what() == kind::slice;
    ellipses += e.what() == kind::ellipsis;
  }
  if (ellipses > 1) throw error("StridedSlice: Multiple ellipses in slice spec not allowed");
  if (used > n_rank)
    throw error("StridedSlice: index out of range using input dim " + std::to_string(n_rank) + "; input has only " +
                std::to_string(n_rank) + " dims");
  std::array<std::int64_t, max_rank> begin{}, size{}, step{};  // no allocation per index
  step.fill(1);
  bool strided = false;
  TensorShape out;
  std::size_t axis = 0;
  const auto whole_axes = [&](std::size_t count) {
    for (std::size_t k = 0; k < count; ++k, ++axis) {
      out.push_back(shape()[axis]);
      size[axis] = static_cast<std::int64_t>(shape()[axis]);
    }
  };
  for (const Index& e : entries) {
    if (e.what() == kind::ellipsis) {
      whole_axes(n_rank - used);  // the axes that the integers and slices leave
      continue;
    }
    if (e.what() == kind::newaxis) {
      out.push_back(1);
      continue;
    }
    const auto dim = static_cast<std::int64_t>(shape()[axis]);
    if (e.what() == kind::integer) {
      const std::int64_t i = e.integer();
      if (i < -dim || i >= dim)
        throw error("StridedSlice: slice index " + std::to_string(i) + " of dimension " + std::to_string(axis) +
                    " out of bounds (shape " + to_string(shape()) + ")");
      begin[axis] = i < 0 ? i + dim : i;
      size[axis] = 1;
    } else {
      const Slice& s = e.slice();
      if (s.step == 0) throw error("StridedSlice: strides[" + std::to_string(axis) + "] must be non-zero");
      std::tie(begin[axis], size[axis]) = detail::resolve_slice(s, dim);
      step[axis] = s.step;
      strided = strided || s.step != 1;
      out.push_back(static_cast<std::size_t>(size[axis]));
    }
    ++axis;
  }
  whole_axes(n_rank - axis);  // the axes after the last entry
  const auto r = std::span(begin.data(), n_rank), n = std::span(size.data(), n_rank);
  return reshape(strided ? detail::strided_block(*this, r, std::span(step.data(), n_rank), n) : slice(*this, r, n),
                 out);
}

}  // namespace typeflow::eager

#endif
