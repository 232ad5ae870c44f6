// One Session run from many threads at once, as TensorFlow allows: each run gets exactly the
// values a serial run gives, train ops on disjoint variables end where serial training ends,
// and a failed run leaves the Session usable with none of its updates applied.

#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <random>
#include <thread>
#include <typeflow/typeflow.hpp>
#include <vector>

#include "../random_tensor.hpp"

namespace tf = typeflow;

namespace {

template <class A, class B>
bool same_values(const A& a, const B& b) {
  return a.shape() == b.shape() && std::equal(a.begin(), a.end(), b.begin());
}

}  // namespace

TEST_CASE("runtime.concurrency: threads share one Session, with mixed fetch sets and batch sizes") {
  tf::reset_default_graph();
  auto x = tf::placeholder<"x", float, tf::none, 10>();
  auto W = tf::Variable<"W", float, 10, 4>(tf::random_normal(0.0, 1.0, /*seed=*/1));
  auto b = tf::Variable<"b", float, 4>(tf::random_normal(0.0, 1.0, /*seed=*/2));
  auto y = tf::nn::relu(tf::matmul(x, W) + b);
  auto loss = tf::reduce_mean(tf::square(y));
  auto probs = tf::nn::softmax(y * 0.5f);

  // Two intra-op threads: concurrent runs also share the pool. The largest batch is split over
  // it (40000 x 4 outputs is above the elementwise grain).
  tf::Session sess(tf::ConfigProto{.intra_op_parallelism_threads = 2});
  sess.run(tf::global_variables_initializer());
  const std::array<std::size_t, 6> rows = {1, 7, 17, 32, 64, 40000};
  std::vector<xt::xtensor<float, 2>> X, Y, P;
  std::vector<float> L;
  for (std::size_t k = 0; k < rows.size(); ++k) {  // the serial values
    X.push_back(test::random_tensor<float, 2>({rows[k], 10}, 10 + unsigned(k)));
    auto [yv, lv, pv] = sess.run(tf::fetch(y, loss, probs), tf::feed(x, X[k]));
    Y.push_back(yv);
    L.push_back(lv());
    P.push_back(pv);
  }

  constexpr int threads = 8, iterations = 150;
  std::atomic<int> mismatches{0}, errors{0};
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t)
    pool.emplace_back([&, t] {
      std::mt19937 rng(static_cast<unsigned>(t));
      xt::xtensor<float, 2> out;
      for (int i = 0; i < iterations; ++i) {
        const std::size_t k = rng() % (rows.size() - (i % 10 == 0 ? 0 : 1));  // the large batch now and then
        try {
          switch (rng() % 3) {
            case 0: mismatches += !same_values(sess.run(y, tf::feed(x, X[k])), Y[k]); break;
            case 1: {
              auto [lv, pv] = sess.run(tf::fetch(loss, probs), tf::feed(x, X[k]));
              mismatches += lv() != L[k] || !same_values(pv, P[k]);
              break;
            }
            default:
              out.resize({rows[k], 4});
              sess.run(tf::fetch_into(out, y), tf::feed(x, X[k]));
              mismatches += !same_values(out, Y[k]);
          }
        } catch (...) {
          ++errors;
        }
      }
    });
  for (auto& th : pool) th.join();
  CHECK(errors == 0);
  CHECK(mismatches == 0);
}

TEST_CASE("runtime.concurrency: train ops on disjoint variables, run at once, end at the serial result") {
  tf::reset_default_graph();
  auto x = tf::placeholder<"x", float, tf::none, 3>();
  auto y = tf::placeholder<"y", float, tf::none, 1>();
  auto W0 = tf::Variable<"W0", float, 3, 1>(tf::random_normal(0.0, 1.0, 1));
  auto W1 = tf::Variable<"W1", float, 3, 1>(tf::random_normal(0.0, 1.0, 2));
  auto W2 = tf::Variable<"W2", float, 3, 1>(tf::random_normal(0.0, 1.0, 3));
  auto W3 = tf::Variable<"W3", float, 3, 1>(tf::random_normal(0.0, 1.0, 4));
  // Built before any thread starts: declaring variables and train ops is not thread-safe, as
  // building a graph is not in TF.
  auto loss = [&](auto W) { return tf::reduce_mean(tf::square(tf::matmul(x, W) - y)); };
  auto train0 = tf::train::GradientDescentOptimizer(0.05).minimize(loss(W0));
  auto train1 = tf::train::MomentumOptimizer(0.05, 0.9).minimize(loss(W1));
  auto train2 = tf::train::AdamOptimizer(0.01).minimize(loss(W2));
  auto train3 = tf::train::GradientDescentOptimizer(0.02).minimize(loss(W3));
  const auto X = test::random_tensor<float, 2>({64, 3}, 5);
  const auto Y = test::random_tensor<float, 2>({64, 1}, 6);
  constexpr int steps = 300;
  const auto train_all = [&](tf::Session& s, bool concurrently) {
    auto steps_of = [&](auto train) {
      return [&s, &X, &Y, &x, &y, train] {
        for (int i = 0; i < steps; ++i) s.run(train, tf::feed(x, X), tf::feed(y, Y));
      };
    };
    if (!concurrently) {
      steps_of(train0)(), steps_of(train1)(), steps_of(train2)(), steps_of(train3)();
      return;
    }
    std::thread t0(steps_of(train0)), t1(steps_of(train1)), t2(steps_of(train2)), t3(steps_of(train3));
    t0.join(), t1.join(), t2.join(), t3.join();
  };

  tf::Session serial, shared;
  serial.run(tf::global_variables_initializer());
  shared.run(tf::global_variables_initializer());
  train_all(serial, false);
  train_all(shared, true);
  auto weights = tf::fetch(W0, W1, W2, W3);
  const auto [s0, s1, s2, s3] = serial.run(weights);
  const auto [c0, c1, c2, c3] = shared.run(weights);
  CHECK(same_values(s0, c0));
  CHECK(same_values(s1, c1));
  CHECK(same_values(s2, c2));
  CHECK(same_values(s3, c3));
  tf::Session fresh;  // and training moved them
  fresh.run(tf::global_variables_initializer());
  CHECK(!same_values(fresh.run(W2), c2));
}

TEST_CASE("runtime.concurrency: a failed run leaves the Session usable, with none of its updates applied") {
  tf::reset_default_graph();
  auto x = tf::placeholder<"x", float, tf::none, 4>();
  auto labels = tf::placeholder<"labels", std::int64_t, tf::none>();
  auto W = tf::Variable<"W", float, 4, 3>(tf::random_normal(0.0, 1.0, 1));
  auto logits = tf::matmul(x, W);
  auto loss =
      tf::reduce_mean(tf::nn::sparse_softmax_cross_entropy_with_logits(tf::labels = labels, tf::logits = logits));
  auto train = tf::train::GradientDescentOptimizer(0.5).minimize(loss, tf::var_list(W));
  auto b = tf::Variable<"b", float, 3>(tf::constant(1.0f));
  auto v = tf::placeholder<"v", float, tf::none>();
  tf::Session sess(tf::ConfigProto{.intra_op_parallelism_threads = 2});
  CHECK_THROWS_AS(sess.run(W * 2.0f), tf::error);  // not initialised yet
  sess.run(tf::global_variables_initializer());

  // A batch large enough that the cross-entropy kernel runs on the pool's threads.
  const std::size_t n = 70000;
  const auto X = test::random_tensor<float, 2>({n, 4}, 7);
  auto Labels = test::random_tensor<std::int64_t, 1>({n}, 8, 0, 2);
  const auto before = sess.run(W);

  auto bad_labels = Labels;
  bad_labels(n - 5) = 3;  // outside [0, 3)
  CHECK_THROWS_AS(sess.run(train, tf::feed(x, X), tf::feed(labels, bad_labels)), tf::error);
  CHECK(same_values(sess.run(W), before));  // the failed step changed nothing
  const xt::xtensor<float, 2> narrow = xt::zeros<float>({std::size_t{5}, std::size_t{3}});
  CHECK_THROWS_AS(sess.run(train, tf::feed(x, narrow), tf::feed(labels, Labels)), tf::error);
  CHECK(same_values(sess.run(W), before));
  // An assign whose value has the wrong run-time shape: the run's other update is not applied
  // either, whichever comes first (every operation is checked before any writes).
  const xt::xtensor<float, 1> two = {5, 6};
  CHECK_THROWS_AS(sess.run(tf::group(tf::assign(W, W * 2.0f), tf::assign(b, v)), tf::feed(v, two)), tf::error);
  CHECK_THROWS_AS(sess.run(tf::group(tf::assign(b, v), tf::assign(W, W * 3.0f)), tf::feed(v, two)), tf::error);
  CHECK(same_values(sess.run(W), before));
  CHECK(sess.run(b) == xt::xtensor<float, 1>{1, 1, 1});

  // The next good step gives what a fresh Session's first step gives.
  const float l = sess.run(loss, tf::feed(x, X), tf::feed(labels, Labels))();
  sess.run(train, tf::feed(x, X), tf::feed(labels, Labels));
  tf::Session fresh;
  fresh.run(tf::global_variables_initializer());
  CHECK(fresh.run(loss, tf::feed(x, X), tf::feed(labels, Labels))() == l);
  fresh.run(train, tf::feed(x, X), tf::feed(labels, Labels));
  CHECK(same_values(sess.run(W), fresh.run(W)));
}

TEST_CASE("runtime.concurrency: with use_locking, concurrent updates of one variable are applied one at a time") {
  tf::reset_default_graph();
  // A gradient that does not depend on W (d/dW of sum(W * 1) is 1), so that every step applies
  // the same update whatever the others did: serialised, the result is exact.
  auto W = tf::Variable<"W", float, 128, 64>(tf::constant(0.0f));
  auto loss = tf::reduce_sum(W * 1.0f);
  auto train = tf::train::MomentumOptimizer(0.25, 0.5, /*use_locking=*/true).minimize(loss);
  tf::Session serial, shared;
  serial.run(tf::global_variables_initializer());
  shared.run(tf::global_variables_initializer());
  constexpr int threads = 8, steps = 50;
  for (int i = 0; i < threads * steps; ++i) serial.run(train);
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t)
    pool.emplace_back([&] {
      for (int i = 0; i < steps; ++i) shared.run(train);
    });
  for (auto& th : pool) th.join();
  // Momentum reads and writes two variables (W and its slot W/Momentum), both locked.
  CHECK(same_values(shared.run(W), serial.run(W)));
  CHECK(serial.run(W)(0, 0) < -50.0f);
}
