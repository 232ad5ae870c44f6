// An 8-op elementwise chain over 2^24 floats, three ways, same math, same input, output into
// a preallocated buffer:
//   typeflow           Session::run(tf::fetch_into(...)): the chain fused into one xsimd loop by the plan
//   hand_xsimd         one pass written by hand with xsimd batches: the practical limit
//   xtensor_temporaries  each op assigned into its own preallocated xt::xtensor with
//                      xt::noalias, i.e. what a framework that does not fuse does
//
// The chain, f(x) = square(x * 1.5 + 0.5) - x / 3 * -x + 2, has 8 ops:
//   1: x * 1.5   2: (1) + 0.5   3: square(2)   4: x / 3   5: -x   6: (4) * (5)   7: (3) - (6)   8: (7) + 2
// f(x) = (1.5x + 0.5)^2 + x^2/3 + 2 >= 2, so a relative comparison of the results is well defined.

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <typeflow/typeflow.hpp>
#include <xsimd/xsimd.hpp>
#include <xtensor/xmath.hpp>

#include "bench_main.hpp"

namespace tf = typeflow;

namespace {

constexpr std::size_t n = std::size_t{1} << 24;
using array = xt::xtensor<float, 1>;

/// The input, in [-2, 2) from a fixed LCG so every run sees the same values.
const array& input() {
  static const array x = [] {
    array a = array::from_shape({n});
    std::uint64_t state = 42;
    for (auto& v : a) {
      state = state * 6364136223846793005ULL + 1442695040888963407ULL;
      v = static_cast<float>(static_cast<double>(state >> 40) * 0x1.0p-24 * 4.0 - 2.0);
    }
    return a;
  }();
  return x;
}

const auto x_ph = tf::placeholder<"x", float, tf::none>();
const auto chain = tf::square(x_ph * 1.5f + 0.5f) - x_ph / 3.0f * -x_ph + 2.0f;

void run_typeflow(tf::Session& sess, array& out, const array& x) {
  sess.run(tf::fetch_into(out, chain), tf::feed(x_ph, x));
}

void run_hand_xsimd(array& out, const array& x) {
  using batch = xsimd::batch<float>;
  constexpr std::size_t lanes = batch::size;
  const float* in = x.data();
  float* o = out.data();
  const std::size_t size = x.size();
  const std::size_t body = size - size % lanes;
  const batch c1_5(1.5f), c0_5(0.5f), c3(3.0f), c2(2.0f);
  for (std::size_t i = 0; i < body; i += lanes) {
    const batch v = batch::load_aligned(in + i);  // xt::xtensor storage is xsimd-aligned
    const batch a = v * c1_5 + c0_5;
    const batch r = a * a - v / c3 * -v + c2;
    r.store_aligned(o + i);
  }
  for (std::size_t i = body; i < size; ++i) {
    const float v = in[i];
    const float a = v * 1.5f + 0.5f;
    o[i] = a * a - v / 3.0f * -v + 2.0f;
  }
}

/// The seven intermediate results of a non-fusing evaluation, allocated once.
struct temporaries {
  array t1, t2, t3, t4, t5, t6, t7;
  explicit temporaries(std::size_t size)
      : t1(array::from_shape({size})),
        t2(array::from_shape({size})),
        t3(array::from_shape({size})),
        t4(array::from_shape({size})),
        t5(array::from_shape({size})),
        t6(array::from_shape({size})),
        t7(array::from_shape({size})) {}
};

void run_xtensor_temporaries(temporaries& t, array& out, const array& x) {
  xt::noalias(t.t1) = x * 1.5f;
  xt::noalias(t.t2) = t.t1 + 0.5f;
  xt::noalias(t.t3) = xt::square(t.t2);
  xt::noalias(t.t4) = x / 3.0f;
  xt::noalias(t.t5) = -x;
  xt::noalias(t.t6) = t.t4 * t.t5;
  xt::noalias(t.t7) = t.t3 - t.t6;
  xt::noalias(out) = t.t7 + 2.0f;
}

// Read n floats and write n floats per run.
void set_counters(benchmark::State& state) {
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(2 * n * sizeof(float)));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(n));
}

void BM_elementwise_typeflow(benchmark::State& state) {
  const array& x = input();
  array out = array::from_shape({n});
  tf::Session sess(bench::session_config());
  run_typeflow(sess, out, x);  // builds the plan and touches the pages outside the timing
  for (auto _ : state) {
    run_typeflow(sess, out, x);
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  set_counters(state);
}

void BM_elementwise_hand_xsimd(benchmark::State& state) {
  const array& x = input();
  array out = array::from_shape({n});
  run_hand_xsimd(out, x);
  for (auto _ : state) {
    run_hand_xsimd(out, x);
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  set_counters(state);
}

void BM_elementwise_xtensor_temporaries(benchmark::State& state) {
  const array& x = input();
  array out = array::from_shape({n});
  temporaries t(n);
  run_xtensor_temporaries(t, out, x);
  for (auto _ : state) {
    run_xtensor_temporaries(t, out, x);
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  set_counters(state);
}

// Where the intra-op threads pay: the chain, and a row-wise reduce_max (the reduction kernel),
// over 2^10 to 2^22 floats with 1 and 2 threads. Real time: the work is split, not the clock.
const auto rows_ph = tf::placeholder<"rows", float, tf::none, 256>();
const auto row_max = tf::reduce_max(rows_ph, tf::axis<1>);

tf::Session session_with_threads(const benchmark::State& state) {
  return tf::Session(tf::ConfigProto{.intra_op_parallelism_threads = static_cast<int>(state.range(1))});
}

void BM_threads_chain(benchmark::State& state) {
  const auto size = static_cast<std::size_t>(state.range(0));
  array x = array::from_shape({size}), out = array::from_shape({size});
  std::copy_n(input().begin(), size, x.begin());
  tf::Session sess = session_with_threads(state);
  run_typeflow(sess, out, x);
  for (auto _ : state) {
    run_typeflow(sess, out, x);
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(0));
}

void BM_threads_row_max(benchmark::State& state) {
  const auto size = static_cast<std::size_t>(state.range(0));
  xt::xtensor<float, 2> x = xt::xtensor<float, 2>::from_shape({size / 256, 256});
  std::copy_n(input().begin(), size, x.begin());
  array out = array::from_shape({size / 256});
  tf::Session sess = session_with_threads(state);
  for (auto _ : state) {
    sess.run(tf::fetch_into(out, row_max), tf::feed(rows_ph, x));
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(0));
}

void threads_sweep(benchmark::internal::Benchmark* b) {
  b->ArgsProduct({benchmark::CreateRange(1 << 10, 1 << 22, 4), {1, 2}})
      ->ArgNames({"n", "threads"})
      ->UseRealTime()
      ->Unit(benchmark::kMicrosecond)
      ->Repetitions(10)
      ->ReportAggregatesOnly(true);
}

/// The three variants must agree to 1e-5 relative before anything is timed.
void verify() {
  const array& x = input();
  if (reinterpret_cast<std::uintptr_t>(x.data()) % xsimd::default_arch::alignment() != 0) {
    std::fprintf(stderr, "bench_elementwise: input is not aligned for xsimd::load_aligned\n");
    std::abort();
  }
  array a = array::from_shape({n}), b = array::from_shape({n}), c = array::from_shape({n});
  tf::Session sess(bench::session_config());
  run_typeflow(sess, a, x);
  run_hand_xsimd(b, x);
  {
    temporaries t(n);
    run_xtensor_temporaries(t, c, x);
  }
  for (std::size_t i = 0; i < n; ++i) {
    const double ref = b[i];
    if (!(std::abs(a[i] - ref) <= 1e-5 * std::abs(ref)) || !(std::abs(c[i] - ref) <= 1e-5 * std::abs(ref))) {
      std::fprintf(stderr, "bench_elementwise: results differ at %zu (x = %g):", i, static_cast<double>(x[i]));
      std::fprintf(stderr, " typeflow %.9g, hand %.9g, xtensor %.9g\n", static_cast<double>(a[i]), ref,
                   static_cast<double>(c[i]));
      std::abort();
    }
  }
  std::fprintf(stderr, "bench_elementwise: the three variants agree on %zu values (%zu SIMD lanes)\n", n,
               xsimd::batch<float>::size);
}

BENCHMARK(BM_elementwise_typeflow)->Apply(bench::repeat_ms);
BENCHMARK(BM_elementwise_hand_xsimd)->Apply(bench::repeat_ms);
BENCHMARK(BM_elementwise_xtensor_temporaries)->Apply(bench::repeat_ms);
BENCHMARK(BM_threads_chain)->Apply(threads_sweep);
BENCHMARK(BM_threads_row_max)->Apply(threads_sweep);

}  // namespace

int main(int argc, char** argv) { return bench::main(argc, argv, verify); }
