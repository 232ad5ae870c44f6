#ifndef TYPEFLOW_EVAL_XTENSOR_HPP
#define TYPEFLOW_EVAL_XTENSOR_HPP

// The one header that includes xtensor (about 2.7 s of compile time per translation unit):
// graph/, ops/ and autodiff/ compile without it. xsimd comes from kernels/simd.hpp.

#ifdef TYPEFLOW_SYMBOLIC_ONLY
#error "typeflow: graph/, ops/ and autodiff/ must not depend on eval/"
#endif

// xtensor's own loops (a feed's conversion, an initializer) use xsimd batches, and its buffers
// xsimd's alignment, only with this defined (the Meson dependency defines it too, so that every
// translation unit agrees on the buffer type).
#if !defined(XTENSOR_USE_XSIMD) && !defined(TYPEFLOW_NO_XSIMD)
#define XTENSOR_USE_XSIMD
#endif

#include "../kernels/simd.hpp"  // before xtensor, which includes xsimd too

#include <xtensor/xadapt.hpp>
#include <xtensor/xbroadcast.hpp>
#include <xtensor/xio.hpp>  // `std::cout << sess.run(W)`, as print(sess.run(W)); 700 lines of 187k
#include <xtensor/xnoalias.hpp>
#include <xtensor/xscalar.hpp>
#include <xtensor/xtensor.hpp>

#include <type_traits>

namespace typeflow::eval {

/// Whether V is an xtensor container (xtensor, xarray, an adaptor): its values lie in one
/// buffer at data(), row-major when its layout() says so.
template <class V>
inline constexpr bool is_xcontainer_v = std::is_base_of_v<xt::xcontainer<V>, V>;

}  // namespace typeflow::eval

#endif
