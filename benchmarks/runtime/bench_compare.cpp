// The C++ side of the peer comparison (benchmarks/compare/compare.py runs it, with
// bench_linear_regression and bench_mlp, next to NumPy, TensorFlow, JAX and PyTorch):
//
//   chain_*    workload 1: f(x) = exp(-square(x)) * tanh(x * 1.5 + 0.5) + x over 2^24 floats, 8 ops:
//              1: square(x)  2: -(1)  3: exp(2)  4: x * 1.5  5: (4) + 0.5  6: tanh(5)  7: (3) * (6)  8: (7) + x
//                typeflow             sess.run(tf::fetch_into(out, f), tf::feed(x, X)): one fused loop
//                hand                 one loop over xsimd batches with typeflow's exp and tanh: the limit
//                xtensor_temporaries  each op into its own preallocated xt::xtensor (7 temporaries)
//                eigen                one Eigen 3.4 array expression (Eigen fuses it too)
//   linreg_*   workload 2: one gradient-descent step of linear regression, N = 1000, 3 features, as in
//              bench_linear_regression (which has typeflow's and the hand-written step)
//                eigen                e = X w + b - y (Eigen GEMV), dw = 2/N X^T e, db = 2/N sum(e)
//                openblas             the same with two cblas_sgemv calls and one loop
//   gemm_*     workload 4: C[m x n] = A[m x k] B[k x n], floats uniform in [-1, 1)
//                typeflow             sess.run(tf::fetch_into(C, tf::matmul(a, b)), feeds): the Session's path
//                typeflow_kernel      typeflow::kernels::matmul called directly: the kernel alone
//                eigen                C.noalias() = A * B (row-major maps)
//                openblas             cblas_sgemm
//   chain_sweep_*, gemm_sweep_*  the chain at 2^16 ... 2^26 floats (typeflow, Eigen, a copy) and
//              square GEMMs n = 64 ... 2048 (typeflow, OpenBLAS): compare.py --sweep's chart
//
// Threads: the Sessions take --threads=N (bench_main.hpp); Eigen (built with OpenMP) and OpenBLAS
// follow OMP_NUM_THREADS and OPENBLAS_NUM_THREADS, which compare.py sets.

#include <benchmark/benchmark.h>
#include <cblas.h>
#include <Eigen/Core>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <typeflow/kernels/matmul.hpp>
#include <typeflow/typeflow.hpp>
#include <vector>
#include <xsimd/xsimd.hpp>
#include <xtensor/xmath.hpp>

#include "bench_main.hpp"

namespace tf = typeflow;
namespace vmath = typeflow::kernels::vector_math;

namespace {

[[noreturn]] void fail(const std::string& what) {
  std::fprintf(stderr, "bench_compare: %s\n", what.c_str());
  std::abort();
}

/// A fixed LCG: uniform floats in [lo, hi), the same on every run.
struct lcg {
  std::uint64_t state;
  float operator()(float lo, float hi) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return lo + static_cast<float>(static_cast<double>(state >> 40) * 0x1.0p-24) * (hi - lo);
  }
};

// ---------------------------------------------------------------------------------------------
// Workload 1: the 8-op chain with exp and tanh.

constexpr std::size_t chain_n = std::size_t{1} << 24;
using array1 = xt::xtensor<float, 1>;

const array1& chain_input() {
  static const array1 x = [] {
    array1 a = array1::from_shape({chain_n});
    lcg rng{42};
    for (auto& v : a) v = rng(-2.0f, 2.0f);
    return a;
  }();
  return x;
}

const auto chain_x = tf::placeholder<"x", float, tf::none>();
const auto chain_f = tf::exp(-tf::square(chain_x)) * tf::tanh(chain_x * 1.5f + 0.5f) + chain_x;

void chain_typeflow(tf::Session& sess, array1& out, const array1& x) {
  sess.run(tf::fetch_into(out, chain_f), tf::feed(chain_x, x));
}

void chain_hand(array1& out, const array1& x) {
  using batch = xsimd::batch<float>;
  constexpr std::size_t lanes = batch::size;
  const float* in = x.data();
  float* o = out.data();
  const std::size_t size = x.size(), body = size - size % lanes;
  const batch c1_5(1.5f), c0_5(0.5f);
  for (std::size_t i = 0; i < body; i += lanes) {
    const batch v = batch::load_aligned(in + i);  // xt::xtensor storage is xsimd-aligned
    (vmath::exp(-(v * v)) * vmath::tanh(v * c1_5 + c0_5) + v).store_aligned(o + i);
  }
  for (std::size_t i = body; i < size; ++i) {
    const float v = in[i];
    o[i] = std::exp(-(v * v)) * std::tanh(v * 1.5f + 0.5f) + v;
  }
}

struct chain_temporaries {
  array1 t1, t2, t3, t4, t5, t6, t7;
  explicit chain_temporaries(std::size_t size)
      : t1(array1::from_shape({size})),
        t2(array1::from_shape({size})),
        t3(array1::from_shape({size})),
        t4(array1::from_shape({size})),
        t5(array1::from_shape({size})),
        t6(array1::from_shape({size})),
        t7(array1::from_shape({size})) {}
};

void chain_xtensor_temporaries(chain_temporaries& t, array1& out, const array1& x) {
  xt::noalias(t.t1) = xt::square(x);
  xt::noalias(t.t2) = -t.t1;
  xt::noalias(t.t3) = xt::exp(t.t2);
  xt::noalias(t.t4) = x * 1.5f;
  xt::noalias(t.t5) = t.t4 + 0.5f;
  xt::noalias(t.t6) = xt::tanh(t.t5);
  xt::noalias(t.t7) = t.t3 * t.t6;
  xt::noalias(out) = t.t7 + x;
}

void chain_eigen(array1& out, const array1& x) {
  const Eigen::Map<const Eigen::ArrayXf> xa(x.data(), static_cast<Eigen::Index>(x.size()));
  Eigen::Map<Eigen::ArrayXf> oa(out.data(), static_cast<Eigen::Index>(out.size()));
  oa = (-xa.square()).exp() * (xa * 1.5f + 0.5f).tanh() + xa;
}

void chain_counters(benchmark::State& state) {
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(2 * chain_n * sizeof(float)));
}

/// One output for every variant: their timings then differ by the code alone, not by where
/// the kernel placed a fresh 64 MiB.
array1& chain_output() {
  static array1 out = array1::from_shape({chain_n});
  return out;
}

template <class Run>
void chain_loop(benchmark::State& state, Run run) {
  array1& out = chain_output();
  run(out);  // builds a plan, touches the output's pages outside the timing
  for (auto _ : state) {
    run(out);
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  chain_counters(state);
}

void BM_chain_typeflow(benchmark::State& state) {
  tf::Session sess(bench::session_config());
  chain_loop(state, [&](array1& out) { chain_typeflow(sess, out, chain_input()); });
}
void BM_chain_hand(benchmark::State& state) {
  chain_loop(state, [&](array1& out) { chain_hand(out, chain_input()); });
}
void BM_chain_xtensor_temporaries(benchmark::State& state) {
  chain_temporaries t(chain_n);
  chain_loop(state, [&](array1& out) { chain_xtensor_temporaries(t, out, chain_input()); });
}
void BM_chain_eigen(benchmark::State& state) {
  chain_loop(state, [&](array1& out) { chain_eigen(out, chain_input()); });
}
/// The same bytes read and written by a plain copy: the memory-bandwidth limit.
void BM_chain_copy(benchmark::State& state) {
  chain_loop(state, [&](array1& out) { std::memcpy(out.data(), chain_input().data(), chain_n * sizeof(float)); });
}

/// All four against the chain in double: |got - f(x)| <= 1e-5 max(1, |f(x)|).
void verify_chain() {
  const array1& x = chain_input();
  std::array<array1, 4> out;
  for (auto& o : out) o = array1::from_shape({chain_n});
  {
    tf::Session sess(bench::session_config());
    chain_typeflow(sess, out[0], x);
    chain_hand(out[1], x);
    chain_temporaries t(chain_n);
    chain_xtensor_temporaries(t, out[2], x);
    chain_eigen(out[3], x);
  }
  const char* names[] = {"typeflow", "hand", "xtensor_temporaries", "eigen"};
  for (std::size_t i = 0; i < chain_n; ++i) {
    const double v = x[i];
    const double ref = std::exp(-v * v) * std::tanh(v * 1.5 + 0.5) + v;
    for (std::size_t k = 0; k < out.size(); ++k)
      if (!(std::abs(out[k][i] - ref) <= 1e-5 * std::max(1.0, std::abs(ref))))
        fail(std::string("chain: ") + names[k] + " gives " + std::to_string(out[k][i]) +
             " at x = " + std::to_string(v) + ", expected " + std::to_string(ref));
  }
  std::fprintf(stderr, "bench_compare: chain: the four variants agree with the chain in double on %zu values\n",
               chain_n);
}

// ---------------------------------------------------------------------------------------------
// Workload 2: a linear-regression step with Eigen and with OpenBLAS.

constexpr std::size_t lr_rows = 1000;
constexpr float learning_rate = 0.01f;

struct lr_data {
  std::vector<float> x = std::vector<float>(lr_rows * 3), y = std::vector<float>(lr_rows);
};

/// bench_linear_regression's data: features uniform in [0, 1), y linear in them plus noise.
const lr_data& linreg_data() {
  static const lr_data d = [] {
    lr_data s;
    lcg rng{7};
    for (std::size_t i = 0; i < lr_rows; ++i) {
      for (std::size_t j = 0; j < 3; ++j) s.x[i * 3 + j] = rng(0.0f, 1.0f);
      s.y[i] =
          0.6f * s.x[i * 3] + 0.1f * s.x[i * 3 + 1] + 0.3f * s.x[i * 3 + 2] + 0.05f + 0.02f * (rng(0.0f, 1.0f) - 0.5f);
    }
    return s;
  }();
  return d;
}

struct linreg_eigen {
  using matrix = Eigen::Matrix<float, Eigen::Dynamic, 3, Eigen::RowMajor>;
  Eigen::Vector3f w{0.5f, -0.25f, 0.125f}, gw;
  float b = 0.1f;
  Eigen::VectorXf e = Eigen::VectorXf(static_cast<Eigen::Index>(lr_rows));

  void step(const lr_data& d) {
    const Eigen::Map<const matrix> x(d.x.data(), static_cast<Eigen::Index>(lr_rows), 3);
    const Eigen::Map<const Eigen::VectorXf> y(d.y.data(), static_cast<Eigen::Index>(lr_rows));
    e.noalias() = x * w;
    e.array() += b - y.array();
    gw.noalias() = x.transpose() * e;
    const float scale = learning_rate * 2.0f / static_cast<float>(lr_rows);
    w -= scale * gw;
    b -= scale * e.sum();
  }
};

struct linreg_openblas {
  float w[3] = {0.5f, -0.25f, 0.125f}, gw[3] = {}, b = 0.1f;
  std::vector<float> e = std::vector<float>(lr_rows);

  void step(const lr_data& d) {
    const int n = static_cast<int>(lr_rows);
    cblas_sgemv(CblasRowMajor, CblasNoTrans, n, 3, 1.0f, d.x.data(), 3, w, 1, 0.0f, e.data(), 1);
    float sum = 0;
    for (std::size_t i = 0; i < lr_rows; ++i) sum += (e[i] += b - d.y[i]);
    const float scale = learning_rate * 2.0f / static_cast<float>(lr_rows);
    cblas_sgemv(CblasRowMajor, CblasTrans, n, 3, scale, d.x.data(), 3, e.data(), 1, 0.0f, gw, 1);
    for (int j = 0; j < 3; ++j) w[j] -= gw[j];
    b -= scale * sum;
  }
};

void BM_linreg_eigen(benchmark::State& state) {
  const lr_data& d = linreg_data();
  linreg_eigen m;
  for (auto _ : state) {
    m.step(d);
    benchmark::DoNotOptimize(m.w.data());
    benchmark::ClobberMemory();
  }
}

void BM_linreg_openblas(benchmark::State& state) {
  const lr_data& d = linreg_data();
  linreg_openblas m;
  for (auto _ : state) {
    m.step(d);
    benchmark::DoNotOptimize(m.w);
    benchmark::ClobberMemory();
  }
}

/// 500 steps of each against the same steps in double, from the same start.
void verify_linreg() {
  const lr_data& d = linreg_data();
  linreg_eigen eig;
  linreg_openblas blas;
  double w[3] = {0.5, -0.25, 0.125}, b = 0.1;
  for (int s = 0; s < 500; ++s) {
    eig.step(d), blas.step(d);
    double g[3] = {}, gb = 0;
    for (std::size_t i = 0; i < lr_rows; ++i) {
      const float* r = &d.x[i * 3];
      const double e = r[0] * w[0] + r[1] * w[1] + r[2] * w[2] + b - d.y[i];
      for (int j = 0; j < 3; ++j) g[j] += e * r[j];
      gb += e;
    }
    const double scale = learning_rate * 2.0 / lr_rows;
    for (int j = 0; j < 3; ++j) w[j] -= scale * g[j];
    b -= scale * gb;
  }
  for (int j = 0; j < 4; ++j) {
    const double ref = j < 3 ? w[j] : b;
    const double got[] = {j < 3 ? eig.w[j] : eig.b, j < 3 ? blas.w[j] : blas.b};
    for (double g : got)
      if (!(std::abs(g - ref) <= 1e-4))
        fail("linreg: parameter " + std::to_string(j) + " is " + std::to_string(g) + ", expected " +
             std::to_string(ref));
  }
  std::fprintf(stderr, "bench_compare: linreg: Eigen and OpenBLAS agree with the step in double after 500 steps\n");
}

// ---------------------------------------------------------------------------------------------
// Workload 4: GEMM.

struct gemm_data {
  std::size_t m, k, n;
  xt::xtensor<float, 2> a, b;
};

const gemm_data& gemm_input(std::size_t m, std::size_t k, std::size_t n) {
  static std::vector<std::unique_ptr<gemm_data>> cache;
  for (const auto& g : cache)
    if (g->m == m && g->k == k && g->n == n) return *g;
  auto g = std::make_unique<gemm_data>(
      gemm_data{m, k, n, xt::xtensor<float, 2>::from_shape({m, k}), xt::xtensor<float, 2>::from_shape({k, n})});
  lcg rng{m * 1000003 + k * 1009 + n};
  for (auto& v : g->a) v = rng(-1.0f, 1.0f);
  for (auto& v : g->b) v = rng(-1.0f, 1.0f);
  cache.push_back(std::move(g));
  return *cache.back();
}

const auto gemm_a = tf::placeholder<"a", float, tf::none, tf::none>();
const auto gemm_b = tf::placeholder<"b", float, tf::none, tf::none>();
const auto gemm_c = tf::matmul(gemm_a, gemm_b);

using row_matrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

enum class gemm_peer { typeflow, typeflow_kernel, eigen, openblas };

/// The runner for one peer: a callable that computes C for the given data into out.
struct gemm_runner {
  gemm_peer peer;
  tf::Session sess{bench::session_config()};

  void operator()(const gemm_data& g, xt::xtensor<float, 2>& out) {
    const auto m = static_cast<Eigen::Index>(g.m), k = static_cast<Eigen::Index>(g.k),
               n = static_cast<Eigen::Index>(g.n);
    switch (peer) {
      case gemm_peer::typeflow:
        sess.run(tf::fetch_into(out, gemm_c), tf::feed(gemm_a, g.a), tf::feed(gemm_b, g.b));
        break;
      case gemm_peer::typeflow_kernel:
        tf::kernels::matmul<false, false>(g.a.data(), g.b.data(), out.data(), g.m, g.n, g.k);
        break;
      case gemm_peer::eigen: {
        Eigen::Map<row_matrix> c(out.data(), m, n);
        c.noalias() = Eigen::Map<const row_matrix>(g.a.data(), m, k) * Eigen::Map<const row_matrix>(g.b.data(), k, n);
        break;
      }
      case gemm_peer::openblas:
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, static_cast<int>(m), static_cast<int>(n),
                    static_cast<int>(k), 1.0f, g.a.data(), static_cast<int>(k), g.b.data(), static_cast<int>(n), 0.0f,
                    out.data(), static_cast<int>(n));
        break;
    }
  }
};

template <gemm_peer Peer>
void BM_gemm(benchmark::State& state) {
  const auto m = static_cast<std::size_t>(state.range(0)), k = static_cast<std::size_t>(state.range(1)),
             n = static_cast<std::size_t>(state.range(2));
  const gemm_data& g = gemm_input(m, k, n);
  xt::xtensor<float, 2> out = xt::xtensor<float, 2>::from_shape({m, n});
  gemm_runner run{Peer};
  run(g, out);
  for (auto _ : state) {
    run(g, out);
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  state.counters["flop"] = static_cast<double>(2 * m * n * k);
}
void BM_gemm_typeflow(benchmark::State& state) { BM_gemm<gemm_peer::typeflow>(state); }
void BM_gemm_typeflow_kernel(benchmark::State& state) { BM_gemm<gemm_peer::typeflow_kernel>(state); }
void BM_gemm_eigen(benchmark::State& state) { BM_gemm<gemm_peer::eigen>(state); }
void BM_gemm_openblas(benchmark::State& state) { BM_gemm<gemm_peer::openblas>(state); }

// m, k, n: square sizes, then the small models' products (MLP 784-128: x W1; linear regression:
// X W; MLP 128-10: h W2).
const std::vector<std::vector<std::int64_t>> gemm_shapes = {{64, 64, 64},    {128, 128, 128},    {256, 256, 256},
                                                            {512, 512, 512}, {1024, 1024, 1024}, {64, 784, 128},
                                                            {1000, 3, 1},    {64, 128, 10}};

void gemm_args(benchmark::internal::Benchmark* b) {
  b->ArgNames({"m", "k", "n"});
  for (const auto& s : gemm_shapes) b->Args(s);
}

/// Every peer against a product in double: |C - ref| <= 1e-5 k max|ref| (a sanity check).
void verify_gemm() {
  for (const auto& s : gemm_shapes) {
    const auto m = static_cast<std::size_t>(s[0]), k = static_cast<std::size_t>(s[1]),
               n = static_cast<std::size_t>(s[2]);
    const gemm_data& g = gemm_input(m, k, n);
    std::vector<double> ref(m * n, 0.0);
    for (std::size_t i = 0; i < m; ++i)
      for (std::size_t p = 0; p < k; ++p) {
        const double a = g.a(i, p);
        for (std::size_t j = 0; j < n; ++j) ref[i * n + j] += a * g.b(p, j);
      }
    double scale = 1.0;
    for (double r : ref) scale = std::max(scale, std::abs(r));
    for (gemm_peer peer : {gemm_peer::typeflow, gemm_peer::typeflow_kernel, gemm_peer::eigen, gemm_peer::openblas}) {
      xt::xtensor<float, 2> out = xt::xtensor<float, 2>::from_shape({m, n});
      gemm_runner run{peer};
      run(g, out);
      for (std::size_t i = 0; i < m * n; ++i)
        if (!(std::abs(out.data()[i] - ref[i]) <= 1e-5 * static_cast<double>(k) * scale))
          fail("gemm " + std::to_string(m) + "x" + std::to_string(k) + "x" + std::to_string(n) + ": peer " +
               std::to_string(static_cast<int>(peer)) + " gives " + std::to_string(out.data()[i]) + " at " +
               std::to_string(i) + ", expected " + std::to_string(ref[i]));
    }
  }
  std::fprintf(
      stderr,
      "bench_compare: gemm: the four variants agree with the product in double on %zu shapes (OpenBLAS core: %s)\n",
      gemm_shapes.size(), openblas_get_corename());
}

// ---------------------------------------------------------------------------------------------
// Scaling sweeps (issue 22; compare.py --sweep): the chain over 2^16 ... 2^26 floats against
// Eigen and a copy, square GEMMs from 64 to 2048 against OpenBLAS.

struct chain_sized {
  array1 x, out;
};

/// Input and output of n floats (the input drawn as the chain's), kept for the next size's
/// variants.
chain_sized& chain_data(std::size_t n) {
  static std::vector<std::pair<std::size_t, std::unique_ptr<chain_sized>>> cache;
  for (auto& [size, d] : cache)
    if (size == n) return *d;
  auto d = std::make_unique<chain_sized>(chain_sized{array1::from_shape({n}), array1::from_shape({n})});
  lcg rng{42};
  for (auto& v : d->x) v = rng(-2.0f, 2.0f);
  d->out.fill(0.0f);  // touches the pages outside the timing
  cache.emplace_back(n, std::move(d));
  return *cache.back().second;
}

template <class Run>
void chain_sweep(benchmark::State& state, Run run) {
  const auto n = static_cast<std::size_t>(state.range(0));
  chain_sized& d = chain_data(n);
  run(d.out, d.x);
  for (auto _ : state) {
    run(d.out, d.x);
    benchmark::DoNotOptimize(d.out.data());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(2 * n * sizeof(float)));
}

void BM_chain_sweep_typeflow(benchmark::State& state) {
  tf::Session sess(bench::session_config());
  chain_sweep(state, [&](array1& out, const array1& x) { chain_typeflow(sess, out, x); });
}
void BM_chain_sweep_eigen(benchmark::State& state) { chain_sweep(state, chain_eigen); }
void BM_chain_sweep_copy(benchmark::State& state) {
  chain_sweep(state, [](array1& out, const array1& x) { std::memcpy(out.data(), x.data(), x.size() * sizeof(float)); });
}

void chain_sweep_args(benchmark::internal::Benchmark* b) {
  b->ArgName("n");
  for (int log2 = 16; log2 <= 26; log2 += 2) b->Arg(std::int64_t{1} << log2);
}

void gemm_sweep_args(benchmark::internal::Benchmark* b) {
  b->ArgNames({"m", "k", "n"});
  for (std::int64_t n = 64; n <= 2048; n *= 2) b->Args({n, n, n});
}
void BM_gemm_sweep_typeflow(benchmark::State& state) { BM_gemm<gemm_peer::typeflow>(state); }
void BM_gemm_sweep_openblas(benchmark::State& state) { BM_gemm<gemm_peer::openblas>(state); }

void verify() {
  benchmark::AddCustomContext("openblas_core", openblas_get_corename());
  verify_chain();
  verify_linreg();
  verify_gemm();
}

BENCHMARK(BM_chain_typeflow)->Apply(bench::repeat_ms);
BENCHMARK(BM_chain_hand)->Apply(bench::repeat_ms);
BENCHMARK(BM_chain_xtensor_temporaries)->Apply(bench::repeat_ms);
BENCHMARK(BM_chain_eigen)->Apply(bench::repeat_ms);
BENCHMARK(BM_chain_copy)->Apply(bench::repeat_ms);
BENCHMARK(BM_linreg_eigen)->Apply(bench::repeat_us);
BENCHMARK(BM_linreg_openblas)->Apply(bench::repeat_us);
BENCHMARK(BM_gemm_typeflow)->Apply(gemm_args)->Apply(bench::repeat_us);
BENCHMARK(BM_gemm_typeflow_kernel)->Apply(gemm_args)->Apply(bench::repeat_us);
BENCHMARK(BM_gemm_eigen)->Apply(gemm_args)->Apply(bench::repeat_us);
BENCHMARK(BM_gemm_openblas)->Apply(gemm_args)->Apply(bench::repeat_us);
BENCHMARK(BM_chain_sweep_typeflow)->Apply(chain_sweep_args)->Apply(bench::repeat_us);
BENCHMARK(BM_chain_sweep_eigen)->Apply(chain_sweep_args)->Apply(bench::repeat_us);
BENCHMARK(BM_chain_sweep_copy)->Apply(chain_sweep_args)->Apply(bench::repeat_us);
BENCHMARK(BM_gemm_sweep_typeflow)->Apply(gemm_sweep_args)->Apply(bench::repeat_us);
BENCHMARK(BM_gemm_sweep_openblas)->Apply(gemm_sweep_args)->Apply(bench::repeat_us);

}  // namespace

int main(int argc, char** argv) { return bench::main(argc, argv, verify); }
