// A cross-entropy called with positional arguments, as typeflow once allowed: swapped, it
// trained to garbage without a word (TF1 forbids it too). The error says how to write the call.
#include <typeflow/graph/placeholder.hpp>
#include <typeflow/ops/nn.hpp>
#include <typeflow/ops/reduce.hpp>

namespace tf = typeflow;

int main() {
  auto y = tf::placeholder<"y", std::int64_t, tf::none>();
  auto pred = tf::placeholder<"pred", float, tf::none, 10>();
#ifdef TYPEFLOW_SHOULD_FAIL
  // expect-error: takes keyword arguments, as in TF1: write (tf::labels = y, tf::logits = x)
  // max-chars-gcc: 1400
  // max-chars-clang: 1500
  auto loss = tf::reduce_mean(tf::nn::sparse_softmax_cross_entropy_with_logits(y, pred));
#else
  auto loss = tf::reduce_mean(tf::nn::sparse_softmax_cross_entropy_with_logits(tf::logits = pred, tf::labels = y));
#endif
  (void)loss;
}
