#ifndef TYPEFLOW_KERNELS_UPDATE_HPP
#define TYPEFLOW_KERNELS_UPDATE_HPP

// The loop of the optimizers' in-place updates: xsimd batches, then a scalar tail, with the
// update written once as a generic lambda over values. A plain loop over std::sqrt stays
// scalar (std::sqrt may set errno, so g++ keeps every call), and Adam's update then weighs on
// a whole training step (the figures are in benchmarks/README.md, bench_mlp).

#include <cstddef>
#include <tuple>
#include <type_traits>

#include "../core/thread_pool.hpp"
#include "simd.hpp"

namespace typeflow::kernels {

namespace detail {

template <class P, class V>
void store_updated(P* p, const V& v) {
  if constexpr (!std::is_const_v<P>) {
    if constexpr (xsimd::is_batch<V>::value) v.store_unaligned(p);
    else *p = v;
  }
}

}  // namespace detail

/// For each i < n, f(buffers[i]...) with the values as lvalues (xsimd batches of T, then
/// scalars); what f leaves in them is written back to the buffers that are not const.
/// f takes the square root as `using std::sqrt; sqrt(x)`, which finds xsimd's for batches.
///
/// A large variable is split over the current pool's threads in contiguous ranges when the
/// run's kernels split their work (parallel::split_in_run): its gradient was then computed on
/// several cores, as the GEMM splits its rows, and each thread mostly updates what it wrote,
/// from its own core's cache. (Run on the calling thread alone, the Adam update of W1 in a
/// two-thread MLP step at batch 64 took 3x its time in a one-thread step.) A run that stayed
/// on one thread (a small batch) keeps its update there too, with its data in that core's cache.
template <class T, class F, class... P>
void update(std::size_t n, F&& f, P*... buffers) {
  static_assert((std::is_same_v<std::remove_const_t<P>, T> && ...), "every buffer holds T");
  using batch = xsimd::batch<T>;
  // An element reads and writes several buffers: a quarter of a fused pass's grain pays.
  const std::size_t grain = parallel::split_in_run() ? parallel::elementwise_grain / 4 : n;
  parallel::for_ranges(
      n, grain,
      [&](std::size_t begin, std::size_t end) {
        std::size_t i = begin;
        for (; i + batch::size <= end; i += batch::size) {
          // One batch per buffer.
          std::tuple<std::conditional_t<true, batch, P>...> values{batch::load_unaligned(buffers + i)...};
          std::apply(f, values);
          std::apply([&](const auto&... v) { (detail::store_updated(buffers + i, v), ...); }, values);
        }
        for (; i < end; ++i) {
          std::tuple<std::conditional_t<true, T, P>...> values{buffers[i]...};
          std::apply(f, values);
          std::apply([&](const auto&... v) { (detail::store_updated(buffers + i, v), ...); }, values);
        }
      },
      64 / sizeof(T));
}

}  // namespace typeflow::kernels

#endif
