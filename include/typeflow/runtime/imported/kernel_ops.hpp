#ifndef TYPEFLOW_RUNTIME_IMPORTED_KERNEL_OPS_HPP
#define TYPEFLOW_RUNTIME_IMPORTED_KERNEL_OPS_HPP

// The kernel and shape ops of an imported graph. Ranks and attrs are run-time values here;
// each op calls its op tag's `result_dims` and `forward` (or the kernel the tag's forward
// calls, where the tag fixes at compile time what is a run-time value here: a reduction's
// axes, a transpose's perm), viewing buffers at the rank the kernel needs. The window ops take
// their geometry from the same functions as the graph ops (ops/conv.hpp, ops/window.hpp). Reshape, ExpandDims,
// Squeeze, Identity and StopGradient move no values: their results alias their operand.

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "../../core/element_count.hpp"
#include "../../core/error.hpp"
#include "../../core/tensor_ref.hpp"
#include "../../kernels/reduce.hpp"
#include "../../kernels/shape.hpp"
#include "../../ops/conv.hpp"
#include "../../ops/linalg.hpp"
#include "../../ops/nn.hpp"
#include "../../ops/pool.hpp"
#include "../../ops/reduce.hpp"
#include "../../ops/run_time_axes.hpp"
#include "../../ops/shape.hpp"
#include "../tensor.hpp"
#include "node_attrs.hpp"

namespace typeflow::imported {

using dims_vector = std::vector<std::size_t>;

/// An operand of a kernel: its values (of the node's input dtype) and dims.
struct const_buffer {
  const void* data;
  const dims_vector* dims;
};

/// A kernel or shape op: its result dtype for operand dtypes (DT_INVALID: not accepted), its
/// result dims (throws for operands of dims it cannot take), and its forward, given operand 0's
/// dtype (null: the result aliases operand 0). `arity` counts the operands besides the attr input (0: one or more);
/// `attr_input` is the operand holding a constant attr (-1: none; -2: the
/// last, ConcatV2's axis), read when the graph is imported, not at run time.
struct kernel_entry {
  std::string_view tf_name;
  std::size_t arity;  // operands besides attr_input; 0: one or more (ConcatV2)
  int attr_input;
  io::data_type (*result_dtype)(std::span<const io::data_type>, const node_attrs&);
  dims_vector (*result_dims)(std::span<const dims_vector* const>, const node_attrs&);
  void (*forward)(io::data_type, const node_attrs&, void*, const dims_vector&, std::span<const const_buffer>);
};

namespace detail {

template <std::size_t R>
std::array<std::size_t, R> to_array(const dims_vector& d) {
  std::array<std::size_t, R> a{};
  for (std::size_t i = 0; i < R && i < d.size(); ++i) a[i] = d[i];
  return a;
}

/// f.template operator()<R>() for R = r, 0 <= r <= 4; `what` names the op in the error beyond.
template <class F>
decltype(auto) visit_rank(std::size_t r, std::string_view what, F&& f) {
  switch (r) {
    case 0: return f.template operator()<0>();
    case 1: return f.template operator()<1>();
    case 2: return f.template operator()<2>();
    case 3: return f.template operator()<3>();
    case 4: return f.template operator()<4>();
    default:
      throw error(std::string(what) + ": rank " + std::to_string(r) +
                  " is beyond the imported-graph executor's 4 for this op");
  }
}

using op::axis_of;

inline bool is_numeric(io::data_type t) { return is_supported_dtype(t) && t != io::DT_BOOL; }
inline bool is_floating(io::data_type t) { return t == io::DT_FLOAT || t == io::DT_DOUBLE; }

/// Every operand of dtype in[0] (the dtype of the result), which `ok` must accept.
template <bool (*Ok)(io::data_type)>
io::data_type same_dtype(std::span<const io::data_type> in, const node_attrs&) {
  for (const auto t : in)
    if (t != in[0]) return io::DT_INVALID;
  return Ok(in[0]) ? in[0] : io::DT_INVALID;
}
inline bool any_dtype(io::data_type t) { return is_supported_dtype(t); }

// --- MatMul, BatchMatMulV2 ---------------------------------------------------------------------

template <class F>
decltype(auto) visit_transposes(const node_attrs& a, F&& f) {
  if (a.transpose_a) {
    if (a.transpose_b) return f.template operator()<true, true>();
    return f.template operator()<true, false>();
  }
  if (a.transpose_b) return f.template operator()<false, true>();
  return f.template operator()<false, false>();
}

inline dims_vector matmul_dims(std::span<const dims_vector* const> in, const node_attrs& a) {
  if (in[0]->size() != 2 || in[1]->size() != 2)
    throw error("MatMul: operands must have rank 2, got dims " + shape_string(*in[0]) + " and " + shape_string(*in[1]));
  return visit_transposes(a, [&]<bool TA, bool TB>() {
    const auto d = op::matmul<TA, TB>::result_dims(to_array<2>(*in[0]), to_array<2>(*in[1]));
    return dims_vector(d.begin(), d.end());
  });
}

inline void matmul_forward(io::data_type t, const node_attrs& a, void* out, const dims_vector& od,
                           std::span<const const_buffer> in) {
  visit_dtype(t, "MatMul", [&]<class T>() {
    if constexpr (std::is_floating_point_v<T>) {
      const kernels::gemm::packed_b<T>* packed = nullptr;
      if constexpr (std::is_same_v<T, float>) packed = a.packed_float.get();
      else if constexpr (std::is_same_v<T, double>) packed = a.packed_double.get();
      visit_transposes(a, [&]<bool TA, bool TB>() {
        op::matmul<TA, TB>::forward(tensor_ref<T, 2>{static_cast<T*>(out), to_array<2>(od)},
                                    tensor_ref<const T, 2>{static_cast<const T*>(in[0].data), to_array<2>(*in[0].dims)},
                                    tensor_ref<const T, 2>{static_cast<const T*>(in[1].data), to_array<2>(*in[1].dims)},
                                    packed);
      });
    }
  });
}

/// BatchMatMulV2 of rank-2 and rank-3 operands (a rank-2 one is shared by every batch).
inline dims_vector batch_matmul_dims(std::span<const dims_vector* const> in, const node_attrs& a) {
  const std::size_t ra = in[0]->size(), rb = in[1]->size();
  if (ra < 2 || ra > 3 || rb < 2 || rb > 3)
    throw error("BatchMatMulV2: operands of rank 2 or 3 are supported, got dims " + shape_string(*in[0]) + " and " +
                shape_string(*in[1]));
  return visit_transposes(a, [&]<bool TA, bool TB>() {
    const auto view = [](const dims_vector& d) {
      return d.size() == 3 ? to_array<3>(d) : std::array<std::size_t, 3>{1, d[0], d[1]};
    };
    const auto d = op::batch_matmul<TA, TB>::result_dims(view(*in[0]), view(*in[1]));
    if (ra == 2 && rb == 2) return dims_vector{d[1], d[2]};
    return dims_vector(d.begin(), d.end());
  });
}

inline void batch_matmul_forward(io::data_type t, const node_attrs& a, void* out, const dims_vector& od,
                                 std::span<const const_buffer> in) {
  visit_dtype(t, "BatchMatMulV2", [&]<class T>() {
    if constexpr (std::is_floating_point_v<T>) {
      const auto view = [](const dims_vector& d) {
        return d.size() == 3 ? to_array<3>(d) : std::array<std::size_t, 3>{1, d[0], d[1]};
      };
      visit_transposes(a, [&]<bool TA, bool TB>() {
        op::batch_matmul<TA, TB>::forward(tensor_ref<T, 3>{static_cast<T*>(out), view(od)},
                                          tensor_ref<const T, 3>{static_cast<const T*>(in[0].data), view(*in[0].dims)},
                                          tensor_ref<const T, 3>{static_cast<const T*>(in[1].data), view(*in[1].dims)});
      });
    }
  });
}

// --- Softmax, LogSoftmax, L2Loss ---------------------------------------------------------------

inline dims_vector softmax_dims(std::span<const dims_vector* const> in, const node_attrs&) {
  if (in[0]->empty()) throw error("Softmax: logits must have rank at least 1, got a scalar");
  return *in[0];
}

/// The rows of the last axis: the [rows, n] view the row kernels take.
inline std::array<std::size_t, 2> rows_view(const dims_vector& d) {
  std::size_t rows = 1;
  for (std::size_t i = 0; i + 1 < d.size(); ++i) rows *= d[i];
  return {rows, d.back()};
}

template <class Op>
void row_forward(io::data_type t, const node_attrs&, void* out, const dims_vector& od,
                 std::span<const const_buffer> in) {
  visit_dtype(t, Op::tf_name.data(), [&]<class T>() {
    if constexpr (std::is_floating_point_v<T>)
      Op::forward(tensor_ref<T, 2>{static_cast<T*>(out), rows_view(od)},
                  tensor_ref<const T, 2>{static_cast<const T*>(in[0].data), rows_view(*in[0].dims)});
  });
}

inline dims_vector scalar_dims(std::span<const dims_vector* const>, const node_attrs&) { return {}; }

inline void l2_loss_forward(io::data_type t, const node_attrs&, void* out, const dims_vector&,
                            std::span<const const_buffer> in) {
  visit_dtype(t, "L2Loss", [&]<class T>() {
    if constexpr (std::is_floating_point_v<T>) {
      const std::size_t n = checked_element_count(*in[0].dims, sizeof(T), "L2Loss");
      op::l2_loss::forward(tensor_ref<T, 0>{static_cast<T*>(out), {}},
                           tensor_ref<const T, 1>{static_cast<const T*>(in[0].data), {n}});
    }
  });
}

// --- Reductions (Sum, Mean, Max, Min, Prod), ArgMax, ArgMin ------------------------------------

/// The reduced axes of a reduction over `rank` dims.
inline std::vector<bool> reduced_axes(const node_attrs& a, std::size_t rank, std::string_view what) {
  std::vector<bool> reduced(rank, false);
  for (const auto axis : a.ints) reduced[axis_of(axis, rank, what)] = true;
  return reduced;
}

/// The input's dims with adjacent axes both reduced or both kept merged into one (the kernels
/// merge them too): any rank becomes at most 4 axes unless reduced and kept axes alternate more.
inline void merge_axes(const dims_vector& d, const std::vector<bool>& reduced, dims_vector& merged,
                       std::vector<bool>& flags) {
  merged.assign(1, 1);
  flags.assign(1, false);
  for (std::size_t i = 0; i < d.size(); ++i) {
    if (reduced[i] == flags.back()) {
      merged.back() *= d[i];
    } else {
      merged.push_back(d[i]);
      flags.push_back(reduced[i]);
    }
  }
}

inline dims_vector reduce_dims(std::span<const dims_vector* const> in, const node_attrs& a) {
  const auto& d = *in[0];
  const auto reduced = reduced_axes(a, d.size(), "reduction");
  dims_vector out, merged;
  for (std::size_t i = 0; i < d.size(); ++i) {
    if (!reduced[i]) out.push_back(d[i]);
    else if (a.keep_dims) out.push_back(1);
  }
  std::vector<bool> flags;
  merge_axes(d, reduced, merged, flags);
  if (merged.size() > 4)
    visit_rank(merged.size(), "reduction (reduced and kept axes alternating)", []<std::size_t>() {});
  return out;
}

template <op::reduction Kind>
void reduce_forward(io::data_type t, const node_attrs& a, void* out, const dims_vector& od,
                    std::span<const const_buffer> in) {
  const auto& d = *in[0].dims;
  dims_vector merged;
  std::vector<bool> flags;
  merge_axes(d, reduced_axes(a, d.size(), op::reduction_name(Kind)), merged, flags);
  std::size_t n = 1;
  for (const auto x : od) n *= x;
  visit_dtype(t, std::string(op::reduction_name(Kind)), [&]<class T>() {
    if constexpr (!std::is_same_v<T, bool>) {
      visit_rank(merged.size(), op::reduction_name(Kind), [&]<std::size_t R>() {
        if constexpr (R > 0) {
          std::array<bool, R> r{};
          std::copy(flags.begin(), flags.end(), r.begin());
          op::reduce_over<Kind>(static_cast<T*>(out), n,
                                tensor_ref<const T, R>{static_cast<const T*>(in[0].data), to_array<R>(merged)}, r);
        }
      });
    }
  });
}

inline std::size_t arg_axis(const node_attrs& a, std::size_t rank, std::string_view what) {
  if (a.ints.size() != 1)
    throw error(std::string(what) + ": the dimension input must hold one axis, got " + std::to_string(a.ints.size()));
  return axis_of(a.ints[0], rank, what);
}

inline io::data_type arg_dtype(std::span<const io::data_type> in, const node_attrs& a) {
  if (!is_numeric(in[0])) return io::DT_INVALID;
  return a.to == io::DT_INT32 || a.to == io::DT_INT64 ? a.to : io::DT_INVALID;
}

template <bool Max>
dims_vector arg_dims(std::span<const dims_vector* const> in, const node_attrs& a) {
  const auto& d = *in[0];
  const std::string_view name = op::arg_extremum<Max, 0>::tf_name;
  if (d.empty()) throw error(std::string(name) + ": the input must have rank at least 1, got a scalar");
  const std::size_t axis = arg_axis(a, d.size(), name);
  if (d[axis] == 0)
    throw error(std::string(name) + ": reduction axis " + std::to_string(axis) + " is empty in shape " +
                shape_string(d));
  dims_vector out;
  for (std::size_t i = 0; i < d.size(); ++i)
    if (i != axis) out.push_back(d[i]);
  return out;
}

/// The input viewed as [outer, axis, inner], its axis 1 reduced.
template <bool Max>
void arg_forward(io::data_type t, const node_attrs& a, void* out, const dims_vector&,
                 std::span<const const_buffer> in) {
  const auto& d = *in[0].dims;
  const std::size_t axis = arg_axis(a, d.size(), op::arg_extremum<Max, 0>::tf_name);
  std::array<std::size_t, 3> view{1, d[axis], 1};
  for (std::size_t i = 0; i < d.size(); ++i)
    if (i != axis) view[i < axis ? 0 : 2] *= d[i];
  const std::array<bool, 3> reduced{false, true, false};
  visit_dtype(t, "ArgMax", [&]<class T>() {
    if constexpr (!std::is_same_v<T, bool>) {
      const T* x = static_cast<const T*>(in[0].data);
      if (a.to == io::DT_INT32) kernels::arg_extremum<Max>(x, view, reduced, static_cast<std::int32_t*>(out));
      else kernels::arg_extremum<Max>(x, view, reduced, static_cast<std::int64_t*>(out));
    }
  });
}

// --- Transpose, ConcatV2 -----------------------------------------------------------------------

inline dims_vector transpose_dims(std::span<const dims_vector* const> in, const node_attrs& a) {
  const auto& d = *in[0];
  if (a.ints.size() != d.size())
    throw error("Transpose: perm has " + std::to_string(a.ints.size()) + " entries for an input of rank " +
                std::to_string(d.size()) + " (dims " + shape_string(d) + ")");
  std::vector<bool> seen(d.size(), false);
  dims_vector out(d.size());
  for (std::size_t i = 0; i < d.size(); ++i) {
    const std::size_t p = axis_of(a.ints[i], d.size(), "Transpose");
    if (seen[p]) throw error("Transpose: perm " + op::detail::dims_string(a.ints) + " is not a permutation");
    seen[p] = true;
    out[i] = d[p];
  }
  if (d.size() > 4) visit_rank(d.size(), "Transpose", []<std::size_t>() {});
  return out;
}

inline void transpose_forward(io::data_type t, const node_attrs& a, void* out, const dims_vector&,
                              std::span<const const_buffer> in) {
  const auto& d = *in[0].dims;
  visit_dtype(t, "Transpose", [&]<class T>() {
    visit_rank(d.size(), "Transpose", [&]<std::size_t R>() {
      std::array<std::size_t, R> perm{};
      for (std::size_t i = 0; i < R; ++i) perm[i] = axis_of(a.ints[i], R, "Transpose");
      kernels::transpose(static_cast<const T*>(in[0].data), to_array<R>(d), perm, static_cast<T*>(out));
    });
  });
}

inline std::size_t concat_axis(const node_attrs& a, std::size_t rank) {
  if (a.ints.size() != 1) throw error("ConcatV2: the axis input must hold one value");
  return axis_of(a.ints[0], rank, "ConcatV2");
}

inline dims_vector concat_dims(std::span<const dims_vector* const> in, const node_attrs& a) {
  if (in[0]->empty()) throw error("ConcatV2: can not concatenate scalars");
  return op::concat_result_dims(in.size(), concat_axis(a, in[0]->size()),
                                [&](std::size_t k) -> const dims_vector& { return *in[k]; });
}

/// Each operand viewed as [outer, its part], copied into the result's [outer, total] rows.
inline void concat_forward(io::data_type t, const node_attrs& a, void* out, const dims_vector& od,
                           std::span<const const_buffer> in) {
  const std::size_t axis = concat_axis(a, od.size());
  std::size_t outer = 1, inner = 1;
  for (std::size_t i = 0; i < axis; ++i) outer *= od[i];
  for (std::size_t i = axis + 1; i < od.size(); ++i) inner *= od[i];
  visit_dtype(t, "ConcatV2", [&]<class T>() {
    const std::array<std::size_t, 2> out_dims{outer, od[axis] * inner}, zero{};
    std::array<std::size_t, 2> begin{};
    for (const auto& b : in) {
      const std::array<std::size_t, 2> part{outer, (*b.dims)[axis] * inner};
      kernels::copy_block(static_cast<const T*>(b.data), part, zero, static_cast<T*>(out), out_dims, begin, part);
      begin[1] += part[1];
    }
  });
}

// --- Reshape, ExpandDims, Squeeze, Identity (aliases) ------------------------------------------

inline dims_vector reshape_dims(std::span<const dims_vector* const> in, const node_attrs& a) {
  const auto& d = *in[0];
  const std::size_t count = checked_element_count(d, 1, "Reshape");
  std::size_t known = 1, inferred = a.ints.size();
  const std::string head = "Reshape: input to reshape is a tensor with " + std::to_string(count) + " values " +
                           shape_string(d) + ", but the requested shape " + op::detail::dims_string(a.ints);
  dims_vector out(a.ints.size());
  for (std::size_t i = 0; i < a.ints.size(); ++i) {
    if (a.ints[i] == -1) {
      if (inferred != a.ints.size()) throw error(head + " has more than one -1");
      inferred = i;
    } else if (a.ints[i] < 0) {
      throw error(head + " has a negative dimension");
    } else {
      out[i] = static_cast<std::size_t>(a.ints[i]);
      if (__builtin_mul_overflow(known, out[i], &known)) throw error(head + " is too large");
    }
  }
  if (inferred < out.size()) {
    if (known == 0 || count % known != 0) throw error(head + " requires a multiple of " + std::to_string(known));
    out[inferred] = count / known;
  } else if (known != count) {
    throw error(head + " has " + std::to_string(known));
  }
  return out;
}

inline dims_vector expand_dims_dims(std::span<const dims_vector* const> in, const node_attrs& a) {
  dims_vector d = *in[0];
  if (a.ints.size() != 1) throw error("ExpandDims: the dim input must hold one value");
  const std::size_t axis = axis_of(a.ints[0], d.size() + 1, "ExpandDims");
  d.insert(d.begin() + static_cast<std::ptrdiff_t>(axis), 1);
  return d;
}

inline dims_vector squeeze_dims(std::span<const dims_vector* const> in, const node_attrs& a) {
  const auto& d = *in[0];
  std::vector<bool> drop(d.size(), false);
  if (a.ints.empty()) {
    for (std::size_t i = 0; i < d.size(); ++i) drop[i] = d[i] == 1;
  } else {
    for (const auto axis : a.ints) {
      const std::size_t i = axis_of(axis, d.size(), "Squeeze");
      if (d[i] != 1)
        throw error("Squeeze: can not squeeze dim[" + std::to_string(i) + "] of " + shape_string(d) +
                    ", expected a dimension of 1, got " + std::to_string(d[i]));
      drop[i] = true;
    }
  }
  dims_vector out;
  for (std::size_t i = 0; i < d.size(); ++i)
    if (!drop[i]) out.push_back(d[i]);
  return out;
}

// --- Conv2D, MaxPool, AvgPool, FusedBatchNorm (inference) -------------------------------------

inline std::array<std::size_t, 4> nhwc(std::string_view op, const char* what, const dims_vector& d) {
  if (d.size() != 4)
    throw error(std::string(op) + ": " + what + " must have rank 4 (NHWC), got dims " + shape_string(d));
  return to_array<4>(d);
}

inline dims_vector conv2d_dims(std::span<const dims_vector* const> in, const node_attrs& a) {
  const auto x = nhwc("Conv2D", "input", *in[0]), f = nhwc("Conv2D", "filter", *in[1]);
  const auto w = op::conv_geometry("Conv2D", a.window, x, f);
  return {x[0], w.out_h, w.out_w, f[3]};
}

inline void conv2d_forward(io::data_type t, const node_attrs& a, void* out, const dims_vector&,
                           std::span<const const_buffer> in) {
  visit_dtype(t, "Conv2D", [&]<class T>() {
    if constexpr (std::is_floating_point_v<T>) {
      const auto x = to_array<4>(*in[0].dims), f = to_array<4>(*in[1].dims);
      kernels::conv2d(op::conv_geometry("Conv2D", a.window, x, f), static_cast<const T*>(in[0].data),
                      static_cast<const T*>(in[1].data), f[3], static_cast<T*>(out));
    }
  });
}

template <bool Max>
dims_vector pool_dims(std::span<const dims_vector* const> in, const node_attrs& a) {
  constexpr std::string_view op = Max ? "MaxPool" : "AvgPool";
  const auto x = nhwc(op, "input", *in[0]);
  const auto w = a.window.window(op, x, static_cast<std::size_t>(a.window.k_h), static_cast<std::size_t>(a.window.k_w));
  return {x[0], w.out_h, w.out_w, x[3]};
}

template <bool Max>
void pool_forward(io::data_type t, const node_attrs& a, void* out, const dims_vector&,
                  std::span<const const_buffer> in) {
  constexpr std::string_view op = Max ? "MaxPool" : "AvgPool";
  visit_dtype(t, op.data(), [&]<class T>() {
    if constexpr (std::is_floating_point_v<T>) {
      const auto w = a.window.window(op, to_array<4>(*in[0].dims), static_cast<std::size_t>(a.window.k_h),
                                     static_cast<std::size_t>(a.window.k_w));
      if constexpr (Max) kernels::max_pool(w, static_cast<const T*>(in[0].data), static_cast<T*>(out));
      else kernels::avg_pool(w, static_cast<const T*>(in[0].data), static_cast<T*>(out));
    }
  });
}

/// FusedBatchNorm(V2, V3) with is_training false: operands x, scale, offset, mean, variance,
/// the last four of x's channels.
inline dims_vector fused_batch_norm_dims(std::span<const dims_vector* const> in, const node_attrs&) {
  const auto x = nhwc("FusedBatchNormV3", "x", *in[0]);
  for (std::size_t i = 1; i < 5; ++i)
    if (*in[i] != dims_vector{x[3]})
      throw error("FusedBatchNormV3: " +
                  std::string(i == 1   ? "scale"
                              : i == 2 ? "offset"
                              : i == 3 ? "mean"
                                       : "variance") +
                  " has dims " + shape_string(*in[i]) + ", expected [" + std::to_string(x[3]) + "] (x's channels)");
  return *in[0];
}

inline void fused_batch_norm_forward(io::data_type t, const node_attrs& a, void* out, const dims_vector& od,
                                     std::span<const const_buffer> in) {
  visit_dtype(t, "FusedBatchNormV3", [&]<class T>() {
    if constexpr (std::is_same_v<T, float>) {  // TF's FusedBatchNorm takes float (and half) x
      const std::size_t c = od[3],
                        cells = checked_element_count(od, sizeof(T), "FusedBatchNormV3") / std::max<std::size_t>(c, 1);
      const auto* x = static_cast<const T*>(in[0].data);
      const auto* scale = static_cast<const T*>(in[1].data);
      const auto* offset = static_cast<const T*>(in[2].data);
      const auto* mean = static_cast<const T*>(in[3].data);
      const auto* variance = static_cast<const T*>(in[4].data);
      std::vector<T> factor(c);  // as TF's kernel: (x - mean) (scale rsqrt(variance + epsilon)) + offset
      for (std::size_t k = 0; k < c; ++k) factor[k] = scale[k] / std::sqrt(variance[k] + a.epsilon);
      T* y = static_cast<T*>(out);
      for (std::size_t i = 0; i < cells; ++i)
        for (std::size_t k = 0; k < c; ++k) y[i * c + k] = (x[i * c + k] - mean[k]) * factor[k] + offset[k];
    }
  });
}

inline bool is_float(io::data_type t) { return t == io::DT_FLOAT; }

inline dims_vector same_dims(std::span<const dims_vector* const> in, const node_attrs&) { return *in[0]; }

inline io::data_type first_dtype(std::span<const io::data_type> in, const node_attrs&) {
  return is_supported_dtype(in[0]) ? in[0] : io::DT_INVALID;
}

// clang-format off
inline constexpr kernel_entry kernel_table[] = {
    {"MatMul", 2, -1, &same_dtype<is_floating>, &matmul_dims, &matmul_forward},
    {"BatchMatMulV2", 2, -1, &same_dtype<is_floating>, &batch_matmul_dims, &batch_matmul_forward},
    {"BatchMatMul", 2, -1, &same_dtype<is_floating>, &batch_matmul_dims, &batch_matmul_forward},
    {"Softmax", 1, -1, &same_dtype<is_floating>, &softmax_dims, &row_forward<op::softmax>},
    {"LogSoftmax", 1, -1, &same_dtype<is_floating>, &softmax_dims, &row_forward<op::log_softmax>},
    {"L2Loss", 1, -1, &same_dtype<is_floating>, &scalar_dims, &l2_loss_forward},
    {"Sum", 1, 1, &same_dtype<is_numeric>, &reduce_dims, &reduce_forward<op::reduction::sum>},
    {"Mean", 1, 1, &same_dtype<is_numeric>, &reduce_dims, &reduce_forward<op::reduction::mean>},
    {"Max", 1, 1, &same_dtype<is_numeric>, &reduce_dims, &reduce_forward<op::reduction::max>},
    {"Min", 1, 1, &same_dtype<is_numeric>, &reduce_dims, &reduce_forward<op::reduction::min>},
    {"Prod", 1, 1, &same_dtype<is_numeric>, &reduce_dims, &reduce_forward<op::reduction::prod>},
    {"ArgMax", 1, 1, &arg_dtype, &arg_dims<true>, &arg_forward<true>},
    {"ArgMin", 1, 1, &arg_dtype, &arg_dims<false>, &arg_forward<false>},
    {"Transpose", 1, 1, &first_dtype, &transpose_dims, &transpose_forward},
    {"ConcatV2", 0, -2, &same_dtype<any_dtype>, &concat_dims, &concat_forward},
    {"Reshape", 1, 1, &first_dtype, &reshape_dims, nullptr},
    {"ExpandDims", 1, 1, &first_dtype, &expand_dims_dims, nullptr},
    {"Squeeze", 1, -1, &first_dtype, &squeeze_dims, nullptr},
    {"Identity", 1, -1, &first_dtype, &same_dims, nullptr},
    {"StopGradient", 1, -1, &first_dtype, &same_dims, nullptr},
    {"Snapshot", 1, -1, &first_dtype, &same_dims, nullptr},
    {"Conv2D", 2, -1, &same_dtype<is_floating>, &conv2d_dims, &conv2d_forward},
    {"MaxPool", 1, -1, &same_dtype<is_floating>, &pool_dims<true>, &pool_forward<true>},
    {"AvgPool", 1, -1, &same_dtype<is_floating>, &pool_dims<false>, &pool_forward<false>},
    {"FusedBatchNorm", 5, -1, &same_dtype<is_float>, &fused_batch_norm_dims, &fused_batch_norm_forward},
    {"FusedBatchNormV2", 5, -1, &same_dtype<is_float>, &fused_batch_norm_dims, &fused_batch_norm_forward},
    {"FusedBatchNormV3", 5, -1, &same_dtype<is_float>, &fused_batch_norm_dims, &fused_batch_norm_forward},
};
// clang-format on

}  // namespace detail

/// The kernel or shape op named `tf_name`; nullptr when it is not one.
inline const kernel_entry* find_kernel(std::string_view tf_name) {
  for (const auto& e : detail::kernel_table)
    if (e.tf_name == tf_name) return &e;
  return nullptr;
}

}  // namespace typeflow::imported

#endif
