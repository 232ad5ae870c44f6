#ifndef TYPEFLOW_KERNELS_UPDATE_HPP
#define TYPEFLOW_KERNELS_UPDATE_HPP

// The loop of the optimizers' in-place updates: xsimd batches, then a scalar tail, with the
// update written once as a generic lambda over values. A plain loop over std::sqrt stays
// scalar (std::sqrt may set errno, so g++ keeps every call), and Adam's update then weighs on
// a whole training step (the figures are in benchmarks/README.md, bench_mlp).

#include <cstddef>
#include <tuple>
#include <type_traits>

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
template <class T, class F, class... P>
void update(std::size_t n, F&& f, P*... buffers) {
  static_assert((std::is_same_v<std::remove_const_t<P>, T> && ...), "every buffer holds T");
  using batch = xsimd::batch<T>;
  std::size_t i = 0;
  for (; i + batch::size <= n; i += batch::size) {
    std::tuple<std::conditional_t<true, batch, P>...> values{batch::load_unaligned(buffers + i)...};  // one per buffer
    std::apply(f, values);
    std::apply([&](const auto&... v) { (detail::store_updated(buffers + i, v), ...); }, values);
  }
  for (; i < n; ++i) {
    std::tuple<std::conditional_t<true, T, P>...> values{buffers[i]...};
    std::apply(f, values);
    std::apply([&](const auto&... v) { (detail::store_updated(buffers + i, v), ...); }, values);
  }
}

}  // namespace typeflow::kernels

#endif
