#ifndef TYPEFLOW_RUNTIME_SESSION_HPP
#define TYPEFLOW_RUNTIME_SESSION_HPP

#include <algorithm>
#include <cstddef>
#include <memory>
#include <thread>
#include <tuple>
#include <type_traits>
#include <vector>

#include "../core/thread_pool.hpp"
#include "../eval/feed.hpp"
#include "../eval/cpu_executor.hpp"
#include "../eval/variable_store.hpp"
#include "executor_cache.hpp"
#include "config.hpp"
#include "graph.hpp"
#include "variables.hpp"

namespace typeflow {

/// Several fetches for one run: `sess.run(tf::fetch(train, loss), feeds...)` returns a tuple.
template <graph_node... N>
struct fetch_list {
  std::tuple<N...> nodes;
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

template <class T>
inline constexpr bool is_feed_item_v = false;
template <class P, class V>
inline constexpr bool is_feed_item_v<feed_item<P, V>> = true;

template <class T>
concept feed_like = is_feed_item_v<T>;

namespace diagnostic {
/// Session::run: a placeholder that the fetches depend on, named in this type, has no
/// tf::feed(placeholder, value) among the run's arguments.
template <class PlaceholderName>
struct error_no_feed_for_placeholder;
}  // namespace diagnostic

namespace detail {

/// The unique nodes a run of fetches Roots (a std::tuple) reads, operands first.
template <class Roots>
struct nodes_of;
template <class... N>
struct nodes_of<std::tuple<N...>> {
  using type = topo_order_t<N...>;
};

/// Whether every placeholder among the nodes is fed. Pure, so safe to constant-evaluate.
template <class... Feeds, class... Ns>
constexpr bool all_fed(type_list<Ns...>) {
  return ((!is_placeholder_v<Ns> || eval::feed_index<Ns, Feeds...>() != sizeof...(Feeds)) && ...);
}

/// Names placeholder N in a compile error if the run does not feed it. A named, non-constexpr
/// function rather than a lambda: clang 14 crashes constant-folding a call whose body holds
/// the invalid declaration below.
template <class N, class... Feeds>
auto require_feed() {
  if constexpr (is_placeholder_v<N> && eval::feed_index<N, Feeds...>() == sizeof...(Feeds)) {
    // This placeholder (its name is in the type) is read by the fetches but not fed:
    // add tf::feed(placeholder, value) to the run's arguments.
    diagnostic::error_no_feed_for_placeholder<typename N::name_type> error;
  }
}

template <class... Feeds, class... Ns>
auto report_unfed(type_list<Ns...>) {
  (require_feed<Ns, Feeds...>(), ...);
  return no_value{};  // what the failed run yields, so `auto v = sess.run(...)` adds no second error
}

}  // namespace detail

/// tf.Session: holds the variables' values and runs fetches with feeds.
class Session {
 public:
  Session() : Session(ConfigProto{}) {}
  /// `tf::Session sess(tf::ConfigProto{.intra_op_parallelism_threads = 1});`
  explicit Session(const ConfigProto& config) : m_config(config) {
    const unsigned threads = config.intra_op_parallelism_threads > 0
                                 ? static_cast<unsigned>(config.intra_op_parallelism_threads)
                                 : std::max(1u, std::thread::hardware_concurrency());
    if (threads > 1) m_pool = std::make_unique<parallel::thread_pool>(threads);
  }

  /// The threads one op may use: intra_op_parallelism_threads, or the machine's cores.
  std::size_t intra_op_threads() const { return m_pool ? m_pool->size() : 1; }

  const ConfigProto& config() const { return m_config; }

  /// Runs fetches: `sess.run(tf::fetch(a, b), tf::feed(x, X))` returns a std::tuple whose
  /// elements are xt::xtensor values (tf::no_value for an operation such as a train op).
  template <graph_node... N, feed_like... Feeds>
  auto run(const fetch_list<N...>& fetches, const Feeds&... feeds) {
    const parallel::use_pool lend(m_pool.get());
    if constexpr (all_fed<std::tuple<N...>, Feeds...>) return executor_for<std::tuple<N...>, Feeds...>(fetches.nodes)->run(feeds...);
    else return report_unfed<std::tuple<N...>, Feeds...>();
  }

  /// Runs one fetch: returns its value as an xt::xtensor<T, rank>, or nothing for an operation.
  template <graph_node N, feed_like... Feeds>
  auto run(const N& node, const Feeds&... feeds) {
    const parallel::use_pool lend(m_pool.get());
    if constexpr (all_fed<std::tuple<N>, Feeds...>) {
      auto values = executor_for<std::tuple<N>, Feeds...>(std::tuple<N>{node})->run(feeds...);
      if constexpr (!is_operation_v<N>) return std::move(std::get<0>(values));
    } else {
      return report_unfed<std::tuple<N>, Feeds...>();
    }
  }

  /// Runs one fetch into the caller's array: `sess.run(tf::fetch_into(out, y), feeds...)`.
  template <tensor_node N, feed_like... Feeds>
  void run(const fetch_into_t<N>& target, const Feeds&... feeds) {
    const parallel::use_pool lend(m_pool.get());
    if constexpr (all_fed<std::tuple<N>, Feeds...>)
      executor_for<std::tuple<N>, Feeds...>(std::tuple<N>{target.node})->run_into(target.out, feeds...);
    else
      report_unfed<std::tuple<N>, Feeds...>();
  }

  /// Runs tf::global_variables_initializer(): every declared variable gets its initial value.
  void run(initializer_op) {
    for (const auto& v : get_default_graph().variables()) v.initialize(m_variables);
  }

  /// The values of this Session's variables, for code that reads or writes them by name
  /// (tf::train::Saver; see variable_record::value) rather than through runs.
  eval::variable_store& variable_values() { return m_variables; }

 private:
  template <class Roots, class... Feeds>
  static constexpr bool all_fed = detail::all_fed<Feeds...>(typename detail::nodes_of<Roots>::type{});
  template <class Roots, class... Feeds>
  static auto report_unfed() { return detail::report_unfed<Feeds...>(typename detail::nodes_of<Roots>::type{}); }

  /// An executor for this fetch set that no other run holds, until the lease ends.
  template <class Roots, class... Feeds>
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

#endif
