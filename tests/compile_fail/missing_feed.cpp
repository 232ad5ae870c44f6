// Session::run without a feed for a placeholder that the fetch reads: the error names it.
#include <typeflow/typeflow.hpp>

namespace tf = typeflow;

int main() {
  auto x = tf::placeholder<"x", float, tf::none, 3>();
  auto labels = tf::placeholder<"labels", float, tf::none, 3>();
  auto X = xt::xtensor<float, 2>::from_shape({2, 3});
  tf::Session sess;
#ifdef TYPEFLOW_SHOULD_FAIL
  // expect-error: typeflow::Session::run: the fetches read a placeholder
  // expect-error: is_fed
  // expect-error-gcc: placeholder<typeflow::fixed_string<7>{"labels"}, float, typeflow::shape<-1, 3> >
  // expect-error-clang: placeholder<typeflow::name<'l', 'a', 'b', 'e', 'l', 's'>, float, typeflow::shape<-1, 3>>
  // max-chars-gcc: 1800
  // max-chars-clang: 1700
  auto v = sess.run(x + labels, tf::feed(x, X));
#else
  auto v = sess.run(x + labels, tf::feed(x, X), tf::feed(labels, X));
#endif
  (void)v;
}
