// One training step of a two-layer perceptron, batch 64, D-128-10 (D = 64: digits-shaped data,
// pixels k/16; D = 784: MNIST-shaped data, uniform in [0, 1)), labels uniform in 0..9:
//   logits = matmul(relu(matmul(x, W1) + b1), W2) + b2
//   loss = reduce_mean(sparse_softmax_cross_entropy_with_logits(y, logits)), AdamOptimizer(0.001)
//
//   typeflow_D   sess.run(train, feeds)
//   hand_D       the same step written by hand on raw arrays, with typeflow's GEMM
//                (kernels::matmul, the kernel typeflow's plan calls) and TF's ApplyAdam formula
//   eigen_D      the same step with Eigen 3.4 matrices (its own GEMM)
//   mlp_sweep_{typeflow,eigen}  D = 784 at batch 1, 4, ..., 4096 (compare.py --sweep's chart)
//
// "Cheap gradient" (issue 3: loss and all gradients together cost at most 3x the loss alone):
//   grad_ratio_mlp64_{loss,loss_and_gradients}   the D = 64 MLP: run(loss) vs run(loss, dW1, db1, dW2, db2)
//   grad_ratio_chain50_{loss,loss_and_gradients} 50 elementwise ops (10 x tanh, * v, + 0.5, exp, * 0.5)
//                                                on a variable v of 2^16 floats, loss = reduce_sum
//
// verify() checks first that the three steps agree (loss and gradients at the initial values,
// then the weights after a few Adam steps) and that the chain's gradient matches central finite
// differences of the scalar chain in double.

#include <benchmark/benchmark.h>
#include <Eigen/Core>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <typeflow/kernels/matmul.hpp>
#include <typeflow/typeflow.hpp>
#include <utility>
#include <vector>
#if defined(__SSE__)
#include <xmmintrin.h>
#endif

#include "bench_main.hpp"

namespace tf = typeflow;

namespace {

constexpr std::size_t batch = 64, hidden = 128, classes = 10;
constexpr double learning_rate = 0.001, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8;

struct batch_data {
  xt::xtensor<float, 2> x;
  xt::xtensor<std::int64_t, 1> y;
};

/// A fixed LCG, so the data is the same everywhere; digits-shaped pixels are k/16. A batch of
/// `rows` (64 but in the batch sweep), kept for the next call.
template <std::size_t D>
const batch_data& data(std::size_t rows = batch) {
  static std::vector<std::pair<std::size_t, std::unique_ptr<const batch_data>>> cache;
  for (const auto& [r, d] : cache)
    if (r == rows) return *d;
  const auto make = [rows] {
    batch_data s{xt::xtensor<float, 2>::from_shape({rows, D}), xt::xtensor<std::int64_t, 1>::from_shape({rows})};
    std::uint64_t state = 11 + D;
    auto next = [&] {
      state = state * 6364136223846793005ULL + 1442695040888963407ULL;
      return state >> 33;
    };
    for (auto& v : s.x)
      v = D == 64 ? static_cast<float>(next() % 17) / 16.0f : static_cast<float>(next() >> 7) * 0x1.0p-24f;
    for (auto& v : s.y) v = static_cast<std::int64_t>(next() % classes);
    return s;
  };
  cache.emplace_back(rows, std::make_unique<const batch_data>(make()));
  return *cache.back().second;
}

// The graph, as a TF1 program builds it; one per input width (variables are named per width).
template <std::int64_t D, tf::fixed_string W1n, tf::fixed_string b1n, tf::fixed_string W2n, tf::fixed_string b2n,
          tf::fixed_string Adam>
struct mlp_graph {
  static inline const auto x = tf::placeholder<"x", float, tf::none, D>();
  static inline const auto y = tf::placeholder<"y", std::int64_t, tf::none>();
  static inline const auto W1 = tf::Variable<W1n, float, D, 128>(tf::truncated_normal(0.0, 0.1, /*seed=*/1));
  static inline const auto b1 = tf::Variable<b1n, float, 128>(tf::constant(0.0f));
  static inline const auto W2 = tf::Variable<W2n, float, 128, 10>(tf::truncated_normal(0.0, 0.1, /*seed=*/2));
  static inline const auto b2 = tf::Variable<b2n, float, 10>(tf::constant(0.0f));
  static inline const auto logits = tf::matmul(tf::nn::relu(tf::matmul(x, W1) + b1), W2) + b2;
  static inline const auto loss =
      tf::reduce_mean(tf::nn::sparse_softmax_cross_entropy_with_logits(tf::labels = y, tf::logits = logits));
  static inline const auto train = tf::train::AdamOptimizer<Adam>(learning_rate).minimize(loss);
};
using mlp64 = mlp_graph<64, "W1_64", "b1_64", "W2_64", "b2_64", "Adam_64">;
using mlp784 = mlp_graph<784, "W1_784", "b1_784", "W2_784", "b2_784", "Adam_784">;

template <std::size_t D>
using graph_for = std::conditional_t<D == 64, mlp64, mlp784>;

/// The variables' initial values, as a fresh Session's global_variables_initializer sets them.
struct parameters {
  std::vector<float> W1, b1, W2, b2;
};
template <class G>
parameters initial_parameters() {
  tf::Session sess(bench::session_config());
  sess.run(tf::global_variables_initializer());
  auto vec = [](const auto& t) { return std::vector<float>(t.begin(), t.end()); };
  return {vec(sess.run(G::W1)), vec(sess.run(G::b1)), vec(sess.run(G::W2)), vec(sess.run(G::b2))};
}

// ---------------------------------------------------------------------------------------------
// The hand-written step: raw arrays, kernels::matmul, one loop per remaining piece.

/// TF's ApplyAdam on n values, lr_t computed from the powers before they advance. On xsimd
/// batches: without -fno-math-errno the compiler does not vectorise a loop with std::sqrt.
inline void adam_update(float* __restrict var, float* __restrict m, float* __restrict v, const float* __restrict g,
                        std::size_t n, float lr_t) {
  using batch_t = xsimd::batch<float>;
  constexpr std::size_t lanes = batch_t::size;
  const float b1 = static_cast<float>(beta1), b2 = static_cast<float>(beta2), eps = static_cast<float>(epsilon);
  std::size_t i = 0;
  for (; i + lanes <= n; i += lanes) {
    const batch_t gi = batch_t::load_unaligned(g + i);
    batch_t mi = batch_t::load_unaligned(m + i), vi = batch_t::load_unaligned(v + i);
    mi += (gi - mi) * (1 - b1);
    vi += (gi * gi - vi) * (1 - b2);
    mi.store_unaligned(m + i);
    vi.store_unaligned(v + i);
    (batch_t::load_unaligned(var + i) - lr_t * mi / (xsimd::sqrt(vi) + eps)).store_unaligned(var + i);
  }
  for (; i < n; ++i) {
    m[i] += (g[i] - m[i]) * (1 - b1);
    v[i] += (g[i] * g[i] - v[i]) * (1 - b2);
    var[i] -= lr_t * m[i] / (std::sqrt(v[i]) + eps);
  }
}

/// kernels::matmul as the plan calls it: out of line. Inlined into the step, g++ loses the kernel's
/// __restrict and vectorises its loops worse (the whole step measured 2x slower).
template <bool TransposeA, bool TransposeB>
[[gnu::noinline]] void gemm(const float* __restrict a, const float* __restrict b, float* __restrict out, std::size_t m,
                            std::size_t n, std::size_t k) {
  tf::kernels::matmul<TransposeA, TransposeB>(a, b, out, m, n, k);
}

struct hand_mlp {
  std::size_t d;
  parameters p, m, v, g;  // values, Adam's m and v, gradients
  float beta1_power = static_cast<float>(beta1), beta2_power = static_cast<float>(beta2);
  std::vector<float> h, logits, dlogits, dh;

  hand_mlp(std::size_t d_, parameters init) : d(d_), p(std::move(init)) {
    auto zeros = [&] {
      return parameters{std::vector<float>(d * hidden), std::vector<float>(hidden),
                        std::vector<float>(hidden * classes), std::vector<float>(classes)};
    };
    m = zeros(), v = zeros(), g = zeros();
    h.resize(batch * hidden), logits.resize(batch * classes), dlogits.resize(batch * classes),
        dh.resize(batch * hidden);
  }

  /// Loss and gradients at the current values.
  float gradients(const float* x, const std::int64_t* y) {
    gemm<false, false>(x, p.W1.data(), h.data(), batch, hidden, d);
    for (std::size_t i = 0; i < batch; ++i)
      for (std::size_t j = 0; j < hidden; ++j) h[i * hidden + j] = std::max(h[i * hidden + j] + p.b1[j], 0.0f);
    gemm<false, false>(h.data(), p.W2.data(), logits.data(), batch, classes, hidden);
    float loss = 0;
    const float inv_n = 1.0f / static_cast<float>(batch);
    for (std::size_t i = 0; i < batch; ++i) {
      float* z = logits.data() + i * classes;
      float* dz = dlogits.data() + i * classes;
      float mx = -INFINITY;
      for (std::size_t c = 0; c < classes; ++c) mx = std::max(mx, z[c] += p.b2[c]);
      float sum = 0;
      for (std::size_t c = 0; c < classes; ++c) sum += (dz[c] = std::exp(z[c] - mx));
      const auto label = static_cast<std::size_t>(y[i]);
      loss += std::log(sum) + mx - z[label];
      for (std::size_t c = 0; c < classes; ++c) dz[c] = (dz[c] / sum - (c == label ? 1.0f : 0.0f)) * inv_n;
    }
    gemm<true, false>(h.data(), dlogits.data(), g.W2.data(), hidden, classes, batch);
    std::fill(g.b2.begin(), g.b2.end(), 0.0f);
    for (std::size_t i = 0; i < batch; ++i)
      for (std::size_t c = 0; c < classes; ++c) g.b2[c] += dlogits[i * classes + c];
    gemm<false, true>(dlogits.data(), p.W2.data(), dh.data(), batch, hidden, classes);
    std::fill(g.b1.begin(), g.b1.end(), 0.0f);
    for (std::size_t i = 0; i < batch; ++i)
      for (std::size_t j = 0; j < hidden; ++j) {
        float& e = dh[i * hidden + j];
        e = h[i * hidden + j] > 0 ? e : 0.0f;
        g.b1[j] += e;
      }
    gemm<true, false>(x, dh.data(), g.W1.data(), d, hidden, batch);
    return loss * inv_n;
  }

  float step(const float* x, const std::int64_t* y) {
    const float loss = gradients(x, y);
    const float lr_t = static_cast<float>(learning_rate) * std::sqrt(1 - beta2_power) / (1 - beta1_power);
    adam_update(p.W1.data(), m.W1.data(), v.W1.data(), g.W1.data(), p.W1.size(), lr_t);
    adam_update(p.b1.data(), m.b1.data(), v.b1.data(), g.b1.data(), p.b1.size(), lr_t);
    adam_update(p.W2.data(), m.W2.data(), v.W2.data(), g.W2.data(), p.W2.size(), lr_t);
    adam_update(p.b2.data(), m.b2.data(), v.b2.data(), g.b2.data(), p.b2.size(), lr_t);
    beta1_power *= static_cast<float>(beta1);
    beta2_power *= static_cast<float>(beta2);
    return loss;
  }
};

// ---------------------------------------------------------------------------------------------
// The Eigen step: row-major matrices, Eigen's GEMM and array expressions, buffers kept.

struct eigen_mlp {
  using matrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  using row = Eigen::Matrix<float, 1, Eigen::Dynamic>;
  matrix W1, W2, mW1, vW1, mW2, vW2, gW1, gW2, h, logits, dlogits, dh;
  row b1, b2, mb1, vb1, mb2, vb2, gb1, gb2;
  float beta1_power = static_cast<float>(beta1), beta2_power = static_cast<float>(beta2);

  eigen_mlp(std::size_t d, const parameters& init) {
    const auto D = static_cast<Eigen::Index>(d), H = static_cast<Eigen::Index>(hidden),
               C = static_cast<Eigen::Index>(classes);
    W1 = Eigen::Map<const matrix>(init.W1.data(), D, H);
    b1 = Eigen::Map<const row>(init.b1.data(), H);
    W2 = Eigen::Map<const matrix>(init.W2.data(), H, C);
    b2 = Eigen::Map<const row>(init.b2.data(), C);
    mW1 = vW1 = matrix::Zero(D, H), mW2 = vW2 = matrix::Zero(H, C);
    mb1 = vb1 = row::Zero(H), mb2 = vb2 = row::Zero(C);
  }

  float gradients(const float* xp, const std::int64_t* y, std::size_t d, std::size_t rows) {
    const Eigen::Map<const matrix> x(xp, static_cast<Eigen::Index>(rows), static_cast<Eigen::Index>(d));
    h.noalias() = x * W1;
    h = (h.rowwise() + b1).cwiseMax(0.0f);
    logits.noalias() = h * W2;
    logits.rowwise() += b2;
    dlogits.resize(logits.rows(), logits.cols());
    float loss = 0;
    const float inv_n = 1.0f / static_cast<float>(rows);
    for (Eigen::Index i = 0; i < logits.rows(); ++i) {
      const float mx = logits.row(i).maxCoeff();
      dlogits.row(i) = (logits.row(i).array() - mx).exp().matrix();
      const float sum = dlogits.row(i).sum();
      loss += std::log(sum) + mx - logits(i, static_cast<Eigen::Index>(y[i]));
      dlogits.row(i) *= inv_n / sum;
      dlogits(i, static_cast<Eigen::Index>(y[i])) -= inv_n;
    }
    gW2.noalias() = h.transpose() * dlogits;
    gb2 = dlogits.colwise().sum();
    dh.noalias() = dlogits * W2.transpose();
    dh = (h.array() > 0.0f).select(dh, 0.0f);
    gb1 = dh.colwise().sum();
    gW1.noalias() = x.transpose() * dh;
    return loss * inv_n;
  }

  template <class V, class G>
  static void adam(V& var, V& m, V& v, const G& g, float lr_t) {
    const float b1 = static_cast<float>(beta1), b2 = static_cast<float>(beta2), eps = static_cast<float>(epsilon);
    m.array() += (g.array() - m.array()) * (1 - b1);
    v.array() += (g.array().square() - v.array()) * (1 - b2);
    var.array() -= lr_t * m.array() / (v.array().sqrt() + eps);
  }

  float step(const float* x, const std::int64_t* y, std::size_t d, std::size_t rows = batch) {
    const float loss = gradients(x, y, d, rows);
    const float lr_t = static_cast<float>(learning_rate) * std::sqrt(1 - beta2_power) / (1 - beta1_power);
    adam(W1, mW1, vW1, gW1, lr_t), adam(b1, mb1, vb1, gb1, lr_t);
    adam(W2, mW2, vW2, gW2, lr_t), adam(b2, mb2, vb2, gb2, lr_t);
    beta1_power *= static_cast<float>(beta1);
    beta2_power *= static_cast<float>(beta2);
    return loss;
  }
};

// ---------------------------------------------------------------------------------------------
// The 50-op elementwise chain: 10 times t = exp(tanh(t) * v + 0.5) * 0.5, from t = v.

constexpr std::size_t chain_size = std::size_t{1} << 16;
const auto chain_v = tf::Variable<"chain_v", float, chain_size>(tf::random_uniform(-1.0, 1.0, /*seed=*/3));

template <int N, class T>
auto chain(const T& t) {
  if constexpr (N == 0) return t;
  else return chain<N - 1>(tf::exp(tf::tanh(t) * chain_v + 0.5f) * 0.5f);
}
const auto chain_loss = tf::reduce_sum(chain<10>(chain_v));

double chain_scalar(double v) {
  double t = v;
  for (int i = 0; i < 10; ++i) t = std::exp(std::tanh(t) * v + 0.5) * 0.5;
  return t;
}

// ---------------------------------------------------------------------------------------------

/// Training steps on batch b: typeflow's Session, and the Eigen step (its rows are b's).
template <std::size_t D>
void typeflow_steps(benchmark::State& state, const batch_data& b) {
  using G = graph_for<D>;
  tf::Session sess(bench::session_config());
  sess.run(tf::global_variables_initializer());
  sess.run(G::train, tf::feed(G::x, b.x), tf::feed(G::y, b.y));  // builds the plan outside the timing
  for (auto _ : state) {
    sess.run(G::train, tf::feed(G::x, b.x), tf::feed(G::y, b.y));
    benchmark::ClobberMemory();
  }
}
template <std::size_t D>
void eigen_steps(benchmark::State& state, const batch_data& b) {
  const std::size_t rows = b.x.shape()[0];
  eigen_mlp m(D, initial_parameters<graph_for<D>>());
  m.step(b.x.data(), b.y.data(), D, rows);  // sizes the buffers outside the timing
  for (auto _ : state) {
    benchmark::DoNotOptimize(m.step(b.x.data(), b.y.data(), D, rows));
    benchmark::ClobberMemory();
  }
}

template <std::size_t D>
void BM_mlp_typeflow(benchmark::State& state) {
  typeflow_steps<D>(state, data<D>());
}

template <std::size_t D>
void BM_mlp_hand(benchmark::State& state) {
  const batch_data& b = data<D>();
  hand_mlp m(D, initial_parameters<graph_for<D>>());
  for (auto _ : state) {
    benchmark::DoNotOptimize(m.step(b.x.data(), b.y.data()));
    benchmark::ClobberMemory();
  }
}

template <std::size_t D>
void BM_mlp_eigen(benchmark::State& state) {
  eigen_steps<D>(state, data<D>());
}

// The batch sweep (compare.py --sweep): the D = 784 step at batch sizes 1 ... 4096, typeflow
// and Eigen (the hand-written step is typeflow's own GEMM).
void BM_mlp_sweep_typeflow(benchmark::State& state) {
  typeflow_steps<784>(state, data<784>(static_cast<std::size_t>(state.range(0))));
}
void BM_mlp_sweep_eigen(benchmark::State& state) {
  eigen_steps<784>(state, data<784>(static_cast<std::size_t>(state.range(0))));
}
void batch_sweep_args(benchmark::internal::Benchmark* b) {
  b->ArgName("batch");
  for (std::int64_t n = 1; n <= 4096; n *= 4) b->Arg(n);
}

// Both sides fetch as a TF1 program does, sess.run(loss) and sess.run([loss, grads...]): each
// fetched value is returned in a new array.
void BM_grad_ratio_mlp64_loss(benchmark::State& state) {
  using G = mlp64;
  const batch_data& b = data<64>();
  tf::Session sess(bench::session_config());
  sess.run(tf::global_variables_initializer());
  sess.run(G::loss, tf::feed(G::x, b.x), tf::feed(G::y, b.y));
  for (auto _ : state) benchmark::DoNotOptimize(sess.run(G::loss, tf::feed(G::x, b.x), tf::feed(G::y, b.y))());
}

void BM_grad_ratio_mlp64_loss_and_gradients(benchmark::State& state) {
  using G = mlp64;
  const batch_data& b = data<64>();
  const auto [dW1, db1, dW2, db2] = tf::gradients(G::loss, G::W1, G::b1, G::W2, G::b2);
  const auto fetches = tf::fetch(G::loss, dW1, db1, dW2, db2);
  tf::Session sess(bench::session_config());
  sess.run(tf::global_variables_initializer());
  sess.run(fetches, tf::feed(G::x, b.x), tf::feed(G::y, b.y));
  for (auto _ : state) {
    auto r = sess.run(fetches, tf::feed(G::x, b.x), tf::feed(G::y, b.y));
    benchmark::DoNotOptimize(std::get<0>(r)());
  }
}

void BM_grad_ratio_chain50_loss(benchmark::State& state) {
  tf::Session sess(bench::session_config());
  sess.run(tf::global_variables_initializer());
  sess.run(chain_loss);
  for (auto _ : state) benchmark::DoNotOptimize(sess.run(chain_loss)());
}

void BM_grad_ratio_chain50_loss_and_gradients(benchmark::State& state) {
  const auto [dv] = tf::gradients(chain_loss, chain_v);
  const auto fetches = tf::fetch(chain_loss, dv);
  tf::Session sess(bench::session_config());
  sess.run(tf::global_variables_initializer());
  sess.run(fetches);
  for (auto _ : state) {
    auto r = sess.run(fetches);
    benchmark::DoNotOptimize(std::get<0>(r)());
    benchmark::DoNotOptimize(std::get<1>(r).data());
  }
}

[[noreturn]] void fail(const std::string& what) {
  std::fprintf(stderr, "bench_mlp: %s\n", what.c_str());
  std::abort();
}

/// |a - b| <= tol * max(1, max |b|), element by element.
template <class A, class B>
void expect_close(const std::string& what, const A& a, const B& b, std::size_t n, double tol) {
  double scale = 1e-30;
  for (std::size_t i = 0; i < n; ++i) scale = std::max(scale, std::abs(static_cast<double>(b[i])));
  for (std::size_t i = 0; i < n; ++i)
    if (!(std::abs(static_cast<double>(a[i]) - static_cast<double>(b[i])) <= tol * scale))
      fail(what + "[" + std::to_string(i) + "] = " + std::to_string(a[i]) + ", expected " + std::to_string(b[i]) +
           " (tolerance " + std::to_string(tol) + " x " + std::to_string(scale) + ")");
}

template <std::size_t D>
void verify_mlp() {
  using G = graph_for<D>;
  const batch_data& b = data<D>();
  const std::string tag = "D = " + std::to_string(D) + ": ";
  tf::Session sess(bench::session_config());
  sess.run(tf::global_variables_initializer());
  hand_mlp hand(D, initial_parameters<G>());
  eigen_mlp eig(D, initial_parameters<G>());

  // Loss and gradients at the initial values.
  const auto [dW1, db1, dW2, db2] = tf::gradients(G::loss, G::W1, G::b1, G::W2, G::b2);
  auto [l, gW1, gb1, gW2, gb2] =
      sess.run(tf::fetch(G::loss, dW1, db1, dW2, db2), tf::feed(G::x, b.x), tf::feed(G::y, b.y));
  const float hl = hand.gradients(b.x.data(), b.y.data());
  const float el = eig.gradients(b.x.data(), b.y.data(), D, batch);
  expect_close(tag + "hand loss", &hl, &l(), 1, 1e-5);
  expect_close(tag + "Eigen loss", &el, &l(), 1, 1e-5);
  expect_close(tag + "hand dW1", hand.g.W1, gW1.data(), gW1.size(), 1e-4);
  expect_close(tag + "hand db1", hand.g.b1, gb1.data(), gb1.size(), 1e-4);
  expect_close(tag + "hand dW2", hand.g.W2, gW2.data(), gW2.size(), 1e-4);
  expect_close(tag + "hand db2", hand.g.b2, gb2.data(), gb2.size(), 1e-4);
  expect_close(tag + "Eigen dW1", eig.gW1.data(), gW1.data(), gW1.size(), 1e-4);
  expect_close(tag + "Eigen db1", eig.gb1.data(), gb1.data(), gb1.size(), 1e-4);
  expect_close(tag + "Eigen dW2", eig.gW2.data(), gW2.data(), gW2.size(), 1e-4);
  expect_close(tag + "Eigen db2", eig.gb2.data(), gb2.data(), gb2.size(), 1e-4);

  // A few Adam steps. Adam moves each weight by about lr whatever the size of its gradient, so a
  // gradient that is zero up to rounding may move differently: allow 2 lr per step there.
  constexpr int steps = 3;
  for (int s = 0; s < steps; ++s) {
    sess.run(G::train, tf::feed(G::x, b.x), tf::feed(G::y, b.y));
    hand.step(b.x.data(), b.y.data());
    eig.step(b.x.data(), b.y.data(), D);
  }
  const auto W1 = sess.run(G::W1);
  const auto W2 = sess.run(G::W2);
  const auto b1 = sess.run(G::b1);
  const auto b2 = sess.run(G::b2);
  const double tol = 2 * learning_rate * steps;
  expect_close(tag + "hand W1 after Adam steps", hand.p.W1, W1.data(), W1.size(), tol);
  expect_close(tag + "hand b1 after Adam steps", hand.p.b1, b1.data(), b1.size(), tol);
  expect_close(tag + "hand W2 after Adam steps", hand.p.W2, W2.data(), W2.size(), tol);
  expect_close(tag + "hand b2 after Adam steps", hand.p.b2, b2.data(), b2.size(), tol);
  expect_close(tag + "Eigen W1 after Adam steps", eig.W1.data(), W1.data(), W1.size(), tol);
  expect_close(tag + "Eigen W2 after Adam steps", eig.W2.data(), W2.data(), W2.size(), tol);
  std::size_t near = 0;  // how many agree tightly: all but a handful should
  for (std::size_t i = 0; i < W1.size(); ++i) near += std::abs(hand.p.W1[i] - W1.data()[i]) <= 1e-6f;
  if (near < W1.size() * 99 / 100)
    fail(tag + "only " + std::to_string(near) + " of " + std::to_string(W1.size()) + " W1 values agree within 1e-6");
  std::fprintf(
      stderr,
      "bench_mlp: %sloss %.6f in all three, gradients agree; after %d Adam steps %zu of %zu W1 values within 1e-6\n",
      tag.c_str(), static_cast<double>(hl), steps, near, W1.size());
}

void verify() {
  verify_mlp<64>();
  verify_mlp<784>();
  tf::Session sess(bench::session_config());
  sess.run(tf::global_variables_initializer());
  const auto [dv] = tf::gradients(chain_loss, chain_v);
  auto [loss, grad] = sess.run(tf::fetch(chain_loss, dv));
  const auto v = sess.run(chain_v);
  double sum = 0;
  for (std::size_t i = 0; i < chain_size; ++i) sum += chain_scalar(v(i));
  if (!(std::abs(loss() - sum) <= 1e-4 * std::abs(sum)))
    fail("chain loss " + std::to_string(loss()) + ", expected " + std::to_string(sum));
  for (std::size_t i = 0; i < chain_size; i += 997) {
    const double x = v(i), h = 1e-5;
    const double fd = (chain_scalar(x + h) - chain_scalar(x - h)) / (2 * h);
    if (!(std::abs(grad(i) - fd) <= 1e-3 * std::max(1.0, std::abs(fd))))
      fail("chain gradient [" + std::to_string(i) + "] = " + std::to_string(grad(i)) + ", finite differences " +
           std::to_string(fd));
  }
  std::fprintf(stderr, "bench_mlp: 50-op chain: loss %.3f and gradients agree with the scalar chain in double\n", sum);
}

BENCHMARK(BM_mlp_typeflow<64>)->Apply(bench::repeat_us);
BENCHMARK(BM_mlp_hand<64>)->Apply(bench::repeat_us);
BENCHMARK(BM_mlp_eigen<64>)->Apply(bench::repeat_us);
BENCHMARK(BM_mlp_typeflow<784>)->Apply(bench::repeat_us);
BENCHMARK(BM_mlp_hand<784>)->Apply(bench::repeat_us);
BENCHMARK(BM_mlp_eigen<784>)->Apply(bench::repeat_us);
BENCHMARK(BM_grad_ratio_mlp64_loss)->Apply(bench::repeat_us);
BENCHMARK(BM_grad_ratio_mlp64_loss_and_gradients)->Apply(bench::repeat_us);
BENCHMARK(BM_grad_ratio_chain50_loss)->Apply(bench::repeat_us);
BENCHMARK(BM_grad_ratio_chain50_loss_and_gradients)->Apply(bench::repeat_us);
BENCHMARK(BM_mlp_sweep_typeflow)->Apply(batch_sweep_args)->Apply(bench::repeat_us);
BENCHMARK(BM_mlp_sweep_eigen)->Apply(batch_sweep_args)->Apply(bench::repeat_us);

}  // namespace

int main(int argc, char** argv) {
  // Each variant trains on its one batch for thousands of steps: gradients and Adam's v shrink
  // into subnormals, which would time the FPU's slow path rather than the step. TensorFlow runs
  // its kernels with denormals flushed to zero; so do all variants here.
#if defined(__SSE__)
  _mm_setcsr(_mm_getcsr() | 0x8040);  // FTZ | DAZ
#endif
  return bench::main(argc, argv, verify);
}
