// The math rows of tests/ops/op_table.hpp as parity cases (see op_parity.cpp and
// op_parity.hpp), with the broadcasting cases of pow and maximum.

#include "../ops/op_table.hpp"
#include "op_parity.hpp"

namespace parity {
void math_cases(output& out) {
  using f32 = float;
  test::op_table::for_each_row(test::op_table::math(), [&](const auto& row) { run_row(out, row); });
  run_case(
      out, "pow_bcast_3x1_1x4", "tf.pow", [](auto a, auto b) { return tf::pow(a, b); }, in<f32, 3, 1>{uniform(0.2, 3)},
      in<f32, 1, 4>{uniform(-2, 2)});
  run_case(
      out, "maximum_bcast_3x1_1x4", "tf.maximum", [](auto a, auto b) { return tf::maximum(a, b); }, in<f32, 3, 1>{},
      in<f32, 1, 4>{});
}
}  // namespace parity
