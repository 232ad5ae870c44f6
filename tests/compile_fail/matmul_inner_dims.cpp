// tf::matmul(a, b) whose inner dimensions differ ([None, 3] x [4, 1]): the error names both shapes.
#include <typeflow/graph/placeholder.hpp>
#include <typeflow/ops/linalg.hpp>

namespace tf = typeflow;

int main() {
  auto x = tf::placeholder<"x", float, tf::none, 3>();
#ifdef TYPEFLOW_SHOULD_FAIL
  // expect-error: error_matmul_inner_dimensions_differ
  // expect-error: shape<-1, 3>
  // expect-error: shape<4, 1>
  // max-chars-gcc: 1300
  // max-chars-clang: 1600
  auto w = tf::placeholder<"w", float, 4, 1>();
#else
  auto w = tf::placeholder<"w", float, 3, 1>();
#endif
  auto y = tf::matmul(x, w);
  (void)y;
}
