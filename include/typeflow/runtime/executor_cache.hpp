#ifndef TYPEFLOW_RUNTIME_EXECUTOR_CACHE_HPP
#define TYPEFLOW_RUNTIME_EXECUTOR_CACHE_HPP

// The executors a Session keeps, so that one Session may be run from many threads at once, as
// TensorFlow promises. An executor holds a run's state (node instances, buffers, feed
// bindings), so a run checks one out for itself and gives it back: concurrent runs of one
// fetch set never share buffers. The fast path (no other run of the same fetch set in flight)
// is two atomic exchanges on that fetch set's slot; a lock is taken only when runs of one
// fetch set overlap (to take a spare executor or build one) or when a fetch set is run first.

#include <array>
#include <atomic>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "../core/error.hpp"
#include "../eval/cpu_executor.hpp"
#include "../eval/variable_store.hpp"

namespace typeflow::detail {

inline std::size_t next_plan_id() {
  static std::atomic<std::size_t> next{0};
  return next++;
}
/// A dense index per executor type (fetch types and feed types), so a run finds its executors
/// without hashing.
template <class Executor>
inline const std::size_t plan_id = next_plan_id();

/// The executors of one fetch set.
class executor_slot {
 public:
  /// An executor of type E built for `roots`, which no other run holds until give_back.
  template <class E, class Roots>
  E& check_out(const Roots& roots, eval::variable_store& store) {
    auto* e = static_cast<E*>(m_idle.exchange(nullptr, std::memory_order_acquire));
    if (!e) e = spare<E>(roots, store);
    if (!e->built_for(roots)) e = rebuilt<E>(e, roots, store);  // same types, other payloads (`x * 3.0f`)
    return *e;
  }

  void give_back(eval::executor_base& e) {
    eval::executor_base* expected = nullptr;
    if (m_idle.compare_exchange_strong(expected, &e, std::memory_order_release)) return;
    std::lock_guard lock(m_mutex);
    m_spares.push_back(&e);
  }

 private:
  template <class E, class Roots>
  E* spare(const Roots& roots, eval::variable_store& store) {
    std::lock_guard lock(m_mutex);
    if (!m_spares.empty()) {
      auto* e = m_spares.back();
      m_spares.pop_back();
      return static_cast<E*>(e);
    }
    m_owned.push_back(owned<E>(roots, store));
    return static_cast<E*>(m_owned.back().get());
  }

  /// A new executor, owned through its base: std::make_unique<E> would instantiate a
  /// unique_ptr<E> and its conversion for every fetch set.
  template <class E, class Roots>
  static std::unique_ptr<eval::executor_base> owned(const Roots& roots, eval::variable_store& store) {
    return std::unique_ptr<eval::executor_base>(new E(roots, store));
  }

  /// A new executor in place of `old`, which is destroyed.
  template <class E, class Roots>
  E* rebuilt(E* old, const Roots& roots, eval::variable_store& store) {
    auto fresh = owned<E>(roots, store);
    E* e = static_cast<E*>(fresh.get());
    std::lock_guard lock(m_mutex);
    for (auto& held : m_owned)
      if (held.get() == old) {
        held = std::move(fresh);
        break;
      }
    return e;
  }

  std::atomic<eval::executor_base*> m_idle{nullptr};
  std::mutex m_mutex;  // guards the two lists below
  std::vector<std::unique_ptr<eval::executor_base>> m_owned;
  std::vector<eval::executor_base*> m_spares;
};

/// A Session's executor slots, indexed by plan_id: chunks that are created once and never move,
/// so a slot is found with one atomic load.
class executor_table {
 public:
  executor_slot& slot(std::size_t id) {
    const std::size_t c = id / chunk_size;
    if (c >= m_chunks.size())
      throw error("typeflow: more than " + std::to_string(m_chunks.size() * chunk_size) +
                  " different fetch sets in one program");
    chunk* p = m_chunks[c].load(std::memory_order_acquire);
    if (!p) {
      std::lock_guard lock(m_mutex);
      p = m_chunks[c].load(std::memory_order_relaxed);
      if (!p) {
        m_owned.push_back(std::make_unique<chunk>());
        p = m_owned.back().get();
        m_chunks[c].store(p, std::memory_order_release);
      }
    }
    return (*p)[id % chunk_size];
  }

 private:
  static constexpr std::size_t chunk_size = 64;
  using chunk = std::array<executor_slot, chunk_size>;
  std::array<std::atomic<chunk*>, 1024> m_chunks{};
  std::mutex m_mutex;  // guards m_owned
  std::vector<std::unique_ptr<chunk>> m_owned;
};

/// A checked-out executor, given back when the run ends (normally or by an exception).
template <class E>
class executor_lease {
 public:
  executor_lease(executor_slot& slot, E& e) : m_slot(slot), m_executor(e) {}
  executor_lease(const executor_lease&) = delete;
  executor_lease& operator=(const executor_lease&) = delete;
  ~executor_lease() { m_slot.give_back(m_executor); }
  E* operator->() const { return &m_executor; }

 private:
  executor_slot& m_slot;
  E& m_executor;
};

}  // namespace typeflow::detail

#endif
