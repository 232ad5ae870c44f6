// tf::losses::mean_squared_error with positional arguments: tf.losses take labels and
// predictions by keyword here, so that no loss of the family can be swapped silently.
#include <typeflow/graph/placeholder.hpp>
#include <typeflow/ops/losses.hpp>

namespace tf = typeflow;

int main() {
  auto y = tf::placeholder<"y", float, tf::none, 1>();
  auto pred = tf::placeholder<"pred", float, tf::none, 1>();
#ifdef TYPEFLOW_SHOULD_FAIL
  // expect-error: takes keyword arguments: write (tf::labels = y, tf::predictions = p)
  // max-chars-gcc: 1400
  // max-chars-clang: 1500
  auto loss = tf::losses::mean_squared_error(y, pred);
#else
  auto loss = tf::losses::mean_squared_error(tf::labels = y, tf::predictions = pred);
#endif
  (void)loss;
}
