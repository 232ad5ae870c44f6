#ifndef TYPEFLOW_EVAL_XTENSOR_HPP
#define TYPEFLOW_EVAL_XTENSOR_HPP

// The one header that includes xtensor and xsimd (about 2.7 s of compile time per
// translation unit): graph/, ops/ and autodiff/ compile without them.

#ifdef TYPEFLOW_SYMBOLIC_ONLY
#error "typeflow: graph/, ops/ and autodiff/ must not depend on eval/"
#endif

// xtensor's fused loops use xsimd batches only with this defined (the Meson dependency
// defines it too, so that every translation unit agrees).
#if !defined(XTENSOR_USE_XSIMD) && !defined(TYPEFLOW_NO_XSIMD)
#define XTENSOR_USE_XSIMD
#endif

// g++ 12.2 warns inside its own AVX-512 intrinsics (`'__Y' may be used uninitialized`, GCC
// bug 105593, fixed in 12.3) where xsimd's exp and log use them. The warnings point into the
// intrinsic headers, so silencing them while those are first included leaves user code alone.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <xtensor/xadapt.hpp>
#include <xtensor/xbroadcast.hpp>
#include <xtensor/xnoalias.hpp>
#include <xtensor/xscalar.hpp>
#include <xtensor/xtensor.hpp>
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

#endif
