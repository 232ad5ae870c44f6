#ifndef TYPEFLOW_OPS_LINALG_HPP
#define TYPEFLOW_OPS_LINALG_HPP

#include <algorithm>
#include <array>
#include <cstdint>
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

  /// op(b) packed for forward's GEMM: both runtimes pack a constant b (a graph's tf::constant,
  /// a frozen weight) once, rather than in every product.
  template <class T>
  static kernels::gemm::packed_b<T> pack_b(tensor_ref<const T, 2> b) {
    return kernels::gemm::packed_b<T>::template pack<TransposeB>(b.data, b.dims[TransposeB ? 0 : 1],
                                                                 b.dims[TransposeB ? 1 : 0]);
  }

  /// `packed`: b packed for the GEMM already (pack_b), or null.
  template <class T>
  static void forward(tensor_ref<T, 2> out, tensor_ref<const T, 2> a, tensor_ref<const T, 2> b,
                      const kernels::gemm::packed_b<T>* packed = nullptr) {
    kernels::matmul<TransposeA, TransposeB>(a.data, b.data, out.data, out.dims[0], out.dims[1],
                                            a.dims[TransposeA ? 0 : 1], packed);
  }

  // C = AB: dA = G B^T, dB = A^T G; the transposed forms follow from (XY)^T = Y^T X^T.
  static constexpr auto vjp(const auto& g, const auto& n) {
    const auto& a = n.template arg<0>();
    const auto& b = n.template arg<1>();
    if constexpr (!TransposeA && !TransposeB)
      return op::parts{make(g, b, matmul<false, true>{}), make(a, g, matmul<true, false>{})};
    else if constexpr (TransposeA && !TransposeB)
      return op::parts{make(b, g, matmul<false, true>{}), make(a, g, matmul<false, false>{})};
    else if constexpr (!TransposeA && TransposeB)
      return op::parts{make(g, b, matmul<false, false>{}), make(g, a, matmul<true, false>{})};
    else return op::parts{make(b, g, matmul<true, true>{}), make(g, a, matmul<true, true>{})};
  }

  template <class A, class B, bool TA, bool TB>
  static constexpr auto make(const A& a, const B& b, matmul<TA, TB> op) {
    return graph::node<matmul<TA, TB>, A, B>(op, a, b);
  }
};

/// The gradient of a batched matmul for an operand whose batch dim is tf::none: the
/// product's batches summed when the operand's run-time batch is 1 (it was broadcast),
/// copied otherwise. Reads only the dims of x, the operand.
struct batch_sum_to {
  static constexpr std::string_view tf_name = "Sum";
  static constexpr bool reads_values(std::size_t i) { return i == 0; }
  template <class P, class X>
  using value_type = value_t<P>;
  template <class P, class X>
  using shape_type = shape_of_t<X>;
  static std::array<std::size_t, 3> result_dims(const std::array<std::size_t, 3>&,
                                                const std::array<std::size_t, 3>& x) {
    return x;
  }
  template <class T>
  static void forward(tensor_ref<T, 3> out, tensor_ref<const T, 3> p, tensor_ref<const T, 3>) {
    const std::size_t n = out.dims[1] * out.dims[2];
    if (p.dims[0] == out.dims[0] || n == 0) {
      std::copy(p.data, p.data + p.size(), out.data);
      return;
    }
    std::fill(out.data, out.data + n, T(0));
    for (std::size_t b = 0; b < p.dims[0]; ++b)
      for (std::size_t i = 0; i < n; ++i) out.data[i] += p.data[b * n + i];
  }
};

/// C[i] = op(A[i]) op(B[i]) for rank-3 operands, as TF's BatchMatMulV2: a batch dim of 1, or
/// a rank-2 operand, is shared by every batch of the other operand.
template <bool TransposeA, bool TransposeB>
struct batch_matmul {
  static constexpr std::string_view tf_name = "BatchMatMulV2";
  static constexpr bool transpose_a = TransposeA;
  static constexpr bool transpose_b = TransposeB;
  static void tf_attrs(auto& node) {  // BatchMatMulV2 calls its transposes adjoints
    node.attr_bool("adj_x", TransposeA);
    node.attr_bool("adj_y", TransposeB);
  }

  template <class A, class B>
  using value_type = value_t<A>;
  template <class A, class B>
  struct result_of {
    static constexpr auto dims() {
      using SA = shape_of_t<A>;
      using SB = shape_of_t<B>;
      constexpr std::size_t ra = SA::rank, rb = SB::rank;
      const std::int64_t ba = ra == 3 ? SA::dims[0] : 1, bb = rb == 3 ? SB::dims[0] : 1;
      return dims_t<3>{typeflow::detail::broadcast_dim(ba, bb), SA::dims[ra - (TransposeA ? 1 : 2)],
                       SB::dims[rb - (TransposeB ? 2 : 1)]};
    }
  };
  template <class A, class B>
  using shape_type = shape_from_t<result_of<A, B>>;

  /// Run-time dims of the result; throws if the inner dimensions differ or the batches do not broadcast.
  template <std::size_t RA, std::size_t RB>
  static std::array<std::size_t, 3> result_dims(const std::array<std::size_t, RA>& a,
                                                const std::array<std::size_t, RB>& b) {
    const std::size_t ba = RA == 3 ? a[0] : 1, bb = RB == 3 ? b[0] : 1;
    const std::size_t ka = a[RA - (TransposeA ? 2 : 1)], kb = b[RB - (TransposeB ? 1 : 2)];
    if (ka != kb)
      throw error("BatchMatMulV2: inner dimensions differ: " + shape_string(a) + (TransposeA ? "^T" : "") + " x " +
                  shape_string(b) + (TransposeB ? "^T" : ""));
    if (ba != bb && ba != 1 && bb != 1)
      throw error("BatchMatMulV2: batch dimensions do not broadcast: " + shape_string(a) + " x " + shape_string(b));
    return {ba == 1 ? bb : ba, a[RA - (TransposeA ? 1 : 2)], b[RB - (TransposeB ? 2 : 1)]};
  }

  template <class T, std::size_t RA, std::size_t RB>
  static void forward(tensor_ref<T, 3> out, tensor_ref<const T, RA> a, tensor_ref<const T, RB> b) {
    const std::size_t m = out.dims[1], n = out.dims[2], k = a.dims[RA - (TransposeA ? 2 : 1)];
    const std::size_t sa = RA == 3 && a.dims[0] != 1 ? m * k : 0, sb = RB == 3 && b.dims[0] != 1 ? k * n : 0;
    for (std::size_t i = 0; i < out.dims[0]; ++i)
      kernels::matmul<TransposeA, TransposeB>(a.data + i * sa, b.data + i * sb, out.data + i * m * n, m, n, k);
  }

  // As matmul's, per batch; a broadcast operand's gradient is summed over the batches
  // (by unbroadcast for a static 1 or a rank-2 operand, by batch_sum_to for a tf::none batch).
  static constexpr auto vjp(const auto& g, const auto& n) {
    const auto& a = n.template arg<0>();
    const auto& b = n.template arg<1>();
    if constexpr (!TransposeA && !TransposeB)
      return op::parts{fit(make(g, b, batch_matmul<false, true>{}), a, b),
                       fit(make(a, g, batch_matmul<true, false>{}), b, a)};
    else if constexpr (TransposeA && !TransposeB)
      return op::parts{fit(make(b, g, batch_matmul<false, true>{}), a, b),
                       fit(make(a, g, batch_matmul<false, false>{}), b, a)};
    else if constexpr (!TransposeA && TransposeB)
      return op::parts{fit(make(g, b, batch_matmul<false, false>{}), a, b),
                       fit(make(g, a, batch_matmul<true, false>{}), b, a)};
    else
      return op::parts{fit(make(b, g, batch_matmul<true, true>{}), a, b),
                       fit(make(g, a, batch_matmul<true, true>{}), b, a)};
  }

  template <class A, class B, bool TA, bool TB>
  static constexpr auto make(const A& a, const B& b, batch_matmul<TA, TB> op) {
    return graph::node<batch_matmul<TA, TB>, A, B>(op, a, b);
  }

  /// The gradient part p of operand x, in x's batches when x's batch is tf::none and the other
  /// operand's batch may differ from it at run time.
  template <class P, class X, class Other>
  static constexpr auto fit(const P& p, const X& x, const Other&) {
    if constexpr (rank_v<X> == 3 && shape_of_t<X>::dims[0] == none && rank_v<Other> == 3 &&
                  shape_of_t<Other>::dims[0] != 1)
      return graph::node<batch_sum_to, P, X>({}, p, x);
    else return p;
  }
};

}  // namespace op

namespace detail {

/// Whether tf::matmul of these shapes multiplies batches of matrices (BatchMatMulV2).
template <class SA, class SB>
inline constexpr bool is_batch_matmul_v = (SA::rank == 3 || SB::rank == 3) && SA::rank >= 2 && SB::rank >= 2;

/// tf::matmul's operand checks, on dtypes and shapes alone, as detail::check_binary's: the
/// user's call is the one frame of an error that prints the operands' node types.
template <bool TA, bool TB, class DA, class DB, class SA, class SB>
constexpr void check_matmul() {
  constexpr bool batched = is_batch_matmul_v<SA, SB>;
  if constexpr (!batched && (SA::rank != 2 || SB::rank != 2)) {
    // tf::matmul takes two rank-2 tensors, or rank-3 ones (a batch of matrices, BatchMatMulV2)
    // with a rank-2 or rank-3 partner; the operands' shapes are named in this type.
    diagnostic::error_matmul_needs_rank_2_operands<SA, SB> error;
  } else {
    using Op = std::conditional_t<batched, op::batch_matmul<TA, TB>, op::matmul<TA, TB>>;
    constexpr auto ka = SA::dims[SA::rank - (TA ? 2 : 1)];
    constexpr auto kb = SB::dims[SB::rank - (TB ? 1 : 2)];
    constexpr std::int64_t ba = SA::rank == 3 ? SA::dims[0] : 1, bb = SB::rank == 3 ? SB::dims[0] : 1;
    if constexpr (!std::is_same_v<DA, DB>) {
      // Both operands must have one dtype.
      diagnostic::error_dtypes_differ<Op, DA, DB> error;
    } else if constexpr (ka != kb && ka != none && kb != none) {
      // The inner dimensions of the two shapes named in this type differ.
      diagnostic::error_matmul_inner_dimensions_differ<SA, SB> error;
    } else if constexpr (batched && broadcast_dim(ba, bb) == 0 && ba != 0 && bb != 0) {
      // The batch dims (first) of the two shapes named in this type differ and neither is 1.
      diagnostic::error_matmul_batch_dimensions_differ<SA, SB> error;
    }
  }
}

template <bool TA, bool TB, tensor_node A, tensor_node B>
constexpr auto make_matmul(const A& a, const B& b) {
  using SA = shape_of_t<A>;
  using SB = shape_of_t<B>;
  check_matmul<TA, TB, value_t<A>, value_t<B>, SA, SB>();
  if constexpr (is_batch_matmul_v<SA, SB>) return op::batch_matmul<TA, TB>::make(a, b, op::batch_matmul<TA, TB>{});
  else if constexpr (SA::rank != 2 || SB::rank != 2) return a;  // reported by check_matmul
  else return op::matmul<TA, TB>::make(a, b, op::matmul<TA, TB>{});
}

}  // namespace detail

/// tf.matmul(a, b), with optional compile-time transposes:
/// `tf::matmul(a, b, tf::transpose_a)`, `tf::matmul(a, b, tf::transpose_b)`, or both.
/// Rank-3 operands are batches of matrices (BatchMatMulV2; a batch of 1 or a rank-2
/// operand is shared by every batch of the other).
template <tensor_node A, tensor_node B, class... Flags>
constexpr auto matmul(const A& a, const B& b, Flags...) {
  constexpr bool ta = (std::is_same_v<Flags, transpose_a_t> || ...);
  constexpr bool tb = (std::is_same_v<Flags, transpose_b_t> || ...);
  // clang-format off
  static_assert(((std::is_same_v<Flags, transpose_a_t> || std::is_same_v<Flags, transpose_b_t>) && ...),
                "typeflow::matmul: the only options are tf::transpose_a and tf::transpose_b");
  // clang-format on
  detail::check_matmul<ta, tb, value_t<A>, value_t<B>, shape_of_t<A>, shape_of_t<B>>();
  return detail::make_matmul<ta, tb>(a, b);
}

}  // namespace typeflow

#endif
