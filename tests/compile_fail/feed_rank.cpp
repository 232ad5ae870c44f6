// Feeding a rank-2 array to a rank-1 placeholder: the error names the placeholder, its
// shape and the value's rank.
#include <typeflow/eval/feed.hpp>

namespace tf = typeflow;

int main() {
  auto x = tf::placeholder<"x", float, 3>();
#ifdef TYPEFLOW_SHOULD_FAIL
  // expect-error: error_feed_rank_differs
  // expect-error-gcc: placeholder<typeflow::fixed_string<2>{"x"}, float, typeflow::shape<3> >, 2>
  // expect-error-clang: placeholder<typeflow::name<'x'>, float, typeflow::shape<3>>, 2>
  // max-chars-gcc: 1500
  // max-chars-clang: 1600
  xt::xtensor<float, 2> value = xt::zeros<float>({1, 3});
#else
  xt::xtensor<float, 1> value = xt::zeros<float>({3});
#endif
  auto f = tf::feed(x, value);
  (void)f;
}
