#ifndef TYPEFLOW_KERNELS_SIMD_HPP
#define TYPEFLOW_KERNELS_SIMD_HPP

// The include of xsimd, for the kernels and for xtensor's fused loops (eval/xtensor.hpp
// includes this first). g++ 12.2 reports the deliberately undefined registers of its AVX-512
// intrinsics as uninitialized once xsimd's math (exp, log1p, max, hadd) inlines them: a false
// positive (GCC PR 105593, fixed in 12.3), silenced for the code included here only.

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include <xsimd/xsimd.hpp>

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

#endif
