// tf::gradients(y, W) where y is not computed from W: the error names W.
#include <typeflow/typeflow.hpp>

namespace tf = typeflow;

int main() {
  auto x = tf::placeholder<"x", float, tf::none, 3>();
  auto W = tf::Variable<"W", float, 3, 1>(tf::constant(0.0f));
  auto V = tf::Variable<"V", float, 3, 1>(tf::constant(0.0f));
#ifdef TYPEFLOW_SHOULD_FAIL
  // expect-error: error_y_does_not_depend_on
  // expect-error-gcc: variable<typeflow::fixed_string<2>{"W"}, float, typeflow::shape<3, 1> >
  // expect-error-clang: variable<typeflow::name<'W'>, float, typeflow::shape<3, 1>>
  // max-chars-gcc: 1900
  // max-chars-clang: 1600
  auto y = tf::reduce_sum(tf::matmul(x, V));
#else
  auto y = tf::reduce_sum(tf::matmul(x, W) + tf::matmul(x, V));
#endif
  auto [dW] = tf::gradients(y, W);
  (void)dW;
}
