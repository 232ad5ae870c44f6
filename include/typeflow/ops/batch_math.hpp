#ifndef TYPEFLOW_OPS_BATCH_MATH_HPP
#define TYPEFLOW_OPS_BATCH_MATH_HPP

// xsimd's math functions for the SIMD forms of the op tags (`simd_apply`), found by
// argument-dependent lookup on the batch type, so that ops/ compiles without xsimd. They are
// called from here rather than from the tags: inside a tag, the name `exp` is the tag itself
// (op::exp), which would stop the lookup.

namespace typeflow::batch_math {

#define TYPEFLOW_BATCH_FUNCTION(NAME)       \
  template <class... B>                     \
  constexpr auto NAME##_of(const B&... b) { \
    return NAME(b...);                      \
  }

TYPEFLOW_BATCH_FUNCTION(sqrt)
TYPEFLOW_BATCH_FUNCTION(exp)
TYPEFLOW_BATCH_FUNCTION(expm1)
TYPEFLOW_BATCH_FUNCTION(log)
TYPEFLOW_BATCH_FUNCTION(log1p)
TYPEFLOW_BATCH_FUNCTION(abs)
TYPEFLOW_BATCH_FUNCTION(sign)
TYPEFLOW_BATCH_FUNCTION(tanh)
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
