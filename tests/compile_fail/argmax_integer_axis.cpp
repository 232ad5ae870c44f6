// tf::argmax(y, 1), as TF1 writes it: the axis is a type here, and the error says how to write it.
#include <typeflow/graph/placeholder.hpp>
#include <typeflow/ops/reduce.hpp>

namespace tf = typeflow;

int main() {
  auto y = tf::placeholder<"y", float, tf::none, 10>();
#ifdef TYPEFLOW_SHOULD_FAIL
  // expect-error: write tf::argmax(x, tf::axis<1>)
  // max-chars-gcc: 1100
  // max-chars-clang: 1100
  auto a = tf::argmax(y, 1);
#else
  auto a = tf::argmax(y, tf::axis<1>);
#endif
  (void)a;
}
