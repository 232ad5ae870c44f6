// One training step of linear regression, N = 1000 rows and 3 features:
//   loss = reduce_mean(square(y - (matmul(x, W) + b))),  GradientDescentOptimizer(0.01).minimize(loss)
//
//   typeflow_train            sess.run(train, feeds)                  the update only
//   hand_train                the same update, written as one loop   the limit for typeflow_train
//   typeflow_train_one_row    sess.run(train, feeds) on the first row only: the plan's fixed
//                             cost per run (binding feeds, checking dims, setting up each loop
//                             and kernel, applying the update), which the 1000-row step includes
//   typeflow_loss_and_train   sess.run(tf::fetch(loss, train), feeds) the update and the loss
//   hand_loss_and_train       the same, the loss summed in the same loop
//   typeflow_summary_and_train sess.run(tf::fetch(loss_summary, train), feeds): the loss as
//                             TensorBoard's scalar summary (a serialized Summary), vs loss_and_train
//   add_summary               tf::summary::FileWriter::add_summary of that summary, per call
//                             (buffered: a write to the file every 10 calls, TF1's max_queue)
//
// The hand-written step makes one pass over the rows: e = x.W + b - y, then dL/dW = 2/N x^T e,
// dL/db = 2/N sum(e) (and loss = sum(e^2)/N), with 16 independent accumulators per sum so
// that the compiler can vectorise without reassociating floats; then W -= lr dW, b -= lr db.

#include <benchmark/benchmark.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <typeflow/typeflow.hpp>

#include "bench_main.hpp"
#include "regression_data.hpp"

namespace tf = typeflow;

namespace {

constexpr std::size_t rows = bench::regression_rows;
constexpr float learning_rate = 0.01f;
const bench::regression_data& data() { return bench::regression(); }

// The graph, as in TensorFlow 1.x.
const auto x_ph = tf::placeholder<"x", float, tf::none, 3>();
const auto y_ph = tf::placeholder<"y", float, tf::none, 1>();
const auto W = tf::Variable<"W", float, 3, 1>(tf::random_normal(0.0, 1.0, /*seed=*/1));
const auto b = tf::Variable<"b", float, 1>(tf::random_normal(0.0, 1.0, /*seed=*/2));
const auto loss = tf::reduce_mean(tf::square(y_ph - (tf::matmul(x_ph, W) + b)));
const auto train = tf::train::GradientDescentOptimizer(learning_rate).minimize(loss);
const auto loss_summary = tf::summary::scalar("loss", loss);

struct hand_model {
  float w[3];
  float b;
};

/// The model's initial values, as a fresh Session's global_variables_initializer sets them.
hand_model initial_model() {
  tf::Session sess(bench::session_config());
  sess.run(tf::global_variables_initializer());
  const auto w = sess.run(W);
  const auto bias = sess.run(b);
  return {{w(0, 0), w(1, 0), w(2, 0)}, bias(0)};
}

/// One gradient-descent step on the model; returns the loss before the step when WithLoss.
template <bool WithLoss>
float hand_step(const float* x, const float* y, std::size_t n, hand_model& m, float lr) {
  constexpr std::size_t lanes = 16;
  float g0[lanes] = {}, g1[lanes] = {}, g2[lanes] = {}, gb[lanes] = {}, sq[lanes] = {};
  const float w0 = m.w[0], w1 = m.w[1], w2 = m.w[2], bias = m.b;
  std::size_t i = 0;
  for (; i + lanes <= n; i += lanes)
    for (std::size_t l = 0; l < lanes; ++l) {
      const float* r = x + 3 * (i + l);
      const float e = r[0] * w0 + r[1] * w1 + r[2] * w2 + bias - y[i + l];
      g0[l] += e * r[0];
      g1[l] += e * r[1];
      g2[l] += e * r[2];
      gb[l] += e;
      if constexpr (WithLoss) sq[l] += e * e;
    }
  for (std::size_t l = 0; i < n; ++i, ++l) {  // the tail: at most lanes - 1 rows
    const float* r = x + 3 * i;
    const float e = r[0] * w0 + r[1] * w1 + r[2] * w2 + bias - y[i];
    g0[l] += e * r[0];
    g1[l] += e * r[1];
    g2[l] += e * r[2];
    gb[l] += e;
    if constexpr (WithLoss) sq[l] += e * e;
  }
  float s0 = 0, s1 = 0, s2 = 0, sb = 0, ss = 0;
  for (std::size_t l = 0; l < lanes; ++l) s0 += g0[l], s1 += g1[l], s2 += g2[l], sb += gb[l], ss += sq[l];
  const float scale = lr * 2.0f / static_cast<float>(n);
  m.w[0] -= scale * s0;
  m.w[1] -= scale * s1;
  m.w[2] -= scale * s2;
  m.b -= scale * sb;
  return ss / static_cast<float>(n);
}

void set_counters(benchmark::State& state) {
  // Each step reads x and y once (the hand-written step reads nothing else).
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(rows * 4 * sizeof(float)));
}

void BM_linear_regression_typeflow_train(benchmark::State& state) {
  const auto& d = data();
  tf::Session sess(bench::session_config());
  sess.run(tf::global_variables_initializer());
  sess.run(train, tf::feed(x_ph, d.x), tf::feed(y_ph, d.y));  // builds the plan outside the timing
  for (auto _ : state) {
    sess.run(train, tf::feed(x_ph, d.x), tf::feed(y_ph, d.y));
    benchmark::ClobberMemory();
  }
  set_counters(state);
}

void BM_linear_regression_typeflow_train_one_row(benchmark::State& state) {
  const auto& d = data();
  auto x = xt::xtensor<float, 2>::from_shape({1, 3});
  auto y = xt::xtensor<float, 2>::from_shape({1, 1});
  std::copy(d.x.data(), d.x.data() + 3, x.data());
  y(0, 0) = d.y(0, 0);
  tf::Session sess(bench::session_config());
  sess.run(tf::global_variables_initializer());
  sess.run(train, tf::feed(x_ph, x), tf::feed(y_ph, y));
  for (auto _ : state) {
    sess.run(train, tf::feed(x_ph, x), tf::feed(y_ph, y));
    benchmark::ClobberMemory();
  }
}

void BM_linear_regression_hand_train(benchmark::State& state) {
  const auto& d = data();
  hand_model m = initial_model();
  for (auto _ : state) {
    hand_step<false>(d.x.data(), d.y.data(), rows, m, learning_rate);
    benchmark::DoNotOptimize(m);
    benchmark::ClobberMemory();
  }
  set_counters(state);
}

void BM_linear_regression_typeflow_loss_and_train(benchmark::State& state) {
  const auto& d = data();
  tf::Session sess(bench::session_config());
  sess.run(tf::global_variables_initializer());
  sess.run(tf::fetch(loss, train), tf::feed(x_ph, d.x), tf::feed(y_ph, d.y));
  for (auto _ : state) {
    auto result = sess.run(tf::fetch(loss, train), tf::feed(x_ph, d.x), tf::feed(y_ph, d.y));
    benchmark::DoNotOptimize(std::get<0>(result)());
    benchmark::ClobberMemory();
  }
  set_counters(state);
}

void BM_linear_regression_hand_loss_and_train(benchmark::State& state) {
  const auto& d = data();
  hand_model m = initial_model();
  for (auto _ : state) {
    float l = hand_step<true>(d.x.data(), d.y.data(), rows, m, learning_rate);
    benchmark::DoNotOptimize(l);
    benchmark::DoNotOptimize(m);
    benchmark::ClobberMemory();
  }
  set_counters(state);
}

void BM_linear_regression_typeflow_summary_and_train(benchmark::State& state) {
  const auto& d = data();
  tf::Session sess(bench::session_config());
  sess.run(tf::global_variables_initializer());
  sess.run(tf::fetch(loss_summary, train), tf::feed(x_ph, d.x), tf::feed(y_ph, d.y));
  for (auto _ : state) {
    auto result = sess.run(tf::fetch(loss_summary, train), tf::feed(x_ph, d.x), tf::feed(y_ph, d.y));
    benchmark::DoNotOptimize(std::get<0>(result).data());
    benchmark::ClobberMemory();
  }
  set_counters(state);
}

void BM_summary_writer_add_summary(benchmark::State& state) {
  const std::string logdir =
      (std::filesystem::temp_directory_path() / ("typeflow-bench-summary-" + std::to_string(::getpid()))).string();
  {
    tf::summary::FileWriter writer(logdir);
    const std::string s = tf::summary::scalar_value("loss", 0.125);
    std::int64_t step = 0;
    for (auto _ : state) writer.add_summary(s, ++step);
  }
  std::filesystem::remove_all(logdir);
}

/// After the same number of steps from the same initial values, typeflow's and the
/// hand-written W and b (and the last loss) must agree within 1e-4.
void verify() {
  constexpr int steps = 500;
  const auto& d = data();
  tf::Session sess(bench::session_config());
  sess.run(tf::global_variables_initializer());
  hand_model m = initial_model();
  float tf_loss = 0, hand_loss = 0;
  for (int s = 0; s < steps; ++s) {
    auto [l, _] = sess.run(tf::fetch(loss, train), tf::feed(x_ph, d.x), tf::feed(y_ph, d.y));
    tf_loss = l();
    hand_loss = hand_step<true>(d.x.data(), d.y.data(), rows, m, learning_rate);
  }
  const auto w = sess.run(W);
  const auto bias = sess.run(b);
  const std::string summary = sess.run(loss_summary, tf::feed(x_ph, d.x), tf::feed(y_ph, d.y));
  if (summary != tf::summary::scalar_value("loss", sess.run(loss, tf::feed(x_ph, d.x), tf::feed(y_ph, d.y))())) {
    std::fprintf(stderr, "bench_linear_regression: the loss summary does not hold the loss\n");
    std::abort();
  }
  const float tf_values[] = {w(0, 0), w(1, 0), w(2, 0), bias(0), tf_loss};
  const float hand_values[] = {m.w[0], m.w[1], m.w[2], m.b, hand_loss};
  const char* names[] = {"W[0]", "W[1]", "W[2]", "b", "loss"};
  for (int k = 0; k < 5; ++k)
    if (!(std::abs(tf_values[k] - hand_values[k]) <= 1e-4f * std::max(1.0f, std::abs(hand_values[k])))) {
      std::fprintf(stderr, "bench_linear_regression: after %d steps %s differs: typeflow %.7g, hand-written %.7g\n",
                   steps, names[k], static_cast<double>(tf_values[k]), static_cast<double>(hand_values[k]));
      std::abort();
    }
  std::fprintf(stderr, "bench_linear_regression: typeflow and hand-written agree after %d steps:", steps);
  std::fprintf(stderr, " W = [%.5f %.5f %.5f], b = %.5f, loss = %.3g\n", static_cast<double>(m.w[0]),
               static_cast<double>(m.w[1]), static_cast<double>(m.w[2]), static_cast<double>(m.b),
               static_cast<double>(hand_loss));
}

BENCHMARK(BM_linear_regression_typeflow_train)->Apply(bench::repeat_us);
BENCHMARK(BM_linear_regression_hand_train)->Apply(bench::repeat_us);
BENCHMARK(BM_linear_regression_typeflow_train_one_row)->Apply(bench::repeat_us);
BENCHMARK(BM_linear_regression_typeflow_loss_and_train)->Apply(bench::repeat_us);
BENCHMARK(BM_linear_regression_hand_loss_and_train)->Apply(bench::repeat_us);
BENCHMARK(BM_linear_regression_typeflow_summary_and_train)->Apply(bench::repeat_us);
BENCHMARK(BM_summary_writer_add_summary)->Apply(bench::repeat_us);

}  // namespace

int main(int argc, char** argv) { return bench::main(argc, argv, verify); }
