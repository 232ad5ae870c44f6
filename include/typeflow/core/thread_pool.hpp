#ifndef TYPEFLOW_CORE_THREAD_POOL_HPP
#define TYPEFLOW_CORE_THREAD_POOL_HPP

// Intra-op parallelism: a Session owns a pool (tf::ConfigProto's intra_op_parallelism_threads)
// and lends it to the kernels of each run through parallel::current(), as TensorFlow hands its
// kernels a device thread pool. A kernel splits its work with parallel::for_ranges, which stays
// on the calling thread when there is no pool or too little work to pay for waking one.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace typeflow::parallel {

/// Threads that run the tasks of one job at a time; the calling thread takes part.
class thread_pool {
 public:
  /// A pool of `threads` threads in all: the caller and threads - 1 workers.
  explicit thread_pool(std::size_t threads) {
    for (std::size_t i = 1; i < threads; ++i) m_workers.emplace_back([this] { work(); });
  }
  thread_pool(const thread_pool&) = delete;
  thread_pool& operator=(const thread_pool&) = delete;
  ~thread_pool() {
    {
      std::lock_guard lock(m_mutex);
      m_stop = true;
    }
    m_wake.notify_all();
    for (auto& t : m_workers) t.join();
  }

  std::size_t size() const { return m_workers.size() + 1; }

  /// Runs task(i) for every i in [0, n) and returns when all have run; rethrows the first
  /// exception a task threw. One job at a time: while the pool runs another caller's job (a
  /// concurrent Session::run), a caller runs its tasks itself rather than wait for it.
  template <class F>
  void run(std::size_t n, F& task) {
    std::unique_lock job_lock(m_job_mutex, std::try_to_lock);
    if (!job_lock) {
      for (std::size_t i = 0; i < n; ++i) task(i);
      return;
    }
    {
      std::lock_guard lock(m_mutex);
      m_task = &task;
      m_call = [](void* t, std::size_t i) { (*static_cast<F*>(t))(i); };
      m_count = n;
      m_next = 0;
      m_error = nullptr;
      ++m_generation;
    }
    m_wake.notify_all();
    drain();
    std::unique_lock lock(m_mutex);
    // Every task has run and no worker is still looking for one (so none can take a task
    // of the next job under this job's count). A worker's task may end last: look for that a
    // while before sleeping, as the workers do for the next job (spin_time).
    const auto all_done = [&] { return m_finished == m_count && m_busy == 0; };
    if (!all_done()) {
      lock.unlock();
      spin_until([&] {
        std::lock_guard held(m_mutex);
        return all_done();
      });
      lock.lock();
    }
    m_done.wait(lock, all_done);
    m_finished = 0;
    if (m_error) std::rethrow_exception(m_error);
  }

 private:
  void drain() {
    std::unique_lock lock(m_mutex);
    while (m_next < m_count) {
      const std::size_t i = m_next++;
      lock.unlock();
      std::exception_ptr error;
      try {
        m_call(m_task, i);
      } catch (...) {
        error = std::current_exception();
      }
      lock.lock();
      if (error && !m_error) m_error = error;
      if (++m_finished == m_count) m_done.notify_all();
    }
  }

  /// How long a worker that finished a job looks for the next before it sleeps. A training
  /// step's kernels follow one another within microseconds, and waking a sleeping thread took
  /// 30 to 60 us on this project's 2-core VM: an MLP step (784-128-10, batch 64) ran in 323 us
  /// on two threads against 194 us on one. OpenMP runtimes spin likewise (KMP_BLOCKTIME).
  static constexpr std::chrono::microseconds spin_time{200};

  /// Spins until done() holds or spin_time has passed (the clock read now and then).
  template <class Done>
  static void spin_until(Done&& done) {
    const auto until = std::chrono::steady_clock::now() + spin_time;
    for (unsigned i = 1; !done(); ++i) {
#if defined(__x86_64__) || defined(__i386__)
      __builtin_ia32_pause();  // a spinning thread's hint to the core
#endif
      if (i % 64 == 0 && std::chrono::steady_clock::now() >= until) return;
    }
  }

  void work() {
    std::size_t seen = 0;
    std::unique_lock lock(m_mutex);
    for (;;) {
      lock.unlock();
      spin_until([&] { return m_generation.load(std::memory_order_acquire) != seen; });
      lock.lock();
      m_wake.wait(lock, [&] { return m_stop || m_generation != seen; });
      if (m_stop) return;
      seen = m_generation;
      ++m_busy;
      lock.unlock();
      drain();
      lock.lock();
      if (--m_busy == 0) m_done.notify_all();
    }
  }

  std::vector<std::thread> m_workers;
  std::mutex m_job_mutex;  // one job at a time
  std::mutex m_mutex;      // guards everything below
  std::condition_variable m_wake, m_done;
  void* m_task = nullptr;
  void (*m_call)(void*, std::size_t) = nullptr;
  std::size_t m_count = 0, m_next = 0, m_finished = 0, m_busy = 0;
  std::atomic<std::size_t> m_generation{0};  // written under m_mutex; read without it while spinning
  bool m_stop = false;
  std::exception_ptr m_error;
};

/// The pool lent to the kernels running on this thread (none: they run on it alone).
inline thread_pool*& current() {
  thread_local thread_pool* pool = nullptr;
  return pool;
}

/// Whether a kernel of the run on this thread has split its work over the lent pool: the
/// run's data are then spread over the cores' caches (kernels::update follows it).
inline bool& split_in_run() {
  thread_local bool split = false;
  return split;
}

/// Lends a pool to the kernels for a scope (a Session's run).
class use_pool {
 public:
  explicit use_pool(thread_pool* pool) : m_previous(current()), m_previous_split(split_in_run()) {
    current() = pool;
    split_in_run() = false;
  }
  use_pool(const use_pool&) = delete;
  use_pool& operator=(const use_pool&) = delete;
  ~use_pool() {
    current() = m_previous;
    split_in_run() = m_previous_split;
  }

 private:
  thread_pool* m_previous;
  bool m_previous_split;
};

/// Items per thread below which splitting work costs more than it saves. Waking a worker
/// takes 10 to 15 us here (bench_elementwise's threads sweep, 2 cores): the time of a fused
/// elementwise pass over about 2^16 floats, or of a reduction over about 2^17. A thread gets
/// at least twice that, so a split saves at least what the wake-up costs.
inline constexpr std::size_t elementwise_grain = std::size_t{1} << 17;
inline constexpr std::size_t reduction_grain = std::size_t{1} << 18;

/// Calls f(part, begin, end) on at most `max_parts` disjoint ranges covering [0, n), numbered
/// from 0 in order, in parallel on the current pool when there is one and every range gets
/// at least `grain` items (the work below which waking threads costs more than it saves);
/// else f(0, 0, n) here. Inner boundaries are multiples of `align` (SIMD width, cache line).
/// The split depends only on n and the pool's size, so a reduction that combines per-part
/// results in part order gives the same value on every run.
template <class F>
void for_parts(std::size_t n, std::size_t grain, std::size_t align, std::size_t max_parts, F&& f) {
  thread_pool* pool = current();
  const std::size_t parts = pool ? std::min({pool->size(), max_parts, n / std::max<std::size_t>(grain, 1)}) : 1;
  if (parts <= 1) {
    if (n > 0) f(std::size_t{0}, std::size_t{0}, n);
    return;
  }
  const std::size_t step = (n / parts + align - 1) / align * align;
  split_in_run() = true;
  auto task = [&](std::size_t i) { f(i, i * step, std::min(n, (i + 1) * step)); };
  pool->run((n + step - 1) / step, task);  // rounding to `align` may leave fewer parts
}

/// for_parts for work whose items are independent: f(begin, end).
template <class F>
void for_ranges(std::size_t n, std::size_t grain, F&& f, std::size_t align = 1) {
  for_parts(n, grain, align, std::size_t(-1), [&](std::size_t, std::size_t begin, std::size_t end) { f(begin, end); });
}

}  // namespace typeflow::parallel

#endif
