// The intra-op thread pool: every item runs exactly once, errors reach the caller, and a
// Session's threads change no result.

#include <doctest/doctest.h>

#include <atomic>
#include <cstddef>
#include <stdexcept>
#include <vector>
#include <typeflow/typeflow.hpp>

namespace tf = typeflow;
namespace parallel = typeflow::parallel;

TEST_CASE("parallel.for_ranges: disjoint aligned ranges cover [0, n) once, on the pool or here") {
  parallel::thread_pool pool(3);
  CHECK(pool.size() == 3);
  for (const std::size_t n : {0u, 1u, 7u, 64u, 1000u, 4099u}) {
    for (const std::size_t grain : {1u, 16u, 5000u}) {
      std::vector<std::atomic<int>> hits(n);
      std::atomic<int> calls{0};
      const auto count = [&](std::size_t begin, std::size_t end) {
        ++calls;
        if (end < n) CHECK(end % 16 == 0);  // inner boundaries are aligned
        for (std::size_t i = begin; i < end; ++i) ++hits[i];
      };
      parallel::for_ranges(n, grain, count, 16);  // no pool lent: one call
      CHECK(calls == (n > 0 ? 1 : 0));
      {
        const parallel::use_pool lend(&pool);
        parallel::for_ranges(n, grain, count, 16);
      }
      CAPTURE(n);
      CAPTURE(grain);
      for (std::size_t i = 0; i < n; ++i) CHECK(hits[i] == 2);
      if (grain == 1 && n >= 64) CHECK(calls >= 1 + 2);  // split
      if (grain == 5000) CHECK(calls == (n > 0 ? 2 : 0));  // too little work to split
    }
  }
  CHECK(parallel::current() == nullptr);  // the lend ended with its scope
}

TEST_CASE("parallel.thread_pool: many jobs in a row, and a task's exception reaches the caller") {
  parallel::thread_pool pool(4);
  std::atomic<long> sum{0};
  for (int job = 0; job < 2000; ++job) {
    auto add = [&](std::size_t i) { sum += static_cast<long>(i); };
    pool.run(static_cast<std::size_t>(job % 9), add);
  }
  long expected = 0;
  for (int job = 0; job < 2000; ++job) expected += (job % 9) * (job % 9 - 1) / 2;
  CHECK(sum == expected);

  auto fail = [](std::size_t i) {
    if (i == 5) throw std::runtime_error("task 5 failed");
  };
  CHECK_THROWS_WITH_AS(pool.run(8, fail), "task 5 failed", std::runtime_error);
  std::atomic<int> after{0};
  auto count = [&](std::size_t) { ++after; };
  pool.run(8, count);  // the pool still works
  CHECK(after == 8);
}

TEST_CASE("runtime.threads: ConfigProto's intra-op threads change no value") {
  tf::reset_default_graph();
  auto x = tf::placeholder<"x", float, tf::none>();
  auto f = tf::tanh(tf::square(x * 1.5f + 0.5f) - x / 3.0f * -x) + tf::exp(-x);
  const std::size_t n = (std::size_t{1} << 18) + 37;  // several ranges and a tail
  xt::xtensor<float, 1> X = xt::linspace<float>(-3.0f, 3.0f, n);
  tf::Session one(tf::ConfigProto{.intra_op_parallelism_threads = 1}), three(tf::ConfigProto{.intra_op_parallelism_threads = 3});
  CHECK(one.intra_op_threads() == 1);
  CHECK(three.intra_op_threads() == 3);
  CHECK(tf::Session().intra_op_threads() >= 1);
  const xt::xtensor<float, 1> a = one.run(f, tf::feed(x, X)), b = three.run(f, tf::feed(x, X));
  REQUIRE(a.size() == n);
  CHECK(a == b);
  for (std::size_t i = 0; i < n; i += 4099) {
    const double v = X(i), s = (1.5 * v + 0.5) * (1.5 * v + 0.5) + v * v / 3;
    CHECK(a(i) == doctest::Approx(std::tanh(s) + std::exp(-v)).epsilon(1e-5));
  }
}
