// Frozen graphs run three ways (issue 15), on the models of pb_models.hpp, one thread:
//   compiled   the model as typeflow types, Session::run into a kept array
//   generated  the header typeflow-import-pb wrote from the model's .pb, run the same way
//   imported   tf::ImportedGraph on the same .pb (run time: no type knows the graph)
// for the MLP 784-128-10 on a batch of 64, the regression's prediction on 1000 rows, and a
// ten-op elementwise chain on one row (the fixed cost of a run). benchmarks/compare/pb_compare.py
// runs TensorFlow (import_graph_def + Session) and onnxruntime on the same files beside these.
// verify() checks first that the three agree.

#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <typeflow/io/graph_io.hpp>
#include <typeflow/runtime/imported_graph.hpp>

#include "bench_main.hpp"
#include "chain_pb.hpp"
#include "mlp_pb.hpp"
#include "pb_models.hpp"
#include "regression_pb.hpp"

namespace tf = typeflow;

namespace {

xt::xtensor<float, 2> inputs(std::size_t rows, std::size_t cols) {
  xt::xtensor<float, 2> x({rows, cols});
  std::uint32_t state = 7;
  for (auto& v : x) v = static_cast<float>((state = state * 1664525u + 1013904223u) >> 9) / 8388608.0f - 0.5f;
  return x;
}

std::string pb_path(const std::string& model) { return std::string(TYPEFLOW_PB_DIR) + "/" + model + ".pb"; }

/// One model three ways, with its input.
template <class Compiled, class Generated>
struct runs {
  xt::xtensor<float, 2> x, out;
  Compiled compiled;
  Generated generated;
  tf::Session compiled_sess, generated_sess;
  tf::ImportedGraph imported;
  std::vector<std::pair<std::string, tf::Tensor>> feeds;

  runs(std::size_t rows, std::size_t cols, Compiled c, Generated g, const std::string& model)
      : x(inputs(rows, cols)),
        compiled(c),
        generated(g),
        compiled_sess(bench::session_config()),
        generated_sess(bench::session_config()),
        imported(tf::io::read_graph_def(pb_path(model))),
        feeds{{"x", tf::Tensor(x)}} {
    compiled_sess.run(tf::global_variables_initializer());
    out = compiled_sess.run(compiled.second, tf::feed(compiled.first, x));
  }
  void run_compiled() { compiled_sess.run(tf::fetch_into(out, compiled.second), tf::feed(compiled.first, x)); }
  void run_generated() { generated_sess.run(tf::fetch_into(out, generated.op_to_store), tf::feed(generated.x, x)); }
  tf::Tensor run_imported() const { return imported.run({"op_to_store"}, feeds)[0]; }

  /// The largest difference between the three.
  double disagreement() {
    run_compiled();
    const auto a = out;
    run_generated();
    const auto b = out;
    const auto c = run_imported().template tensor<float, 2>();
    double worst = 0;
    for (std::size_t i = 0; i < a.size(); ++i)
      worst = std::max({worst, std::abs(double(a.flat(i)) - b.flat(i)), std::abs(double(a.flat(i)) - c.flat(i))});
    return worst;
  }
};

/// Each model in a graph of its own: all three name their output op_to_store.
template <class Model, class Generated>
auto make_runs(std::size_t rows, std::size_t cols, Model model, Generated g, const std::string& name) {
  tf::reset_default_graph();
  return runs<decltype(model()), Generated>(rows, cols, model(), g, name);
}

auto& mlp() {
  static auto r = make_runs(64, 784, pb_models::mlp, mlp_pb::make_graph(), "mlp");
  return r;
}
auto& regression() {
  static auto r = make_runs(1000, 3, pb_models::regression, regression_pb::make_graph(), "regression");
  return r;
}
auto& chain() {
  static auto r = make_runs(1, 4, pb_models::chain, chain_pb::make_graph(), "chain");
  return r;
}

#define TYPEFLOW_PB_BENCHMARKS(MODEL)                                \
  void BM_##MODEL##_compiled(benchmark::State& state) {              \
    auto& r = MODEL();                                               \
    for (auto _ : state) r.run_compiled();                           \
  }                                                                  \
  void BM_##MODEL##_generated(benchmark::State& state) {             \
    auto& r = MODEL();                                               \
    for (auto _ : state) r.run_generated();                          \
  }                                                                  \
  void BM_##MODEL##_imported(benchmark::State& state) {              \
    auto& r = MODEL();                                               \
    for (auto _ : state) benchmark::DoNotOptimize(r.run_imported()); \
  }                                                                  \
  BENCHMARK(BM_##MODEL##_compiled)->Apply(bench::repeat_us);         \
  BENCHMARK(BM_##MODEL##_generated)->Apply(bench::repeat_us);        \
  BENCHMARK(BM_##MODEL##_imported)->Apply(bench::repeat_us);

TYPEFLOW_PB_BENCHMARKS(mlp)
TYPEFLOW_PB_BENCHMARKS(regression)
TYPEFLOW_PB_BENCHMARKS(chain)
#undef TYPEFLOW_PB_BENCHMARKS

void verify() {
  const double d[] = {mlp().disagreement(), regression().disagreement(), chain().disagreement()};
  const char* names[] = {"mlp", "regression", "chain"};
  for (int i = 0; i < 3; ++i) {
    std::printf("%s: compiled, generated and imported agree to %.3g\n", names[i], d[i]);
    if (!(d[i] < 1e-5)) {
      std::fprintf(stderr, "bench_pb: %s: the three runs disagree by %g\n", names[i], d[i]);
      std::abort();
    }
  }
}

}  // namespace

int main(int argc, char** argv) { return bench::main(argc, argv, verify); }
