// Eager mode's costs (issue 16), one thread, in one process:
//   eager_add_8             one eager op on two 8-float tensors (dispatch, a result, no tape)
//   eager_taped_100         a fresh tape that watches a, then 100 such ops, each recorded
//   hand_add_8              the same 8 additions into a preallocated buffer: the limit
//   eager_regression_step   the course's regression step eagerly: tape, forward, gradient, update
//   graph_regression_step   the same step as one Session run (graph mode)
//   eager_mlp_step          the MLP 784-128-10 (ReLU, sparse softmax cross-entropy), a batch of
//                           64, one GradientDescent(0.01) step eagerly
//   function_mlp_step       the same with the loss in a tfe::function (its gradients in the run)
//   graph_mlp_step          the same step as one Session run
// The regression steps train on N = 1000 rows and 3 features with GradientDescent(0.01).

#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <typeflow/eager.hpp>
#include <typeflow/typeflow.hpp>

#include "bench_main.hpp"
#include "regression_data.hpp"

namespace tf = typeflow;
namespace tfe = typeflow::eager;

namespace {

const bench::regression_data& data() { return bench::regression(); }

void BM_eager_add_8(benchmark::State& state) {
  const auto a = tfe::constant<float>({1, 2, 3, 4, 5, 6, 7, 8}), b = tfe::constant<float>({8, 7, 6, 5, 4, 3, 2, 1});
  for (auto _ : state) benchmark::DoNotOptimize(a + b);
}

void BM_eager_taped_100(benchmark::State& state) {
  const auto a = tfe::constant<float>({1, 2, 3, 4, 5, 6, 7, 8}), b = tfe::constant<float>({8, 7, 6, 5, 4, 3, 2, 1});
  for (auto _ : state) {
    tfe::GradientTape tape;
    tape.watch(a);
    for (int i = 0; i < 100; ++i) benchmark::DoNotOptimize(a + b);
  }
}

void BM_hand_add_8(benchmark::State& state) {
  alignas(64) float a[8] = {1, 2, 3, 4, 5, 6, 7, 8}, b[8] = {8, 7, 6, 5, 4, 3, 2, 1}, out[8];
  for (auto _ : state) {
    for (int i = 0; i < 8; ++i) out[i] = a[i] + b[i];
    benchmark::DoNotOptimize(out);
    benchmark::ClobberMemory();
  }
}

struct eager_model {
  tfe::Tensor<float> x = tfe::constant(data().x), y = tfe::constant(data().y);
  tfe::Variable<float> w{tfe::zeros<float>({3, 1}), "W"};
  tfe::Variable<float> b{tfe::zeros<float>({1}), "b"};
  tf::train::GradientDescentOptimizer opt{0.01};
  void step() {
    tfe::GradientTape tape;
    const auto loss = tfe::reduce_mean(tfe::square(y - (tfe::matmul(x, w) + b)));
    const auto [dw, db] = tape.gradient(loss, w, b);
    opt.apply_gradients(std::pair{dw, w}, std::pair{db, b});
  }
};

void BM_eager_regression_step(benchmark::State& state) {
  eager_model m;
  for (auto _ : state) m.step();
}

void BM_graph_regression_step(benchmark::State& state) {
  tf::reset_default_graph();
  auto x = tf::placeholder<"x", float, tf::none, 3>();
  auto y = tf::placeholder<"y", float, tf::none, 1>();
  auto W = tf::Variable<"W", float, 3, 1>(tf::zeros<float, 3, 1>());
  auto b = tf::Variable<"b", float, 1>(tf::zeros<float, 1>());
  auto loss = tf::reduce_mean(tf::square(y - (tf::matmul(x, W) + b)));
  auto train = tf::train::GradientDescentOptimizer(0.01).minimize(loss);
  tf::Session sess(tf::ConfigProto{.intra_op_parallelism_threads = 1});
  sess.run(tf::global_variables_initializer());
  for (auto _ : state) sess.run(train, tf::feed(x, data().x), tf::feed(y, data().y));
}

struct mlp_data {
  xt::xtensor<float, 2> x = xt::xtensor<float, 2>::from_shape({64, 784});
  xt::xtensor<std::int64_t, 1> y = xt::xtensor<std::int64_t, 1>::from_shape({64});
  mlp_data() {
    std::uint64_t state = 11;
    for (auto& v : x) {
      state = state * 6364136223846793005ULL + 1442695040888963407ULL;
      v = static_cast<float>(static_cast<double>(state >> 40) * 0x1.0p-24);
    }
    for (std::size_t i = 0; i < 64; ++i) y(i) = static_cast<std::int64_t>(i % 10);
  }
};

struct eager_mlp {
  mlp_data d;
  tfe::Tensor<float> x = tfe::constant(d.x);
  tfe::Tensor<std::int64_t> y = tfe::constant(d.y);
  tfe::Variable<float> W1{tfe::truncated_normal<float>({784, 128}, 0.0, 0.1, 1), "W1"};
  tfe::Variable<float> b1{tfe::zeros<float>({128}), "b1"};
  tfe::Variable<float> W2{tfe::truncated_normal<float>({128, 10}, 0.0, 0.1, 2), "W2"};
  tfe::Variable<float> b2{tfe::zeros<float>({10}), "b2"};
  tf::train::GradientDescentOptimizer opt{0.01};

  static auto loss_of(const auto& x, const auto& y, const auto& W1, const auto& b1, const auto& W2, const auto& b2) {
    const auto logits = tfe::matmul(tfe::nn::relu(tfe::matmul(x, W1) + b1), W2) + b2;
    return tfe::reduce_mean(tfe::nn::sparse_softmax_cross_entropy_with_logits(tf::labels = y, tf::logits = logits));
  }
  void apply(const auto& grads) {
    const auto& [dW1, db1, dW2, db2] = grads;
    opt.apply_gradients(std::pair{dW1, W1}, std::pair{db1, b1}, std::pair{dW2, W2}, std::pair{db2, b2});
  }
  float step() {
    tfe::GradientTape tape;
    const auto loss = loss_of(x, y, W1, b1, W2, b2);
    apply(tape.gradient(loss, W1, b1, W2, b2));
    return loss.item();
  }
};

void BM_eager_mlp_step(benchmark::State& state) {
  eager_mlp m;
  for (auto _ : state) benchmark::DoNotOptimize(m.step());
}

void BM_function_mlp_step(benchmark::State& state) {
  eager_mlp m;
  auto loss = tfe::function<tf::TensorSpec<float, tf::none, 784>, tf::TensorSpec<std::int64_t, tf::none>,
                            tf::TensorSpec<float, 784, 128>, tf::TensorSpec<float, 128>, tf::TensorSpec<float, 128, 10>,
                            tf::TensorSpec<float, 10>>(
      [](auto x, auto y, auto W1, auto b1, auto W2, auto b2) { return eager_mlp::loss_of(x, y, W1, b1, W2, b2); });
  for (auto _ : state) {
    tfe::GradientTape tape;
    const auto l = loss(m.x, m.y, m.W1, m.b1, m.W2, m.b2);
    m.apply(tape.gradient(l, m.W1, m.b1, m.W2, m.b2));
  }
}

void BM_graph_mlp_step(benchmark::State& state) {
  tf::reset_default_graph();
  const mlp_data d;
  auto x = tf::placeholder<"x", float, tf::none, 784>();
  auto y = tf::placeholder<"y", std::int64_t, tf::none>();
  auto W1 = tf::Variable<"W1", float, 784, 128>(tf::truncated_normal(0.0, 0.1, 1));
  auto b1 = tf::Variable<"b1", float, 128>(tf::constant(0.0f));
  auto W2 = tf::Variable<"W2", float, 128, 10>(tf::truncated_normal(0.0, 0.1, 2));
  auto b2 = tf::Variable<"b2", float, 10>(tf::constant(0.0f));
  auto logits = tf::matmul(tf::nn::relu(tf::matmul(x, W1) + b1), W2) + b2;
  auto loss = tf::reduce_mean(tf::nn::sparse_softmax_cross_entropy_with_logits(tf::labels = y, tf::logits = logits));
  auto train = tf::train::GradientDescentOptimizer(0.01).minimize(loss);
  tf::Session sess(tf::ConfigProto{.intra_op_parallelism_threads = 1});
  sess.run(tf::global_variables_initializer());
  for (auto _ : state) sess.run(train, tf::feed(x, d.x), tf::feed(y, d.y));
}

/// The benchmarked steps train (their values are checked against TensorFlow's in tests/eager).
void verify() {
  eager_model m;
  for (int i = 0; i < 2000; ++i) m.step();
  const float w0 = m.w.value().data()[0];
  if (!(std::abs(w0 - 0.6f) < 0.1f)) {
    std::fprintf(stderr, "bench_eager: after 2000 eager steps W[0] = %g, expected about 0.6\n",
                 static_cast<double>(w0));
    std::abort();
  }
  eager_mlp mlp;
  const float first = mlp.step();
  float last = first;
  for (int i = 0; i < 50; ++i) last = mlp.step();
  if (!(last < first)) {
    std::fprintf(stderr, "bench_eager: the eager MLP's loss did not fall in 50 steps (%g -> %g)\n",
                 static_cast<double>(first), static_cast<double>(last));
    std::abort();
  }
}

BENCHMARK(BM_eager_add_8)->Apply(bench::repeat_us);
BENCHMARK(BM_eager_taped_100)->Apply(bench::repeat_us);
BENCHMARK(BM_hand_add_8)->Apply(bench::repeat_us);
BENCHMARK(BM_eager_regression_step)->Apply(bench::repeat_us);
BENCHMARK(BM_graph_regression_step)->Apply(bench::repeat_us);
BENCHMARK(BM_eager_mlp_step)->Apply(bench::repeat_us);
BENCHMARK(BM_function_mlp_step)->Apply(bench::repeat_us);
BENCHMARK(BM_graph_mlp_step)->Apply(bench::repeat_us);

}  // namespace

int main(int argc, char** argv) { return bench::main(argc, argv, verify); }
