// A placeholder plus a std::string: not a graph node nor a number, so no operator+ applies.
#include <string>

#include <typeflow/graph/placeholder.hpp>
#include <typeflow/ops/elementwise.hpp>

namespace tf = typeflow;

int main() {
  auto x = tf::placeholder<"x", float, 3>();
#ifdef TYPEFLOW_SHOULD_FAIL
  // expect-error: std::string
  // expect-error: tensor_node
  // max-chars-gcc: 22300
  // max-chars-clang: 9900
  std::string s = "2";
  auto y = x + s;
#else
  auto y = x + 2;
#endif
  (void)y;
}
