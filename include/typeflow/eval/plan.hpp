#ifndef TYPEFLOW_EVAL_PLAN_HPP
#define TYPEFLOW_EVAL_PLAN_HPP

// How a Session runs a set of fetches. Built once per fetch set and reused:
// - the unique nodes in topological order come from the types (graph/traversal.hpp);
// - a node gets a buffer ("is materialised") when it is fetched, used twice, computed by a
//   kernel, or read as a buffer by a kernel; every other elementwise node stays lazy inside
//   its user, so a chain of them runs as one loop (eval/fused.hpp);
// - nodes of one type with different payloads (`2.0f * x`, `3.0f * x`) get one buffer each;
// - buffers live here and keep their size from run to run, so a steady run allocates nothing.

#include <algorithm>
#include <array>
#include <cstddef>
#include <limits>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "../core/error.hpp"
#include "../core/tensor_ref.hpp"
#include "../core/thread_pool.hpp"
#include "../core/type_list.hpp"
#include "../graph/constant.hpp"
#include "../graph/placeholder.hpp"
#include "../graph/traversal.hpp"
#include "../graph/variable.hpp"
#include "../ops/elementwise.hpp"
#include "../ops/reduce.hpp"
#include "feed.hpp"
#include "fused.hpp"
#include "variable_store.hpp"
#include "xtensor.hpp"

namespace typeflow {

/// What an operation (a train op, an assign) contributes to a fetch tuple.
struct no_value {};

namespace eval {

template <class N>
using buffer_t = xt::xtensor<value_t<N>, rank_v<N>>;

template <class N>
using dims_of_t = std::array<std::size_t, rank_v<N>>;

struct no_buffers {};

/// The instances of one node type in a plan, with their buffers (none for operations).
template <class N>
struct slot {
  static constexpr std::size_t npos = std::numeric_limits<std::size_t>::max();
  std::vector<N> nodes;
  std::conditional_t<is_operation_v<N>, no_buffers, std::vector<buffer_t<N>>> buffers;

  std::size_t find(const N& n) const {
    if constexpr (payload_free_v<N>) {
      return nodes.empty() ? npos : 0;  // a payload-free type is one node
    } else {
      for (std::size_t i = 0; i < nodes.size(); ++i)
        if (nodes[i] == n) return i;
      return npos;
    }
  }
};

template <class List>
struct slots_tuple;
template <class... Ns>
struct slots_tuple<type_list<Ns...>> {
  using type = std::tuple<slot<Ns>...>;
  using feeds = std::tuple<feed_binding<Ns>...>;
  using variables = std::tuple<variable_value<value_t<Ns>, rank_v<Ns>>*...>;
};

/// Index of the feed for placeholder P among Feeds, or sizeof...(Feeds) when there is none.
template <class P, class... Feeds>
constexpr std::size_t feed_index() {
  return index_of<P>(type_list<typename Feeds::placeholder_type...>{});
}

/// NumPy broadcasting of run-time dims (static dims were checked at compile time;
/// a `none` dim is checked here).
template <std::size_t R, std::size_t RA, std::size_t RB>
std::array<std::size_t, R> broadcast_runtime(std::string_view op, const std::array<std::size_t, RA>& a,
                                             const std::array<std::size_t, RB>& b) {
  std::array<std::size_t, R> out{};
  for (std::size_t i = 0; i < R; ++i) {
    const std::size_t da = i < R - RA ? 1 : a[i - (R - RA)];
    const std::size_t db = i < R - RB ? 1 : b[i - (R - RB)];
    if (da != db && da != 1 && db != 1)
      throw error(std::string(op) + ": shapes " + shape_string(a) + " and " + shape_string(b) + " do not broadcast");
    out[i] = da == 1 ? db : da;
  }
  return out;
}

/// tf::fetch_into was handed an array of another shape than the fetch's.
[[noreturn]] inline void throw_fetch_into_shape(const auto& out_dims, const auto& fetch_dims) {
  throw error("tf::fetch_into: the output array has shape " + shape_string(out_dims) + ", but the fetch yields " +
              shape_string(fetch_dims) + " (the array is left as it was)");
}

/// The dtype in which a fused loop computes node N: its own, but for a bool result (a
/// comparison), which is computed as a batch_bool of its operands' batch type.
template <class N>
struct simd_dtype {
  using type = value_t<N>;
};
template <class Op, class A, class... B>
  requires std::is_same_v<value_t<graph::node<Op, A, B...>>, bool>
struct simd_dtype<graph::node<Op, A, B...>> {
  using type = value_t<A>;
};
template <class N>
using simd_dtype_t = typename simd_dtype<N>::type;

template <class Roots, class... Feeds>
class plan;

class plan_base {
 public:
  virtual ~plan_base() = default;
};

template <class... Roots, class... Feeds>
class plan<std::tuple<Roots...>, Feeds...> : public plan_base {
 public:
  using nodes = topo_order_t<Roots...>;

 private:
  // --- the static decisions -------------------------------------------------------------

  /// Whether elementwise user U reads its operand I as one value broadcast (a fused::scalar).
  template <class U, std::size_t I>
  static constexpr bool reads_scalar() {
    using A = std::tuple_element_t<I, typename U::args_type>;
    return !requires { U::op_type::buffer_operand; } && is_single_element_v<shape_of_t<A>> &&
           !is_single_element_v<shape_of_t<U>>;
  }

  /// Whether U sums or averages every element of an elementwise operand: it then reads the
  /// operand's fused expression in one pass (`reduce_mean(square(y - pred))` needs no buffer
  /// for the squares).
  template <class U>
  static constexpr bool fused_reduction() {
    if constexpr (!is_op_node_v<U> || std::tuple_size_v<typename U::args_type> != 1) {
      return false;
    } else {
      using A = std::tuple_element_t<0, typename U::args_type>;
      using Op = typename U::op_type;
      if constexpr (!typeflow::detail::is_sum_or_mean_v<Op> || !is_elementwise_v<A>) return false;
      else
        return Op::mask == typeflow::detail::all_axes<rank_v<A>>() && std::is_floating_point_v<value_t<A>>;
    }
  }

  /// Whether user U reads its operand I through a buffer pointer rather than an expression.
  template <class U, std::size_t I>
  static constexpr bool reads_buffer() {
    using A = std::tuple_element_t<I, typename U::args_type>;
    if constexpr (!reads_values_v<U, I>) return false;
    else if constexpr (fused_reduction<U>()) return false;
    else if constexpr (!is_elementwise_v<U>) return true;  // kernels and operations
    else if constexpr (requires { U::op_type::buffer_operand; }) return I == U::op_type::buffer_operand;
    else if constexpr (reads_scalar<U, I>()) return true;
    // A fused loop computes in batches of one dtype, converting what it loads from buffers;
    // a lazy operand computed in another dtype gets a buffer.
    else return is_elementwise_v<A> && !std::is_same_v<simd_dtype_t<A>, simd_dtype_t<U>>;
  }

  template <class N>
  static constexpr bool is_root = (std::is_same_v<N, Roots> || ...);

  /// Per node: `live` if its value is needed (a root, or read by a live node: nodes reached
  /// only for their shape, like a reduction's input under its gradient, are not computed),
  /// `uses` its value reads by live nodes, `buffer` whether a live node reads it as a buffer.
  /// One pass over the nodes, so the cost of planning grows linearly with the graph.
  static constexpr auto usage = []<class... Us>(type_list<Us...>) {
    constexpr std::size_t n = sizeof...(Us);
    struct edge {
      std::size_t user, operand;
      bool as_buffer;
    };
    std::array<edge, (std::tuple_size_v<typename operands_of<Us>::type> + ... + 0) + 1> edges{};
    std::size_t count = 0;
    auto add_edges = [&]<class U>() {
      if constexpr (is_op_node_v<U>)
        [&]<std::size_t... I>(std::index_sequence<I...>) {
          ((reads_values_v<U, I> ? (edges[count++] = {position_v<nodes, U>,
                                                      position_v<nodes, std::tuple_element_t<I, typename U::args_type>>,
                                                      reads_buffer<U, I>()},
                                    0)
                                 : 0),
           ...);
        }(std::make_index_sequence<std::tuple_size_v<typename U::args_type>>{});
    };
    (add_edges.template operator()<Us>(), ...);
    struct result {
      std::array<bool, n> live{}, buffer{};
      std::array<std::size_t, n> uses{};
    } r;
    std::size_t i = 0;
    ((r.live[i++] = is_root<Us>), ...);
    for (std::size_t e = count; e-- > 0;)  // users come after their operands: walk backwards
      if (r.live[edges[e].user]) {
        r.live[edges[e].operand] = true;
        ++r.uses[edges[e].operand];
        r.buffer[edges[e].operand] = r.buffer[edges[e].operand] || edges[e].as_buffer;
      }
    return r;
  }(nodes{});

 public:
  /// Whether node N gets a buffer of its own (see the header comment).
  template <class N>
  static constexpr bool materialised = [] {
    if constexpr (!is_op_node_v<N> || is_operation_v<N>) {
      return false;
    } else {
      constexpr std::size_t i = position_v<nodes, N>;
      return usage.live[i] && (!is_elementwise_v<N> || is_root<N> || usage.uses[i] > 1 || usage.buffer[i]);
    }
  }();

 private:
  template <class N>
  struct is_materialised : std::bool_constant<materialised<N>> {};
  template <class N>
  struct is_registered : std::bool_constant<materialised<N> || (is_op_node_v<N> && is_operation_v<N>)> {};
  template <class N>
  struct is_placeholder : std::bool_constant<is_placeholder_v<N>> {};
  template <class N>
  struct is_variable : std::bool_constant<is_variable_v<N>> {};

  using registered = filter_t<nodes, is_registered>;
  using materialised_nodes = filter_t<nodes, is_materialised>;
  using placeholders = filter_t<nodes, is_placeholder>;
  using variables = filter_t<nodes, is_variable>;

 public:
  plan(const std::tuple<Roots...>& roots, variable_store& store) : m_roots(roots) {
    for_each_type(variables{}, [&]<class V>() { std::get<position_v<variables, V>>(m_variables) = &store.get(V{}); });
    std::apply([&](const auto&... r) { (visit(r), ...); }, m_roots);
  }

  bool built_for(const std::tuple<Roots...>& roots) const { return m_roots == roots; }

  /// One run: bind feeds, check variables, compute every buffer in order, then apply the
  /// operations (after all values, so a train op's updates never feed its own gradients),
  /// each after the operations it depends on (Adam's beta powers after every variable's update).
  /// Returns the fetches' values.
  auto run(const Feeds&... feeds) {
    execute(feeds...);
    return std::apply([&](const auto&... r) { return std::tuple{result(r)...}; }, m_roots);
  }

  /// A run whose single fetch is computed straight into `out`, which must have the fetch's
  /// shape (else an error, out untouched): out and the fetch's buffer swap places for the run,
  /// so nothing is copied or allocated.
  template <class Root = std::tuple_element_t<0, std::tuple<Roots...>>>
  void run_into(buffer_t<Root>& out, const Feeds&... feeds) {
    static_assert(sizeof...(Roots) == 1 && !is_operation_v<Root>);
    const Root& root = std::get<0>(m_roots);
    if constexpr (materialised<Root>) {
      auto& buffer = slot_of<Root>().buffers[slot_of<Root>().find(root)];
      std::swap(buffer, out);
      struct swap_back {
        buffer_t<Root>& a;
        buffer_t<Root>& b;
        ~swap_back() { std::swap(a, b); }
      } guard{buffer, out};
      m_fetch_into = &buffer;
      struct reset {
        const void*& p;
        ~reset() { p = nullptr; }
      } unset{m_fetch_into};
      execute(feeds...);
    } else {
      execute(feeds...);
      const auto d = data(root);
      if (out.shape() != d.dims) throw_fetch_into_shape(out.shape(), d.dims);
      std::copy(d.data, d.data + d.size(), out.data());
    }
  }

 private:
  void execute(const Feeds&... feeds) {
    for_each_type(placeholders{}, [&]<class P>() {
      constexpr std::size_t k = feed_index<P, Feeds...>();
      static_assert(k < sizeof...(Feeds), "checked by Session::run");
      feed_of<P>().bind(std::get<k>(std::forward_as_tuple(feeds...)).value);
    });
    for_each_type(variables{}, [&]<class V>() {  // only those read: tf::assign may initialise one
      if (usage.live[position_v<nodes, V>] && !var_of<V>().initialized) throw_uninitialized<typename V::name_type>();
    });
    for_each_type(materialised_nodes{}, [&]<class N>() {
      auto& s = slot_of<N>();
      for (std::size_t i = 0; i < s.nodes.size(); ++i) materialise(s.nodes[i], s.buffers[i]);
    });
    for_each_type(registered{}, [&]<class N>() {
      if constexpr (is_operation_v<N>)
        for (const auto& n : slot_of<N>().nodes) apply(n);
    });
  }

  // --- building ----------------------------------------------------------------------------

  template <class N>
  void visit(const N& n) {
    if constexpr (is_op_node_v<N>) {
      if constexpr (is_registered<N>::value) {
        auto& s = slot_of<N>();
        if (s.find(n) != s.npos) return;
        s.nodes.push_back(n);
        if constexpr (materialised<N>) s.buffers.emplace_back();
      } else if constexpr (payload_free_v<N>) {
        bool& seen = m_seen[position_v<nodes, N>];  // payload-free lazy node: walk it once
        if (seen) return;
        seen = true;
      }
      n.with_args([&](const auto&... a) { (visit(a), ...); });
    }
  }

  // --- lookups -----------------------------------------------------------------------------

  template <class N>
  auto& slot_of() {
    return std::get<position_v<registered, N>>(m_slots);
  }
  template <class P>
  auto& feed_of() {
    return std::get<position_v<placeholders, P>>(m_feeds);
  }
  template <class V>
  auto& var_of() {
    return *std::get<position_v<variables, V>>(m_variables);
  }
  template <class N>
  const buffer_t<N>& buffer_of(const N& n) {
    auto& s = slot_of<N>();
    return s.buffers[s.find(n)];
  }

  // --- shapes ------------------------------------------------------------------------------

  template <class N>
  dims_of_t<N> dims(const N& n) {
    using S = shape_of_t<N>;
    if constexpr (S::fully_static) {
      dims_of_t<N> d{};
      for (std::size_t i = 0; i < S::rank; ++i) d[i] = static_cast<std::size_t>(S::dims[i]);
      return d;
    } else if constexpr (is_placeholder_v<N>) {
      return feed_of<N>().dims;
    } else if constexpr (is_constant_v<N>) {
      return n.m_shape;
    } else if constexpr (materialised<N>) {
      return buffer_of(n).shape();
    } else {
      return infer_dims(n);
    }
  }

  /// The dims of an op node's result, from its operands' dims.
  template <class Op, class... A>
  dims_of_t<graph::node<Op, A...>> infer_dims(const graph::node<Op, A...>& n) {
    using N = graph::node<Op, A...>;
    if constexpr (requires { Op::shape_operand; }) {
      return dims(n.template arg<Op::shape_operand>());
    } else if constexpr (is_elementwise_v<N> && sizeof...(A) == 1) {
      return dims(n.template arg<0>());
    } else if constexpr (is_elementwise_v<N>) {
      // Binary ops name both operands' dims in the error; a third (tf.where) joins their result.
      return n.with_args([&](const auto& a, const auto& b, const auto&... rest) {
        auto d = broadcast_runtime<rank_v<N>>(Op::tf_name, dims(a), dims(b));
        ((d = broadcast_runtime<rank_v<N>>(Op::tf_name, d, dims(rest))), ...);
        return d;
      });
    } else {
      // Called on the op object: an op with run-time attributes (a slice's begin) reads them.
      return n.with_args([&](const auto&... a) { return n.op().result_dims(dims(a)...); });
    }
  }

  // --- values ------------------------------------------------------------------------------

  /// A node's values as a buffer pointer and dims (leaves and materialised nodes only).
  template <class N>
  tensor_ref<const value_t<N>, rank_v<N>> data(const N& n) {
    if constexpr (is_placeholder_v<N>) return {feed_of<N>().data, feed_of<N>().dims};
    else if constexpr (is_variable_v<N>) return {var_of<N>().value.data(), dims(n)};
    else if constexpr (is_scalar_v<N>) return {&n.m_value, {}};
    else if constexpr (is_integer_v<N>) return {&N::value, {}};
    else if constexpr (is_constant_v<N>) return {n.m_data->data(), n.m_shape};
    else {
      static_assert(materialised<N>, "typeflow internal: a buffer was read from a lazy node");
      const auto& b = buffer_of(n);
      return {b.data(), b.shape()};
    }
  }

  /// Node n in a fused loop over dims `loop` (n's dims broadcast to them): a literal; for a
  /// lazy node, its op over its operands; else a fused::leaf reading its values (a feed, a
  /// variable, a constant or a node's buffer).
  template <std::size_t R, class N>
  auto fuse(const N& n, const std::array<std::size_t, R>& loop) {
    if constexpr (is_scalar_v<N>) {
      return fused::scalar<value_t<N>>{n.m_value};
    } else if constexpr (is_integer_v<N>) {
      return fused::scalar<value_t<N>>{N::value};
    } else if constexpr (is_op_node_v<N> && !materialised<N>) {
      return fuse_lazy(n, loop);
    } else {
      const auto d = data(n);
      return fused::make_leaf(d.data, d.dims, loop);
    }
  }

  /// Operand I of an elementwise node: a single value broadcast into a larger result is read
  /// once, as a scalar, which keeps the loop contiguous.
  template <std::size_t I, std::size_t R, class N>
  auto fuse_operand(const N& n, const std::array<std::size_t, R>& loop) {
    if constexpr (reads_scalar<N, I>())
      return fused::scalar<value_t<decltype(n.template arg<I>())>>{data(n.template arg<I>()).data[0]};
    else
      return fuse(n.template arg<I>(), loop);
  }

  template <std::size_t R, class Op, class... A>
  auto fuse_lazy(const graph::node<Op, A...>& n, const std::array<std::size_t, R>& loop) {
    if constexpr (requires { Op::buffer_operand; }) {
      return fuse_broadcast_back(n, loop);
    } else {
      return [&]<std::size_t... I>(std::index_sequence<I...>) {
        using tree = fused::apply<Op, decltype(fuse_operand<I>(n, loop))...>;
        return tree{n.op(), {{fuse_operand<I>(n, loop)}...}};
      }(std::index_sequence_for<A...>{});
    }
  }

  /// The gradient of a reduction: g broadcast over the reduced axes to x's dims, times 1/count
  /// for a mean. A single g (a full reduction) is one value.
  template <std::size_t R, class Op, class G, class X>
  auto fuse_broadcast_back(const graph::node<Op, G, X>& n, const std::array<std::size_t, R>& loop) {
    using T = value_t<G>;
    const auto g = data(n.template arg<0>());
    const auto xd = dims(n.template arg<1>());
    const T scale = Op::kind == op::reduction::mean ? T(1) / static_cast<T>(op::reduced_count(Op::mask, xd)) : T(1);
    if constexpr (is_single_element_v<shape_of_t<G>>) {
      return fused::scalar<T>{g.data[0] * scale};
    } else {
      auto kept = xd;  // x's dims with the reduced axes as 1: g's values in x's rank
      for (std::size_t i = 0; i < kept.size(); ++i)
        if (op::in_mask(Op::mask, i)) kept[i] = 1;
      using tree = fused::apply<op::mul, fused::leaf<T, R>, fused::scalar<T>>;
      return tree{op::mul{}, {{fused::make_leaf(g.data, kept, loop)}, {fused::scalar<T>{scale}}}};
    }
  }

  template <class N>
  void materialise(const N& n, buffer_t<N>& buffer) {
    const auto d = infer_dims(n);
    if (buffer.shape() != d) {
      if (&buffer == m_fetch_into) throw_fetch_into_shape(buffer.shape(), d);  // before any write to it
      buffer.resize(d);
    }
    if constexpr (is_elementwise_v<N>) {
      auto tree = fuse_lazy(n, d);
      fused::assign<simd_dtype_t<N>>(buffer.data(), d, tree);
    } else if constexpr (fused_reduction<N>()) {
      // The sum (or mean) of every element of an elementwise operand, computed in its loop.
      const auto& x = n.template arg<0>();
      const auto xd = dims(x);
      auto tree = fuse(x, xd);
      auto total = fused::sum<value_t<N>>(xd, tree);
      if constexpr (N::op_type::kind == op::reduction::mean)
        total *= value_t<N>(1) / static_cast<value_t<N>>(op::reduced_count(N::op_type::mask, xd));
      buffer.data()[0] = total;
    } else {
      [&]<std::size_t... I>(std::index_sequence<I...>) {
        n.op().forward(tensor_ref<value_t<N>, rank_v<N>>{buffer.data(), d}, kernel_operand<N, I>(n.template arg<I>())...);
      }(std::make_index_sequence<std::tuple_size_v<typename N::args_type>>{});
    }
  }

  /// Operand I of a kernel: its values, or only its dims (data null) when the op reads only
  /// its shape (a reshape's gradient reads x's dims, not x).
  template <class N, std::size_t I, class A>
  tensor_ref<const value_t<A>, rank_v<A>> kernel_operand(const A& a) {
    if constexpr (reads_values_v<N, I>) return data(a);
    else return {nullptr, dims(a)};
  }

  /// An operation's effect; a group (tf.group, a train op) has none beyond its operands'.
  /// The op's kernel gets its tensor operands in order: the first `updated_operands` (1 by
  /// default) are variables it writes, the others values it reads. Operands that are
  /// operations come last: control dependencies, which only order it after them.
  template <class N>
  void apply(const N& n) {
    if constexpr (N::op_type::updates_variable) {
      constexpr std::size_t tensors = []<class... A>(std::tuple<A...>*) {
        return (std::size_t{!is_operation_v<A>} + ... + 0);
      }(static_cast<typename N::args_type*>(nullptr));
      [&]<std::size_t... I>(std::index_sequence<I...>) {
        n.op().apply(operation_operand<I>(n)...);
      }(std::make_index_sequence<tensors>{});
    }
  }

  template <std::size_t I, class N>
  auto operation_operand(const N& n) {
    using A = std::tuple_element_t<I, typename N::args_type>;
    static_assert(!is_operation_v<A>, "typeflow internal: an operation's control dependencies come after its tensors");
    constexpr std::size_t updated = [] {
      if constexpr (requires { N::op_type::updated_operands; }) return N::op_type::updated_operands;
      else return std::size_t{1};
    }();
    if constexpr (I < updated) {
      static_assert(is_variable_v<A>, "typeflow internal: an operation writes only variables");
      auto& v = var_of<A>();
      if (!v.initialized) {  // tf::assign initialises a variable (the other updates read it first)
        v.value.resize(dims(n.template arg<I>()));
        v.initialized = true;
      }
      return tensor_ref<value_t<A>, rank_v<A>>{v.value.data(), dims(n.template arg<I>())};
    } else {
      return data(n.template arg<I>());
    }
  }

  template <class N>
  auto result(const N& n) {
    if constexpr (is_operation_v<N>) {
      return no_value{};
    } else {
      const auto d = data(n);
      buffer_t<N> out(d.dims);
      std::copy(d.data, d.data + d.size(), out.data());
      return out;
    }
  }

  std::tuple<Roots...> m_roots;
  typename slots_tuple<registered>::type m_slots;
  typename slots_tuple<placeholders>::feeds m_feeds;
  typename slots_tuple<variables>::variables m_variables{};
  std::array<bool, nodes::size> m_seen{};
  const void* m_fetch_into = nullptr;  // the caller's array during run_into: never resized
};

}  // namespace eval
}  // namespace typeflow

#endif
