// An op tag that breaks the op contract (graph/op_contract.hpp): it defines no tf_name. The
// error names the tag and the missing member in one line, one frame from the node's
// declaration (g++ 1,232 characters, clang 1,403).
#include <string_view>
#include <tuple>
#include <typeflow/typeflow.hpp>

namespace tf = typeflow;

struct twice : tf::op::elementwise_unary {
#ifndef TYPEFLOW_SHOULD_FAIL
  static constexpr std::string_view tf_name = "Twice";
#endif
  constexpr auto operator()(auto a) const { return a + a; }
  static constexpr auto vjp(const auto& g, const auto&) { return std::tuple{g * 2.0f}; }
};

int main() {
  auto x = tf::placeholder<"x", float, 3>();
  // max-chars-gcc: 1400
  // max-chars-clang: 1600
  // expect-error: error_op_tag_defines_no_tf_name<twice>
  auto y = tf::graph::node<twice, decltype(x)>({}, x);
  (void)y;
}
