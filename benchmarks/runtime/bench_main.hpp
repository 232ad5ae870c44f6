#ifndef TYPEFLOW_BENCHMARKS_BENCH_MAIN_HPP
#define TYPEFLOW_BENCHMARKS_BENCH_MAIN_HPP

// What every runtime benchmark shares: 10 repetitions reported as aggregates (quote the
// median), a thread count for the Sessions, and a main that checks the variants agree
// before timing anything.

#include <benchmark/benchmark.h>

#include <cstdlib>
#include <cstring>
#include <string>
#include <typeflow/runtime/config.hpp>

namespace bench {

// CPU time is the process's (all threads), so a Session that splits work across threads is not
// credited with only its calling thread's time; with several threads, quote real time.
inline void repeat_ms(benchmark::internal::Benchmark* b) {
  b->Unit(benchmark::kMillisecond)->Repetitions(10)->ReportAggregatesOnly(true)->MeasureProcessCPUTime();
}
inline void repeat_us(benchmark::internal::Benchmark* b) {
  b->Unit(benchmark::kMicrosecond)->Repetitions(10)->ReportAggregatesOnly(true)->MeasureProcessCPUTime();
}

/// The Sessions' intra-op thread count: `--threads=N` on the command line, else the environment's
/// TYPEFLOW_BENCH_THREADS, else 0 (TensorFlow's default: one per core).
inline int& threads() {
  static int n = [] {
    const char* env = std::getenv("TYPEFLOW_BENCH_THREADS");
    return env ? std::atoi(env) : 0;
  }();
  return n;
}

/// What every benchmark's Session is constructed with: `tf::Session sess(bench::session_config());`.
inline typeflow::ConfigProto session_config() {
  return typeflow::ConfigProto{.intra_op_parallelism_threads = threads()};
}

/// Google Benchmark's main, with `--threads=N` taken out first (and made the process-wide
/// default of Sessions) and verify() (which aborts on a mismatch) run before the timing.
inline int main(int argc, char** argv, void (*verify)()) {
  int kept = 0;
  for (int i = 0; i < argc; ++i) {
    if (i > 0 && std::strncmp(argv[i], "--threads=", 10) == 0) threads() = std::atoi(argv[i] + 10);
    else argv[kept++] = argv[i];
  }
  argc = kept;
  // Sessions made without session_config() (tfe::function's own) follow it too, as TF's do
  // tf.config.threading.
  typeflow::config::threading::set_intra_op_parallelism_threads(threads());
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::AddCustomContext("typeflow_threads", std::to_string(threads()));
  verify();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}

}  // namespace bench

#endif
