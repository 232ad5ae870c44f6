#ifndef TYPEFLOW_TESTS_OPS_OP_TABLE_HPP
#define TYPEFLOW_TESTS_OPS_OP_TABLE_HPP

// The elementwise ops, one row each: everything the tests need to know about an op. From
// each row,
//  - ops/test_op_table.cpp checks the forward values against the row's reference (computed in
//    double) at every length around the SIMD width, in float and double, and at the row's
//    hard inputs (finite where the reference is, and close), and that the fused loop runs the
//    op on xsimd batches;
//  - autodiff/test_gradients_table.cpp checks each gradient against central differences;
//  - parity/op_parity_table.hpp writes the TensorFlow parity cases (values and gradients,
//    float and double, and the hard inputs), with the row's TensorFlow expression;
//  - ops/op_table_doc.cpp prints the README's op tables, which a docs test compares.
// So adding an elementwise op takes its tag, its public function and one row (CONTRIBUTING.md).

#include <cmath>
#include <cstddef>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <typeflow/typeflow.hpp>
#include <utility>
#include <vector>

#include "../input_gen.hpp"

namespace test::op_table {

namespace tf = typeflow;

/// The dtypes of a row's operands, for the README (a row whose reference takes bools is
/// tested with bool operands, every other row with float and double).
enum class dtypes {
  floating,  // float and double
  numeric,   // also int32 and int64 (tested with integers drawn from [-9, 9])
};

/// Elementwise: |got - ref| <= atol + rtol |ref|; a reference that is NaN or infinite must be
/// matched exactly. The atol defaults are below the smallest normal number: they only excuse
/// the few bits a subnormal result has.
struct bound {
  double rtol, atol;
};
struct tolerance {
  bound f32{1.6e-5, 1e-37};
  bound f64{8e-13, 1e-300};
};
/// For ops whose result is exact (max, relu, floor, ...).
inline constexpr tolerance exact{{0, 0}, {0, 0}};

/// Whether the fused loop runs the op on xsimd batches: of float and double, of float only
/// (xsimd's double form is less exact than <cmath>'s), or neither (xsimd lacks the function,
/// and the loop runs the op element by element).
enum class simd_form { all, float_only, none };

/// What a row says besides its two functions.
struct info {
  std::string_view name;    // names the test's subcase and the parity cases (NAME, NAME_f64, NAME_hard, ...)
  std::string_view tf;      // TensorFlow's op: a Python expression called with the operands in order
  std::string_view api;     // the typeflow spelling, markdown, for the README
  std::vector<gen> domain;  // where each operand is drawn from (forward, gradient and parity tests)
  tolerance tol{};
  std::vector<gen> hard{};      // numerically hard inputs, a list per operand (at most 16 values)
  std::vector<gen> hard_f64{};  // double's (else `hard`; the parity test has a double case for these only)
  std::string_view note{};      // the README's notes column
  simd_form simd = simd_form::all;
};

/// The parameters of a reference function (a lambda).
template <class R>
struct signature_of : signature_of<decltype(&R::operator())> {};
template <class C, class Ret, class A0, class... A>
struct signature_of<Ret (C::*)(A0, A...) const> {
  static constexpr std::size_t arity = 1 + sizeof...(A);
  static constexpr bool boolean = std::is_same_v<A0, bool>;
};

/// A row: `fn` builds the op on placeholders (a generic lambda), `ref` computes it in double
/// (in bool for the logical ops).
template <class F, class R, dtypes Types>
struct row : info {
  F fn;
  R ref;
  static constexpr std::size_t arity = signature_of<R>::arity;
  static constexpr bool boolean = signature_of<R>::boolean;
  static constexpr dtypes types = Types;
};

/// A row of an op for Types (floating by default: `make<dtypes::numeric>(...)` for one that
/// also takes integers).
template <dtypes Types = dtypes::floating, class F, class R>
row<F, R, Types> make(info i, F fn, R ref) {
  return {std::move(i), fn, ref};
}

/// A family of rows: one table in the README.
template <class... Rows>
struct family {
  std::string_view title;
  std::tuple<Rows...> rows;
};
template <class... Rows>
family(std::string_view, std::tuple<Rows...>) -> family<Rows...>;

template <class Family, class F>
void for_each_row(const Family& fam, F&& f) {
  std::apply([&](const auto&... r) { (f(r), ...); }, fam.rows);
}

// --- the rows ----------------------------------------------------------------------------

inline constexpr dtypes numeric = dtypes::numeric;
inline const gen any = uniform(-2, 2);
inline const gen nonzero = away(-2, 2, {0}, 0.25);  // divisors
// Ties and near-ties of maximum and minimum.
inline const gen ties_x = list({-1, 0, 1, 1, 0, -1, 1, 0, 2});
inline const gen ties_y = list({-1, 0, 1, 0, 1, 0, -1, 0, 2});
// Halves, the largest non-integers, and the float below 0.5 (floor(x + 0.5) rounds it up).
inline const gen roundings =
    list({-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 3.5, -0.0, 0.49999997, 8388607.5, -8388607.5, 1e30, -1e30, 2.4999998});
inline const gen roundings_f64 =
    list({-2.5, 0.5, 1.5, 0.49999999999999994, 4503599627370495.5, -4503599627370495.5, 1e300, -0.0});
inline constexpr tolerance trigonometric{{1.6e-5, 1e-6}, {8e-13, 1e-14}};
inline const gen trig_hard = list({0, 1e-30, 3.1415927, -3.1415927, 1.5707964, 100, 1e4, -1e4, 1e5});

inline auto arithmetic() {
  return family{"Arithmetic",
                std::tuple{
                    make<numeric>(
                        {.name = "add", .tf = "tf.math.add", .api = "`x + y`, `tf::add(x, y)`", .domain = {any, any}},
                        [](auto x, auto y) { return x + y; }, [](double x, double y) { return x + y; }),
                    make<numeric>(
                        {.name = "subtract",
                         .tf = "tf.math.subtract",
                         .api = "`x - y`, `tf::subtract(x, y)`",
                         .domain = {any, any}},
                        [](auto x, auto y) { return x - y; }, [](double x, double y) { return x - y; }),
                    make<numeric>(
                        {.name = "multiply",
                         .tf = "tf.math.multiply",
                         .api = "`x * y`, `tf::multiply(x, y)`",
                         .domain = {any, any}},
                        [](auto x, auto y) { return x * y; }, [](double x, double y) { return x * y; }),
                    make(
                        {.name = "divide",
                         .tf = "tf.math.divide",
                         .api = "`x / y`, `tf::divide(x, y)`",
                         .domain = {any, nonzero}},
                        [](auto x, auto y) { return x / y; }, [](double x, double y) { return x / y; }),
                    make<numeric>(
                        {.name = "negative",
                         .tf = "tf.math.negative",
                         .api = "`-x`, `tf::negative(x)`",
                         .domain = {any},
                         .tol = exact},
                        [](auto x) { return -x; }, [](double x) { return -x; }),
                    make<numeric>(
                        {.name = "square", .tf = "tf.math.square", .api = "`tf::square(x)`", .domain = {any}},
                        [](auto x) { return tf::square(x); }, [](double x) { return x * x; }),
                    make<numeric>(
                        {.name = "zeros_like",
                         .tf = "tf.zeros_like",
                         .api = "`tf::zeros_like(x)`",
                         .domain = {any},
                         .tol = exact,
                         .note = "TF's gradient is None; here no path"},
                        [](auto x) { return tf::zeros_like(x); }, [](double) { return 0.0; }),
                    make<numeric>(
                        {.name = "ones_like",
                         .tf = "tf.ones_like",
                         .api = "`tf::ones_like(x)`",
                         .domain = {any},
                         .tol = exact,
                         .note = "TF's gradient is None; here no path"},
                        [](auto x) { return tf::ones_like(x); }, [](double) { return 1.0; }),
                }};
}

inline auto math() {
  return family{
      "Math",
      std::tuple{
          make(
              {.name = "sqrt",
               .tf = "tf.math.sqrt",
               .api = "`tf::sqrt(x)`",
               .domain = {uniform(0.05, 4)},
               // No subnormal inputs in float: TF's vectorised sqrt flushes them to 0 (so its
               // gradient there is inf), where typeflow returns the correctly rounded root.
               .hard = {list({1e-30, 1e-10, 1.2e-38, 1e30, 0, 4})},
               .hard_f64 = {list({1e-300, 1e-30, 1e-10, 1e300, 0, 4})}},
              [](auto x) { return tf::sqrt(x); }, [](double x) { return std::sqrt(x); }),
          make(
              {.name = "rsqrt", .tf = "tf.math.rsqrt", .api = "`tf::rsqrt(x)`", .domain = {uniform(0.05, 4)}},
              [](auto x) { return tf::rsqrt(x); }, [](double x) { return 1 / std::sqrt(x); }),
          make(
              {.name = "exp",
               .tf = "tf.math.exp",
               .api = "`tf::exp(x)`",
               .domain = {uniform(-3, 3)},
               .hard = {list({-20, -50, -87, -88.5, -100, -104, -200, -1000})},
               .hard_f64 = {list({-50, -300, -700, -745, -800, -1000})}},
              [](auto x) { return tf::exp(x); }, [](double x) { return std::exp(x); }),
          make(
              {.name = "log",
               .tf = "tf.math.log",
               .api = "`tf::log(x)`",
               .domain = {uniform(0.05, 5)},
               .hard = {list({1e-30, 1e-7, 1e-20, 1.2e-38, 1, 1e30, 3e-5, 0})},
               .hard_f64 = {list({1e-300, 1e-30, 1e-7, 1e-16, 1, 1e300})}},
              [](auto x) { return tf::log(x); }, [](double x) { return std::log(x); }),
          make(
              {.name = "log1p",
               .tf = "tf.math.log1p",
               .api = "`tf::log1p(x)`",
               .domain = {uniform(-0.9, 3)},
               .hard = {list({1e-7, 1e-30, -1e-7, 1e-3, -0.5, 10, -0.999, 1e-12})}},
              [](auto x) { return tf::log1p(x); }, [](double x) { return std::log1p(x); }),
          make<numeric>(
              {.name = "abs",
               .tf = "tf.math.abs",
               .api = "`tf::abs(x)`",
               .domain = {nonzero},
               .tol = exact,
               .hard = {list({0, -0.0, 1, -1})}},
              [](auto x) { return tf::abs(x); }, [](double x) { return std::abs(x); }),
          make<numeric>(
              {.name = "sign",
               .tf = "tf.math.sign",
               .api = "`tf::sign(x)`",
               .domain = {grid(-2, 2)},
               .tol = exact,
               .note = "TF's gradient is zeros; here no path"},
              [](auto x) { return tf::sign(x); }, [](double x) { return double((0 < x) - (x < 0)); }),
          make(
              {.name = "pow",
               .tf = "tf.math.pow",
               .api = "`tf::pow(x, y)`",
               .domain = {uniform(0.2, 3), uniform(-2, 2)},
               // Bases <= 0 with integer exponents: d/dy uses log(x) only where x > 0 (0 elsewhere).
               .hard = {list({-2, -1.5, -1, 0.5, 2, 3, -0.5, 1}), list({2, 3, 1, 2, 0, -1, 2, 3})},
               .note = "d/dy is 0 where x <= 0, as TF's"},
              [](auto x, auto y) { return tf::pow(x, y); }, [](double x, double y) { return std::pow(x, y); }),
          // Ties: the gradient goes to x where x >= y (maximum), x <= y (minimum).
          make<numeric>(
              {.name = "maximum",
               .tf = "tf.math.maximum",
               .api = "`tf::maximum(x, y)`",
               .domain = {any, any},
               .tol = exact,
               .hard = {ties_x, ties_y},
               .note = "a tie sends the gradient to x"},
              [](auto x, auto y) { return tf::maximum(x, y); }, [](double x, double y) { return std::max(x, y); }),
          make<numeric>(
              {.name = "minimum",
               .tf = "tf.math.minimum",
               .api = "`tf::minimum(x, y)`",
               .domain = {any, any},
               .tol = exact,
               .hard = {ties_x, ties_y},
               .note = "a tie sends the gradient to x"},
              [](auto x, auto y) { return tf::minimum(x, y); }, [](double x, double y) { return std::min(x, y); }),
          make(
              {.name = "erf",
               .tf = "tf.math.erf",
               .api = "`tf::erf(x)`",
               .domain = {uniform(-3, 3)},
               .hard = {list({0, 1e-30, -1e-7, 1e-3, 3, -3, 5, -10, 30})}},
              [](auto x) { return tf::erf(x); }, [](double x) { return std::erf(x); }),
          make(
              {.name = "erfc",
               .tf = "tf.math.erfc",
               .api = "`tf::erfc(x)`",
               .domain = {uniform(-3, 3)},
               .hard = {list({-30, -3, 0, 1e-7, 3, 5, 9})},
               .hard_f64 = {list({-30, 0, 1e-17, 5, 10, 20, 26})},
               .simd = simd_form::float_only},
              [](auto x) { return tf::erfc(x); }, [](double x) { return std::erfc(x); }),
          make(
              {.name = "expm1",
               .tf = "tf.math.expm1",
               .api = "`tf::expm1(x)`",
               .domain = {uniform(-3, 3)},
               .hard = {list({1e-7, -1e-7, 1e-30, 1e-3, -20, -100, 88, 89})},
               .hard_f64 = {list({1e-16, -1e-16, 1e-300, -40, -800, 700, 710})}},
              [](auto x) { return tf::expm1(x); }, [](double x) { return std::expm1(x); }),
          make(
              {.name = "reciprocal",
               .tf = "tf.math.reciprocal",
               .api = "`tf::reciprocal(x)`",
               .domain = {nonzero},
               .hard = {list({1e-30, -1e-30, 1e30, -1e30, 0, -0.0, 3, -0.5})}},
              [](auto x) { return tf::reciprocal(x); }, [](double x) { return 1 / x; }),
          // (x - y)^2 directly: x^2 - 2xy + y^2 would cancel.
          make<numeric>(
              {.name = "squared_difference",
               .tf = "tf.math.squared_difference",
               .api = "`tf::squared_difference(x, y)`",
               .domain = {any, any},
               .hard = {list({10001, 1e20, -1e19, 3, 1e-20, 1e19}), list({1e4, 1e20, 1e19, 3, -1e-20, -1e19})}},
              [](auto x, auto y) { return tf::squared_difference(x, y); },
              [](double x, double y) { return (x - y) * (x - y); }),
      }};
}

inline auto rounding_trigonometry_clipping() {
  return family{"Rounding, trigonometry, clipping",
                std::tuple{
                    make(
                        {.name = "floor",
                         .tf = "tf.math.floor",
                         .api = "`tf::floor(x)`",
                         .domain = {uniform(-4, 4)},
                         .tol = exact,
                         .hard = {roundings},
                         .hard_f64 = {roundings_f64}},
                        [](auto x) { return tf::floor(x); }, [](double x) { return std::floor(x); }),
                    make(
                        {.name = "ceil",
                         .tf = "tf.math.ceil",
                         .api = "`tf::ceil(x)`",
                         .domain = {uniform(-4, 4)},
                         .tol = exact,
                         .hard = {roundings},
                         .hard_f64 = {roundings_f64}},
                        [](auto x) { return tf::ceil(x); }, [](double x) { return std::ceil(x); }),
                    make(
                        {.name = "round",
                         .tf = "tf.math.round",
                         .api = "`tf::round(x)`",
                         .domain = {uniform(-4, 4)},
                         .tol = exact,
                         .hard = {roundings},
                         .hard_f64 = {roundings_f64},
                         .note = "halves to even, as TF's"},
                        [](auto x) { return tf::round(x); }, [](double x) { return std::nearbyint(x); }),
                    // Near sin's zeros the float result is a few ulps of 1 off: an absolute tolerance.
                    make(
                        {.name = "sin",
                         .tf = "tf.math.sin",
                         .api = "`tf::sin(x)`",
                         .domain = {uniform(-10, 10)},
                         .tol = trigonometric,
                         .hard = {trig_hard}},
                        [](auto x) { return tf::sin(x); }, [](double x) { return std::sin(x); }),
                    make(
                        {.name = "cos",
                         .tf = "tf.math.cos",
                         .api = "`tf::cos(x)`",
                         .domain = {uniform(-10, 10)},
                         .tol = trigonometric,
                         .hard = {trig_hard}},
                        [](auto x) { return tf::cos(x); }, [](double x) { return std::cos(x); }),
                    // Gradient at the bounds (hard inputs): TF's passes it to t where lo <= t <= hi.
                    make<numeric>(
                        {.name = "clip_by_value",
                         // Integer bounds, which every dtype takes (TF refuses 1.0 for an int32 tensor).
                         .tf = "lambda x: tf.clip_by_value(x, -1, 1)",
                         .api = "`tf::clip_by_value(x, -1, 1)`",
                         .domain = {away(-2, 2, {-1, 1})},
                         .tol = exact,
                         .hard = {list({-1, 1, -2, 2, 0, 1e30, -1e30, 0.5})}},
                        [](auto x) { return tf::clip_by_value(x, -1, 1); },
                        [](double x) { return std::max(std::min(x, 1.0), -1.0); }),
                    make<numeric>(
                        {.name = "clip_by_value_tensors",
                         .tf = "tf.clip_by_value",
                         .api = "`tf::clip_by_value(x, y, z)`",
                         .domain = {uniform(-3, 3), uniform(-2, -0.5), uniform(0.5, 2)},
                         .tol = exact,
                         .hard = {list({-1, 1, -2, 2, 0.5}), list({-1, -1, -1, -1, -1}), list({1, 1, 1, 1, 1})},
                         .note = "the gradient passes where y <= x <= z, as TF's"},
                        [](auto x, auto y, auto z) { return tf::clip_by_value(x, y, z); },
                        [](double x, double y, double z) { return std::max(std::min(x, z), y); }),
                }};
}

// Inputs where naive formulas overflow or lose their precision.
inline const gen large = list({100, -100, 1000, -1000, 20, -20, 89, -89, 0, 1e-7, 17, -17});
inline const gen large_f64 = list({100, -100, 1000, -1000, 710, -710, 37, -37});

inline auto activations() {
  return family{
      "Activations",
      std::tuple{
          make(
              {.name = "sigmoid",
               .tf = "tf.math.sigmoid",
               .api = "`tf::sigmoid(x)`, `tf::nn::sigmoid(x)`",
               .domain = {uniform(-6, 6)},
               .hard = {large},
               .hard_f64 = {large_f64}},
              [](auto x) { return tf::sigmoid(x); }, [](double x) { return 1 / (1 + std::exp(-x)); }),
          make(
              {.name = "tanh",
               .tf = "tf.math.tanh",
               .api = "`tf::tanh(x)`, `tf::nn::tanh(x)`",
               .domain = {uniform(-4, 4)},
               .hard = {large},
               .hard_f64 = {large_f64}},
              [](auto x) { return tf::tanh(x); }, [](double x) { return std::tanh(x); }),
          // At the kinks, TF's ReluGrad passes the gradient where y > 0, Relu6Grad where 0 < x < 6,
          // LeakyReluGrad where x > 0, EluGrad where y < 0 takes y + 1.
          make<numeric>(
              {.name = "relu",
               .tf = "tf.nn.relu",
               .api = "`tf::nn::relu(x)`",
               .domain = {away(-2, 2, {0})},
               .tol = exact,
               .hard = {list({0, -0.0, 1, -1})}},
              [](auto x) { return tf::nn::relu(x); }, [](double x) { return x > 0 ? x : 0.0; }),
          make<numeric>(
              {.name = "relu6",
               .tf = "tf.nn.relu6",
               .api = "`tf::nn::relu6(x)`",
               .domain = {away(-3, 9, {0, 6})},
               .tol = exact,
               .hard = {list({0, 6, -1, 3, 7, -0.0})}},
              [](auto x) { return tf::nn::relu6(x); }, [](double x) { return std::min(std::max(x, 0.0), 6.0); }),
          make(
              {.name = "leaky_relu",
               .tf = "tf.nn.leaky_relu",
               .api = "`tf::nn::leaky_relu(x)` (alpha 0.2)",
               .domain = {away(-2, 2, {0})},
               .hard = {list({0, 1, -1})},
               .note = "alpha rounded to float32, as TF's attr"},
              [](auto x) { return tf::nn::leaky_relu(x); }, [](double x) { return x > 0 ? x : double(0.2f) * x; }),
          make(
              {.name = "leaky_relu_alpha_0.01",
               .tf = "lambda x: tf.nn.leaky_relu(x, alpha=0.01)",
               .api = "`tf::nn::leaky_relu(x, 0.01)`",
               .domain = {away(-2, 2, {0})}},
              [](auto x) { return tf::nn::leaky_relu(x, 0.01); },
              [](double x) { return x > 0 ? x : double(0.01f) * x; }),
          make(
              {.name = "elu",
               .tf = "tf.nn.elu",
               .api = "`tf::nn::elu(x)`",
               .domain = {away(-3, 2, {0})},
               .hard = {list({0, 1, -1, -100, -1000, -1e-7, -20, -88, -1e-30})}},
              [](auto x) { return tf::nn::elu(x); }, [](double x) { return x < 0 ? std::expm1(x) : x; }),
          make(
              {.name = "softplus",
               .tf = "tf.nn.softplus",
               .api = "`tf::nn::softplus(x)`",
               .domain = {uniform(-6, 6)},
               .hard = {large},
               .hard_f64 = {large_f64}},
              [](auto x) { return tf::nn::softplus(x); },
              [](double x) { return std::max(x, 0.0) + std::log1p(std::exp(-std::abs(x))); }),
          make(
              {.name = "selu",
               .tf = "tf.nn.selu",
               .api = "`tf::nn::selu(x)`",
               .domain = {away(-3, 2, {0})},
               .hard = {list({0, 1, -1, -100, -1000, -1e-7, 20, 88, -1e-3})},
               .note = "expm1: at -1e-30 the gradient is scale alpha, TF's scale"},
              [](auto x) { return tf::nn::selu(x); },
              [](double x) { return x < 0 ? 1.7580993408473768599 * std::expm1(x) : 1.0507009873554804934 * x; }),
          make(
              {.name = "softsign",
               .tf = "tf.nn.softsign",
               .api = "`tf::nn::softsign(x)`",
               .domain = {uniform(-4, 4)},
               .hard = {list({1e30, -1e30, 1e-30, 0, 1e20, -5})}},
              [](auto x) { return tf::nn::softsign(x); }, [](double x) { return x / (1 + std::abs(x)); }),
          make(
              {.name = "silu",
               .tf = "tf.nn.silu",
               .api = "`tf::nn::silu(x)`, `tf::nn::swish(x)`",
               // x sigmoid(x) underflows where sigmoid does: e^-89 is subnormal in float, and TF's is 0.
               .domain = {uniform(-6, 6)},
               .tol = {{1.6e-5, 1e-36}, {8e-13, 1e-300}},
               .hard = {large},
               .hard_f64 = {large_f64},
               .note = "x sigmoid(x); beta 1 only"},
              [](auto x) { return tf::nn::silu(x); }, [](double x) { return x / (1 + std::exp(-x)); }),
          // TF's constants 1/sqrt(2) and 0.044715 are float32 values, also in double (activations.hpp).
          make(
              {.name = "gelu",
               .tf = "tf.nn.gelu",
               .api = "`tf::nn::gelu(x)`",
               .domain = {uniform(-4, 4)},
               .hard = {list({-100, -10, -5, 5, 10, 100, 1e-7, 0, -1e-7})},
               .note = "0.5 x erfc(-x / sqrt(2)), as TF's"},
              [](auto x) { return tf::nn::gelu(x); },
              [](double x) { return 0.5 * x * std::erfc(-x * 0.7071067811865476f); }),
          // 1 + tanh(...) cancels for x below -3 in float, in TF's formula as in typeflow's; near x = -5
          // TF's tanh is exactly -1 (Eigen clamps beyond 7.9) and xsimd's 1 ulp above, so no -5 here.
          make(
              {.name = "gelu_approximate",
               .tf = "lambda x: tf.nn.gelu(x, approximate=True)",
               .api = "`tf::nn::gelu(x, tf::nn::approximate)`",
               .domain = {uniform(-4, 4)},
               .tol = {{1.6e-5, 1e-6}, {8e-13, 1e-14}},
               .hard = {list({-100, -10, -4, 5, 10, 100, 0, 1e-7})}},
              [](auto x) { return tf::nn::gelu(x, tf::nn::approximate); },
              [](double x) { return 0.5 * x * (1 + std::tanh(0.7978845608028654 * (x + 0.044715f * x * x * x))); }),
      }};
}

inline auto logical() {
  return family{"Logical",
                std::tuple{
                    make(
                        {.name = "logical_and",
                         .tf = "tf.math.logical_and",
                         .api = "`tf::logical_and(x, y)`",
                         .domain = {boolean(), boolean()}},
                        [](auto x, auto y) { return tf::logical_and(x, y); }, [](bool x, bool y) { return x && y; }),
                    make(
                        {.name = "logical_or",
                         .tf = "tf.math.logical_or",
                         .api = "`tf::logical_or(x, y)`",
                         .domain = {boolean(), boolean()}},
                        [](auto x, auto y) { return tf::logical_or(x, y); }, [](bool x, bool y) { return x || y; }),
                    make(
                        {.name = "logical_not",
                         .tf = "tf.math.logical_not",
                         .api = "`tf::logical_not(x)`",
                         .domain = {boolean()}},
                        [](auto x) { return tf::logical_not(x); }, [](bool x) { return !x; }),
                }};
}

/// Calls f(family) for each family, in the README's order.
template <class F>
void for_each_family(F&& f) {
  f(arithmetic());
  f(math());
  f(rounding_trigonometry_clipping());
  f(activations());
  f(logical());
}

}  // namespace test::op_table

#endif
