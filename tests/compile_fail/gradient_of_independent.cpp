// tf::gradients(y, W) where y is not computed from W: the error names W, one frame from the
// user's line (g++ 1,214 characters; clang 1,616, which now shows that line: the check was a
// void function, whose body clang instantiates at the end of the file, out of context).
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
  // max-chars-gcc: 1400
  // max-chars-clang: 1800
  auto y = tf::reduce_sum(tf::matmul(x, V));
#else
  auto y = tf::reduce_sum(tf::matmul(x, W) + tf::matmul(x, V));
#endif
  auto [dW] = tf::gradients(y, W);
  (void)dW;
}
