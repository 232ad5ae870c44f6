// tf::reduce_sum over axis 2 of a rank-2 tensor: the error names the shape and the axes.
#include <typeflow/graph/placeholder.hpp>
#include <typeflow/ops/reduce.hpp>

namespace tf = typeflow;

int main() {
  auto x = tf::placeholder<"x", float, tf::none, 3>();
#ifdef TYPEFLOW_SHOULD_FAIL
  // expect-error: error_axis_out_of_range
  // expect-error: shape<-1, 3>
  // expect-error: axis_t<2>
  // max-chars-gcc: 1600
  // max-chars-clang: 1900
  auto s = tf::reduce_sum(x, tf::axis<2>);
#else
  auto s = tf::reduce_sum(x, tf::axis<-1>);
#endif
  (void)s;
}
