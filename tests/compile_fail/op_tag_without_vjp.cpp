// A gradient through an op tag that defines no vjp and does not say it has no gradient: the
// error names the tag and what to define, from tf::gradients, one frame from the user's line
// (g++ 898 characters, clang 1,260; from deep in the walk, g++ printed 6,446).
#include <string_view>
#include <tuple>
#include <typeflow/typeflow.hpp>

namespace tf = typeflow;

struct twice : tf::op::elementwise_unary {
  static constexpr std::string_view tf_name = "Twice";
  constexpr auto operator()(auto a) const { return a + a; }
#ifndef TYPEFLOW_SHOULD_FAIL
  // d(2a) = 2 da
  static constexpr auto vjp(const auto& g, const auto&) { return std::tuple{g * 2.0f}; }
#endif
};

int main() {
  auto x = tf::placeholder<"x", float, 3>();
  auto y = tf::reduce_sum(tf::graph::node<twice, decltype(x)>({}, x));
  // max-chars-gcc: 1000
  // max-chars-clang: 1400
  // expect-error: error_op_tag_defines_no_vjp<twice>
  auto [dx] = tf::gradients(y, x);
  (void)dx;
}
