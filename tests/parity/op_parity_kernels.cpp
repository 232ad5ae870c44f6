// The kernel-op cases of the per-op parity test (see op_parity.cpp and op_parity.hpp):
// comparisons, where, cast, stop_gradient, matmul, reductions (logsumexp too), argmax/argmin
// and shape ops.

#include <limits>

#include "op_parity.hpp"

namespace {

using namespace parity;
using f32 = float;
using f64 = double;
using i32 = std::int32_t;
using i64 = std::int64_t;

void comparison_cases(output& out) {
  // Integer-valued inputs, so that ties occur.
  const gen ties = grid(-2, 2);
  run_case(
      out, "equal", "tf.equal", [](auto a, auto b) { return tf::equal(a, b); }, in<f32, 3, 4>{ties},
      in<f32, 3, 4>{ties});
  run_case(
      out, "not_equal", "tf.not_equal", [](auto a, auto b) { return tf::not_equal(a, b); }, in<f32, 3, 4>{ties},
      in<f32, 3, 4>{ties});
  run_case(
      out, "less", "tf.less", [](auto a, auto b) { return a < b; }, in<f32, 3, 4>{ties}, in<f32, 3, 4>{ties});
  run_case(
      out, "less_equal", "tf.less_equal", [](auto a, auto b) { return tf::less_equal(a, b); }, in<f32, 3, 1>{ties},
      in<f32, 1, 4>{ties});
  run_case(
      out, "greater", "tf.greater", [](auto a, auto b) { return tf::greater(a, b); }, in<f32, 2, 3, 4>{ties},
      in<f32, 4>{ties});
  run_case(
      out, "greater_equal", "tf.greater_equal", [](auto a, auto b) { return a >= b; }, in<f32, 3, 4>{ties},
      in<f32>{ties});
  run_case(
      out, "less_int32", "tf.less", [](auto a, auto b) { return a < b; }, in<i32, 3, 4>{ties}, in<i32, 3, 4>{ties});
  run_case(
      out, "greater_literal_f64", "lambda a: a > 0.5", [](auto a) { return a > 0.5; }, in<f64, 3, 4>{grid(0, 1)});

  // where: the gradient goes to x where cond holds and to y elsewhere; none to cond.
  run_case(
      out, "where", "tf.where", [](auto c, auto a, auto b) { return tf::where(c, a, b); }, in<bool, 3, 4>{boolean()},
      in<f32, 3, 4>{}, in<f32, 3, 4>{});
  run_case(
      out, "where_bcast", "tf.where", [](auto c, auto a, auto b) { return tf::where(c, a, b); },
      in<bool, 3, 1>{boolean()}, in<f32, 1, 4>{}, in<f32>{});
  run_case(
      out, "where_of_comparison", "lambda a, b: tf.where(a > b, a * b, b - a)",
      [](auto a, auto b) { return tf::where(a > b, a * b, b - a); }, in<f32, 3, 4>{}, in<f32, 3, 4>{});

  // cast: floating to integer truncates toward zero; no gradient through an integer or bool.
  run_case(
      out, "cast_float_to_int32", "lambda a: tf.cast(a, tf.int32)", [](auto a) { return tf::cast<i32>(a); },
      in<f32, 3, 4>{uniform(-5, 5)});
  run_case(
      out, "cast_int32_to_float", "lambda a: tf.cast(a, tf.float32)", [](auto a) { return tf::cast<f32>(a); },
      in<i32, 3, 4>{grid(-9, 9)});
  run_case(
      out, "cast_float_to_double", "lambda a: tf.cast(a, tf.float64) * 3.0",
      [](auto a) { return tf::cast<f64>(a) * 3.0; }, in<f32, 3, 4>{});
  run_case(
      out, "cast_bool_to_float", "lambda a: tf.cast(a, tf.float32)", [](auto a) { return tf::cast<f32>(a); },
      in<bool, 3, 4>{boolean()});
  run_case(
      out, "cast_float_to_bool", "lambda a: tf.cast(a, tf.bool)", [](auto a) { return tf::cast<bool>(a); },
      in<f32, 3, 4>{grid(-1, 1)});
  run_case(
      out, "cast_through_int64", "lambda a: tf.cast(tf.cast(a, tf.int64), tf.float32) * a",
      [](auto a) { return tf::cast<f32>(tf::cast<std::int64_t>(a)) * a; }, in<f32, 3, 4>{uniform(-5, 5)});

  // stop_gradient: the identity forward, no gradient through it.
  run_case(
      out, "stop_gradient", "tf.stop_gradient", [](auto a) { return tf::stop_gradient(a); }, in<f32, 3, 4>{});
  run_case(
      out, "stop_gradient_times_x", "lambda a: tf.stop_gradient(a) * a",
      [](auto a) { return tf::stop_gradient(a) * a; }, in<f32, 3, 4>{});
}

void matmul_cases(output& out) {
  const auto mm = [](auto a, auto b) { return tf::matmul(a, b); };
  const auto mm_ta = [](auto a, auto b) { return tf::matmul(a, b, tf::transpose_a); };
  const auto mm_tb = [](auto a, auto b) { return tf::matmul(a, b, tf::transpose_b); };
  const auto mm_tatb = [](auto a, auto b) { return tf::matmul(a, b, tf::transpose_a, tf::transpose_b); };
  const char* const tf_mm = "tf.linalg.matmul";
  const char* const tf_mm_ta = "lambda a, b: tf.linalg.matmul(a, b, transpose_a=True)";
  const char* const tf_mm_tb = "lambda a, b: tf.linalg.matmul(a, b, transpose_b=True)";
  const char* const tf_mm_tatb = "lambda a, b: tf.linalg.matmul(a, b, transpose_a=True, transpose_b=True)";
  run_case(out, "matmul", tf_mm, mm, in<f32, 3, 4>{}, in<f32, 4, 5>{});
  run_case(out, "matmul_transpose_a", tf_mm_ta, mm_ta, in<f32, 4, 3>{}, in<f32, 4, 5>{});
  run_case(out, "matmul_transpose_b", tf_mm_tb, mm_tb, in<f32, 3, 4>{}, in<f32, 5, 4>{});
  run_case(out, "matmul_transpose_a_b", tf_mm_tatb, mm_tatb, in<f32, 4, 3>{}, in<f32, 5, 4>{});
  run_case(out, "matmul_f64", tf_mm, mm, in<f64, 3, 4>{}, in<f64, 4, 5>{});
  // Batched (BatchMatMulV2): rank 3 by rank 3, a batch of 1 or a rank-2 operand broadcast.
  run_case(out, "batch_matmul", tf_mm, mm, in<f32, 2, 3, 4>{}, in<f32, 2, 4, 5>{});
  run_case(out, "batch_matmul_transpose_a_b", tf_mm_tatb, mm_tatb, in<f32, 2, 4, 3>{}, in<f32, 2, 5, 4>{});
  run_case(out, "batch_matmul_bcast_batch_1", tf_mm, mm, in<f32, 1, 3, 4>{}, in<f32, 2, 4, 5>{});
  run_case(out, "batch_matmul_rank3_rank2", tf_mm, mm, in<f32, 2, 3, 4>{}, in<f32, 4, 5>{});
  run_case(out, "batch_matmul_rank2_rank3_transpose_a", tf_mm_ta, mm_ta, in<f32, 4, 3>{}, in<f32, 2, 4, 5>{});
}

void reduction_cases(output& out) {
  using tf::axis, tf::keep_dims;
  const in<f32, 2, 3, 4> x234{uniform(-2, 2)};
  // Products stay away from 0 and of moderate size.
  const in<f32, 2, 3, 4> p234{away(-1.5, 1.5, {0}, 0.3)};
  run_case(
      out, "reduce_sum", "tf.reduce_sum", [](auto a) { return tf::reduce_sum(a); }, x234);
  run_case(
      out, "reduce_sum_axis_0_2_keep_dims", "lambda a: tf.reduce_sum(a, axis=[0, 2], keepdims=True)",
      [](auto a) { return tf::reduce_sum(a, axis<0, 2>, keep_dims); }, x234);
  run_case(
      out, "reduce_sum_axis_neg1", "lambda a: tf.reduce_sum(a, axis=-1)",
      [](auto a) { return tf::reduce_sum(a, axis<-1>); }, x234);
  run_case(
      out, "reduce_mean", "tf.reduce_mean", [](auto a) { return tf::reduce_mean(a); }, x234);
  run_case(
      out, "reduce_mean_axis_neg1_0_keep_dims", "lambda a: tf.reduce_mean(a, axis=[-1, 0], keepdims=True)",
      [](auto a) { return tf::reduce_mean(a, axis<-1, 0>, keep_dims); }, x234);
  run_case(
      out, "reduce_max_axis_0_2_keep_dims", "lambda a: tf.reduce_max(a, axis=[0, 2], keepdims=True)",
      [](auto a) { return tf::reduce_max(a, axis<0, 2>, keep_dims); }, x234);
  run_case(
      out, "reduce_max_axis_neg1", "lambda a: tf.reduce_max(a, axis=-1)",
      [](auto a) { return tf::reduce_max(a, axis<-1>); }, x234);
  run_case(
      out, "reduce_min", "tf.reduce_min", [](auto a) { return tf::reduce_min(a); }, x234);
  run_case(
      out, "reduce_min_axis_neg2_keep_dims", "lambda a: tf.reduce_min(a, axis=-2, keepdims=True)",
      [](auto a) { return tf::reduce_min(a, axis<-2>, keep_dims); }, x234);
  run_case(
      out, "reduce_prod", "tf.reduce_prod", [](auto a) { return tf::reduce_prod(a); },
      in<f32, 3, 4>{away(-1.5, 1.5, {0}, 0.5)});
  run_case(
      out, "reduce_prod_axis_0_2_keep_dims", "lambda a: tf.reduce_prod(a, axis=[0, 2], keepdims=True)",
      [](auto a) { return tf::reduce_prod(a, axis<0, 2>, keep_dims); }, p234);
  run_case(
      out, "reduce_prod_axis_neg1", "lambda a: tf.reduce_prod(a, axis=-1)",
      [](auto a) { return tf::reduce_prod(a, axis<-1>); }, p234);
  run_case(
      out, "reduce_prod_f64", "lambda a: tf.reduce_prod(a, axis=0)", [](auto a) { return tf::reduce_prod(a, axis<0>); },
      in<f64, 3, 4>{away(-2, 2, {0}, 0.3)});
  // Ties: TF splits the gradient evenly among the maxima (minima) of a group.
  run_case(
      out, "reduce_max_ties", "lambda a: tf.reduce_max(a, axis=1)", [](auto a) { return tf::reduce_max(a, axis<1>); },
      in<f32, 4, 5>{grid(-1, 1)});
  run_case(
      out, "reduce_min_ties_keep_dims", "lambda a: tf.reduce_min(a, axis=0, keepdims=True)",
      [](auto a) { return tf::reduce_min(a, axis<0>, keep_dims); }, in<f32, 4, 5>{grid(-1, 1)});
  // Zeros: a row with one 0 (its gradient there is the product of the others) and with two.
  run_case(
      out, "reduce_prod_zeros", "lambda a: tf.reduce_prod(a, axis=1)",
      [](auto a) { return tf::reduce_prod(a, axis<1>); },
      in<f32, 3, 4>{list({1.5, 0, 2, -1, 0, 3, 0, 0.5, 1, 2, 3, 4})});
  // reduce_logsumexp, TF's composite: shifted by the max (where finite), so large logits and
  // groups of -inf (log(0) = -inf; TF's gradient there is 0/0) come out as TF's.
  const gen logits = list({1000, 0, -1000, 5, 100, 100, -100, 0, -1000, -1000, -999, -1000, 1e4, -1e4, 1e4, 30});
  const double inf = std::numeric_limits<double>::infinity();
  run_case(
      out, "reduce_logsumexp", "tf.math.reduce_logsumexp", [](auto a) { return tf::reduce_logsumexp(a); }, x234);
  run_case(
      out, "reduce_logsumexp_axis_0_2_keep_dims", "lambda a: tf.math.reduce_logsumexp(a, axis=[0, 2], keepdims=True)",
      [](auto a) { return tf::reduce_logsumexp(a, axis<0, 2>, keep_dims); }, x234);
  run_case(
      out, "reduce_logsumexp_axis_neg1", "lambda a: tf.math.reduce_logsumexp(a, axis=-1)",
      [](auto a) { return tf::reduce_logsumexp(a, axis<-1>); }, x234);
  run_case(
      out, "reduce_logsumexp_f64", "lambda a: tf.math.reduce_logsumexp(a, axis=1)",
      [](auto a) { return tf::reduce_logsumexp(a, axis<1>); }, in<f64, 2, 3, 4>{});
  run_case(
      out, "reduce_logsumexp_large", "lambda a: tf.math.reduce_logsumexp(a, axis=1)",
      [](auto a) { return tf::reduce_logsumexp(a, axis<1>); }, in<f32, 4, 4>{logits});
  run_case(
      out, "reduce_logsumexp_large_f64", "lambda a: tf.math.reduce_logsumexp(a, axis=0, keepdims=True)",
      [](auto a) { return tf::reduce_logsumexp(a, axis<0>, keep_dims); }, in<f64, 4, 4>{logits});
  run_case(
      out, "reduce_logsumexp_neg_inf", "lambda a: tf.math.reduce_logsumexp(a, axis=1)",
      [](auto a) { return tf::reduce_logsumexp(a, axis<1>); },
      in<f32, 2, 4>{list({-inf, -inf, -inf, -inf, 0, -inf, 1, 2})});
  // argmax/argmin: int64 indices, the first of equal values; no gradient.
  run_case(
      out, "argmax_axis_0", "lambda a: tf.argmax(a)", [](auto a) { return tf::argmax(a); }, in<f32, 3, 5>{grid(-1, 1)});
  run_case(
      out, "argmax_axis_1", "lambda a: tf.argmax(a, axis=1)", [](auto a) { return tf::argmax(a, axis<1>); },
      in<f32, 3, 5>{grid(-1, 1)});
  run_case(
      out, "argmin_axis_neg1", "lambda a: tf.argmin(a, axis=-1)", [](auto a) { return tf::argmin(a, axis<-1>); },
      in<f32, 2, 3, 4>{grid(-1, 1)});
}

void shape_cases(output& out) {
  const in<f32, 2, 3, 4> x234{};
  run_case(
      out, "reshape_inferred_dim", "lambda a: tf.reshape(a, [-1, 6])", [](auto a) { return tf::reshape<-1, 6>(a); },
      x234);
  run_case(
      out, "reshape_inferred_middle", "lambda a: tf.reshape(a, [4, -1, 2])",
      [](auto a) { return tf::reshape<4, -1, 2>(a); }, x234);
  run_case(
      out, "transpose_default", "tf.transpose", [](auto a) { return tf::transpose(a); }, in<f32, 3, 4>{});
  run_case(
      out, "transpose_perm_2_0_1", "lambda a: tf.transpose(a, [2, 0, 1])",
      [](auto a) { return tf::transpose<2, 0, 1>(a); }, x234);
  run_case(
      out, "expand_dims_0", "lambda a: tf.expand_dims(a, 0)", [](auto a) { return tf::expand_dims<0>(a); },
      in<f32, 3, 4>{});
  run_case(
      out, "expand_dims_neg1", "lambda a: tf.expand_dims(a, -1)", [](auto a) { return tf::expand_dims<-1>(a); },
      in<f32, 3, 4>{});
  run_case(
      out, "squeeze_all", "tf.squeeze", [](auto a) { return tf::squeeze(a); }, in<f32, 3, 1, 4, 1>{});
  run_case(
      out, "squeeze_axis_neg1", "lambda a: tf.squeeze(a, [-1])", [](auto a) { return tf::squeeze<-1>(a); },
      in<f32, 3, 1, 4, 1>{});
  run_case(
      out, "concat_axis_1_three", "lambda a, b, c: tf.concat([a, b, c], 1)",
      [](auto a, auto b, auto c) { return tf::concat<1>(a, b, c); }, in<f32, 2, 3>{}, in<f32, 2, 1>{}, in<f32, 2, 2>{});
  run_case(
      out, "concat_axis_neg1_rank3", "lambda a, b: tf.concat([a, b], -1)",
      [](auto a, auto b) { return tf::concat<-1>(a, b); }, in<f32, 2, 3, 2>{}, in<f32, 2, 3, 3>{});
  run_case(
      out, "concat_same_input_twice", "lambda a: tf.concat([a, a * 2.0], 0)",
      [](auto a) { return tf::concat<0>(a, a * 2.0f); }, in<f32, 2, 3>{});
  run_case(
      out, "slice", "lambda a: tf.slice(a, [1, 0], [2, -1])",
      [](auto a) { return tf::slice<1, 0>(a, tf::size<2, -1>); }, in<f32, 4, 5>{});
  run_case(
      out, "slice_rank3", "lambda a: tf.slice(a, [0, 1, 1], [2, 2, 2])",
      [](auto a) { return tf::slice<0, 1, 1>(a, tf::size<2, 2, 2>); }, x234);
  run_case(
      out, "tile", "lambda a: tf.tile(a, [2, 1])", [](auto a) { return tf::tile<2, 1>(a); }, in<f32, 2, 3>{});
  run_case(
      out, "tile_rank3", "lambda a: tf.tile(a, [1, 3, 2])", [](auto a) { return tf::tile<1, 3, 2>(a); },
      in<f32, 2, 1, 3>{});
}

}  // namespace

namespace parity {
void kernel_cases(output& out) {
  comparison_cases(out);
  matmul_cases(out);
  reduction_cases(out);
  shape_cases(out);
}
}  // namespace parity
