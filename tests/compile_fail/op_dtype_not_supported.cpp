// tf::sqrt of an int32 tensor (TensorFlow has no such kernel): the error names the op and the dtype.
#include <cstdint>
#include <typeflow/graph/placeholder.hpp>
#include <typeflow/ops/math.hpp>

namespace tf = typeflow;

int main() {
#ifdef TYPEFLOW_SHOULD_FAIL
  // expect-error: error_op_does_not_support_dtype
  // expect-error: sqrt, int
  // max-chars-gcc: 1400
  // max-chars-clang: 1800
  auto x = tf::placeholder<"x", std::int32_t, 3>();
#else
  auto x = tf::placeholder<"x", float, 3>();
#endif
  auto z = tf::sqrt(x);
  auto i = tf::abs(tf::placeholder<"i", std::int32_t, 3>());  // abs is defined for integers
  (void)i;
  (void)z;
}
