// x + y where the static shapes [3, 2] and [4, 2] do not broadcast: the error names both.
#include <typeflow/graph/placeholder.hpp>
#include <typeflow/ops/elementwise.hpp>

namespace tf = typeflow;

int main() {
  auto x = tf::placeholder<"x", float, 3, 2>();
#ifdef TYPEFLOW_SHOULD_FAIL
  // expect-error: error_shapes_do_not_broadcast
  // expect-error: shape<3, 2>
  // expect-error: shape<4, 2>
  // max-chars-gcc: 1700
  // max-chars-clang: 2000
  auto y = tf::placeholder<"y", float, 4, 2>();
#else
  auto y = tf::placeholder<"y", float, 1, 2>();
#endif
  auto z = x + y;
  (void)z;
}
