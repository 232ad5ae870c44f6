// A placeholder plus a std::string: not a graph node nor a number. One static_assert says what
// to write, where the overload candidates that did not match took 18,599 characters (g++).
#include <string>

#include <typeflow/graph/placeholder.hpp>
#include <typeflow/ops/elementwise.hpp>

namespace tf = typeflow;

int main() {
  auto x = tf::placeholder<"x", float, 3>();
#ifdef TYPEFLOW_SHOULD_FAIL
  // expect-error: the other operand of + is neither a graph node nor a number
  // expect-error: basic_string
  // max-chars-gcc: 1800
  // max-chars-clang: 1400
  std::string s = "2";
  auto y = x + s;
#else
  auto y = x + 2;
#endif
  (void)y;
}
