// opt.apply_gradients with a gradient of another shape than its variable: the error names
// the variable and both shapes, in one line at the call (the overload chosen returns an
// incomplete type; g++ 1,139 characters, clang 551).
#include <tuple>
#include <typeflow/typeflow.hpp>
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
  // expect-error-gcc: variable<typeflow::fixed_string<2>{"W"}, float, typeflow::shape<3, 1> >, float, typeflow::shape<>
  // expect-error-clang: variable<typeflow::name<'W'>, float, typeflow::shape<3, 1>>, float, typeflow::shape<>>
  // max-chars-gcc: 1300
  // max-chars-clang: 650
  auto train = opt.apply_gradients(std::make_tuple(std::pair{tf::reduce_sum(gv.first), gv.second}));
#else
  auto train = opt.apply_gradients(std::make_tuple(std::pair{gv.first * 0.5f, gv.second}));
#endif
  (void)train;
}
