// A TF1 program whose bias has the wrong size ([784] for 10 classes), trained and run: one
// error, the broadcast's, where the optimizer's gradient checks and the cross-entropy's used to
// repeat it in 94,506 characters of gradient types; the operands' node types printed once.
#include <typeflow/typeflow.hpp>

namespace tf = typeflow;

int main() {
  auto x = tf::placeholder<"x", float, tf::none, 784>();
  auto y = tf::placeholder<"y", float, tf::none, 10>();
  auto W = tf::Variable<"W", float, 784, 10>(tf::random_normal());
#ifdef TYPEFLOW_SHOULD_FAIL
  // expect-error: error_shapes_do_not_broadcast
  // expect-error: shape<-1, 10>
  // expect-error: shape<784>
  // max-chars-gcc: 1500
  // max-chars-clang: 1900
  auto b = tf::Variable<"b", float, 784>(tf::random_normal());
#else
  auto b = tf::Variable<"b", float, 10>(tf::random_normal());
#endif
  auto pred = tf::matmul(x, W) + b;
  auto cost = tf::reduce_mean(tf::nn::softmax_cross_entropy_with_logits(tf::labels = y, tf::logits = pred));
  auto train = tf::train::GradientDescentOptimizer(0.1).minimize(cost);
  tf::Session sess;
  const xt::xtensor<float, 2> X = xt::zeros<float>({2, 784}), Y = xt::zeros<float>({2, 10});
  auto [_, c] = sess.run(tf::fetch(train, cost), tf::feed(x, X), tf::feed(y, Y));
  (void)c;
}
