#ifndef TYPEFLOW_RUNTIME_SESSION_HPP
#define TYPEFLOW_RUNTIME_SESSION_HPP

#include <algorithm>
#include <cstddef>
#include <initializer_list>
#include <memory>
#include <thread>
#include <tuple>
#include <type_traits>
#include <vector>

#include "../core/flat_tuple.hpp"
#include "../core/thread_pool.hpp"
#include "../eval/cpu_executor.hpp"
#include "../eval/feed.hpp"
#include "../eval/variable_store.hpp"
#include "config.hpp"
#include "executor_cache.hpp"
#include "graph.hpp"
#include "graph_export.hpp"
#include "variables.hpp"

namespace typeflow {

/// Several fetches for one run: `sess.run(tf::fetch(train, loss), feeds...)` returns a tuple.
template <graph_node... N>
struct fetch_list {
  flat_tuple<N...> nodes;
};

template <graph_node... N>
fetch_list<N...> fetch(const N&... nodes) {
  return {{nodes...}};
}

/// A fetch computed into an array the caller keeps (numpy's `out=`; TF has none), which must
/// have the fetch's shape (else tf::error): a steady loop of such runs allocates nothing,
/// where `run` returns a new array each time.
template <tensor_node N>
struct fetch_into_t {
  xt::xtensor<value_t<N>, rank_v<N>>& out;
  N node;
};

template <tensor_node N>
fetch_into_t<N> fetch_into(xt::xtensor<value_t<N>, rank_v<N>>& out, const N& node) {
  return {out, node};
}

/// TF1's `sess.run([train, loss], ...)` written as a braced list, `sess.run({train, loss}, ...)`:
/// a braced list cannot carry each fetch's type, so Session::run says to write tf::fetch.
struct braced_fetches {
  struct any_node {
    template <graph_node N>
    any_node(const N&) {}
  };
  braced_fetches(std::initializer_list<any_node>) {}
};

template <class T>
inline constexpr bool is_feed_item_v = false;
template <class P, class V>
inline constexpr bool is_feed_item_v<feed_item<P, V>> = true;

template <class T>
concept feed_like = is_feed_item_v<T>;

namespace diagnostic {
/// Session::run: false for the list of placeholders that the fetches read and the run does not
/// feed, which the failed static_assert prints (g++ in a note, clang as the requirement).
template <class UnfedPlaceholders>
inline constexpr bool is_fed = false;
template <>
inline constexpr bool is_fed<type_list<>> = true;

/// Session::run: false for the list of kernel op tags that the run computes and that have no
/// `forward` for their operands (eval/cpu_executor.hpp, kernels_without_forward_t).
template <class OpTags>
inline constexpr bool has_forward = false;
template <>
inline constexpr bool has_forward<type_list<>> = true;
}  // namespace diagnostic

// The static_asserts of each Session::run when a placeholder is not fed or a kernel op cannot
// run. The checks are in run's own body, so the compilers' "required from" chain is one step
// from the user's call.
#define TYPEFLOW_NO_FEED_MESSAGE                                                                  \
  "typeflow::Session::run: the fetches read a placeholder (named in this assertion's condition) " \
  "that the run does not feed: add tf::feed(placeholder, value) to the run's arguments"
#define TYPEFLOW_NO_FORWARD_MESSAGE                                                             \
  "typeflow::Session::run: the fetches need a kernel op (its tag named in this assertion's "    \
  "condition) that has no forward(tensor_ref out, tensor_ref operands...) for these operands' " \
  "dtypes and ranks: give the tag one (graph/op_contract.hpp, kernel_op)"

namespace detail {

/// The unique nodes a run of fetches Roots (a std::tuple) reads, operands first.
template <class Roots>
struct nodes_of;
template <class... N>
struct nodes_of<std::tuple<N...>> {
  using type = topo_order_t<N...>;
};

template <class... Ps>
type_list<diagnostic::spelled_t<Ps>...> spell(type_list<Ps...>);  // only for decltype

/// The placeholders among the nodes that no feed binds, as diagnostics spell them.
template <class... Feeds, class... Ns>
auto unfed(type_list<Ns...>)
    -> decltype(spell((type_list<>{} + ... +
                       std::conditional_t<is_placeholder_v<Ns> && eval::feed_index<Ns, Feeds...>() == sizeof...(Feeds),
                                          type_list<Ns>, type_list<>>{})));

}  // namespace detail

/// tf.Session: holds the variables' values and runs fetches with feeds.
class Session {
 public:
  Session() : Session(ConfigProto{}) {}
  /// `tf::Session sess(tf::ConfigProto{.intra_op_parallelism_threads = 1});`
  explicit Session(const ConfigProto& config) : m_config(config) {
    const int wanted = config.intra_op_parallelism_threads > 0
                           ? config.intra_op_parallelism_threads
                           : typeflow::config::threading::get_intra_op_parallelism_threads();
    const unsigned threads =
        wanted > 0 ? static_cast<unsigned>(wanted) : std::max(1u, std::thread::hardware_concurrency());
    if (threads > 1) m_pool = std::make_unique<parallel::thread_pool>(threads);
  }

  /// The threads one op may use: intra_op_parallelism_threads, else the process-wide
  /// tf::config::threading setting, else the machine's cores.
  std::size_t intra_op_threads() const { return m_pool ? m_pool->size() : 1; }

  const ConfigProto& config() const { return m_config; }

  /// Runs fetches: `sess.run(tf::fetch(a, b), tf::feed(x, X))` returns a std::tuple whose
  /// elements are xt::xtensor values (tf::no_value for an operation such as a train op).
  template <graph_node... N, feed_like... Feeds>
  auto run(const fetch_list<N...>& fetches, const Feeds&... feeds) {
    using unfed = unfed_t<std::tuple<N...>, Feeds...>;
    if constexpr (!diagnostic::is_fed<unfed>) {
      static_assert(diagnostic::is_fed<unfed>, TYPEFLOW_NO_FEED_MESSAGE);
      return no_value{};  // so that `auto v = sess.run(...)` adds no second error
    } else if constexpr (!diagnostic::has_forward<no_forward_t<N...>>) {
      static_assert(diagnostic::has_forward<no_forward_t<N...>>, TYPEFLOW_NO_FORWARD_MESSAGE);
      return no_value{};
    } else {
      const parallel::use_pool lend(m_pool.get());
      return executor_for<Feeds...>(fetches.nodes)->run(feeds...);
    }
  }

  /// Runs one fetch: returns its value as an xt::xtensor<T, rank>, or nothing for an operation.
  template <graph_node N, feed_like... Feeds>
  auto run(const N& node, const Feeds&... feeds) {
    using unfed = unfed_t<std::tuple<N>, Feeds...>;
    if constexpr (!diagnostic::is_fed<unfed>) {
      static_assert(diagnostic::is_fed<unfed>, TYPEFLOW_NO_FEED_MESSAGE);
      return no_value{};
    } else if constexpr (!diagnostic::has_forward<no_forward_t<N>>) {
      static_assert(diagnostic::has_forward<no_forward_t<N>>, TYPEFLOW_NO_FORWARD_MESSAGE);
      return no_value{};
    } else {
      const parallel::use_pool lend(m_pool.get());
      auto values = executor_for<Feeds...>(flat_tuple<N>{node})->run(feeds...);
      if constexpr (!is_operation_v<N>) return std::move(std::get<0>(values));
    }
  }

  /// Runs one fetch into the caller's array: `sess.run(tf::fetch_into(out, y), feeds...)`.
  template <tensor_node N, feed_like... Feeds>
  void run(const fetch_into_t<N>& target, const Feeds&... feeds) {
    using unfed = unfed_t<std::tuple<N>, Feeds...>;
    if constexpr (!diagnostic::is_fed<unfed>) {
      static_assert(diagnostic::is_fed<unfed>, TYPEFLOW_NO_FEED_MESSAGE);
    } else if constexpr (!diagnostic::has_forward<no_forward_t<N>>) {
      static_assert(diagnostic::has_forward<no_forward_t<N>>, TYPEFLOW_NO_FORWARD_MESSAGE);
    } else {
      const parallel::use_pool lend(m_pool.get());
      executor_for<Feeds...>(flat_tuple<N>{target.node})->run_into(target.out, feeds...);
    }
  }

  /// `sess.run({train, loss}, feeds...)`: an error that says to write tf::fetch(train, loss).
  template <feed_like... Feeds>
  auto run(braced_fetches, const Feeds&...) {  // deduced, so that this error comes before any about the result
    static_assert(sizeof...(Feeds) != sizeof...(Feeds),
                  "Session::run({a, b}, ...): a braced list cannot carry its fetches' types: write "
                  "sess.run(tf::fetch(a, b), ...), which returns a std::tuple: auto [a_val, b_val] = ...");
    return no_value{};
  }

  /// Runs tf::global_variables_initializer(): every declared variable gets its initial value.
  void run(initializer_op) {
    for (const auto& v : get_default_graph().variables()) v.initialize(m_variables);
  }

  /// Runs an operation on the declared variables by name, as the initializer does: an object
  /// with `run_on(const Graph&, eval::variable_store&)`, such as
  /// horovod::broadcast_global_variables(0) (distribute/horovod.hpp).
  template <class Op>
    requires(!graph_node<Op> && requires(const Op& op, const Graph& g, eval::variable_store& s) { op.run_on(g, s); })
  void run(const Op& op) { op.run_on(get_default_graph(), m_variables); }

  /// sess.graph: the default graph, whose variables and named nodes this Session runs.
  const Graph& graph() const { return get_default_graph(); }

  /// sess.graph_def: the graph as TensorFlow's GraphDef (runtime/graph_export.hpp says what is in it).
  GraphDef graph_def() const { return as_graph_def(get_default_graph()); }

  /// The values of this Session's variables, for code that reads or writes them by name
  /// (tf::train::Saver; see variable_record::value) rather than through runs.
  eval::variable_store& variable_values() { return m_variables; }

 private:
  template <class Roots, class... Feeds>
  using unfed_t = decltype(detail::unfed<Feeds...>(typename detail::nodes_of<Roots>::type{}));
  template <class... Roots>
  using no_forward_t = eval::kernels_without_forward_t<eval::schedule<Roots...>>;

  /// An executor for this fetch set that no other run holds, until the lease ends. Roots is
  /// deduced, not named: g++ 12 pays for a template's non-deduced parameter in proportion to its
  /// type written out as a tree (core/flat_tuple.hpp).
  template <class... Feeds, class Roots>
  auto executor_for(const Roots& roots) {
    using executor = eval::cpu_executor<Roots, Feeds...>;
    auto& slot = m_executors.slot(detail::plan_id<executor>);
    return detail::executor_lease<executor>(slot, slot.template check_out<executor>(roots, m_variables));
  }

  ConfigProto m_config;
  std::unique_ptr<parallel::thread_pool> m_pool;  // none for one thread
  eval::variable_store m_variables;
  detail::executor_table m_executors;
};

}  // namespace typeflow

#undef TYPEFLOW_NO_FEED_MESSAGE

#endif
