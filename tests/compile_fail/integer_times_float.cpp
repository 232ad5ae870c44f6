// An int32 tensor times 0.5: TF refuses the number ("Expected int32, got 0.5 of type 'float'")
// rather than truncate it to 0; the error names both types.
#include <typeflow/graph/placeholder.hpp>
#include <typeflow/ops/cast.hpp>
#include <typeflow/ops/elementwise.hpp>

namespace tf = typeflow;

int main() {
  auto labels = tf::placeholder<"labels", int, tf::none>();
#ifdef TYPEFLOW_SHOULD_FAIL
  // expect-error: error_floating_point_number_with_integer_tensor
  // expect-error: int, double
  // expect-error: write an integer, or cast the tensor first
  // max-chars-gcc: 1300
  // max-chars-clang: 1800
  auto half = labels * 0.5;
#else
  auto half = tf::cast<float>(labels) * 0.5;
#endif
  (void)half;
}
