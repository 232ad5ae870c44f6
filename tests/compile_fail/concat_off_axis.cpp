// tf::concat<1> of [2, 3] and [4, 1]: the dims off the axis differ; the error names the shapes.
#include <typeflow/graph/placeholder.hpp>
#include <typeflow/ops/shape.hpp>

namespace tf = typeflow;

int main() {
  auto a = tf::placeholder<"a", float, 2, 3>();
#ifdef TYPEFLOW_SHOULD_FAIL
  // expect-error: error_concat_shapes_differ_off_axis
  // expect-error: shape<2, 3>
  // expect-error: shape<4, 1>
  // max-chars-gcc: 1000
  // max-chars-clang: 1200
  auto b = tf::placeholder<"b", float, 4, 1>();
#else
  auto b = tf::placeholder<"b", float, tf::none, 1>();
#endif
  auto c = tf::concat<1>(a, b);
  (void)c;
}
