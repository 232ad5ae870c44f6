// A static shape whose element count overflows int64 (2^32 x 2^32): the error says so and
// names the shape.
#include <cstdint>
#include <typeflow/graph/placeholder.hpp>

namespace tf = typeflow;

int main() {
#ifdef TYPEFLOW_SHOULD_FAIL
  // expect-error: overflows std::int64_t
  // expect-error: 4294967296
  // max-chars-gcc: 1500
  // max-chars-clang: 1500
  auto x = tf::placeholder<"x", float, std::int64_t{1} << 32, std::int64_t{1} << 32>();
#else
  auto x = tf::placeholder<"x", float, 0, std::int64_t{1} << 62, std::int64_t{1} << 62>();  // empty: fine
#endif
  (void)x;
}
