#ifndef TYPEFLOW_KERNELS_VECTOR_MATH_HPP
#define TYPEFLOW_KERNELS_VECTOR_MATH_HPP

// exp and tanh of float batches, as fast as Eigen's (which TensorFlow's CPU kernels use) or
// faster; exp more accurate than Eigen's, tanh within 0.4 ulp of it. xsimd's tanh computes both a
// polynomial and an exp-based form for a batch that mixes small and large |x|, 2.6x the time of
// the rational function below. The fused loops,
// eager ops and kernels reach these through ops/batch_math.hpp (own_math); double batches keep
// xsimd's functions.
//
// Max error over all finite floats against std::exp and std::tanh in double
// (benchmarks/accuracy/vector_math_ulp.cpp, AVX-512): exp 1.08 ulp (xsimd's 1.53, Eigen's
// 4.55), finite up to 88.72 and subnormal down to -103.97 as std::exp, where xsimd's and Eigen's
// give inf from 88.38 on and 0 from -87.68 on; tanh 5.3 ulp (Eigen's 4.9, xsimd's 1.35). The
// coefficients are this project's own fits (benchmarks/accuracy/fit_vector_math.py).

#include <cstdint>
#include <type_traits>

#include "../ops/batch_math.hpp"
#include "simd.hpp"

namespace typeflow::kernels::vector_math {

template <class A>
using floats = xsimd::batch<float, A>;
template <class A>
using ints = xsimd::batch<std::int32_t, A>;

namespace detail {

/// 2^n for integers n in [-126, 127], written into the exponent bits.
template <class A>
floats<A> pow2(const ints<A>& n) {
  return xsimd::bitwise_cast<floats<A>>((n + ints<A>(127)) << 23);
}

/// x = n ln 2 + r with n integral and |r| <= ln(2)/2. ln 2 is split in two (Cody and Waite):
/// n * 0.693359375 is exact for |n| < 2^15, so r keeps its low bits.
template <class A>
floats<A> reduce_ln2(const floats<A>& x, floats<A>& n) {
  n = xsimd::nearbyint(x * floats<A>(1.44269504088896341f));
  return xsimd::fnma(n, floats<A>(-2.12194440054690583e-4f), xsimd::fnma(n, floats<A>(0.693359375f), x));
}

/// e^r - 1 for |r| <= ln(2)/2, as r + r^2 P(r): P interpolates (e^r - 1 - r)/r^2 at Chebyshev
/// nodes, 2.3e-8 relative error before rounding.
template <class A>
floats<A> expm1_reduced(const floats<A>& r) {
  floats<A> p(1.3926175888627768e-3f);
  p = xsimd::fma(p, r, floats<A>(8.363173343241215e-3f));
  p = xsimd::fma(p, r, floats<A>(4.1666556149721146e-2f));
  p = xsimd::fma(p, r, floats<A>(0.16666577756404877f));
  p = xsimd::fma(p, r, floats<A>(0.5f));
  return xsimd::fma(p * r, r, r);
}

/// e^x where 2^n falls outside the normal floats: results near overflow and the subnormal
/// ones, scaled by 2^(n/2) twice; inf above 88.8, 0 below -104, NaN for NaN (max and min
/// return their second operand when one is NaN). Out of line: a fused loop rarely comes here.
template <class A>
[[gnu::noinline, gnu::cold]] floats<A> exp_extreme(const floats<A>& x) {
  const floats<A> clamped = xsimd::min(floats<A>(88.8f), xsimd::max(floats<A>(-104.0f), x));
  floats<A> n;
  const floats<A> p = expm1_reduced(reduce_ln2(clamped, n)) + floats<A>(1.0f);
  const ints<A> k = xsimd::to_int(n), half = k >> 1;
  return p * pow2(half) * pow2(k - half);
}

}  // namespace detail

/// e^x = 2^n e^r, one exponent write on the common path. Always inlined, as is tanh: g++
/// otherwise calls them from a fused loop of many ops, passing each batch through memory
/// (1.5x the loop's time, measured with 2^16 floats).
template <class A>
[[gnu::always_inline]] inline floats<A> exp(const floats<A>& x) {
  floats<A> n;
  const floats<A> r = detail::reduce_ln2(x, n);
  if (!xsimd::all(xsimd::abs(n) <= floats<A>(126.0f))) [[unlikely]]
    return detail::exp_extreme(x);
  return (detail::expm1_reduced(r) + floats<A>(1.0f)) * detail::pow2(xsimd::to_int(n));
}

/// tanh(x) = x P(x^2) / Q(x^2), a rational fit of degree 4 over 4 in x^2 on [0, 9] (2.1e-8
/// relative error before rounding). Past 9.05 the fit exceeds 1, so clamping it to [-1, 1] makes
/// tanh exactly +-1 from there on, as the float-rounded tanh is from 8.67. max and min return
/// their second operand where one is NaN: NaN stays NaN, and tanh(-0) is -0.
template <class A>
[[gnu::always_inline]] inline floats<A> tanh(const floats<A>& x) {
  const floats<A> clamped = xsimd::min(floats<A>(10.0f), xsimd::max(floats<A>(-10.0f), x));
  const floats<A> t = clamped * clamped;
  floats<A> p(1.335640931188209e-8f), q(7.777284736221191e-7f);
  p = xsimd::fma(p, t, floats<A>(2.0610381398000754e-5f));
  q = xsimd::fma(q, t, floats<A>(3.28576541505754e-4f));
  p = xsimd::fma(p, t, floats<A>(3.4956687595695257e-3f));
  q = xsimd::fma(q, t, floats<A>(2.5877291336655617e-2f));
  p = xsimd::fma(p, t, floats<A>(0.13381093740463257f));
  q = xsimd::fma(q, t, floats<A>(0.46714410185813904f));
  p = xsimd::fma(p, t, floats<A>(1.0f));
  q = xsimd::fma(q, t, floats<A>(1.0f));
  return xsimd::min(floats<A>(1.0f), xsimd::max(floats<A>(-1.0f), clamped * p / q));
}

}  // namespace typeflow::kernels::vector_math

namespace typeflow::batch_math {

/// Float batches take the functions above (see own_math in ops/batch_math.hpp).
template <class A>
struct own_math<xsimd::batch<float, A>> : std::true_type {
  static xsimd::batch<float, A> exp(const xsimd::batch<float, A>& x) { return kernels::vector_math::exp(x); }
  static xsimd::batch<float, A> tanh(const xsimd::batch<float, A>& x) { return kernels::vector_math::tanh(x); }
};

}  // namespace typeflow::batch_math

#endif
