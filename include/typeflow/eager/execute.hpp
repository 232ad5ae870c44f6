#ifndef TYPEFLOW_EAGER_EXECUTE_HPP
#define TYPEFLOW_EAGER_EXECUTE_HPP

// The eager executor: runs one op tag now, on tensors, through the tag's own forward (an
// elementwise op's scalar and SIMD forms, a kernel op's `forward`), and records it on the
// recording tapes. A recorded op's gradient is the tag's own `vjp`, the rule graph mode
// differentiates with: called on a node whose operands are `leaf`s (graph nodes that stand
// for the recorded tensors), it returns an expression, which `evaluate` runs op by op through
// this executor again, so that the gradient computation is itself recorded by outer tapes.
//
// Static ranks: a kernel op's forward and vjp are templates over ranks, so the caller says
// which (`execute<op::matmul<>, 2, 2>`), checked against the tensors' run-time ranks. An
// elementwise op needs none (`execute_elementwise`): its loop reads run-time dims, and its
// vjp is built over rank-0 leaves, which a static_assert keeps to rank-free expressions.

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>

#include "../core/error.hpp"
#include "../core/shape.hpp"
#include "../core/tensor_ref.hpp"
#include "../graph/constant.hpp"
#include "../graph/node.hpp"
#include "../kernels/vector_math.hpp"
#include "recording.hpp"
#include "tensor.hpp"

namespace typeflow::eager {

template <dtype T>
Tensor<T> reshape(const Tensor<T>& x, const TensorShape& shape);
template <dtype T>
Tensor<T> unbroadcast(const Tensor<T>& g, const TensorShape& target);

namespace detail {

/// shape<none, ..., none> of rank R: an eager tensor's static shape (its dims are run-time).
template <std::size_t R, class = std::make_index_sequence<R>>
struct dynamic_shape;
template <std::size_t R, std::size_t... I>
struct dynamic_shape<R, std::index_sequence<I...>> {
  using type = shape<(static_cast<void>(I), none)...>;
};

/// A graph node standing for an eager tensor of dtype T and rank R, in a vjp's expression.
template <dtype T, std::size_t R>
struct leaf : node_base {
  using value_type = T;
  using shape_type = typename dynamic_shape<R>::type;
  const Tensor<T>* tensor = nullptr;
  bool operator==(const leaf&) const = default;
};

template <class N>
inline constexpr bool is_leaf_v = false;
template <class T, std::size_t R>
inline constexpr bool is_leaf_v<leaf<T, R>> = true;

/// Whether an expression's elementwise ops can run on tensors of any rank: no kernel op and
/// no op that reads dims in its static rank (a reduction's gradient).
template <class N>
inline constexpr bool rank_free_v = true;
template <class Op, class... A>
inline constexpr bool rank_free_v<graph::node<Op, A...>> =
    op::traits<Op>::elementwise && !op::traits<Op>::has_shape_operand && !op::traits<Op>::has_broadcast_operand &&
    (rank_free_v<A> && ...);

template <std::size_t R>
std::array<std::size_t, R> to_array(const TensorShape& s) {
  std::array<std::size_t, R> a{};
  std::copy_n(s.begin(), R, a.begin());
  return a;
}

/// NumPy broadcasting of run-time dims; TF's InvalidArgumentError text on a mismatch.
inline TensorShape broadcast(std::string_view op, const TensorShape& a, const TensorShape& b) {
  const std::size_t r = std::max(a.rank(), b.rank());
  TensorShape out;
  for (std::size_t i = 0; i < r; ++i) {
    const std::size_t da = i + a.rank() >= r ? a[i + a.rank() - r] : 1;
    const std::size_t db = i + b.rank() >= r ? b[i + b.rank() - r] : 1;
    if (da != db && da != 1 && db != 1)
      throw error(std::string(op) + ": incompatible shapes: " + to_string(a) + " vs. " + to_string(b));
    out.push_back(da == 1 ? db : da);
  }
  return out;
}

/// Operand `in` of an elementwise loop over dims `out`: its values and, per axis of `out`,
/// the step through them (0 along a broadcast axis).
template <class T>
struct strided_operand {
  const T* data;
  std::array<std::size_t, max_rank> stride{};
  bool full = false;    // the same dims as the loop: read contiguously
  bool single = false;  // one value: read once
};

template <class T>
strided_operand<T> stride_over(const T* data, const TensorShape& in, const TensorShape& out) {
  strided_operand<T> s{data};
  s.single = in.num_elements() == 1;
  s.full = in == out;
  std::size_t step = 1;
  for (std::size_t i = in.rank(); i-- > 0;) {
    const std::size_t axis = i + out.rank() - in.rank();
    s.stride[axis] = in[i] == 1 ? 0 : step;
    step *= in[i];
  }
  return s;
}

/// out[i] = op(x[i]...) over dims `out`, with NumPy broadcasting of each operand.
template <class V, class Op, class... T>
void elementwise_loop(const Op& op, V* out, const TensorShape& dims, const strided_operand<T>&... x) {
  const std::size_t n = dims.num_elements();
  if (((x.full || x.single) && ...)) {
    std::size_t i = 0;
    using T0 = std::tuple_element_t<0, std::tuple<T...>>;
    if constexpr ((std::is_same_v<T, V> && ...) && std::is_floating_point_v<V> && op::simd_op<Op, xsimd::batch<T>...>) {
      using B = xsimd::batch<T0>;
      for (; i + B::size <= n; i += B::size) {
        op.simd_apply((x.single ? B(x.data[0]) : B::load_unaligned(x.data + i))...).store_unaligned(out + i);
      }
    }
    for (; i < n; ++i) out[i] = static_cast<V>(op(x.data[x.single ? 0 : i]...));
    return;
  }
  // Broadcasting: an odometer over every axis but the last, a strided loop along it.
  const std::size_t r = dims.rank(), inner = dims[r - 1];
  std::array<std::size_t, max_rank> index{};
  std::array<std::size_t, sizeof...(T)> offset{};
  for (std::size_t done = 0; done < n; done += inner) {
    [&]<std::size_t... K>(std::index_sequence<K...>) {
      for (std::size_t j = 0; j < inner; ++j)
        out[done + j] = static_cast<V>(op(x.data[offset[K] + j * x.stride[r - 1]]...));
    }(std::index_sequence_for<T...>{});
    for (std::size_t axis = r - 1; axis-- > 0;) {
      std::size_t k = 0;
      ((offset[k] += x.stride[axis], ++k), ...);
      if (++index[axis] < dims[axis]) break;
      k = 0;
      ((offset[k] -= x.stride[axis] * dims[axis], ++k), ...);
      index[axis] = 0;
    }
  }
}

/// The operands an elementwise op reads for their values (the contract's reads_values).
template <class Op, std::size_t Arity>
constexpr auto value_operands() {
  constexpr auto list = [] {
    std::array<std::size_t, Arity> idx{};
    std::size_t k = 0;
    for (std::size_t i = 0; i < Arity; ++i)
      if (op::traits<Op>::reads_values(i)) idx[k++] = i;
    return std::pair{idx, k};
  }();
  return [&]<std::size_t... K>(std::index_sequence<K...>) {
    return std::index_sequence<list.first[K]...>{};
  }(std::make_index_sequence<list.second>{});
}

/// Operand K of elementwise Op in its loop over `dims`: read with its own dims, or with the
/// op's broadcast_dims (a reduction's gradient spreads g over the reduced axes).
template <class Op, std::size_t K, std::size_t... R, class T>
auto operand_view(const Tensor<T>& t, const TensorShape& dims) {
  if constexpr (op::traits<Op>::broadcast_from_buffer(K)) {
    constexpr std::array<std::size_t, sizeof...(R)> ranks{R...};
    constexpr std::size_t RO = ranks[Op::shape_operand];
    return stride_over(t.data().data(), TensorShape(Op::broadcast_dims(to_array<RO>(dims))), dims);
  } else {
    return stride_over(t.data().data(), t.shape(), dims);
  }
}

/// Runs elementwise op tag Op over tensors x (of static ranks R, which only an op reading dims
/// in its rank uses: a reduction's gradient).
template <class Op, std::size_t... R, class... A>
body_ptr run_elementwise(const Op& tag, const Tensor<A>&... x) {
  using V = op::value_type_t<Op, leaf<A, R>...>;
  const std::tuple<const Tensor<A>&...> xs{x...};
  // The result's dims: the shape operand's, or the operands' broadcast.
  TensorShape dims;
  if constexpr (op::traits<Op>::has_shape_operand) {
    dims = std::get<Op::shape_operand>(xs).shape();
  } else {
    dims = std::get<0>(xs).shape();
    [&]<std::size_t... K>(std::index_sequence<K...>) {
      ((dims = broadcast(Op::tf_name, dims, std::get<K>(xs).shape())), ...);
    }(value_operands<Op, sizeof...(A)>());
  }
  auto body = new_body<V>(dims);
  // The op the loop runs: the tag, or what it computes from the dims (a mean's 1/count).
  const auto run = [&] {
    if constexpr (requires { Op::template at_run_time<V>(to_array<R>(x.shape())...); })
      return tag.template at_run_time<V>(to_array<R>(x.shape())...);
    else return tag;
  }();
  [&]<std::size_t... K>(std::index_sequence<K...>) {
    if (dims.num_elements() != 0)
      elementwise_loop<V>(run, body->template data<V>(), dims, operand_view<Op, K, R...>(std::get<K>(xs), dims)...);
  }(value_operands<Op, sizeof...(A)>());
  return body;
}

/// Runs kernel op tag Op over tensors x of ranks R (checked) into a new tensor.
template <class Op, std::size_t... R, class... A>
body_ptr run_kernel(const Op& tag, const Tensor<A>&... x) {
  using V = op::value_type_t<Op, leaf<A, R>...>;
  std::size_t k = 0;
  (
      [&] {
        if (x.rank() != R)
          throw error(std::string(Op::tf_name) + ": operand " + std::to_string(k) + " has rank " +
                      std::to_string(x.rank()) + " (shape " + to_string(x.shape()) + "), expected rank " +
                      std::to_string(R));
        ++k;
      }(),
      ...);
  const auto out_dims = [&] {
    if constexpr (op::traits<Op>::has_shape_operand) {
      constexpr std::array<std::size_t, sizeof...(R)> ranks{R...};
      return to_array<ranks[Op::shape_operand]>(std::get<Op::shape_operand>(std::tie(x...)).shape());
    } else {
      return tag.result_dims(to_array<R>(x.shape())...);
    }
  }();
  constexpr std::size_t RO = std::tuple_size_v<decltype(out_dims)>;
  auto body = new_body<V>(TensorShape(out_dims));
  tag.forward(tensor_ref<V, RO>{body->template data<V>(), out_dims},
              tensor_ref<const A, R>{x.data().data(), to_array<R>(x.shape())}...);
  return body;
}

template <class Op, class... L>
auto execute_as(const Op& tag, const Tensor<value_t<L>>&... x);

/// The value of a vjp's expression: leaves are their tensors, the forward node is the
/// recorded result, and every other op runs through the executor (and is recorded).
template <class N, class Forward, class Out>
auto evaluate(const N& e, const Forward& forward, const Tensor<Out>& result) {
  if constexpr (is_leaf_v<N>) {
    return *e.tensor;
  } else if constexpr (is_static_scalar_v<N>) {
    return Tensor<value_t<N>>(N::value);
  } else if constexpr (is_scalar_v<N>) {
    return Tensor<value_t<N>>(e.m_value);
  } else {
    static_assert(is_op_node_v<N>, "typeflow internal: a vjp built a leaf that eager mode does not know");
    if constexpr (std::is_same_v<N, Forward>)
      if (e == forward) return result;
    return [&]<class Op, class... A>(const graph::node<Op, A...>& n) {
      return n.with_args([&](const auto&... a) {
        return execute_as<Op, leaf<value_t<A>, rank_v<A>>...>(n.op(), evaluate(a, forward, result)...);
      });
    }(e);
  }
}

/// A recorded op: the tag, its operands and its result; its gradient is the tag's vjp.
template <class Op, class Out, class... L>
struct op_entry final : tape_entry {
  using node_type = graph::node<Op, L...>;
  Op tag;
  std::tuple<Tensor<value_t<L>>...> operands;
  Tensor<value_t<node_type>> result;

  op_entry(const Op& t, const Tensor<value_t<L>>&... x, Tensor<value_t<node_type>> y)
      : tag(t), operands(x...), result(std::move(y)) {}

  void backward(const body_ptr& g_body, std::span<const char> wanted, std::span<body_ptr> grads) const override {
    using G = value_t<node_type>;
    const Tensor<G> g(g_body);
    const Out g_leaf{{}, &g};
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      const node_type n(tag, L{{}, &std::get<I>(operands)}...);
      if constexpr (!op::differentiable_op<Op, Out, node_type>) {
        throw error("tfe::GradientTape: no gradient is defined for op " + std::string(Op::tf_name) +
                    " (graph mode has none either)");
      } else {
        const auto parts = Op::vjp(g_leaf, n);
        (
            [&] {
              if constexpr (differentiable_v<node_type, I>) {
                if (wanted[I]) {
                  const auto gi = evaluate(op::get<I>(parts), n, result);
                  grads[I] = unbroadcast(gi, std::get<I>(operands).shape()).body();
                }
              }
            }(),
            ...);
      }
    }(std::index_sequence_for<L...>{});
  }
};

/// Whether a gradient can flow into any operand of Op over leaves L.
template <class Op, class... L>
constexpr bool differentiable_any() {
  return []<std::size_t... I>(std::index_sequence<I...>) {
    return (differentiable_v<graph::node<Op, L...>, I> || ...);
  }(std::index_sequence_for<L...>{});
}

/// Runs Op over tensors x seen as leaves L (their static ranks), and records it.
template <class Op, class... L>
auto execute_as(const Op& tag, const Tensor<value_t<L>>&... x) {
  using N = graph::node<Op, L...>;
  using V = value_t<N>;
  const Tensor<V> y([&] {
    if constexpr (op::traits<Op>::elementwise) return run_elementwise<Op, rank_v<L>...>(tag, x...);
    else return run_kernel<Op, rank_v<L>...>(tag, x...);
  }());
  if constexpr (differentiable_any<Op, L...>()) {
    if (any_recording()) {
      const auto ids = [&]<std::size_t... I>(std::index_sequence<I...>) {
        return std::array<std::uint64_t, sizeof...(L)>{(differentiable_v<N, I> ? x.id() : 0)...};
      }(std::index_sequence_for<L...>{});
      record(ids, y.id(), [&] {
        auto e = std::make_shared<op_entry<Op, leaf<V, rank_v<N>>, L...>>(tag, x..., y);
        e->inputs.assign(ids.begin(), ids.end());
        e->output = y.id();
        return e;
      });
    }
  }
  return y;
}

/// Runs elementwise Op over tensors of any rank: its vjp is taken over rank-0 leaves, which
/// is right for an expression of elementwise ops only (checked here, once per op).
template <class Op, class... A>
auto execute_elementwise(const Op& tag, const Tensor<A>&... x) {
  using N = graph::node<Op, leaf<A, 0>...>;
  if constexpr (differentiable_any<Op, leaf<A, 0>...>() && op::differentiable_op<Op, leaf<value_t<N>, 0>, N>) {
    using parts = decltype(Op::vjp(std::declval<const leaf<value_t<N>, 0>&>(), std::declval<const N&>()));
    static_assert(
        []<std::size_t... I>(std::index_sequence<I...>) {
          return (rank_free_v<op::part_t<I, parts>> && ...);
        }(std::make_index_sequence<sizeof...(A)>{}),
        "typeflow internal: this elementwise op's gradient has a kernel op: run it with static ranks");
  }
  return execute_as<Op, leaf<A, 0>...>(tag, x...);
}

/// Runs kernel Op over tensors of static ranks R (checked at run time).
template <class Op, std::size_t... R, class... A>
auto execute(const Op& tag, const Tensor<A>&... x) {
  return execute_as<Op, leaf<A, R>...>(tag, x...);
}

}  // namespace detail

}  // namespace typeflow::eager

#endif
