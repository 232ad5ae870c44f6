// The raw-TF multilayer perceptron with a wrong output weight ([784, 10] after a 256-wide hidden
// layer), trained and run: one error, the matmul's, naming both shapes. The operands' node types
// are printed once, in the user's call, not again by every helper and gradient on the way.
#include <typeflow/typeflow.hpp>

namespace tf = typeflow;

int main() {
  auto x = tf::placeholder<"x", float, tf::none, 784>();
  auto y = tf::placeholder<"y", float, tf::none, 10>();
  auto h1 = tf::Variable<"h1", float, 784, 256>(tf::random_normal());
  auto b1 = tf::Variable<"b1", float, 256>(tf::random_normal());
  auto h2 = tf::Variable<"h2", float, 256, 256>(tf::random_normal());
  auto b2 = tf::Variable<"b2", float, 256>(tf::random_normal());
#ifdef TYPEFLOW_SHOULD_FAIL
  // expect-error: error_matmul_inner_dimensions_differ
  // expect-error: shape<-1, 256>
  // expect-error: shape<784, 10>
  // max-chars-gcc: 1600
  // max-chars-clang: 2000
  auto out = tf::Variable<"out", float, 784, 10>(tf::random_normal());
#else
  auto out = tf::Variable<"out", float, 256, 10>(tf::random_normal());
#endif
  auto bout = tf::Variable<"bout", float, 10>(tf::random_normal());
  auto layer_1 = tf::nn::relu(tf::matmul(x, h1) + b1);
  auto layer_2 = tf::nn::relu(tf::matmul(layer_1, h2) + b2);
  auto pred = tf::matmul(layer_2, out) + bout;
  auto cost = tf::reduce_mean(tf::nn::softmax_cross_entropy_with_logits(tf::labels = y, tf::logits = pred));
  auto train = tf::train::AdamOptimizer(0.001).minimize(cost);
  tf::Session sess;
  sess.run(tf::global_variables_initializer());
  const xt::xtensor<float, 2> X = xt::zeros<float>({2, 784}), Y = xt::zeros<float>({2, 10});
  auto [_, c] = sess.run(tf::fetch(train, cost), tf::feed(x, X), tf::feed(y, Y));
  (void)c;
}
