#ifndef TYPEFLOW_AUTODIFF_GRADIENTS_HPP
#define TYPEFLOW_AUTODIFF_GRADIENTS_HPP

// Symbolic reverse-mode differentiation over node types. The gradient of y with respect to
// x is built at compile time by walking from y down to x: each op contributes its
// vector-Jacobian product (the op tag's `vjp`), broadcast operands are summed back to their
// shapes, and the contributions of several paths are added. Operands that cannot reach x are
// pruned by type, so they cost nothing. The result is an ordinary expression that shares the
// forward nodes by type, so a Session computes them once for the loss and its gradients.

#include <array>
#include <tuple>
#include <type_traits>
#include <utility>

#include "../graph/constant.hpp"
#include "../graph/node.hpp"
#include "../ops/elementwise.hpp"
#include "../ops/reduce.hpp"

namespace typeflow {

namespace diagnostic {
/// tf::gradients(y, x): y is not computed from the x named in this type (TensorFlow
/// would return None). Pass only tensors that y depends on.
template <class X>
struct error_y_does_not_depend_on;
}  // namespace diagnostic

/// Whether a gradient flows from node N to node X (along differentiable operand edges).
template <class N, class X>
inline constexpr bool depends_on_v = [] {
  if constexpr (std::is_same_v<N, X>) {
    return true;
  } else if constexpr (is_op_node_v<N>) {
    return []<std::size_t... I>(std::index_sequence<I...>) {
      return ((differentiable_v<N, I> && depends_on_v<std::tuple_element_t<I, typename N::args_type>, X>) || ...);
    }(std::make_index_sequence<std::tuple_size_v<typename N::args_type>>{});
  } else {
    return false;
  }
}();

namespace detail {

/// The indices of N's operands through which a gradient reaches X, and how many there are.
template <class N, class X>
inline constexpr auto operands_reaching_v = []<std::size_t... I>(std::index_sequence<I...>) {
  std::array<std::size_t, sizeof...(I) + 1> idx{};  // +1: no zero-length array for leaves
  std::size_t n = 0;
  ((differentiable_v<N, I> && depends_on_v<std::tuple_element_t<I, typename N::args_type>, X> ? idx[n++] = I : 0), ...);
  return std::pair{idx, n};
}(std::make_index_sequence<std::tuple_size_v<typename N::args_type>>{});

template <class N, class X>
constexpr auto operands_reaching() {
  return []<std::size_t... J>(std::index_sequence<J...>) {
    return std::index_sequence<operands_reaching_v<N, X>.first[J]...>{};
  }(std::make_index_sequence<operands_reaching_v<N, X>.second>{});
}

template <class X, class N, class G>
constexpr auto backprop(const N& n, const G& g);

template <class X, std::size_t... I, class N, class Parts>
constexpr auto sum_operand_gradients(std::index_sequence<I...>, const N& n, const Parts& parts) {
  // Each operand's share, summed back to its shape where it was broadcast, then followed to X.
  return (backprop<X>(n.template arg<I>(), unbroadcast<shape_of_t<decltype(n.template arg<I>())>>(std::get<I>(parts))) +
          ...);
}

/// The gradient reaching X from node n, given the gradient g of the sum of n's elements.
template <class X, class N, class G>
constexpr auto backprop(const N& n, const G& g) {
  if constexpr (std::is_same_v<N, X>) {
    return g;
  } else {
    return sum_operand_gradients<X>(operands_reaching<N, X>(), n, N::op_type::vjp(g, n));
  }
}

/// The gradient seed: ones in y's shape (a plain 1 for a scalar y), as TF's gradients() uses.
template <tensor_node Y>
constexpr auto ones_like(const Y& y) {
  using one = graph::integer<value_t<Y>, 1>;
  if constexpr (rank_v<Y> == 0) {
    return one{};
  } else {
    using fill = op::reduce_grad<op::reduction::sum, all_axes<rank_v<Y>>(), false>;  // 1 broadcast to y
    return graph::node<fill, one, Y>({}, one{}, y);
  }
}

template <tensor_node Y, graph_node X>
constexpr auto gradient(const Y& y, const X&) {
  if constexpr (!depends_on_v<Y, X>) {
    // y is not computed from this x; see the comment on the type below.
    diagnostic::error_y_does_not_depend_on<X> error;
    return ones_like(y);
  } else {
    return backprop<X>(y, ones_like(y));
  }
}

}  // namespace detail

/// tf.gradients(y, [x1, x2, ...]): the gradients of sum(y) with respect to each x, as a tuple
/// of expressions to fetch or build on: `auto [dW, db] = tf::gradients(loss, W, b);`.
template <tensor_node Y, graph_node... X>
constexpr auto gradients(const Y& y, const X&... xs) {
  return std::tuple{detail::gradient(y, xs)...};
}

}  // namespace typeflow

#endif
