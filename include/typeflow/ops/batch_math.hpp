#ifndef TYPEFLOW_OPS_BATCH_MATH_HPP
#define TYPEFLOW_OPS_BATCH_MATH_HPP

// xsimd's math functions for the SIMD forms of the op tags (`simd_apply`), found by
// argument-dependent lookup on the batch type, so that ops/ compiles without xsimd. They are
// called from here rather than from the tags: inside a tag, the name `exp` is the tag itself
// (op::exp), which would stop the lookup.
//
// exp and tanh go first to own_math<B>, which kernels/vector_math.hpp specializes for float
// batches (typeflow's own, faster than xsimd's); every loop that calls simd_apply includes it.

#include <type_traits>

namespace typeflow::batch_math {

/// The functions typeflow computes itself for batch type B: none unless specialized.
template <class B>
struct own_math : std::false_type {};

template <class B>
constexpr auto exp_of(const B& b) {
  if constexpr (own_math<B>::value) return own_math<B>::exp(b);
  else return exp(b);
}

template <class B>
constexpr auto tanh_of(const B& b) {
  if constexpr (own_math<B>::value) return own_math<B>::tanh(b);
  else return tanh(b);
}

#define TYPEFLOW_BATCH_FUNCTION(NAME)       \
  template <class... B>                     \
  constexpr auto NAME##_of(const B&... b) { \
    return NAME(b...);                      \
  }

TYPEFLOW_BATCH_FUNCTION(sqrt)
TYPEFLOW_BATCH_FUNCTION(expm1)
TYPEFLOW_BATCH_FUNCTION(log)
TYPEFLOW_BATCH_FUNCTION(log1p)
TYPEFLOW_BATCH_FUNCTION(abs)
TYPEFLOW_BATCH_FUNCTION(sign)
TYPEFLOW_BATCH_FUNCTION(pow)
TYPEFLOW_BATCH_FUNCTION(max)
TYPEFLOW_BATCH_FUNCTION(min)
TYPEFLOW_BATCH_FUNCTION(select)
TYPEFLOW_BATCH_FUNCTION(erf)
TYPEFLOW_BATCH_FUNCTION(erfc)
TYPEFLOW_BATCH_FUNCTION(sin)
TYPEFLOW_BATCH_FUNCTION(cos)
TYPEFLOW_BATCH_FUNCTION(floor)
TYPEFLOW_BATCH_FUNCTION(ceil)
TYPEFLOW_BATCH_FUNCTION(nearbyint)  // rounds half to even in the default rounding mode
#undef TYPEFLOW_BATCH_FUNCTION

}  // namespace typeflow::batch_math

#endif
