#ifndef TYPEFLOW_OPS_LINALG_HPP
#define TYPEFLOW_OPS_LINALG_HPP

#include <string_view>
#include <tuple>

#include "../core/error.hpp"
#include "../core/tensor_ref.hpp"
#include "../graph/node.hpp"
#include "../kernels/matmul.hpp"
#include "diagnostics.hpp"

namespace typeflow {

/// Compile-time transpose flags for tf::matmul, as TF's `transpose_a=True` / `transpose_b=True`.
struct transpose_a_t {};
struct transpose_b_t {};
inline constexpr transpose_a_t transpose_a{};
inline constexpr transpose_b_t transpose_b{};

namespace op {

/// C = op(A) op(B) for rank-2 operands, op(X) being X or its transpose.
template <bool TransposeA, bool TransposeB>
struct matmul {
  static constexpr bool elementwise = false;
  static constexpr std::string_view tf_name = "MatMul";
  static constexpr bool transpose_a = TransposeA;
  static constexpr bool transpose_b = TransposeB;

  template <class A, class B>
  using value_type = value_t<A>;
  template <class A, class B>
  using shape_type = shape<shape_of_t<A>::dims[TransposeA ? 1 : 0], shape_of_t<B>::dims[TransposeB ? 0 : 1]>;

  /// TensorFlow's attrs beyond T, for the exporters (io/meta_graph.hpp).
  static void tf_attrs(auto& node) {
    node.attr_bool("transpose_a", TransposeA);
    node.attr_bool("transpose_b", TransposeB);
  }

  /// Run-time dims of the result; throws if the inner dimensions differ.
  static std::array<std::size_t, 2> result_dims(const std::array<std::size_t, 2>& a,
                                                const std::array<std::size_t, 2>& b) {
    const std::size_t ka = a[TransposeA ? 0 : 1], kb = b[TransposeB ? 1 : 0];
    if (ka != kb)
      throw error("MatMul: inner dimensions differ: " + shape_string(a) + (TransposeA ? "^T" : "") + " x " +
                  shape_string(b) + (TransposeB ? "^T" : ""));
    return {a[TransposeA ? 1 : 0], b[TransposeB ? 0 : 1]};
  }

  template <class T>
  static void forward(tensor_ref<T, 2> out, tensor_ref<const T, 2> a, tensor_ref<const T, 2> b) {
    kernels::matmul<TransposeA, TransposeB>(a.data, b.data, out.data, out.dims[0], out.dims[1],
                                            a.dims[TransposeA ? 0 : 1]);
  }

  // C = AB: dA = G B^T, dB = A^T G; the transposed forms follow from (XY)^T = Y^T X^T.
  static constexpr auto vjp(const auto& g, const auto& n) {
    const auto& a = n.template arg<0>();
    const auto& b = n.template arg<1>();
    if constexpr (!TransposeA && !TransposeB)
      return std::tuple{make(g, b, matmul<false, true>{}), make(a, g, matmul<true, false>{})};
    else if constexpr (TransposeA && !TransposeB)
      return std::tuple{make(b, g, matmul<false, true>{}), make(a, g, matmul<false, false>{})};
    else if constexpr (!TransposeA && TransposeB)
      return std::tuple{make(g, b, matmul<false, false>{}), make(g, a, matmul<true, false>{})};
    else
      return std::tuple{make(b, g, matmul<true, true>{}), make(g, a, matmul<true, true>{})};
  }

  template <class A, class B, bool TA, bool TB>
  static constexpr auto make(const A& a, const B& b, matmul<TA, TB> op) {
    return graph::node<matmul<TA, TB>, A, B>(op, a, b);
  }
};

}  // namespace op

namespace detail {

template <bool TA, bool TB, tensor_node A, tensor_node B>
constexpr auto make_matmul(const A& a, const B& b) {
  using SA = shape_of_t<A>;
  using SB = shape_of_t<B>;
  if constexpr (SA::rank != 2 || SB::rank != 2) {
    // tf::matmul takes two rank-2 tensors; the operands' shapes are named in this type.
    diagnostic::error_matmul_needs_rank_2_operands<SA, SB> error;
    return a;
  } else {
    constexpr auto ka = SA::dims[TA ? 0 : 1];
    constexpr auto kb = SB::dims[TB ? 1 : 0];
    if constexpr (!std::is_same_v<value_t<A>, value_t<B>>) {
      // Both operands must have one dtype.
      diagnostic::error_dtypes_differ<op::matmul<TA, TB>, value_t<A>, value_t<B>> error;
    } else if constexpr (ka != kb && ka != none && kb != none) {
      // The inner dimensions of the two shapes named in this type differ.
      diagnostic::error_matmul_inner_dimensions_differ<SA, SB> error;
    }
    return op::matmul<TA, TB>::make(a, b, op::matmul<TA, TB>{});
  }
}

}  // namespace detail

/// tf.matmul(a, b), with optional compile-time transposes:
/// `tf::matmul(a, b, tf::transpose_a)`, `tf::matmul(a, b, tf::transpose_b)`, or both.
template <tensor_node A, tensor_node B, class... Flags>
constexpr auto matmul(const A& a, const B& b, Flags...) {
  constexpr bool ta = (std::is_same_v<Flags, transpose_a_t> || ...);
  constexpr bool tb = (std::is_same_v<Flags, transpose_b_t> || ...);
  static_assert(((std::is_same_v<Flags, transpose_a_t> || std::is_same_v<Flags, transpose_b_t>) && ...),
                "typeflow::matmul: the only options are tf::transpose_a and tf::transpose_b");
  return detail::make_matmul<ta, tb>(a, b);
}

}  // namespace typeflow

#endif
