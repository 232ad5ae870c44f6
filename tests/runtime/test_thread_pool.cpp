// The intra-op thread pool: every item runs exactly once, errors reach the caller, and a
// Session's threads change no result.

#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <cstddef>
#include <stdexcept>
#include <thread>
#include <typeflow/typeflow.hpp>
#include <utility>
#include <vector>

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
      if (grain == 1 && n >= 64) CHECK(calls >= 1 + 2);    // split
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
  tf::Session one(tf::ConfigProto{.intra_op_parallelism_threads = 1}),
      three(tf::ConfigProto{.intra_op_parallelism_threads = 3});
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

TEST_CASE("runtime.threads: an optimizer's update of a large variable, split over threads, changes no value") {
  // 3 x 100,000 elements: enough for the gradient's elementwise pass to split over the threads,
  // and so the update after it (kernels/update.hpp).
  const xt::xtensor<float, 2> X = xt::reshape_view(xt::linspace<float>(-2.0f, 2.0f, 300000), {3, 100000});
  const auto train_twice = [&](std::size_t threads) {
    tf::reset_default_graph();
    auto x = tf::placeholder<"x", float, 3, 100000>();
    auto w = tf::Variable<"w", float, 3, 100000>(tf::random_normal(0.0, 1.0, 7));
    auto loss = tf::reduce_sum(tf::square(w - x) * x);
    auto train = tf::train::AdamOptimizer(0.1).minimize(loss);
    tf::Session sess(tf::ConfigProto{.intra_op_parallelism_threads = static_cast<int>(threads)});
    sess.run(tf::global_variables_initializer());
    const xt::xtensor<float, 2> before = sess.run(w);
    sess.run(train, tf::feed(x, X));
    sess.run(train, tf::feed(x, X));
    return std::pair{before, xt::xtensor<float, 2>(sess.run(w))};
  };
  const auto [w0, one] = train_twice(1);
  const auto [w0_again, three] = train_twice(3);
  REQUIRE(w0 == w0_again);
  CHECK(one == three);
  // Adam's first two steps by hand (TF's ApplyAdam, beta1 0.9, beta2 0.999, epsilon 1e-8).
  for (std::size_t i = 0; i < 300000; i += 7919) {
    const double xi = X.data()[i];
    double w = w0.data()[i], m = 0, v = 0;
    for (int t = 1; t <= 2; ++t) {
      const double g = 2 * (w - xi) * xi;
      m += (g - m) * 0.1;
      v += (g * g - v) * 0.001;
      w -= 0.1 * std::sqrt(1 - std::pow(0.999, t)) / (1 - std::pow(0.9, t)) * m / (std::sqrt(v) + 1e-8);
    }
    CAPTURE(i);
    CHECK(one.data()[i] == doctest::Approx(w).epsilon(1e-4));
  }
}

TEST_CASE("runtime.threads: tf::config::threading sets the default of Sessions made afterwards") {
  struct restore {
    ~restore() { tf::config::threading::set_intra_op_parallelism_threads(0); }
  } guard;
  CHECK(tf::config::threading::get_intra_op_parallelism_threads() == 0);
  tf::config::threading::set_intra_op_parallelism_threads(1);
  CHECK(tf::config::threading::get_intra_op_parallelism_threads() == 1);
  CHECK(tf::Session().intra_op_threads() == 1);
  CHECK(tf::Session(tf::ConfigProto{.intra_op_parallelism_threads = 3}).intra_op_threads() == 3);  // its own wins
  tf::config::threading::set_intra_op_parallelism_threads(2);
  CHECK(tf::Session().intra_op_threads() == 2);
  CHECK_THROWS_WITH_AS(tf::config::threading::set_intra_op_parallelism_threads(-1),
                       "tf::config::threading::set_intra_op_parallelism_threads: expected 0 (one per core) or a "
                       "positive count, got -1",
                       tf::error);
  CHECK(tf::config::threading::get_intra_op_parallelism_threads() == 2);  // unchanged by the bad call
  tf::config::threading::set_intra_op_parallelism_threads(0);
  CHECK(tf::Session().intra_op_threads() == std::max(1u, std::thread::hardware_concurrency()));
}

TEST_CASE("kernels.reduce: split over threads, every axis set, each output as one thread computes it") {
  const std::array<std::size_t, 3> dims{64, 72, 136};  // 626,688 inputs: two reduction grains
  std::vector<float> x(dims[0] * dims[1] * dims[2]);
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = 3.0f * std::sin(0.37f * static_cast<float>(i));
  parallel::thread_pool pool(3);
  for (unsigned mask = 1; mask < 8; ++mask) {
    const std::array<bool, 3> reduced{(mask & 4) != 0, (mask & 2) != 0, (mask & 1) != 0};
    std::size_t out_size = 1;
    for (std::size_t a = 0; a < 3; ++a) out_size *= reduced[a] ? 1 : dims[a];
    // Reference: each input added, in double, to its output (the kept coordinates, row-major).
    std::vector<double> sum(out_size, 0.0), magnitude(out_size, 0.0), max(out_size, -1e30);
    for (std::size_t i = 0; i < dims[0]; ++i)
      for (std::size_t j = 0; j < dims[1]; ++j)
        for (std::size_t k = 0; k < dims[2]; ++k) {
          std::size_t o = 0;
          const std::array<std::size_t, 3> at{i, j, k};
          for (std::size_t a = 0; a < 3; ++a)
            if (!reduced[a]) o = o * dims[a] + at[a];
          const double v = x[(i * dims[1] + j) * dims[2] + k];
          sum[o] += v;
          magnitude[o] += std::abs(v);
          max[o] = std::max(max[o], v);
        }
    std::vector<float> sum1(out_size), sum3(out_size), max1(out_size), max3(out_size);
    tf::kernels::reduce<tf::kernels::sum_op>(x.data(), dims, reduced, sum1.data(), out_size);
    tf::kernels::reduce<tf::kernels::max_op>(x.data(), dims, reduced, max1.data(), out_size);
    {
      const parallel::use_pool lend(&pool);
      tf::kernels::reduce<tf::kernels::sum_op>(x.data(), dims, reduced, sum3.data(), out_size);
      tf::kernels::reduce<tf::kernels::max_op>(x.data(), dims, reduced, max3.data(), out_size);
    }
    CAPTURE(mask);
    if (mask != 7) CHECK(sum1 == sum3);  // a full sum's parts add up in another order
    CHECK(max1 == max3);
    // A float sum of n terms in 16 accumulators is within (n/16 + 16) eps sum|x| of the exact sum.
    const double tolerance = (static_cast<double>(x.size() / out_size) / 16 + 16) * 0x1p-24;
    for (std::size_t o = 0; o < out_size; ++o) {
      CHECK(std::abs(sum3[o] - sum[o]) <= tolerance * magnitude[o]);
      CHECK(max3[o] == static_cast<float>(max[o]));
    }
  }
}
