// tf::reshape of a [3, 5] tensor (15 values) to [4, 4]: the error names both shapes.
#include <typeflow/graph/placeholder.hpp>
#include <typeflow/ops/shape.hpp>

namespace tf = typeflow;

int main() {
  auto x = tf::placeholder<"x", float, 3, 5>();
#ifdef TYPEFLOW_SHOULD_FAIL
  // expect-error: error_reshape_sizes_differ
  // expect-error: shape<3, 5>
  // expect-error: shape<4, 4>
  // max-chars-gcc: 800
  // max-chars-clang: 1000
  auto r = tf::reshape<4, 4>(x);
#else
  auto r = tf::reshape<-1, 3>(x);
#endif
  (void)r;
}
