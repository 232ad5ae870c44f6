// The typeflow half of the per-op parity test against TensorFlow (op_parity.py runs it and
// computes the same ops with TensorFlow):
//
//   op_parity OUT_FILE [CASE...]
//
// writes, for every case (or only the cases named), the inputs, y, the upstream weight w and
// the gradients of reduce_sum(y * w) to OUT_FILE, in the format described in op_parity.hpp.
// This unit holds main() and the arithmetic and math cases; op_parity_nn.cpp the activations,
// nn ops and losses; op_parity_kernels.cpp comparisons, where, cast, matmul, the reductions
// and the shape ops. Three units: each compiles in about a third of the time and
// memory of one, and they compile in parallel.

#include <exception>
#include <iostream>

#include "op_parity.hpp"

namespace parity {
void nn_cases(output& out);
void kernel_cases(output& out);
}

namespace {

using namespace parity;
using f32 = float;
using f64 = double;
using i32 = std::int32_t;

// Divisors, rsqrt and log arguments stay away from 0 unless a case is about 0.
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
  run_case(out, "add", tf_add, add, in<f32, 3, 4>{}, in<f32, 3, 4>{});
  run_case(out, "subtract", tf_sub, sub, in<f32, 3, 4>{}, in<f32, 3, 4>{});
  run_case(out, "multiply", tf_mul, mul, in<f32, 3, 4>{}, in<f32, 3, 4>{});
  run_case(out, "divide", tf_div, div, in<f32, 3, 4>{}, in<f32, 3, 4>{nonzero});
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
  run_case(out, "literal_minus_tensor", "lambda a: 3.0 - a", [](auto a) { return 3.0f - a; }, in<f32, 2, 3>{});
  run_case(out, "literal_over_tensor", "lambda a: 1.0 / a", [](auto a) { return 1.0f / a; }, in<f32, 2, 3>{nonzero});
  run_case(out, "negate", "lambda a: tf.negative(a)", [](auto a) { return -a; }, in<f32, 3, 4>{});
  run_case(out, "square", "lambda a: tf.square(a)", [](auto a) { return tf::square(a); }, in<f32, 3, 4>{});
  // float64.
  run_case(out, "divide_f64", tf_div, div, in<f64, 3, 4>{}, in<f64, 3, 4>{nonzero});
  run_case(out, "multiply_int32", tf_mul, mul, in<i32, 3, 4>{grid(-5, 5)}, in<i32, 3, 4>{grid(-5, 5)});
}

void math_cases(output& out) {
  run_case(out, "sqrt", "tf.sqrt", [](auto a) { return tf::sqrt(a); }, in<f32, 3, 4>{uniform(0.05, 4)});
  run_case(out, "rsqrt", "tf.math.rsqrt", [](auto a) { return tf::rsqrt(a); }, in<f32, 3, 4>{uniform(0.05, 4)});
  run_case(out, "exp", "tf.exp", [](auto a) { return tf::exp(a); }, in<f32, 3, 4>{uniform(-3, 3)});
  run_case(out, "log", "tf.math.log", [](auto a) { return tf::log(a); }, in<f32, 3, 4>{uniform(0.05, 5)});
  run_case(out, "log1p", "tf.math.log1p", [](auto a) { return tf::log1p(a); }, in<f32, 3, 4>{uniform(-0.9, 3)});
  run_case(out, "abs", "tf.abs", [](auto a) { return tf::abs(a); }, in<f32, 3, 4>{nonzero});
  // sign: typeflow cuts the gradient path (a compile error if asked for), TF's is zeros.
  run_case(out, "sign", "tf.sign", [](auto a) { return tf::sign(a); }, in<f32, 3, 4>{grid(-2, 2)});
  run_case(out, "pow", "tf.pow", [](auto a, auto b) { return tf::pow(a, b); }, in<f32, 3, 4>{uniform(0.2, 3)},
           in<f32, 3, 4>{uniform(-2, 2)});
  run_case(out, "pow_bcast_3x1_1x4", "tf.pow", [](auto a, auto b) { return tf::pow(a, b); },
           in<f32, 3, 1>{uniform(0.2, 3)}, in<f32, 1, 4>{uniform(-2, 2)});
  // Bases <= 0 with integer exponents: d/dy uses log(x) only where x > 0 (0 elsewhere).
  run_case(out, "pow_nonpositive_base", "tf.pow", [](auto a, auto b) { return tf::pow(a, b); },
           in<f32, 2, 4>{list({-2, -1.5, -1, 0.5, 2, 3, -0.5, 1})}, in<f32, 2, 4>{list({2, 3, 1, 2, 0, -1, 2, 3})});
  run_case(out, "maximum", "tf.maximum", [](auto a, auto b) { return tf::maximum(a, b); }, in<f32, 3, 4>{},
           in<f32, 3, 4>{});
  run_case(out, "minimum", "tf.minimum", [](auto a, auto b) { return tf::minimum(a, b); }, in<f32, 3, 4>{},
           in<f32, 3, 4>{});
  run_case(out, "maximum_bcast_3x1_1x4", "tf.maximum", [](auto a, auto b) { return tf::maximum(a, b); },
           in<f32, 3, 1>{}, in<f32, 1, 4>{});
  // Ties: the gradient goes to x where x >= y (maximum), x <= y (minimum), as TF's.
  run_case(out, "maximum_ties", "tf.maximum", [](auto a, auto b) { return tf::maximum(a, b); },
           in<f32, 3, 4>{grid(-1, 1)}, in<f32, 3, 4>{grid(-1, 1)});
  run_case(out, "minimum_ties", "tf.minimum", [](auto a, auto b) { return tf::minimum(a, b); },
           in<f32, 3, 4>{grid(-1, 1)}, in<f32, 3, 4>{grid(-1, 1)});
  run_case(out, "pow_f64", "tf.pow", [](auto a, auto b) { return tf::pow(a, b); }, in<f64, 3, 4>{uniform(0.2, 3)},
           in<f64, 3, 4>{uniform(-2, 2)});

  // Numerically hard inputs.
  run_case(out, "log_tiny", "tf.math.log", [](auto a) { return tf::log(a); },
           in<f32, 8>{list({1e-30, 1e-7, 1e-20, 1.2e-38, 1, 1e30, 3e-5, 0})});
  run_case(out, "log1p_tiny", "tf.math.log1p", [](auto a) { return tf::log1p(a); },
           in<f32, 8>{list({1e-7, 1e-30, -1e-7, 1e-3, -0.5, 10, -0.999, 1e-12})});
  run_case(out, "log_tiny_f64", "tf.math.log", [](auto a) { return tf::log(a); },
           in<f64, 6>{list({1e-300, 1e-30, 1e-7, 1e-16, 1, 1e300})});
  run_case(out, "exp_large_negative", "tf.exp", [](auto a) { return tf::exp(a); },
           in<f32, 8>{list({-20, -50, -87, -88.5, -100, -104, -200, -1000})});
  run_case(out, "exp_large_negative_f64", "tf.exp", [](auto a) { return tf::exp(a); },
           in<f64, 6>{list({-50, -300, -700, -745, -800, -1000})});
  // No subnormal inputs (below 1.18e-38 in float32): TF's vectorised sqrt flushes them to 0
  // (so its gradient there is inf), where typeflow returns the correctly rounded root.
  run_case(out, "sqrt_tiny", "tf.sqrt", [](auto a) { return tf::sqrt(a); },
           in<f32, 6>{list({1e-30, 1e-10, 1.2e-38, 1e30, 0, 4})});
  run_case(out, "abs_at_zero", "tf.abs", [](auto a) { return tf::abs(a); }, in<f32, 4>{list({0, -0.0, 1, -1})});
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
    math_cases(out);
    parity::nn_cases(out);
    parity::kernel_cases(out);
    std::cout << argv[0] << ": wrote " << out.count() << " cases to " << argv[1] << "\n";
    return 0;
  } catch (const std::exception& e) {
    std::cerr << argv[0] << ": " << e.what() << "\n";
    return 1;
  }
}
