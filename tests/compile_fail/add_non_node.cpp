// A placeholder plus a std::string: not a graph node nor a number. A deleted operator+ is chosen,
// whose line says what to write (g++ 667 characters, where the candidates that did not match took
// 18,599; clang 14 still lists every candidate beside the deleted one).
#include <string>

#include <typeflow/graph/placeholder.hpp>
#include <typeflow/ops/elementwise.hpp>

namespace tf = typeflow;

int main() {
  auto x = tf::placeholder<"x", float, 3>();
#ifdef TYPEFLOW_SHOULD_FAIL
  // expect-error: an operand is neither a graph node nor a number
  // expect-error: basic_string
  // max-chars-gcc: 1000
  // max-chars-clang: 9000
  std::string s = "2";
  auto y = x + s;
#else
  auto y = x + 2;
#endif
  (void)y;
}
