// tf::nn::max_pool with a "VALID" 3x3 window over a 2x2 input: the error names both shapes.
#include <typeflow/graph/placeholder.hpp>
#include <typeflow/ops/pool.hpp>

namespace tf = typeflow;

int main() {
  auto x = tf::placeholder<"x", float, tf::none, 2, 2, 8>();
#ifdef TYPEFLOW_SHOULD_FAIL
  // expect-error: error_valid_window_larger_than_input
  // expect-error: shape<-1, 2, 2, 8>
  // expect-error: shape<3, 3>
  // g++ prints two frames: max_pool, and the make_pool that max_pool and avg_pool share.
  // max-chars-gcc: 1800
  // max-chars-clang: 2000
  auto y = tf::nn::max_pool(x, tf::ksize<1, 3, 3, 1>, tf::strides<1, 2, 2, 1>, tf::padding<"VALID">);
#else
  auto y = tf::nn::max_pool(x, tf::ksize<1, 2, 2, 1>, tf::strides<1, 2, 2, 1>, tf::padding<"VALID">);
#endif
  (void)y;
}
