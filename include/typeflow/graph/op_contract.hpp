#ifndef TYPEFLOW_GRAPH_OP_CONTRACT_HPP
#define TYPEFLOW_GRAPH_OP_CONTRACT_HPP

// The op contract: what an op tag (the `Op` of graph::node<Op, Args...>) may define, and the
// defaults of what it leaves out. Every reader of op tags (the graph, autodiff, the Session's
// schedule and CPU executor, the exporters; later the .pb interpreter, eager mode and the CUDA
// backend) goes through op::traits<Op> and the concepts below, never through a member that
// may be absent, so a tag defines only what it means.
//
// Every tag:
//   tf_name                               TensorFlow's op name (GraphDef export, .pb import)
//   template <class... A> using value_type the result dtype for operands A (void: an operation)
//   template <class... A> using shape_type the static result shape
// One of three kinds:
//   elementwise op  `elementwise = true`; a scalar form `operator()(values...)`; optionally
//                   `simd_apply(batches...)` (else the fused loop runs the scalar form) and
//                   `accepts<T>` (the dtypes TensorFlow defines it for)
//   kernel op       `forward(tensor_ref out, tensor_ref operands...)` and `result_dims(dims...)`
//                   (or `shape_operand`: the result has that operand's dims)
//   operation       value_type void; with `updates_variable = true`, `apply(tensor_refs...)`
//                   writes its first `updated_operands` (default 1) operands, which are variables
// Optional for every kind (defaults in op::traits):
//   vjp(g, node)                  the vector-Jacobian product: op::parts{...} (graph/parts.hpp)
//                                 with one gradient per operand
//   differentiable(i)             false where no gradient flows into operand i (default true);
//                                 an op without a gradient says so here and defines no vjp
//   reads_values(i)               false where only operand i's dims are read (default true)
//   tf_attrs(node)                the GraphDef attributes and const inputs of the exported node
//   tf_op                         false where tf_name is no TensorFlow op (an op TF computes from
//                                 primitives): exporting it to a GraphDef is an error naming it
//   compute_type<A...>            the dtype a fused loop computes an elementwise op in (default:
//                                 value_type, but a bool result is computed as a batch_bool of
//                                 its first operand's dtype, as comparisons are)
//   broadcast_operand, broadcast_dims(out)
//                                 an elementwise op reads operand `broadcast_operand` from its
//                                 buffer with `broadcast_dims(out dims)`, not its own (a
//                                 reduction's gradient spreads g over the reduced axes)
//   at_run_time(operand dims...)  the elementwise op a loop runs in its place, for an op whose
//                                 scalar form needs run-time dims (a mean's gradient: 1/count)
//   view_offset                   a kernel op whose result is operand 0's elements from this
//                                 offset on, in its own dims: an executor may read them in place
//                                 (the CPU executor does where operand 0 has a buffer), and
//                                 forward copies them
//   sums_all<A>, total_scale(dims) a kernel op that is `total_scale(x dims) * sum(x)` over every
//                                 element of an elementwise x, which an executor may then fuse
//                                 into x's loop (reduce_sum, reduce_mean)
//   operator==                    for tags with run-time attributes (leaky_relu's alpha)
// Optional for operations:
//   validate(operand dims...)     throws where apply would (a run validates every operation
//                                 before any applies, so that its updates are all or none)
//   m_use_locking                 apply holds the locks of the variables it writes (TF's
//                                 use_locking; op::locking_operation has it)

#include <array>
#include <concepts>
#include <cstddef>
#include <string_view>
#include <type_traits>

#include "../core/shape.hpp"
#include "parts.hpp"

namespace typeflow {

namespace diagnostic {
/// An op tag (named in this type) defines no `tf_name` (a std::string_view: TensorFlow's op name).
template <class Op>
struct error_op_tag_defines_no_tf_name;
/// An op tag (named in this type) defines no `template <class... Operands> using value_type`
/// for these operands (its result's dtype; void for an operation).
template <class Op>
struct error_op_tag_defines_no_value_type_for_these_operands;
/// An op tag (named in this type) defines no `template <class... Operands> using shape_type`
/// for these operands (its result's static shape).
template <class Op>
struct error_op_tag_defines_no_shape_type_for_these_operands;
/// An elementwise op tag (named in this type) has no scalar form `operator()(values...)` for
/// the operands' dtypes (the second type).
template <class Op, class Dtypes>
struct error_elementwise_op_tag_has_no_operator_call_for;
/// A kernel op tag (named in this type) has no `forward(tensor_ref out, tensor_ref operands...)`
/// for these operands, or no `result_dims(dims...)` (nor a `shape_operand`).
template <class Op>
struct error_kernel_op_tag_has_no_forward_or_result_dims;
/// An operation tag (named in this type) says `updates_variable = true` but has no `apply`.
template <class Op>
struct error_updating_op_tag_has_no_apply;
/// A gradient flows through an op tag (named in this type) that defines no `vjp(g, node)`. If
/// the op has no gradient, say so: `static constexpr bool differentiable(std::size_t) { return false; }`.
template <class Op>
struct error_op_tag_defines_no_vjp;
}  // namespace diagnostic

namespace op {

/// The optional members of op tag Op, with their defaults.
template <class Op>
struct traits {
  static constexpr bool elementwise = [] {
    if constexpr (requires { Op::elementwise; }) return bool{Op::elementwise};
    else return false;
  }();
  static constexpr bool updates_variable = [] {
    if constexpr (requires { Op::updates_variable; }) return bool{Op::updates_variable};
    else return false;
  }();
  static constexpr std::size_t updated_operands = [] {
    if constexpr (requires { Op::updated_operands; }) return std::size_t{Op::updated_operands};
    else return std::size_t{1};
  }();
  static constexpr bool has_shape_operand = requires { Op::shape_operand; };
  static constexpr bool has_broadcast_operand = requires { Op::broadcast_operand; };
  static constexpr bool tf_op = [] {
    if constexpr (requires { Op::tf_op; }) return bool{Op::tf_op};
    else return true;
  }();

  static constexpr bool reads_values(std::size_t i) {
    if constexpr (requires { Op::reads_values(i); }) return Op::reads_values(i);
    else return true;
  }
  static constexpr bool differentiable(std::size_t i) {
    if constexpr (requires { Op::differentiable(i); }) return Op::differentiable(i);
    else return true;
  }
  static constexpr bool use_locking(const Op& op) {
    if constexpr (requires { op.m_use_locking; }) return op.m_use_locking;
    else return false;
  }
  /// Whether operand i is read from its buffer with broadcast_dims (never as an expression).
  static constexpr bool broadcast_from_buffer(std::size_t i) {
    if constexpr (has_broadcast_operand) return i == Op::broadcast_operand;
    else return false;
  }
};

namespace detail {
template <class Op>
concept has_tf_name = requires {
  Op::tf_name;
};
template <class Op, class... A>
concept has_value_type = requires {
  typename Op::template value_type<A...>;
};

/// What tag Op lacks for operands A (the first of tf_name, value_type, shape_type), as the
/// diagnostic type that names it.
template <class Op, class... A>
using contract_error_t = std::conditional_t<
    !has_tf_name<Op>, diagnostic::error_op_tag_defines_no_tf_name<Op>,
    std::conditional_t<!has_value_type<Op, A...>, diagnostic::error_op_tag_defines_no_value_type_for_these_operands<Op>,
                       diagnostic::error_op_tag_defines_no_shape_type_for_these_operands<Op>>>;

/// A tag that breaks the contract: named once, here, in the class a node instantiates for its
/// value_type (one line from the user's), then types that add no second error.
template <class Op, class... A>
struct result_types {
  static_assert(sizeof(contract_error_t<Op, A...>));
  using value = void;
  using shape = typeflow::shape<>;
};
template <class Op, class... A>
  requires requires {
    Op::tf_name;
    typename Op::template value_type<A...>;
    typename Op::template shape_type<A...>;
  }
struct result_types<Op, A...> {
  using value = typename Op::template value_type<A...>;
  using shape = typename Op::template shape_type<A...>;
};

template <class Op, class A0, class... A>
constexpr auto compute_type_of() {
  if constexpr (requires { typename Op::template compute_type<A0, A...>; })
    return std::type_identity<typename Op::template compute_type<A0, A...>>{};
  else if constexpr (std::is_same_v<typename Op::template value_type<A0, A...>, bool>)
    return std::type_identity<typename A0::value_type>{};
  else return std::type_identity<typename Op::template value_type<A0, A...>>{};
}
}  // namespace detail

/// The result dtype and static shape of Op over operand nodes A.
template <class Op, class... A>
using value_type_t = typename detail::result_types<Op, A...>::value;
template <class Op, class... A>
using shape_type_t = typename detail::result_types<Op, A...>::shape;

/// The dtype in which a fused loop computes Op over operand nodes A (see the header comment).
template <class Op, class... A>
using compute_type_t = typename decltype(detail::compute_type_of<Op, A...>())::type;

/// A tag that can be a node's op: a TF name, a result dtype and a static shape for these operands.
template <class Op, class... A>
concept op_tag = requires {
  { Op::tf_name } -> std::convertible_to<std::string_view>;
  typename Op::template value_type<A...>;
  typename Op::template shape_type<A...>;
};

/// An op that a fused loop runs: a scalar form over the operands' dtypes.
template <class Op, class... T>
concept elementwise_op = traits<Op>::elementwise && requires(const Op& op, T... v) {
  op(v...);
};

/// An elementwise op with a SIMD form for batches B.
template <class Op, class... B>
concept simd_op = requires(const Op& op, const B&... b) {
  op.simd_apply(b...);
};

/// An op computed into its own buffer by `forward`, the operands read as tensor_refs.
template <class Op, class Out, class... In>
concept kernel_op = !traits<Op>::elementwise && requires(const Op& op, Out out, In... in) {
  op.forward(out, in...);
};

/// An operation that writes variables.
template <class Op>
concept state_op = traits<Op>::updates_variable;

/// An op through which gradients flow: it defines its vector-Jacobian product.
template <class Op, class G, class N>
concept differentiable_op = requires(const G& g, const N& n) {
  Op::vjp(g, n);
};

}  // namespace op
}  // namespace typeflow

#endif
