// A placeholder plus a std::string: not a graph node nor a number. The operator chosen returns an
// incomplete type that names the operand, and its declaration's line says what to write (g++ 877
// characters, clang 517; a deleted operator made clang 14 list every operator+ candidate: 8,811).
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
  // max-chars-clang: 600
  std::string s = "2";
  auto y = x + s;
#else
  auto y = x + 2;
#endif
  (void)y;
}
