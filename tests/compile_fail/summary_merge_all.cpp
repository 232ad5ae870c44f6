// tf.summary.merge_all() collects at run time the summaries a program made; a typeflow run
// computes what its fetches' types name, so it cannot. The error says to list them with merge.
#include <typeflow/graph/placeholder.hpp>
#include <typeflow/ops/summary.hpp>

namespace tf = typeflow;

int main() {
  auto loss = tf::placeholder<"loss", float>();
  auto loss_summary = tf::summary::scalar("loss", loss);
#ifdef TYPEFLOW_SHOULD_FAIL
  // expect-error: list them, tf::summary::merge(loss_summary, w_hist, ...)
  // max-chars-gcc: 900
  // max-chars-clang: 900
  tf::summary::merge_all();
#else
  auto merged = tf::summary::merge(loss_summary);
  (void)merged;
#endif
}
