// tf::nn::softmax_cross_entropy_with_logits(tf::labels = z, tf::logits = x) whose shapes differ
// ([None, 4] and [None, 3]): the error names both shapes.
#include <typeflow/graph/placeholder.hpp>
#include <typeflow/ops/nn.hpp>

namespace tf = typeflow;

int main() {
  auto x = tf::placeholder<"x", float, tf::none, 3>();
#ifdef TYPEFLOW_SHOULD_FAIL
  // expect-error: error_labels_and_logits_shapes_differ
  // expect-error: shape<-1, 4>
  // expect-error: shape<-1, 3>
  // max-chars-gcc: 1500
  // max-chars-clang: 1800
  auto z = tf::placeholder<"z", float, tf::none, 4>();
#else
  auto z = tf::placeholder<"z", float, tf::none, 3>();
#endif
  auto y = tf::nn::softmax_cross_entropy_with_logits(tf::labels = z, tf::logits = x);
  (void)y;
}
