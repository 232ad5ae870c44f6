// typeflow's GEMM (kernels::matmul, called out of line as the plan calls it) against OpenBLAS's
// cblas_sgemm / cblas_dgemm on one thread and Eigen 3.4's product, in GFLOP/s (2 m n k per
// product; the counter uses CPU time). Each peer is optional: built with -DBENCH_OPENBLAS /
// -DBENCH_EIGEN when Meson finds it.
//
//   square_<s>           C = A B, s x s x s, float (and double: square_<s>_f64)
//   mlp_xW1              x W1: (64 x 784)(784 x 128), the 784-128-10 MLP's first layer
//   mlp_dW1              x^T dh: (784 x 64)(64 x 128), transpose_a
//   mlp_hW2              h W2: (64 x 128)(128 x 10)
//   mlp_dW2              h^T dlogits: (128 x 64)(64 x 10), transpose_a
//   mlp_dh               dlogits W2^T: (64 x 10)(10 x 128), transpose_b
//   regression_xW        x W: (1000 x 3)(3 x 1)
//   regression_dW        x^T g: (3 x 1000)(1000 x 1), transpose_a
//
// Before timing, every shape's products must agree across the three (abort otherwise).
//
// OpenBLAS picks its kernel at run time. OpenBLAS 0.3.21 (Debian 12) does not know this
// machine's CPU model and falls back to its Prescott (SSE3) kernels, and the environment may
// pin OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE: run with
//   env -u OPENBLAS_L2_SIZE OPENBLAS_CORETYPE=SkylakeX build/benchmarks/bench_gemm
// (the kernel in use is printed in the context header as openblas_core).

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <string>
#include <type_traits>
#include <typeflow/kernels/matmul.hpp>
#include <utility>
#include <vector>

#if defined(BENCH_OPENBLAS)
#include <cblas.h>
#endif
#if defined(BENCH_EIGEN)
#include <Eigen/Core>
#endif

#include "bench_main.hpp"

namespace {

struct shape {
  std::string name;
  std::size_t m, n, k;
  bool ta, tb;
};

const std::vector<shape>& shapes() {
  static const std::vector<shape> s = {
      {"square_64", 64, 64, 64, false, false},         {"square_128", 128, 128, 128, false, false},
      {"square_256", 256, 256, 256, false, false},     {"square_512", 512, 512, 512, false, false},
      {"square_1024", 1024, 1024, 1024, false, false}, {"mlp_xW1", 64, 128, 784, false, false},
      {"mlp_dW1", 784, 128, 64, true, false},          {"mlp_hW2", 64, 10, 128, false, false},
      {"mlp_dW2", 128, 10, 64, true, false},           {"mlp_dh", 64, 128, 10, false, true},
      {"regression_xW", 1000, 1, 3, false, false},     {"regression_dW", 3, 1, 1000, true, false},
  };
  return s;
}

template <class T>
std::vector<T> random_values(std::size_t n, std::uint64_t seed) {
  std::vector<T> v(n);
  for (auto& x : v) {
    seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
    x = static_cast<T>(static_cast<double>(seed >> 11) * 0x1.0p-52 - 1.0);
  }
  return v;
}

/// One shape's operands and output.
template <class T>
struct problem {
  shape s;
  std::vector<T> a, b, c;
  explicit problem(const shape& s_)
      : s(s_), a(random_values<T>(s.m * s.k, 1)), b(random_values<T>(s.k * s.n, 2)), c(s.m * s.n) {}
};

// ---------------------------------------------------------------------------------------------
// The three products, each out of line.

template <bool TA, bool TB, class T>
[[gnu::noinline]] void typeflow_product(const T* a, const T* b, T* c, std::size_t m, std::size_t n, std::size_t k) {
  typeflow::kernels::matmul<TA, TB>(a, b, c, m, n, k);
}

template <class T>
void run_typeflow(problem<T>& p) {
  const auto& s = p.s;
  if (s.ta && s.tb) typeflow_product<true, true>(p.a.data(), p.b.data(), p.c.data(), s.m, s.n, s.k);
  else if (s.ta) typeflow_product<true, false>(p.a.data(), p.b.data(), p.c.data(), s.m, s.n, s.k);
  else if (s.tb) typeflow_product<false, true>(p.a.data(), p.b.data(), p.c.data(), s.m, s.n, s.k);
  else typeflow_product<false, false>(p.a.data(), p.b.data(), p.c.data(), s.m, s.n, s.k);
}

#if defined(BENCH_OPENBLAS)
template <class T>
void run_openblas(problem<T>& p) {
  const auto& s = p.s;
  const int m = static_cast<int>(s.m), n = static_cast<int>(s.n), k = static_cast<int>(s.k);
  const auto ta = s.ta ? CblasTrans : CblasNoTrans, tb = s.tb ? CblasTrans : CblasNoTrans;
  if constexpr (std::is_same_v<T, float>)
    cblas_sgemm(CblasRowMajor, ta, tb, m, n, k, 1.0f, p.a.data(), s.ta ? m : k, p.b.data(), s.tb ? k : n, 0.0f,
                p.c.data(), n);
  else
    cblas_dgemm(CblasRowMajor, ta, tb, m, n, k, 1.0, p.a.data(), s.ta ? m : k, p.b.data(), s.tb ? k : n, 0.0,
                p.c.data(), n);
}
#endif

#if defined(BENCH_EIGEN)
template <class T>
void run_eigen(problem<T>& p) {
  using matrix = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  const auto& s = p.s;
  const Eigen::Map<const matrix> a(p.a.data(), s.ta ? s.k : s.m, s.ta ? s.m : s.k);
  const Eigen::Map<const matrix> b(p.b.data(), s.tb ? s.n : s.k, s.tb ? s.k : s.n);
  Eigen::Map<matrix> c(p.c.data(), s.m, s.n);
  if (s.ta && s.tb) c.noalias() = a.transpose() * b.transpose();
  else if (s.ta) c.noalias() = a.transpose() * b;
  else if (s.tb) c.noalias() = a * b.transpose();
  else c.noalias() = a * b;
}
#endif

// ---------------------------------------------------------------------------------------------

template <class T>
using runner = void (*)(problem<T>&);

template <class T>
std::vector<std::pair<std::string, runner<T>>> peers() {
  std::vector<std::pair<std::string, runner<T>>> r{{"typeflow", &run_typeflow<T>}};
#if defined(BENCH_OPENBLAS)
  r.emplace_back("openblas", &run_openblas<T>);
#endif
#if defined(BENCH_EIGEN)
  r.emplace_back("eigen", &run_eigen<T>);
#endif
  return r;
}

/// Every peer's product against typeflow's: each within k + 2 rounding errors of T on a sum of
/// k terms of size at most 1.
template <class T>
void verify_shape(const shape& s, const char* suffix) {
  problem<T> p(s);
  run_typeflow(p);
  const std::vector<T> ours = p.c;
  const double tol = 2.0 * static_cast<double>(s.k + 2) * static_cast<double>(s.k) * std::numeric_limits<T>::epsilon();
  for (const auto& [name, run] : peers<T>()) {
    std::fill(p.c.begin(), p.c.end(), T(0));
    run(p);
    for (std::size_t i = 0; i < ours.size(); ++i)
      if (!(std::fabs(static_cast<double>(p.c[i]) - static_cast<double>(ours[i])) <= tol)) {
        std::fprintf(stderr, "bench_gemm: %s%s: %s differs from typeflow at %zu: %g vs %g\n", s.name.c_str(), suffix,
                     name.c_str(), i, static_cast<double>(p.c[i]), static_cast<double>(ours[i]));
        std::abort();
      }
  }
}

template <class T>
void register_shape(const shape& s, const char* suffix) {
  for (const auto& [name, run] : peers<T>()) {
    auto* b = benchmark::RegisterBenchmark(
        ("gemm/" + s.name + suffix + "/" + name).c_str(), [s, run = run](benchmark::State& state) {
          problem<T> p(s);
          for (auto _ : state) {
            run(p);
            benchmark::DoNotOptimize(p.c.data());
            benchmark::ClobberMemory();
          }
          state.counters["GFLOPS"] = benchmark::Counter(2.0 * static_cast<double>(s.m * s.n * s.k) * 1e-9,
                                                        benchmark::Counter::kIsIterationInvariantRate);
        });
    bench::repeat_us(b);
  }
}

void setup() {
#if defined(BENCH_OPENBLAS)
  openblas_set_num_threads(1);
  benchmark::AddCustomContext("openblas_core", openblas_get_corename());
#endif
  for (const auto& s : shapes()) {
    verify_shape<float>(s, "");
    register_shape<float>(s, "");
  }
  for (const auto& s : shapes())
    if (s.name.rfind("square_", 0) == 0) {
      verify_shape<double>(s, "_f64");
      register_shape<double>(s, "_f64");
    }
}

}  // namespace

int main(int argc, char** argv) { return bench::main(argc, argv, &setup); }
