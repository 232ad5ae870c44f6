// opt.apply_gradients with a gradient of another shape than its variable: the error names
// the variable and both shapes.
#include <typeflow/typeflow.hpp>
#include <tuple>
#include <utility>

namespace tf = typeflow;

int main() {
  auto x = tf::placeholder<"x", float, tf::none, 3>();
  auto W = tf::Variable<"W", float, 3, 1>(tf::constant(0.0f));
  auto loss = tf::reduce_sum(tf::matmul(x, W));
  auto opt = tf::train::AdamOptimizer();
  auto [gv] = opt.compute_gradients(loss);
#ifdef TYPEFLOW_SHOULD_FAIL
  // expect-error: error_gradient_does_not_match_variable
  // expect-error: name<'W'>
  // expect-error: shape<3, 1>
  auto train = opt.apply_gradients(std::make_tuple(std::pair{tf::reduce_sum(gv.first), gv.second}));
#else
  auto train = opt.apply_gradients(std::make_tuple(std::pair{gv.first * 0.5f, gv.second}));
#endif
  (void)train;
}
