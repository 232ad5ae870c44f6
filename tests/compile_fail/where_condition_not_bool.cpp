// tf::where(cond, x, y) with a float condition: the error names the condition's dtype.
#include <typeflow/graph/placeholder.hpp>
#include <typeflow/ops/compare.hpp>
#include <typeflow/ops/where.hpp>

namespace tf = typeflow;

int main() {
  auto x = tf::placeholder<"x", float, 3>();
#ifdef TYPEFLOW_SHOULD_FAIL
  // expect-error: error_where_condition_is_not_bool<float>
  // max-chars-gcc: 1400
  // max-chars-clang: 1800
  auto cond = x * 2.0f;
#else
  auto cond = x > 2.0f;
#endif
  auto z = tf::where(cond, x, 0.0f);
  (void)z;
}
