// tf::reduce_sum(x, 1) and tf::argmax(y, 1), as TF1 writes them: axes are types here, and the
// error says so in its first line (it used to be 3,662 characters about find_axes(int*)).
#include <typeflow/graph/placeholder.hpp>
#include <typeflow/ops/reduce.hpp>

namespace tf = typeflow;

int main() {
  auto x = tf::placeholder<"x", float, tf::none, 3>();
#ifdef TYPEFLOW_SHOULD_FAIL
  // expect-error: axes are compile-time types: write tf::axis<1> (not 1)
  // max-chars-gcc: 1400
  // max-chars-clang: 1400
  auto s = tf::reduce_sum(x, 1);
#else
  auto s = tf::reduce_sum(x, tf::axis<1>);
#endif
  (void)s;
}
