#ifndef TYPEFLOW_OPS_NN_HPP
#define TYPEFLOW_OPS_NN_HPP

// tf.nn: softmax and log_softmax over the last axis, the softmax and sigmoid cross-entropies
// with logits, l2_loss and bias_add. The softmax family are kernel ops (kernels/nn.hpp: one
// fused, max-shifted pass per row, as TF's kernels); their gradients are fused kernel ops too,
// so the backward pass of a softmax cross-entropy is one more pass over the logits.
// sigmoid_cross_entropy_with_logits and bias_add are elementwise and fuse with their neighbours.

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>

#include "../core/error.hpp"
#include "../core/tensor_ref.hpp"
#include "../graph/node.hpp"
#include "../kernels/nn.hpp"
#include "diagnostics.hpp"
#include "elementwise.hpp"
#include "keyword.hpp"
#include "reduce.hpp"

namespace typeflow {

namespace diagnostic {

/// tf::nn::softmax, log_softmax and the softmax cross-entropies work on the last axis of
/// logits of rank >= 1; the rank-0 shape is named in this type.
template <class Op, class Shape>
struct error_logits_must_have_rank_at_least_1;

/// softmax_cross_entropy_with_logits(labels, logits): labels and logits must have one shape
/// (sparse_: labels have the shape of logits without its last axis). Both are named here.
template <class Op, class LabelsShape, class LogitsShape>
struct error_labels_and_logits_shapes_differ;

/// sparse_softmax_cross_entropy_with_logits takes int32 or int64 class indices as labels.
template <class LabelsDtype>
struct error_sparse_labels_must_be_int32_or_int64;

/// tf::nn::bias_add(value, bias): value has rank >= 2 and bias is rank 1 with value's last
/// dim (TF's BiasAdd). The value's and the bias's shapes are named in this type.
template <class ValueShape, class BiasShape>
struct error_bias_add_bias_must_be_rank_1_and_match_last_dim;

}  // namespace diagnostic

namespace detail {

/// Static shapes that can be equal at run time (`none` matches any dim).
template <class A, class B>
inline constexpr bool compatible_shapes_v = [] {
  if constexpr (A::rank != B::rank) {
    return false;
  } else {
    for (std::size_t i = 0; i < A::rank; ++i)
      if (A::dims[i] != B::dims[i] && A::dims[i] != none && B::dims[i] != none) return false;
    return true;
  }
}();

template <class S>
struct without_last_axis {
  static constexpr auto dims() {
    std::array<std::int64_t, S::rank - 1> d{};
    for (std::size_t i = 0; i + 1 < S::rank; ++i) d[i] = S::dims[i];
    return d;
  }
};

}  // namespace detail

/// The shape S without its last axis: the shape of a per-example loss.
template <class S>
using without_last_axis_t = shape_from_t<detail::without_last_axis<S>>;

namespace detail {

// The scalar and SIMD forms share one body: V is a float type or an xsimd batch, whose math
// functions argument-dependent lookup finds.

/// max(x, 0) - x z + log1p(exp(-|x|)): never overflows, exact for large |x|.
template <class V>
V sigmoid_cross_entropy(const V& z, const V& x) {
  using std::abs, std::exp, std::log1p, std::max;
  return max(x, V(0)) - x * z + log1p(exp(-abs(x)));
}

/// sigmoid(x) - z, with sigmoid(x) = 1 / (1 + e) for x >= 0, e / (1 + e) otherwise, e = exp(-|x|) <= 1.
template <class V>
V sigmoid_minus(const V& z, const V& x) {
  using std::abs, std::exp;
  const V e = exp(-abs(x));
  const V r = V(1) / (V(1) + e);
  if constexpr (std::is_floating_point_v<V>) return (x >= 0 ? r : e * r) - z;
  else return select(x >= V(0), r, e * r) - z;
}

}  // namespace detail

namespace op {

/// Kernels over the rows of the last axis.
struct row_kernel {
  /// TensorFlow's cross-entropy ops take rank-2 logits (its Python functions reshape others to
  /// [-1, classes] around them); the GraphDef exporter says so for other ranks.
  static void require_rank_2(auto& node) {
    if (node.input_rank(0) != 2)
      throw error("GraphDef export: TensorFlow's " + node.op() + " takes rank-2 logits, not rank " +
                  std::to_string(node.input_rank(0)) + ": reshape them to [-1, classes] first");
  }
  /// Rows: the product of all dims but the last.
  template <std::size_t R>
  static std::size_t rows(const std::array<std::size_t, R>& d) {
    std::size_t n = 1;
    for (std::size_t i = 0; i + 1 < R; ++i) n *= d[i];
    return n;
  }
  template <std::size_t R>
  static std::array<std::size_t, R - 1> without_last(const std::array<std::size_t, R>& d) {
    std::array<std::size_t, R - 1> out{};
    for (std::size_t i = 0; i + 1 < R; ++i) out[i] = d[i];
    return out;
  }
  /// Run-time check of labels' dims against logits' (sparse: logits without the last axis).
  template <std::size_t RL, std::size_t R>
  static void check_labels_dims(std::string_view op, const std::array<std::size_t, RL>& labels,
                                const std::array<std::size_t, R>& logits) {
    bool same = true;
    for (std::size_t i = 0; i < RL; ++i) same = same && labels[i] == logits[i];
    if (!same)
      throw error(std::string(op) + ": labels of shape " + shape_string(labels) + " do not match logits of shape " +
                  shape_string(logits) + (RL < R ? " (expected logits' shape without its last axis)" : ""));
  }
  /// Sparse labels must be class indices in [0, classes), as TF's CPU kernel requires.
  template <class Label, std::size_t RL>
  static void check_label_range(std::string_view op, tensor_ref<const Label, RL> labels, std::size_t classes) {
    const std::size_t n = labels.size();
    for (std::size_t i = 0; i < n; ++i) {
      const Label v = labels.data[i];
      if (v >= 0 && static_cast<std::size_t>(v) < classes) continue;
      std::array<std::size_t, RL> index{};  // i as coordinates in labels
      for (std::size_t j = RL, rest = i; j-- > 0; rest /= labels.dims[j]) index[j] = rest % labels.dims[j];
      throw error(std::string(op) + ": labels" + (RL == 0 ? std::string() : shape_string(index)) + " = " +
                  std::to_string(v) + " is outside the valid range of classes [0, " + std::to_string(classes) + ")");
    }
  }
};

/// out = (g - sum(g y, -1, keepdims)) y: the gradient of y = softmax(x); operands (g, y).
struct softmax_grad : row_kernel {
  static constexpr std::string_view tf_name = "SoftmaxGrad";
  template <class G, class Y>
  using value_type = value_t<Y>;
  template <class G, class Y>
  using shape_type = shape_of_t<Y>;
  template <std::size_t R>
  static std::array<std::size_t, R> result_dims(const std::array<std::size_t, R>&,
                                                const std::array<std::size_t, R>& y) {
    return y;
  }
  template <class T, std::size_t R>
  static void forward(tensor_ref<T, R> out, tensor_ref<const T, R> g, tensor_ref<const T, R> y) {
    kernels::softmax_grad(g.data, y.data, out.data, rows(y.dims), y.dims[R - 1]);
  }
};

/// out = g - exp(y) sum(g, -1, keepdims): the gradient of y = log_softmax(x); operands (g, y).
struct log_softmax_grad : softmax_grad {
  static constexpr std::string_view tf_name = "LogSoftmaxGrad";
  template <class T, std::size_t R>
  static void forward(tensor_ref<T, R> out, tensor_ref<const T, R> g, tensor_ref<const T, R> y) {
    kernels::log_softmax_grad(g.data, y.data, out.data, rows(y.dims), y.dims[R - 1]);
  }
};

/// softmax(x) over the last axis.
struct softmax : row_kernel {
  static constexpr std::string_view tf_name = "Softmax";
  template <class X>
  using value_type = value_t<X>;
  template <class X>
  using shape_type = shape_of_t<X>;
  template <std::size_t R>
  static std::array<std::size_t, R> result_dims(const std::array<std::size_t, R>& x) {
    return x;
  }
  template <class T, std::size_t R>
  static void forward(tensor_ref<T, R> out, tensor_ref<const T, R> x) {
    kernels::softmax(x.data, out.data, rows(x.dims), x.dims[R - 1]);
  }
  // dx = (g - sum(g y, -1)) y, y = softmax(x): reads the node's own output.
  static constexpr auto vjp(const auto& g, const auto& n) {
    using G = std::remove_cvref_t<decltype(g)>;
    using N = std::remove_cvref_t<decltype(n)>;
    return op::parts{graph::node<softmax_grad, G, N>({}, g, n)};
  }
};

/// log_softmax(x) = x - log(sum(exp(x))) over the last axis.
struct log_softmax : softmax {
  static constexpr std::string_view tf_name = "LogSoftmax";
  template <class T, std::size_t R>
  static void forward(tensor_ref<T, R> out, tensor_ref<const T, R> x) {
    kernels::log_softmax(x.data, out.data, rows(x.dims), x.dims[R - 1]);
  }
  // dx = g - exp(y) sum(g, -1), y = log_softmax(x).
  static constexpr auto vjp(const auto& g, const auto& n) {
    using G = std::remove_cvref_t<decltype(g)>;
    using N = std::remove_cvref_t<decltype(n)>;
    return op::parts{graph::node<log_softmax_grad, G, N>({}, g, n)};
  }
};

/// g[..., None] (softmax(x) - z): the gradient of the softmax cross-entropy to the logits;
/// operands (g, labels z, logits x). TF takes it from its op's second output times g.
struct softmax_cross_entropy_with_logits_grad : row_kernel {
  static constexpr std::string_view tf_name = "SoftmaxCrossEntropyWithLogitsGrad";
  template <class G, class Z, class X>
  using value_type = value_t<X>;
  template <class G, class Z, class X>
  using shape_type = shape_of_t<X>;
  template <std::size_t RG, std::size_t R>
  static std::array<std::size_t, R> result_dims(const std::array<std::size_t, RG>&, const std::array<std::size_t, R>& z,
                                                const std::array<std::size_t, R>& x) {
    check_labels_dims("SoftmaxCrossEntropyWithLogits", z, x);
    return x;
  }
  template <class T, std::size_t RG, std::size_t R>
  static void forward(tensor_ref<T, R> out, tensor_ref<const T, RG> g, tensor_ref<const T, R> z,
                      tensor_ref<const T, R> x) {
    kernels::softmax_cross_entropy_grad(g.data, z.data, x.data, out.data, rows(x.dims), x.dims[R - 1]);
  }
};

/// -g[..., None] log_softmax(x): the gradient of the softmax cross-entropy to the labels;
/// operands (g, logits x).
struct softmax_cross_entropy_with_logits_labels_grad : row_kernel {
  static constexpr std::string_view tf_name = "SoftmaxCrossEntropyWithLogitsLabelsGrad";
  template <class G, class X>
  using value_type = value_t<X>;
  template <class G, class X>
  using shape_type = shape_of_t<X>;
  template <std::size_t RG, std::size_t R>
  static std::array<std::size_t, R> result_dims(const std::array<std::size_t, RG>&,
                                                const std::array<std::size_t, R>& x) {
    return x;
  }
  template <class T, std::size_t RG, std::size_t R>
  static void forward(tensor_ref<T, R> out, tensor_ref<const T, RG> g, tensor_ref<const T, R> x) {
    kernels::softmax_cross_entropy_labels_grad(g.data, x.data, out.data, rows(x.dims), x.dims[R - 1]);
  }
};

/// -sum(z log_softmax(x), -1): per-example cross-entropy; operands (labels z, logits x).
struct softmax_cross_entropy_with_logits : row_kernel {
  static constexpr std::string_view tf_name = "SoftmaxCrossEntropyWithLogits";
  static void tf_attrs(auto& node) {  // TF's takes (features, labels), of rank 2
    node.swap_inputs(0, 1);
    require_rank_2(node);
  }
  template <class Z, class X>
  using value_type = value_t<X>;
  template <class Z, class X>
  using shape_type = without_last_axis_t<shape_of_t<X>>;
  template <std::size_t R>
  static std::array<std::size_t, R - 1> result_dims(const std::array<std::size_t, R>& z,
                                                    const std::array<std::size_t, R>& x) {
    check_labels_dims(tf_name, z, x);
    return without_last(x);
  }
  template <class T, std::size_t R>
  static void forward(tensor_ref<T, R - 1> out, tensor_ref<const T, R> z, tensor_ref<const T, R> x) {
    kernels::softmax_cross_entropy(z.data, x.data, out.data, rows(x.dims), x.dims[R - 1]);
  }
  // dz = -g log_softmax(x), dx = g (softmax(x) - z), g broadcast over the last axis. As TF's,
  // dx assumes rows of labels that sum to 1 (the exact derivative is g (sum(z) softmax(x) - z)).
  static constexpr auto vjp(const auto& g, const auto& n) {
    using G = std::remove_cvref_t<decltype(g)>;
    using Z = std::remove_cvref_t<decltype(n.template arg<0>())>;
    using X = std::remove_cvref_t<decltype(n.template arg<1>())>;
    return op::parts{
        graph::node<softmax_cross_entropy_with_logits_labels_grad, G, X>({}, g, n.template arg<1>()),
        graph::node<softmax_cross_entropy_with_logits_grad, G, Z, X>({}, g, n.template arg<0>(), n.template arg<1>())};
  }
};

/// g[..., None] (softmax(x) - onehot(labels)): the gradient of the sparse softmax
/// cross-entropy to the logits; operands (g, labels, logits x).
struct sparse_softmax_cross_entropy_with_logits_grad : row_kernel {
  static constexpr std::string_view tf_name = "SparseSoftmaxCrossEntropyWithLogitsGrad";
  static constexpr bool differentiable(std::size_t i) { return i != 1; }
  template <class G, class L, class X>
  using value_type = value_t<X>;
  template <class G, class L, class X>
  using shape_type = shape_of_t<X>;
  template <std::size_t RG, std::size_t R>
  static std::array<std::size_t, R> result_dims(const std::array<std::size_t, RG>&,
                                                const std::array<std::size_t, R - 1>& labels,
                                                const std::array<std::size_t, R>& x) {
    check_labels_dims("SparseSoftmaxCrossEntropyWithLogits", labels, x);
    return x;
  }
  template <class T, class Label, std::size_t RG, std::size_t R>
  static void forward(tensor_ref<T, R> out, tensor_ref<const T, RG> g, tensor_ref<const Label, R - 1> labels,
                      tensor_ref<const T, R> x) {
    check_label_range("SparseSoftmaxCrossEntropyWithLogits", labels, x.dims[R - 1]);
    kernels::sparse_softmax_cross_entropy_grad(g.data, labels.data, x.data, out.data, rows(x.dims), x.dims[R - 1]);
  }
};

/// -log_softmax(x)[label] per example; operands (labels: class indices, logits x).
struct sparse_softmax_cross_entropy_with_logits : row_kernel {
  static constexpr std::string_view tf_name = "SparseSoftmaxCrossEntropyWithLogits";
  static void tf_attrs(auto& node) {  // TF's takes (features, labels), of rank 2 and 1
    node.swap_inputs(0, 1);
    require_rank_2(node);
    node.attr_dtype("T", node.input_dtype(0));
    node.attr_dtype("Tlabels", node.input_dtype(1));
  }
  static constexpr bool differentiable(std::size_t i) { return i == 1; }  // not to the labels
  template <class L, class X>
  using value_type = value_t<X>;
  template <class L, class X>
  using shape_type = without_last_axis_t<shape_of_t<X>>;
  template <std::size_t R>
  static std::array<std::size_t, R - 1> result_dims(const std::array<std::size_t, R - 1>& labels,
                                                    const std::array<std::size_t, R>& x) {
    check_labels_dims(tf_name, labels, x);
    return labels;
  }
  template <class T, class Label, std::size_t R>
  static void forward(tensor_ref<T, R - 1> out, tensor_ref<const Label, R - 1> labels, tensor_ref<const T, R> x) {
    check_label_range(tf_name, labels, x.dims[R - 1]);
    kernels::sparse_softmax_cross_entropy(labels.data, x.data, out.data, rows(x.dims), x.dims[R - 1]);
  }
  // dx = g (softmax(x) - onehot(labels)), g broadcast over the last axis.
  static constexpr auto vjp(const auto& g, const auto& n) {
    using G = std::remove_cvref_t<decltype(g)>;
    using L = std::remove_cvref_t<decltype(n.template arg<0>())>;
    using X = std::remove_cvref_t<decltype(n.template arg<1>())>;
    return op::parts{g, graph::node<sparse_softmax_cross_entropy_with_logits_grad, G, L, X>({}, g, n.template arg<0>(),
                                                                                            n.template arg<1>())};
  }
};

/// sigmoid(x) - z: the gradient of the sigmoid cross-entropy to the logits; operands (z, x).
struct sigmoid_cross_entropy_with_logits_grad : elementwise_binary {
  static constexpr std::string_view tf_name = "SigmoidCrossEntropyWithLogitsGrad";
  auto operator()(auto z, auto x) const { return typeflow::detail::sigmoid_minus(z, x); }
  template <class B>
  B simd_apply(const B& z, const B& x) const {
    return typeflow::detail::sigmoid_minus(z, x);
  }
};

/// The elementwise cross-entropy of labels z with sigmoid(x); operands (z, x).
struct sigmoid_cross_entropy_with_logits : elementwise_binary {
  static constexpr std::string_view tf_name = "SigmoidCrossEntropyWithLogits";
  static constexpr bool tf_op = false;  // TensorFlow computes it from primitives
  auto operator()(auto z, auto x) const { return typeflow::detail::sigmoid_cross_entropy(z, x); }
  template <class B>
  B simd_apply(const B& z, const B& x) const {
    return typeflow::detail::sigmoid_cross_entropy(z, x);
  }
  // dz = -g x, dx = g (sigmoid(x) - z).
  static constexpr auto vjp(const auto& g, const auto& n) {
    const auto& z = n.template arg<0>();
    const auto& x = n.template arg<1>();
    using Z = std::remove_cvref_t<decltype(z)>;
    using X = std::remove_cvref_t<decltype(x)>;
    return op::parts{g * -x, g * graph::node<sigmoid_cross_entropy_with_logits_grad, Z, X>({}, z, x)};
  }
};

/// sum(t^2) / 2, a scalar.
struct l2_loss {
  static constexpr std::string_view tf_name = "L2Loss";
  template <class X>
  using value_type = value_t<X>;
  template <class X>
  using shape_type = shape<>;
  template <std::size_t R>
  static std::array<std::size_t, 0> result_dims(const std::array<std::size_t, R>&) {
    return {};
  }
  template <class T, std::size_t R>
  static void forward(tensor_ref<T, 0> out, tensor_ref<const T, R> x) {
    out.data[0] = kernels::half_sum_of_squares(x.data, x.size());
  }
  // dt = g t
  static constexpr auto vjp(const auto& g, const auto& n) { return op::parts{g * n.template arg<0>()}; }
};

/// value + bias, bias (rank 1) added along value's last axis.
struct bias_add : elementwise_binary {
  static constexpr std::string_view tf_name = "BiasAdd";
  constexpr auto operator()(auto a, auto b) const { return a + b; }
  template <class B>
  constexpr B simd_apply(const B& a, const B& b) const {
    return a + b;
  }
  // dvalue = g; dbias = g summed over all axes but the last (TF's BiasAddGrad).
  static constexpr auto vjp(const auto& g, const auto&) {
    using G = std::remove_cvref_t<decltype(g)>;
    using sum_leading = reduce<reduction::sum, typeflow::detail::all_axes<rank_v<G> - 1>(), false>;
    return op::parts{g, graph::node<sum_leading, G>({}, g)};
  }
};

}  // namespace op

namespace detail {

template <class Op, tensor_node L, tensor_node X>
constexpr auto make_cross_entropy(const L& labels, const X& logits) {
  using SL = shape_of_t<L>;
  using SX = shape_of_t<X>;
  constexpr bool sparse = std::is_same_v<Op, op::sparse_softmax_cross_entropy_with_logits>;
  if constexpr (SX::rank == 0) {
    // The logits' shape, named in this type, has no class axis.
    diagnostic::error_logits_must_have_rank_at_least_1<Op, SX> error;
    return logits;
  } else {
    if constexpr (sparse && !std::is_same_v<value_t<L>, std::int32_t> && !std::is_same_v<value_t<L>, std::int64_t>) {
      // Sparse labels are class indices: the dtype named in this type is not int32 or int64.
      diagnostic::error_sparse_labels_must_be_int32_or_int64<value_t<L>> error;
    } else if constexpr (!sparse && !std::is_same_v<value_t<L>, value_t<X>>) {
      // Labels and logits must have one dtype.
      diagnostic::error_dtypes_differ<Op, value_t<L>, value_t<X>> error;
    } else if constexpr (!compatible_shapes_v<SL, std::conditional_t<sparse, without_last_axis_t<SX>, SX>>) {
      // The labels' and logits' shapes are named in this type.
      diagnostic::error_labels_and_logits_shapes_differ<Op, SL, SX> error;
    }
    return graph::node<Op, L, X>({}, labels, logits);
  }
}

template <class Op, tensor_node X>
constexpr auto make_softmax(const X& logits) {
  if constexpr (rank_v<X> == 0) {
    // The logits' shape, named in this type, has no axis to normalise over.
    diagnostic::error_logits_must_have_rank_at_least_1<Op, shape_of_t<X>> error;
    return logits;
  } else {
    return graph::node<Op, X>({}, logits);
  }
}

}  // namespace detail

namespace nn {

/// tf.nn.softmax(logits): exp(logits) / reduce_sum(exp(logits), -1, keepdims), computed stably.
template <tensor_node X>
constexpr auto softmax(const X& logits) {
  return detail::make_softmax<op::softmax>(logits);
}

/// tf.nn.log_softmax(logits): logits - log(reduce_sum(exp(logits), -1, keepdims)), finite for tiny probabilities.
template <tensor_node X>
constexpr auto log_softmax(const X& logits) {
  return detail::make_softmax<op::log_softmax>(logits);
}

/// tf.nn.softmax_cross_entropy_with_logits(labels=z, logits=x) (TF2's, gradients to both), by
/// keyword as in TF1, either order: -reduce_sum(z * log_softmax(x), -1), of shape x.shape[:-1].
/// **Example**: `tf::nn::softmax_cross_entropy_with_logits(tf::labels = y, tf::logits = pred)`.
template <detail::node_or_keyword A, detail::node_or_keyword B>
constexpr auto softmax_cross_entropy_with_logits(const A& a, const B& b) {
  static_assert(detail::keywords_v<keyword_key::labels, keyword_key::logits, A, B>,
                "tf::nn::softmax_cross_entropy_with_logits takes keyword arguments, as in TF1: write "
                "(tf::labels = y, tf::logits = x)");
  return detail::make_cross_entropy<op::softmax_cross_entropy_with_logits>(
      detail::by_keyword<keyword_key::labels, true>(a, b), detail::by_keyword<keyword_key::logits, false>(a, b));
}

/// TF1's name for TF2's softmax_cross_entropy_with_logits (gradients to labels too).
template <detail::node_or_keyword A, detail::node_or_keyword B>
constexpr auto softmax_cross_entropy_with_logits_v2(const A& a, const B& b) {
  static_assert(detail::keywords_v<keyword_key::labels, keyword_key::logits, A, B>,
                "tf::nn::softmax_cross_entropy_with_logits_v2 takes keyword arguments, as in TF1: write "
                "(tf::labels = y, tf::logits = x)");
  return detail::make_cross_entropy<op::softmax_cross_entropy_with_logits>(
      detail::by_keyword<keyword_key::labels, true>(a, b), detail::by_keyword<keyword_key::logits, false>(a, b));
}

/// tf.nn.sparse_softmax_cross_entropy_with_logits(labels=l, logits=x), by keyword: l are int32/int64
/// class indices of shape x.shape[:-1] (an index outside [0, classes) throws at run time).
template <detail::node_or_keyword A, detail::node_or_keyword B>
constexpr auto sparse_softmax_cross_entropy_with_logits(const A& a, const B& b) {
  static_assert(detail::keywords_v<keyword_key::labels, keyword_key::logits, A, B>,
                "tf::nn::sparse_softmax_cross_entropy_with_logits takes keyword arguments, as in TF1: write "
                "(tf::labels = y, tf::logits = x)");
  return detail::make_cross_entropy<op::sparse_softmax_cross_entropy_with_logits>(
      detail::by_keyword<keyword_key::labels, true>(a, b), detail::by_keyword<keyword_key::logits, false>(a, b));
}

/// tf.nn.sigmoid_cross_entropy_with_logits(labels=z, logits=x), by keyword, elementwise:
/// max(x, 0) - x z + log1p(exp(-|x|)).
template <detail::node_or_keyword A, detail::node_or_keyword B>
constexpr auto sigmoid_cross_entropy_with_logits(const A& a, const B& b) {
  static_assert(detail::keywords_v<keyword_key::labels, keyword_key::logits, A, B>,
                "tf::nn::sigmoid_cross_entropy_with_logits takes keyword arguments, as in TF1: write "
                "(tf::labels = y, tf::logits = x)");
  return typeflow::detail::make_binary<op::sigmoid_cross_entropy_with_logits>(
      detail::by_keyword<keyword_key::labels, true>(a, b), detail::by_keyword<keyword_key::logits, false>(a, b));
}

/// tf.nn.l2_loss(t): sum(t^2) / 2.
template <tensor_node X>
constexpr auto l2_loss(const X& t) {
  return graph::node<op::l2_loss, X>({}, t);
}

/// tf.nn.bias_add(value, bias): bias (rank 1) added along value's last axis.
template <tensor_node V, tensor_node B>
constexpr auto bias_add(const V& value, const B& bias) {
  using SV = shape_of_t<V>;
  using SB = shape_of_t<B>;
  constexpr bool ok = [] {
    if constexpr (SV::rank < 2 || SB::rank != 1) {
      return false;
    } else {
      const auto v = SV::dims[SV::rank - 1], b = SB::dims[0];
      return v == b || v == none || b == none;
    }
  }();
  if constexpr (!ok) {
    // value needs rank >= 2 and bias rank 1 with value's last dim: both shapes are named here.
    diagnostic::error_bias_add_bias_must_be_rank_1_and_match_last_dim<SV, SB> error;
    return value;
  } else {
    return typeflow::detail::make_binary<op::bias_add>(value, bias);
  }
}

}  // namespace nn

}  // namespace typeflow

#endif
