// Session::run without a feed for a placeholder that the fetch reads: the error names it.
#include <typeflow/typeflow.hpp>

namespace tf = typeflow;

int main() {
  auto x = tf::placeholder<"x", float, tf::none, 3>();
  auto y = tf::placeholder<"y", float, tf::none, 3>();
  auto X = xt::xtensor<float, 2>::from_shape({2, 3});
  tf::Session sess;
#ifdef TYPEFLOW_SHOULD_FAIL
  // expect-error: error_no_feed_for_placeholder
  // expect-error: name<'y'>
  auto v = sess.run(x + y, tf::feed(x, X));
#else
  auto v = sess.run(x + y, tf::feed(x, X), tf::feed(y, X));
#endif
  (void)v;
}
