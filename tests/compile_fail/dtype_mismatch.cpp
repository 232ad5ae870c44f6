// A float tensor plus a double tensor: the error names the op and both dtypes.
#include <typeflow/graph/placeholder.hpp>
#include <typeflow/ops/elementwise.hpp>

namespace tf = typeflow;

int main() {
  auto x = tf::placeholder<"x", float, 3>();
#ifdef TYPEFLOW_SHOULD_FAIL
  // expect-error: error_dtypes_differ
  // expect-error: float, double
  // max-chars-gcc: 1600
  // max-chars-clang: 2000
  auto y = tf::placeholder<"y", double, 3>();
#else
  auto y = tf::placeholder<"y", float, 3>();
#endif
  auto z = x + y;
  (void)z;
}
