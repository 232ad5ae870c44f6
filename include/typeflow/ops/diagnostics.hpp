#ifndef TYPEFLOW_OPS_DIAGNOSTICS_HPP
#define TYPEFLOW_OPS_DIAGNOSTICS_HPP

// Compile-time errors name the offending types by instantiating an incomplete type named
// after the problem: both compilers print its full name (with the shapes or dtypes).

namespace typeflow::diagnostic {

/// The static shapes of an elementwise op's operands do not broadcast (NumPy rules:
/// dims are compared from the right; equal dims or a 1 are compatible).
template <class Op, class ShapeA, class ShapeB>
struct error_shapes_do_not_broadcast;

/// tf::matmul(a, b): a's last dim (after any transpose) must equal b's first.
template <class ShapeA, class ShapeB>
struct error_matmul_inner_dimensions_differ;

/// tf::matmul takes rank-2 operands (or rank-3 batches of matrices with a rank-2 or -3 partner).
template <class ShapeA, class ShapeB>
struct error_matmul_needs_rank_2_operands;

/// tf::matmul on batches: the batch dims (first) differ and neither is 1.
template <class ShapeA, class ShapeB>
struct error_matmul_batch_dimensions_differ;

/// Both operands of an op must have the same dtype (use tf::cast to convert).
template <class Op, class DtypeA, class DtypeB>
struct error_dtypes_differ;

/// A floating-point number next to an integer tensor (`x * 0.5`, x int32): TF refuses it too
/// (TypeError: Expected int32, got 0.5 of type 'float'), where a conversion would truncate it.
/// clang quotes the declaration's line, g++ the line that names it (ops/elementwise.hpp's
/// literal_like): each says what to write.
// clang-format off
template <class TensorDtype, class Number>
struct error_floating_point_number_with_integer_tensor;  // a floating-point number next to an integer tensor: write an integer, or cast the tensor first (tf::cast<float>(x))
// clang-format on

/// A reduction axis is outside [-rank, rank).
template <class Shape, class Axes>
struct error_axis_out_of_range;

/// An op named in this type is not defined for the dtype named in it (TensorFlow registers
/// no kernel for it either: tf.sqrt of an int32 tensor); use tf::cast first.
template <class Op, class Dtype>
struct error_op_does_not_support_dtype;

/// tf::where(cond, x, y): cond must be a bool tensor (a comparison, or a bool placeholder).
template <class Dtype>
struct error_where_condition_is_not_bool;

/// `x + s` where x is a graph node and s (named in this type) is neither a node nor a number:
/// what + - * / return for such a pair (ops/elementwise.hpp).
// clang-format off
template <class Operand>
struct error_operand_is_neither_a_graph_node_nor_a_number;  // an operand is neither a graph node nor a number: wrap an array in tf::constant(array) or feed it through a tf::placeholder
// clang-format on

}  // namespace typeflow::diagnostic

#endif
