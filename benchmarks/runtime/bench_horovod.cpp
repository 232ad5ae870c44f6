// Data-parallel training over MPI (typeflow/distribute/horovod.hpp), run under mpirun:
//
//   mpirun -np 1 build/benchmarks/bench_horovod    1 process x 1 thread: the baseline
//   mpirun -np 2 build/benchmarks/bench_horovod    2 processes x 1 thread each
//
//   mlp_step/plain        (one process only) the MLP 784-128-10, batch 64, Adam: sess.run(train)
//   mlp_step/distributed  the same with hvd::DistributedOptimizer, batch 64 per process; its
//                         items/s are the job's samples (64 x processes per step): compare them
//                         with mlp_step/plain's of the one-process run (target: >= 1.7x)
//   allreduce_{typeflow,mpi}/N  N floats (1,024: 4 KB; 102,400: 400 KB) summed over the ranks:
//                         sess.run(tf::fetch_into(out, hvd::allreduce(x, hvd::Sum))) against a raw
//                         in-place MPI_Allreduce of a buffer as large (target: <= 1.2x its time)
//
// Every rank must make the same collectives, so the iteration counts are fixed (Google
// Benchmark would choose them per rank from its own timing); ranks meet at a barrier before
// each repetition. Rank 0 reports; real time, since a rank waiting in MPI spins.

#include <benchmark/benchmark.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <typeflow/distribute/horovod.hpp>
#include <vector>

namespace tf = typeflow;
namespace hvd = typeflow::horovod;

namespace {

constexpr std::size_t batch = 64, features = 784;

/// A fixed LCG: the same data on every rank and run (each rank's own batch in real training;
/// here the speed is what counts).
struct batch_data {
  xt::xtensor<float, 2> x = xt::xtensor<float, 2>::from_shape({batch, features});
  xt::xtensor<std::int64_t, 1> y = xt::xtensor<std::int64_t, 1>::from_shape({batch});
  batch_data() {
    std::uint64_t state = 7;
    auto next = [&] {
      state = state * 6364136223846793005ULL + 1442695040888963407ULL;
      return state >> 33;
    };
    for (auto& v : x) v = static_cast<float>(next() % 1000) / 1000.0f;
    for (auto& v : y) v = static_cast<std::int64_t>(next() % 10);
  }
};

template <bool Distributed>
void mlp_step(benchmark::State& state) {
  static const batch_data data;
  auto x = tf::placeholder<"x", float, tf::none, 784>();
  auto y = tf::placeholder<"y", std::int64_t, tf::none>();
  auto W1 = tf::Variable<"W1", float, 784, 128>(tf::truncated_normal(0.0, 0.1, /*seed=*/1));
  auto b1 = tf::Variable<"b1", float, 128>(tf::constant(0.0f));
  auto W2 = tf::Variable<"W2", float, 128, 10>(tf::truncated_normal(0.0, 0.1, /*seed=*/2));
  auto b2 = tf::Variable<"b2", float, 10>(tf::constant(0.0f));
  auto logits = tf::matmul(tf::nn::relu(tf::matmul(x, W1) + b1), W2) + b2;
  auto loss = tf::reduce_mean(tf::nn::sparse_softmax_cross_entropy_with_logits(tf::labels = y, tf::logits = logits));
  auto train = [&] {
    if constexpr (Distributed) return hvd::DistributedOptimizer(tf::train::AdamOptimizer(0.001)).minimize(loss);
    else return tf::train::AdamOptimizer(0.001).minimize(loss);
  }();
  tf::Session sess(tf::ConfigProto{.intra_op_parallelism_threads = 1});
  sess.run(tf::global_variables_initializer());
  if constexpr (Distributed) sess.run(hvd::broadcast_global_variables(0));
  sess.run(train, tf::feed(x, data.x), tf::feed(y, data.y));  // builds the plan, checks the ranks' gradients
  MPI_Barrier(MPI_COMM_WORLD);
  for (auto _ : state) sess.run(train, tf::feed(x, data.x), tf::feed(y, data.y));
  const int processes = Distributed ? hvd::size() : 1;
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(batch) * processes);
}

template <std::size_t N>
void allreduce_typeflow(benchmark::State& state) {
  auto x = tf::placeholder<"v", float, N>();
  const auto sum = hvd::allreduce(x, hvd::Sum);
  xt::xtensor<float, 1> in = xt::ones<float>({N}), out = xt::zeros<float>({N});
  tf::Session sess(tf::ConfigProto{.intra_op_parallelism_threads = 1});
  sess.run(tf::fetch_into(out, sum), tf::feed(x, in));  // the plan, and the shapes' check
  MPI_Barrier(MPI_COMM_WORLD);
  for (auto _ : state) sess.run(tf::fetch_into(out, sum), tf::feed(x, in));
  if (out(0) != static_cast<float>(hvd::size())) state.SkipWithError("wrong sum");
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(N * sizeof(float)));
}

template <std::size_t N>
void allreduce_mpi(benchmark::State& state) {
  std::vector<float> buffer(N, 1.0f);
  MPI_Barrier(MPI_COMM_WORLD);
  for (auto _ : state) {
    std::fill(buffer.begin(), buffer.end(), 1.0f);  // as typeflow's op copies its operand in
    MPI_Allreduce(MPI_IN_PLACE, buffer.data(), static_cast<int>(N), MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
  }
  if (buffer[0] != static_cast<float>(hvd::size())) state.SkipWithError("wrong sum");
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(N * sizeof(float)));
}

/// Rank 0 reports; the others run the same benchmarks silently.
class silent_reporter : public benchmark::BenchmarkReporter {
 public:
  bool ReportContext(const Context&) override { return true; }
  void ReportRuns(const std::vector<Run>&) override {}
};

void fixed(benchmark::internal::Benchmark* b, benchmark::IterationCount iterations) {
  b->Iterations(iterations)->Repetitions(7)->ReportAggregatesOnly(true)->UseRealTime();
}

}  // namespace

int main(int argc, char** argv) {
  hvd::init(argc, argv);
  benchmark::Initialize(&argc, argv);
  if (hvd::size() == 1)
    fixed(benchmark::RegisterBenchmark("mlp_step/plain", mlp_step<false>)->Unit(benchmark::kMillisecond), 300);
  fixed(benchmark::RegisterBenchmark("mlp_step/distributed", mlp_step<true>)->Unit(benchmark::kMillisecond), 300);
  fixed(
      benchmark::RegisterBenchmark("allreduce_typeflow/1024", allreduce_typeflow<1024>)->Unit(benchmark::kMicrosecond),
      20000);
  fixed(benchmark::RegisterBenchmark("allreduce_mpi/1024", allreduce_mpi<1024>)->Unit(benchmark::kMicrosecond), 20000);
  fixed(benchmark::RegisterBenchmark("allreduce_typeflow/102400", allreduce_typeflow<102400>)
            ->Unit(benchmark::kMicrosecond),
        1000);
  fixed(benchmark::RegisterBenchmark("allreduce_mpi/102400", allreduce_mpi<102400>)->Unit(benchmark::kMicrosecond),
        1000);
  benchmark::AddCustomContext("mpi_processes", std::to_string(hvd::size()));
  if (hvd::rank() == 0) {
    benchmark::RunSpecifiedBenchmarks();
  } else {
    silent_reporter silent;
    benchmark::RunSpecifiedBenchmarks(&silent);
  }
  benchmark::Shutdown();
  hvd::shutdown();
  return 0;
}
