// tf::ImportedGraph against the Session's compiled plan on the same graphs (typeflow's own
// export, imported back), and fused against unfused elementwise chains:
//   chain_*    bench_elementwise's 8-op chain over 2^22 floats
//              (square(x * 1.5 + 0.5) - x / 3 * -x + 2)
//   mlp_*      an MLP forward pass, 256 x 784 -> relu 256 -> softmax 10
// Each: session (Session::run), imported (ImportedGraph::run, fusion on), imported_unfused
// (imported_graph_options{.fuse = false}: one loop and one buffer per node). The imported runs
// include copying the fetched values out (the Tensor a caller gets); the Session's do too.

#include <benchmark/benchmark.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <typeflow/io/meta_graph.hpp>
#include <typeflow/runtime/imported_graph.hpp>
#include <typeflow/typeflow.hpp>

#include "bench_main.hpp"

namespace tf = typeflow;

namespace {

constexpr std::size_t chain_n = std::size_t{1} << 22;
constexpr std::size_t batch = 256, features = 784, hidden = 256, classes = 10;

template <class A>
void fill(A& a, std::uint64_t seed) {
  for (auto& v : a) {
    seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
    v = static_cast<float>(static_cast<double>(seed >> 40) * 0x1.0p-24 * 2.0 - 1.0);
  }
}

const auto x_chain = tf::placeholder<"x", float, tf::none>();
const auto chain = tf::square(x_chain * 1.5f + 0.5f) - x_chain / 3.0f * -x_chain + 2.0f;

const auto x_mlp = tf::placeholder<"x", float, tf::none, features>();
const xt::xtensor<float, 2>& weights(std::size_t rows, std::size_t cols, std::uint64_t seed) {
  static std::vector<std::unique_ptr<xt::xtensor<float, 2>>> kept;
  kept.push_back(std::make_unique<xt::xtensor<float, 2>>(xt::xtensor<float, 2>::from_shape({rows, cols})));
  fill(*kept.back(), seed);
  *kept.back() *= 0.05f;
  return *kept.back();
}
const auto mlp = tf::nn::softmax(
    tf::matmul(tf::nn::relu(tf::matmul(x_mlp, tf::constant(weights(features, hidden, 1))) +
                            tf::constant(xt::xtensor<float, 1>(std::array<std::size_t, 1>{hidden}, 0.01f))),
               tf::constant(weights(hidden, classes, 2))));

template <class N>
tf::GraphDef exported(const N& node) {
  tf::io::graph_exporter e;
  e.add_output("y", node);
  tf::GraphDef g;
  g.node = e.nodes();
  return g;
}

const xt::xtensor<float, 1>& chain_input() {
  static const auto x = [] {
    auto a = xt::xtensor<float, 1>::from_shape({chain_n});
    fill(a, 42);
    return a;
  }();
  return x;
}
const xt::xtensor<float, 2>& mlp_input() {
  static const auto x = [] {
    auto a = xt::xtensor<float, 2>::from_shape({batch, features});
    fill(a, 7);
    return a;
  }();
  return x;
}

void BM_chain_session(benchmark::State& state) {
  tf::Session sess(bench::session_config());
  for (auto _ : state) benchmark::DoNotOptimize(sess.run(chain, tf::feed(x_chain, chain_input())));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * chain_n * 8));
}
void chain_imported(benchmark::State& state, bool fuse) {
  const tf::ImportedGraph g(exported(chain), {.fuse = fuse});
  const std::vector<std::pair<std::string, tf::Tensor>> feeds{{"x", tf::Tensor(chain_input())}};
  for (auto _ : state) benchmark::DoNotOptimize(g.run({"y"}, feeds));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * chain_n * 8));
}
void BM_chain_imported(benchmark::State& state) { chain_imported(state, true); }
void BM_chain_imported_unfused(benchmark::State& state) { chain_imported(state, false); }

void BM_mlp_session(benchmark::State& state) {
  tf::Session sess(bench::session_config());
  for (auto _ : state) benchmark::DoNotOptimize(sess.run(mlp, tf::feed(x_mlp, mlp_input())));
}
void mlp_imported(benchmark::State& state, bool fuse) {
  const tf::ImportedGraph g(exported(mlp), {.fuse = fuse});
  const std::vector<std::pair<std::string, tf::Tensor>> feeds{{"x", tf::Tensor(mlp_input())}};
  for (auto _ : state) benchmark::DoNotOptimize(g.run({"y"}, feeds));
}
void BM_mlp_imported(benchmark::State& state) { mlp_imported(state, true); }
void BM_mlp_imported_unfused(benchmark::State& state) { mlp_imported(state, false); }

void verify() {
  tf::Session sess(bench::session_config());
  auto check = [](const char* what, const auto& want, const tf::Tensor& got) {
    const auto g = got.data<float>();
    for (std::size_t i = 0; i < g.size(); ++i)
      if (!(std::abs(g[i] - want.data()[i]) <= 1e-5f * (1 + std::abs(want.data()[i])))) {
        std::fprintf(stderr, "bench_imported_graph: %s differs at %zu: %g vs %g\n", what, i, static_cast<double>(g[i]),
                     static_cast<double>(want.data()[i]));
        std::abort();
      }
  };
  const xt::xtensor<float, 1> c = sess.run(chain, tf::feed(x_chain, chain_input()));
  const xt::xtensor<float, 2> m = sess.run(mlp, tf::feed(x_mlp, mlp_input()));
  for (const bool fuse : {true, false}) {
    check("chain", c,
          tf::ImportedGraph(exported(chain), {.fuse = fuse}).run({"y"}, {{"x", tf::Tensor(chain_input())}})[0]);
    check("mlp", m, tf::ImportedGraph(exported(mlp), {.fuse = fuse}).run({"y"}, {{"x", tf::Tensor(mlp_input())}})[0]);
  }
  std::fprintf(stderr, "bench_imported_graph: Session and ImportedGraph (fused and not) agree\n");
}

BENCHMARK(BM_chain_session)->Apply(bench::repeat_ms);
BENCHMARK(BM_chain_imported)->Apply(bench::repeat_ms);
BENCHMARK(BM_chain_imported_unfused)->Apply(bench::repeat_ms);
BENCHMARK(BM_mlp_session)->Apply(bench::repeat_us);
BENCHMARK(BM_mlp_imported)->Apply(bench::repeat_us);
BENCHMARK(BM_mlp_imported_unfused)->Apply(bench::repeat_us);

}  // namespace

int main(int argc, char** argv) { return bench::main(argc, argv, verify); }
