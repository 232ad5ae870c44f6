// tf::nn::conv2d of a 3-channel input with a filter for 1 channel: the error names both shapes.
#include <typeflow/graph/placeholder.hpp>
#include <typeflow/ops/conv.hpp>

namespace tf = typeflow;

int main() {
  auto x = tf::placeholder<"x", float, tf::none, 28, 28, 3>();
#ifdef TYPEFLOW_SHOULD_FAIL
  // expect-error: error_conv2d_input_channels_differ_from_filter
  // expect-error: shape<-1, 28, 28, 3>
  // expect-error: shape<5, 5, 1, 32>
  // max-chars-gcc: 1500
  // max-chars-clang: 1800
  auto w = tf::placeholder<"w", float, 5, 5, 1, 32>();
#else
  auto w = tf::placeholder<"w", float, 5, 5, 3, 32>();
#endif
  auto y = tf::nn::conv2d(x, w, tf::strides<1, 1, 1, 1>, tf::padding<"SAME">);
  (void)y;
}
