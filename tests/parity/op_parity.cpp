// The typeflow half of the per-op parity test against TensorFlow (op_parity.py runs it and
// computes the same ops with TensorFlow):
//
//   op_parity OUT_FILE [CASE...]
//
// writes, for every case (or only the cases named), TensorFlow's expression, the inputs, y,
// the upstream weight w and the gradients of reduce_sum(y * w) to OUT_FILE, in the format
// described in op_parity.hpp. The elementwise ops' cases come from the rows of
// tests/ops/op_table.hpp. This unit holds main(), the arithmetic, rounding/trigonometry/
// clipping and logical rows and the broadcasting cases of the binary ops; op_parity_math.cpp
// the math rows; op_parity_nn.cpp the activation rows, nn ops and losses;
// op_parity_kernels.cpp comparisons, where, cast, matmul, the reductions and the shape ops;
// op_parity_conv.cpp convolution, pooling and batch normalisation.
// Several units: each compiles in a fraction of the time and memory of one, and they compile
// in parallel.

#include <exception>
#include <iostream>

#include "../ops/op_table.hpp"
#include "op_parity.hpp"

namespace parity {
void math_cases(output& out);
void nn_cases(output& out);
void kernel_cases(output& out);
void conv_cases(output& out);
void pool_cases(output& out);
void normalization_cases(output& out);
}  // namespace parity

namespace {

using namespace parity;
using f32 = float;
using i32 = std::int32_t;

// Divisors stay away from 0.
const gen nonzero = away(-2, 2, {0}, 0.25);

void arithmetic_cases(output& out) {
  const auto add = [](auto a, auto b) { return a + b; };
  const auto sub = [](auto a, auto b) { return a - b; };
  const auto mul = [](auto a, auto b) { return a * b; };
  const auto div = [](auto a, auto b) { return a / b; };
  const char* const tf_add = "lambda a, b: a + b";
  const char* const tf_sub = "lambda a, b: a - b";
  const char* const tf_mul = "lambda a, b: a * b";
  const char* const tf_div = "lambda a, b: a / b";
  test::op_table::for_each_row(test::op_table::arithmetic(), [&](const auto& row) { run_row(out, row); });
  // [3, 1] op [1, 4]: both operands broadcast, both gradients are sums.
  run_case(out, "add_bcast_3x1_1x4", tf_add, add, in<f32, 3, 1>{}, in<f32, 1, 4>{});
  run_case(out, "divide_bcast_3x1_1x4", tf_div, div, in<f32, 3, 1>{}, in<f32, 1, 4>{nonzero});
  // [2, 3, 4] op [4]: a lower-rank operand.
  run_case(out, "subtract_bcast_4_234", tf_sub, sub, in<f32, 4>{}, in<f32, 2, 3, 4>{});
  run_case(out, "multiply_bcast_234_4", tf_mul, mul, in<f32, 2, 3, 4>{}, in<f32, 4>{});
  // A rank-0 tensor on either side.
  run_case(out, "subtract_tensor_scalar", tf_sub, sub, in<f32, 2, 3>{}, in<f32>{});
  run_case(out, "divide_scalar_tensor", tf_div, div, in<f32>{}, in<f32, 2, 3>{nonzero});
  // A number on either side takes the tensor's dtype.
  run_case(
      out, "literal_minus_tensor", "lambda a: 3.0 - a", [](auto a) { return 3.0f - a; }, in<f32, 2, 3>{});
  run_case(
      out, "literal_over_tensor", "lambda a: 1.0 / a", [](auto a) { return 1.0f / a; }, in<f32, 2, 3>{nonzero});
  run_case(out, "multiply_int32", tf_mul, mul, in<i32, 3, 4>{grid(-5, 5)}, in<i32, 3, 4>{grid(-5, 5)});
}

void rounding_and_logical_cases(output& out) {
  test::op_table::for_each_row(test::op_table::rounding_trigonometry_clipping(),
                               [&](const auto& row) { run_row(out, row); });
  test::op_table::for_each_row(test::op_table::logical(), [&](const auto& row) { run_row(out, row); });
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: " << argv[0] << " OUT_FILE [CASE...]\n";
    return 2;
  }
  try {
    parity::output out(argv[1], std::set<std::string>(argv + 2, argv + argc));
    arithmetic_cases(out);
    rounding_and_logical_cases(out);
    parity::math_cases(out);
    parity::nn_cases(out);
    parity::kernel_cases(out);
    parity::conv_cases(out);
    parity::pool_cases(out);
    parity::normalization_cases(out);
    std::cout << argv[0] << ": wrote " << out.count() << " cases to " << argv[1] << "\n";
    return 0;
  } catch (const std::exception& e) {
    std::cerr << argv[0] << ": " << e.what() << "\n";
    return 1;
  }
}
