#ifndef TYPEFLOW_BENCHMARKS_BENCH_MAIN_HPP
#define TYPEFLOW_BENCHMARKS_BENCH_MAIN_HPP

// What every runtime benchmark shares: 10 repetitions reported as aggregates (quote the
// median), and a main that checks the variants agree before timing anything.

#include <benchmark/benchmark.h>

namespace bench {

inline void repeat_ms(benchmark::internal::Benchmark* b) {
  b->Unit(benchmark::kMillisecond)->Repetitions(10)->ReportAggregatesOnly(true);
}
inline void repeat_us(benchmark::internal::Benchmark* b) {
  b->Unit(benchmark::kMicrosecond)->Repetitions(10)->ReportAggregatesOnly(true);
}

/// Google Benchmark's main, with verify() (which aborts on a mismatch) run first.
inline int main(int argc, char** argv, void (*verify)()) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  verify();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}

}  // namespace bench

#endif
