// sess.run({train, cost}, ...), TF1's sess.run([train, cost], ...): a braced list cannot carry
// its fetches' types; the error says to write tf::fetch (it used to be 4,195 characters of
// overload candidates).
#include <typeflow/typeflow.hpp>

namespace tf = typeflow;

int main() {
  auto x = tf::placeholder<"x", float, tf::none, 3>();
  auto W = tf::Variable<"W", float, 3, 1>(tf::random_normal(0.0, 1.0, 1));
  auto cost = tf::reduce_mean(tf::square(tf::matmul(x, W)));
  auto train = tf::train::GradientDescentOptimizer(0.1).minimize(cost);
  tf::Session sess;
  const xt::xtensor<float, 2> X = {{1, 2, 3}};
#ifdef TYPEFLOW_SHOULD_FAIL
  // expect-error: write sess.run(tf::fetch(a, b), ...)
  // max-chars-gcc: 1600
  // max-chars-clang: 1600
  auto [_, c] = sess.run({train, cost}, tf::feed(x, X));  // and one more error: no_value has no parts
#else
  auto [_, c] = sess.run(tf::fetch(train, cost), tf::feed(x, X));
#endif
  (void)c;
}
