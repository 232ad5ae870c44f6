#ifndef TYPEFLOW_EVAL_CPU_EXECUTOR_HPP
#define TYPEFLOW_EVAL_CPU_EXECUTOR_HPP

// Runs a schedule (eval/schedule.hpp) on the CPU. Built once per fetch set and feed types, and
// reused: it keeps the nodes of each registered type (nodes of one type with different
// payloads, `2.0f * x` and `3.0f * x`, get a buffer each) and their buffers, which keep their
// size from run to run, so a steady run allocates nothing. Every op is run through the op
// contract (graph/op_contract.hpp): an elementwise node's lazy operands become one fused loop
// (eval/fused.hpp) of the ops' SIMD or scalar forms, a kernel op's `forward` fills its buffer,
// an operation's `apply` writes its variables after all values are computed. A view op's node
// (op contract: view_offset) reads its operand's values in place.

#include <algorithm>
#include <array>
#include <cstddef>
#include <functional>
#include <limits>
#include <memory>
#include <mutex>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "../core/element_count.hpp"
#include "../core/error.hpp"
#include "../core/flat_tuple.hpp"
#include "../core/tensor_ref.hpp"
#include "../core/type_list.hpp"
#include "../graph/constant.hpp"
#include "../graph/placeholder.hpp"
#include "../graph/variable.hpp"
#include "feed.hpp"
#include "fused.hpp"
#include "scalar_value.hpp"
#include "schedule.hpp"
#include "variable_store.hpp"
#include "xtensor.hpp"

namespace typeflow {

namespace diagnostic {
/// A kernel op tag (named in this type) has no `forward(tensor_ref out, tensor_ref operands...)`
/// that the CPU executor can call with these operands.
template <class Op>
struct error_cpu_executor_cannot_run_kernel_op;
}  // namespace diagnostic

namespace eval {

template <class N>
using buffer_t = xt::xtensor<value_t<N>, rank_v<N>>;

template <class N>
using dims_of_t = std::array<std::size_t, rank_v<N>>;

struct no_buffers {};

/// The instances of a payload-free node type: at most one, which the type itself is (a
/// std::vector of them would instantiate its members for every such type of every graph).
template <class N>
struct single_instance {
  bool present = false;
  std::size_t size() const { return present; }
  N operator[](std::size_t) const { return N{}; }
  void push_back(const N&) { present = true; }
};

/// The instances of one node type in a run, with their buffers (none for operations).
template <class N>
struct slot {
  static constexpr std::size_t npos = std::numeric_limits<std::size_t>::max();
  std::conditional_t<payload_free_v<N>, single_instance<N>, std::vector<N>> nodes;
  std::conditional_t<is_operation_v<N>, no_buffers, std::vector<buffer_t<N>>> buffers;

  std::size_t find(const N& n) const {
    if constexpr (payload_free_v<N>) {
      return nodes.size() == 0 ? npos : 0;  // a payload-free type is one node
    } else {
      for (std::size_t i = 0; i < nodes.size(); ++i)
        if (nodes[i] == n) return i;
      return npos;
    }
  }
};

/// Where the instances of view node N (cpu_executor::is_view) read their values this run.
template <class N>
struct view_refs {
  std::vector<tensor_ref<const value_t<N>, rank_v<N>>> refs;
};

/// The variable a run reads or writes as node type V: a pointer into the Session's store.
template <class V>
struct variable_ref {
  variable_value<value_t<V>, rank_v<V>>* value = nullptr;
};

/// A run's state per node type: one base class per type of List (node types are distinct, so
/// each base is found by its type). Not a std::tuple: its constructors' constraints are
/// checked over every element type, for every fetch set (std::__and_ and std::__or_ were 15%
/// of a test file's compile time with clang).
template <template <class> class Of, class List>
struct per_type;
template <template <class> class Of, class... Ns>
struct per_type<Of, type_list<Ns...>> : Of<Ns>... {};

/// a == b for dims of one rank, compared in place: std::array's == is a call to memcmp with
/// g++ (5% of a small training step, where each buffer's dims are checked every run).
template <std::size_t R>
constexpr bool same_dims(const std::array<std::size_t, R>& a, const std::array<std::size_t, R>& b) {
  for (std::size_t i = 0; i < R; ++i)
    if (a[i] != b[i]) return false;
  return true;
}

/// NumPy broadcasting of run-time dims (static dims were checked at compile time;
/// a `none` dim is checked here).
template <std::size_t R, std::size_t RA, std::size_t RB>
std::array<std::size_t, R> broadcast_runtime(std::string_view op, const std::array<std::size_t, RA>& a,
                                             const std::array<std::size_t, RB>& b) {
  if constexpr (RA == R && RB == R)
    if (same_dims(a, b)) return a;  // most binary ops: one pass of compares
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

/// Whether kernel node N's op has a forward for N's operands read as tensor_refs. (Not a
/// pack expansion inside the executor's generic lambda: clang 14 mis-expands it there.)
template <class N, class Args = typename N::args_type>
struct runs_on_cpu;
template <class N, class... A>
struct runs_on_cpu<N, std::tuple<A...>>
    : std::bool_constant<op::kernel_op<typename N::op_type, tensor_ref<value_t<N>, rank_v<N>>,
                                       tensor_ref<const value_t<A>, rank_v<A>>...>> {};

/// Whether schedule S computes node N with its op's `forward` (not in a fused loop, not
/// applied), which N's op lacks for N's operands.
template <class S, class N>
constexpr bool lacks_forward() {
  if constexpr (!S::template materialised<N> || is_elementwise_v<N>) return false;
  else if constexpr (S::template sums_operand<N>()) return false;
  else return !runs_on_cpu<N>::value;
}

template <bool Lacks, class N>
struct op_if_lacking {
  using type = type_list<>;
};
template <class N>
struct op_if_lacking<true, N> {
  using type = type_list<typename N::op_type>;
};

template <class S, class... Ns>
auto kernels_without_forward(type_list<Ns...>)  // only for decltype
    -> decltype((type_list<>{} + ... + typename op_if_lacking<lacks_forward<S, Ns>(), Ns>::type{}));

/// The op tags of the nodes that schedule S computes with a `forward` they lack for their
/// operands: Session::run names them in its error, one step from the user's line.
template <class S>
using kernels_without_forward_t = decltype(kernels_without_forward<S>(typename S::nodes{}));

/// The operand whose run-time dims are those of elementwise node N, where that is decided at
/// compile time: the only operand with a dim known at run time, when N's static shape is its
/// own, so that the other operands, fully static, only broadcast into it (`x + b`, `2 * x`).
/// `operand` is the operand count where there is none such: the dims are broadcast at run time.
template <class N, class Args = typename N::args_type>
struct takes_dims_of;
template <class N, class... A>
struct takes_dims_of<N, std::tuple<A...>> {
  static constexpr std::size_t operand = [] {
    constexpr bool fully_static[] = {shape_of_t<A>::fully_static...};
    constexpr bool shape_of_node[] = {std::is_same_v<shape_of_t<A>, shape_of_t<N>>...};
    std::size_t found = sizeof...(A), dynamic = 0;
    for (std::size_t i = 0; i < sizeof...(A); ++i)
      if (!fully_static[i]) found = i, ++dynamic;
    return dynamic == 1 && shape_of_node[found] ? found : sizeof...(A);
  }();
};

template <class Roots, class... Feeds>
class cpu_executor;

/// What a Session caches per fetch set, whatever the executor.
class executor_base {
 public:
  virtual ~executor_base() = default;
};

template <class... Roots, class... Feeds>
class cpu_executor<flat_tuple<Roots...>, Feeds...> : public executor_base {
 public:
  using schedule_type = schedule<Roots...>;
  using nodes = typename schedule_type::nodes;
  template <class N>
  static constexpr bool materialised = schedule_type::template materialised<N>;

  /// Whether node N's values are its operand 0's from the op's view_offset on, read in place
  /// rather than copied by its forward: unless that operand is a variable, which the run's
  /// operations may update before its fetches are read.
  template <class N>
  static constexpr bool is_view = [] {
    if constexpr (!is_op_node_v<N> || is_operation_v<N> || !requires { N::op_type::view_offset; }) return false;
    else return materialised<N> && !is_variable_v<std::tuple_element_t<0, typename N::args_type>>;
  }();

  cpu_executor(const flat_tuple<Roots...>& roots, variable_store& store) : m_roots(roots) {
    for_each_type(variables{}, [&]<class V>() { static_cast<variable_ref<V>&>(m_variables).value = &store.get(V{}); });
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      (visit(typeflow::get<I>(m_roots)), ...);
    }(std::index_sequence_for<Roots...>{});
  }

  bool built_for(const flat_tuple<Roots...>& roots) const {
    return [&]<std::size_t... I>(std::index_sequence<I...>) {
      return (same_node(typeflow::get<I>(m_roots), typeflow::get<I>(roots)) && ...);
    }(std::index_sequence_for<Roots...>{});
  }

  /// One run: bind feeds, check variables, compute every buffer in order, then apply the
  /// operations (after all values, so a train op's updates never feed its own gradients),
  /// each after the operations it depends on (Adam's beta powers after every variable's update).
  /// Returns the fetches' values.
  auto run(const Feeds&... feeds) {
    execute(feeds...);
    return [&]<std::size_t... I>(std::index_sequence<I...>) {
      return std::tuple{result<I>(typeflow::get<I>(m_roots))...};  // in order: a braced list is evaluated left to right
    }(std::index_sequence_for<Roots...>{});
  }

  /// A run whose single fetch is computed straight into `out`, which must have the fetch's
  /// shape (else an error, out untouched): out and the fetch's buffer swap places for the run,
  /// so nothing is copied or allocated. Where `out` is also fed to the run (`x = f(x)` in
  /// place), the fetch is computed in its own buffer and copied: the run reads what it writes.
  template <class Root = std::tuple_element_t<0, std::tuple<Roots...>>>
  void run_into(buffer_t<Root>& out, const Feeds&... feeds) {
    static_assert(sizeof...(Roots) == 1 && !is_operation_v<Root>);
    const Root& root = typeflow::get<0>(m_roots);
    bind(feeds...);  // first: binding reads the fed arrays, which may include `out`
    if constexpr (materialised<Root> && !is_view<Root>) {
      if (!fed_to_run(out)) {
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
        compute();
        return;
      }
    }
    compute();
    const auto d = data(root);
    if (out.shape() != d.dims) throw_fetch_into_shape(out.shape(), d.dims);
    std::copy(d.data, d.data + d.size(), out.data());
  }

 private:
  using registered = typename schedule_type::registered;
  using materialised_nodes = typename schedule_type::materialised_nodes;
  using placeholders = typename schedule_type::placeholders;
  using variables = typename schedule_type::variables;
  template <class N>
  struct is_view_node : std::bool_constant<is_view<N>> {};
  using view_nodes = filter_t<materialised_nodes, is_view_node>;

  template <class U, std::size_t I>
  static constexpr bool reads_scalar = schedule_type::template reads_scalar<U, I>();

  void execute(const Feeds&... feeds) {
    bind(feeds...);
    compute();
  }

  void bind(const Feeds&... feeds) {
    for_each_type(placeholders{}, [&]<class P>() {
      constexpr std::size_t k = feed_index<P, Feeds...>();
      static_assert(k < sizeof...(Feeds), "checked by Session::run");
      feed_of<P>().bind(std::get<k>(std::forward_as_tuple(feeds...)).value);
    });
  }

  /// Whether array `out` shares memory with a value this run reads as a feed.
  template <class A>
  bool fed_to_run(const A& out) {
    const auto* begin = reinterpret_cast<const unsigned char*>(out.data());
    const auto* end = begin + out.size() * sizeof(typename A::value_type);
    bool shared = false;
    for_each_type(placeholders{}, [&]<class P>() {
      const auto& f = feed_of<P>();
      const auto* fb = reinterpret_cast<const unsigned char*>(f.data);
      const auto* fe = fb + f.size() * sizeof(value_t<P>);
      const std::less<const unsigned char*> before;  // a total order, also between unrelated arrays
      shared = shared || (before(fb, end) && before(begin, fe));
    });
    return shared;
  }

  /// Computes every buffer in order, then applies the operations (the feeds are bound).
  void compute() {
    for_each_type(variables{}, [&]<class V>() {  // only those read: tf::assign may initialise one
      if (schedule_type::template live<V> && !var_of<V>().initialized) throw_uninitialized<typename V::name_type>();
    });
    for_each_type(materialised_nodes{}, [&]<class N>() {
      auto& s = slot_of<N>();
      for (std::size_t i = 0; i < s.nodes.size(); ++i) {
        if constexpr (is_view<N>) view_of<N>().refs[i] = view(s.nodes[i]);
        else materialise(s.nodes[i], s.buffers[i]);
      }
    });
    // Every operation is validated before any applies: a run's updates are all or none.
    for_each_type(registered{}, [&]<class N>() {
      if constexpr (is_operation_v<N>)
        for (std::size_t i = 0; i < slot_of<N>().nodes.size(); ++i) validate(slot_of<N>().nodes[i]);
    });
    for_each_type(registered{}, [&]<class N>() {
      if constexpr (is_operation_v<N>)
        for (std::size_t i = 0; i < slot_of<N>().nodes.size(); ++i) apply(slot_of<N>().nodes[i]);
    });
  }

  // --- building ----------------------------------------------------------------------------

  template <class N>
  void visit(const N& n) {
    if constexpr (is_op_node_v<N>) {
      if constexpr (materialised<N> || is_operation_v<N>) {
        auto& s = slot_of<N>();
        if (s.find(n) != s.npos) return;
        s.nodes.push_back(n);
        if constexpr (is_view<N>) view_of<N>().refs.emplace_back();
        else if constexpr (materialised<N>) s.buffers.emplace_back();
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
  slot<N>& slot_of() {
    return m_slots;
  }
  template <class P>
  feed_binding<P>& feed_of() {
    return m_feeds;
  }
  template <class N>
  view_refs<N>& view_of() {
    return m_views;
  }
  template <class V>
  auto& var_of() {
    return *static_cast<variable_ref<V>&>(m_variables).value;
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
    } else if constexpr (is_view<N>) {
      return data(n).dims;
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
    if constexpr (op::traits<Op>::has_shape_operand) {
      return dims(n.template arg<Op::shape_operand>());
    } else if constexpr (is_elementwise_v<N> && sizeof...(A) == 1) {
      return dims(n.template arg<0>());
    } else if constexpr (is_elementwise_v<N> && takes_dims_of<N>::operand < sizeof...(A)) {
      return dims(n.template arg<takes_dims_of<N>::operand>());
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
    else if constexpr (is_static_scalar_v<N>) return {&N::value, {}};
    else if constexpr (is_constant_v<N>) return {n.m_data->data(), n.m_shape};
    else if constexpr (is_view<N>) return view_of<N>().refs[slot_of<N>().find(n)];
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
    } else if constexpr (is_static_scalar_v<N>) {
      return fused::scalar<value_t<N>>{N::value};
    } else if constexpr (is_op_node_v<N> && !materialised<N>) {
      return fuse_lazy(n, loop);
    } else {
      const auto d = data(n);
      return fused::make_leaf(d.data, d.dims, loop);
    }
  }

  /// Operand I of elementwise node n in its loop: one value, read once; a buffer read with
  /// other dims than its own (the op's broadcast_dims); or the operand's own fused form.
  template <std::size_t I, std::size_t R, class N>
  auto fuse_operand(const N& n, const std::array<std::size_t, R>& loop) {
    using Op = typename N::op_type;
    if constexpr (reads_scalar<N, I>) {
      return fused::scalar<value_t<decltype(n.template arg<I>())>>{data(n.template arg<I>()).data[0]};
    } else if constexpr (op::traits<Op>::broadcast_from_buffer(I)) {
      return fused::make_leaf(data(n.template arg<I>()).data, Op::broadcast_dims(loop), loop);
    } else {
      return fuse(n.template arg<I>(), loop);
    }
  }

  /// An elementwise node over the fused forms of the operands it reads: the op object itself
  /// (leaky_relu carries its alpha), or what it computes at run time (op contract: at_run_time).
  template <std::size_t R, class Op, class... A>
  auto fuse_lazy(const graph::node<Op, A...>& n, const std::array<std::size_t, R>& loop) {
    using T = value_t<graph::node<Op, A...>>;
    const auto op = [&] {
      if constexpr (requires(const dims_of_t<A>&... d) { Op::template at_run_time<T>(d...); })
        return n.with_args([&](const auto&... a) { return n.op().template at_run_time<T>(dims(a)...); });
      else
        return n.op();
    }();
    return [&]<std::size_t... J>(std::index_sequence<J...>) {
      using tree = fused::apply<std::remove_const_t<decltype(op)>, decltype(fuse_operand<J>(n, loop))...>;
      return tree{op, {{fuse_operand<J>(n, loop)}...}};
    }(value_operands<Op, sizeof...(A)>());
  }

  /// The operands an elementwise op reads for their values, which its loop takes: all, or
  /// (where the op says `reads_values`) the leading ones (a reduction gradient's x gives only
  /// the shape).
  template <class Op, std::size_t Arity>
  static constexpr auto value_operands() {
    if constexpr (!requires { Op::reads_values(0); }) {
      return std::make_index_sequence<Arity>{};
    } else {
      constexpr std::size_t read = [] {
        std::size_t k = 0;
        while (k < Arity && Op::reads_values(k)) ++k;
        for (std::size_t i = k; i < Arity; ++i)
          if (Op::reads_values(i)) throw "typeflow: an elementwise op's value operands come first";
        return k;
      }();
      return std::make_index_sequence<read>{};
    }
  }

  /// View node n's values: its operand's buffer from the op's view_offset on, in its dims.
  template <class N>
  tensor_ref<const value_t<N>, rank_v<N>> view(const N& n) {
    const auto in = data(n.template arg<0>());
    tensor_ref<const value_t<N>, rank_v<N>> out{nullptr, infer_dims(n)};
    constexpr std::size_t offset = N::op_type::view_offset;
    if (offset > in.size() || out.size() > in.size() - offset)
      throw error(std::string(N::op_type::tf_name) + ": a view of " + shape_string(out.dims) + " from element " +
                  std::to_string(offset) + " of a buffer of " + std::to_string(in.size()) + " elements");
    out.data = in.data + offset;
    return out;
  }

  template <class N>
  void materialise(const N& n, buffer_t<N>& buffer) {
    using Op = typename N::op_type;
    const auto d = infer_dims(n);
    if (!same_dims(buffer.shape(), d)) {
      if (&buffer == m_fetch_into) throw_fetch_into_shape(buffer.shape(), d);  // before any write to it
      checked_element_count(d, sizeof(value_t<N>), Op::tf_name);
      buffer.resize(d);
    }
    if constexpr (is_elementwise_v<N>) {
      auto tree = fuse_lazy(n, d);
      fused::assign<compute_type_t<N>>(buffer.data(), d, tree);
    } else if constexpr (schedule_type::template sums_operand<N>()) {
      // A sum of every element of an elementwise operand, computed in its loop.
      const auto& x = n.template arg<0>();
      const auto xd = dims(x);
      auto tree = fuse(x, xd);
      buffer.data()[0] = fused::sum<value_t<N>>(xd, tree) * Op::template total_scale<value_t<N>>(xd);
    } else if constexpr (packs_constant_b<N>) {
      n.op().forward(tensor_ref<value_t<N>, 2>{buffer.data(), d}, data(n.template arg<0>()), data(n.template arg<1>()),
                     &packed_b_of(n));
    } else {
      [&]<std::size_t... I>(std::index_sequence<I...>) {
        if constexpr (!runs_on_cpu<N>::value) {
          diagnostic::error_cpu_executor_cannot_run_kernel_op<Op> error;
        } else {
          n.op().forward(tensor_ref<value_t<N>, rank_v<N>>{buffer.data(), d}, kernel_operand<N, I>(n.template arg<I>())...);
        }
      }(std::make_index_sequence<std::tuple_size_v<typename N::args_type>>{});
    }
  }

  /// Whether kernel node N is a product by a constant B that its op can pack for its GEMM once
  /// (op::matmul's pack_b): a constant's values never change, so the packing is kept.
  template <class N>
  static constexpr bool packs_constant_b = [] {
    if constexpr (!is_op_node_v<N> || std::tuple_size_v<typename N::args_type> != 2) return false;
    else
      return is_constant_v<std::tuple_element_t<1, typename N::args_type>> &&
             requires(tensor_ref<const value_t<N>, 2> b) { N::op_type::pack_b(b); };
  }();

  /// B of product n packed, the first time in this executor; kept by the constant's values and
  /// the op (a constant may be B of a product and of a transposed one).
  template <class N>
  const auto& packed_b_of(const N& n) {
    const auto b = data(n.template arg<1>());
    using packed = decltype(N::op_type::pack_b(b));
    const void* op = &op_key<typename N::op_type>;
    for (const auto& c : m_packed_constants)
      if (c.values == b.data && c.op == op) return *static_cast<const packed*>(c.packed.get());
    auto p = std::make_shared<const packed>(N::op_type::pack_b(b));
    m_packed_constants.push_back({b.data, op, p});
    return *p;
  }
  template <class Op>
  static constexpr char op_key = 0;  // its address names Op

  /// Operand I of a kernel: its values, or only its dims (data null) when the op reads only
  /// its shape (a reshape's gradient reads x's dims, not x).
  template <class N, std::size_t I, class A>
  tensor_ref<const value_t<A>, rank_v<A>> kernel_operand(const A& a) {
    if constexpr (reads_values_v<N, I>) return data(a);
    else return {nullptr, dims(a)};
  }

  /// How many operands of operation N are tensors (the others are control dependencies).
  template <class N>
  static constexpr std::size_t tensor_operands = []<class... A>(std::tuple<A...>*) {
    return (std::size_t{!is_operation_v<A>} + ... + 0);
  }(static_cast<typename N::args_type*>(nullptr));

  /// An operation's check of its operands' dims (its optional `validate`), which throws where
  /// apply would; it changes nothing.
  template <class N>
  void validate(const N& n) {
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      if constexpr (requires { n.op().validate(dims(n.template arg<I>())...); })
        n.op().validate(dims(n.template arg<I>())...);
    }(std::make_index_sequence<tensor_operands<N>>{});
  }

  /// An operation's effect; a group (tf.group, a train op) has none beyond its operands'.
  /// The op's kernel gets its tensor operands in order: the first `updated_operands` are
  /// variables it writes, the others values it reads. Operands that are operations come
  /// last: control dependencies, which only order it after them.
  template <class N>
  void apply(const N& n) {
    using Op = typename N::op_type;
    if constexpr (op::state_op<Op>) {
      const auto run = [&]<std::size_t... I>(std::index_sequence<I...>) { n.op().apply(operation_operand<I>(n)...); };
      if (op::traits<Op>::use_locking(n.op())) {
        [&]<std::size_t... U>(std::index_sequence<U...>) {
          std::scoped_lock lock(var_of<std::tuple_element_t<U, typename N::args_type>>().lock...);
          run(std::make_index_sequence<tensor_operands<N>>{});
        }(std::make_index_sequence<op::traits<Op>::updated_operands>{});
      } else {
        run(std::make_index_sequence<tensor_operands<N>>{});
      }
    }
  }

  template <std::size_t I, class N>
  auto operation_operand(const N& n) {
    using A = std::tuple_element_t<I, typename N::args_type>;
    static_assert(!is_operation_v<A>, "typeflow internal: an operation's control dependencies come after its tensors");
    if constexpr (I < op::traits<typename N::op_type>::updated_operands) {
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

  /// Whether two nodes of one type are one computation: always for a payload-free type, else
  /// equal payloads (not `a == b` for every type: an operator's lookup by argument walks a
  /// large node type as a tree in clang 14, core/flat_tuple.hpp).
  template <class N>
  static bool same_node([[maybe_unused]] const N& a, [[maybe_unused]] const N& b) {
    if constexpr (payload_free_v<N>) return true;
    else return a == b;
  }

  /// Whether a root after root I is the same node (fetched twice: tf::fetch(a, a)).
  template <std::size_t I>
  bool fetched_again() const {
    using R = std::tuple_element_t<I, std::tuple<Roots...>>;
    return [&]<std::size_t... J>(std::index_sequence<J...>) {
      return ([&] {
        if constexpr (std::is_same_v<std::tuple_element_t<I + 1 + J, std::tuple<Roots...>>, R>)
          return same_node(typeflow::get<I + 1 + J>(m_roots), typeflow::get<I>(m_roots));
        else return false;
      }() || ... || false);
    }(std::make_index_sequence<sizeof...(Roots) - 1 - I>{});
  }

  /// The value of root I. A computed array's buffer is handed over, not copied: the next run
  /// allocates it again, as a copy would have allocated the result (a scalar is copied, and a
  /// node fetched twice is handed over at its last place).
  template <std::size_t I, class N>
  auto result(const N& n) {
    if constexpr (is_operation_v<N>) {
      return no_value{};
    } else if constexpr (std::is_same_v<value_t<N>, std::string>) {
      return std::string(*data(n).data);  // a summary (ops/summary.hpp): a serialized Summary
    } else {
      if constexpr (materialised<N> && !is_view<N> && rank_v<N> > 0) {
        if (!fetched_again<I>()) {
          auto& s = slot_of<N>();
          return std::exchange(s.buffers[s.find(n)], buffer_t<N>{});
        }
      }
      const auto d = data(n);
      buffer_t<N> out(d.dims);
      std::copy(d.data, d.data + d.size(), out.data());
      if constexpr (rank_v<N> == 0) return scalar_value<value_t<N>>(std::move(out));
      else return out;
    }
  }

  flat_tuple<Roots...> m_roots;
  per_type<slot, registered> m_slots;
  per_type<feed_binding, placeholders> m_feeds;
  per_type<variable_ref, variables> m_variables;
  per_type<view_refs, view_nodes> m_views;
  std::array<bool, nodes::size> m_seen{};
  const void* m_fetch_into = nullptr;  // the caller's array during run_into: never resized
  struct packed_constant {
    const void* values;
    const void* op;
    std::shared_ptr<const void> packed;
  };
  std::vector<packed_constant> m_packed_constants;  // packed_b_of's
};

}  // namespace eval
}  // namespace typeflow

#endif
