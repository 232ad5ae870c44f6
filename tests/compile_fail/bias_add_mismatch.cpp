// tf::nn::bias_add(value, bias) with a bias that does not match value's last dim ([None, 3] and
// [4]): the error names both shapes.
#include <typeflow/graph/placeholder.hpp>
#include <typeflow/ops/nn.hpp>

namespace tf = typeflow;

int main() {
  auto x = tf::placeholder<"x", float, tf::none, 3>();
#ifdef TYPEFLOW_SHOULD_FAIL
  // expect-error: error_bias_add_bias_must_be_rank_1_and_match_last_dim
  // expect-error: shape<-1, 3>
  // expect-error: shape<4>
  // max-chars-gcc: 1000
  // max-chars-clang: 1200
  auto b = tf::placeholder<"b", float, 4>();
#else
  auto b = tf::placeholder<"b", float, 3>();
#endif
  auto y = tf::nn::bias_add(x, b);
  (void)y;
}
