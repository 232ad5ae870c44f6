// The activation and nn cases of the per-op parity test (see op_parity.cpp and
// op_parity.hpp): the activation rows of tests/ops/op_table.hpp (with their kinks and large
// inputs), softmax, log_softmax, the cross-entropies, l2_loss, bias_add and mean_squared_error.

#include "../ops/op_table.hpp"
#include "op_parity.hpp"

namespace {

using namespace parity;
using f32 = float;
using f64 = double;
using i32 = std::int32_t;
using i64 = std::int64_t;

// Just below 0, TF's Selu is scale alpha (exp(x) - 1), which rounds to 0 where x > -6e-8 (float)
// or -1e-16 (double), and its SeluGrad reads that 0 as x >= 0: a gradient of scale, not
// typeflow's scale alpha (its expm1 keeps the sign). Listed in op_parity.py's EXPECTED_FAILURES.
void selu_just_below_zero(output& out) {
  run_case(
      out, "selu_just_below_0", "tf.nn.selu", [](auto a) { return tf::nn::selu(a); },
      in<float, 4>{list({-1e-30, -1e-10, -1e-8, -3e-8})});
}

void nn_loss_cases(output& out) {
  const auto softmax = [](auto a) { return tf::nn::softmax(a); };
  const auto log_softmax = [](auto a) { return tf::nn::log_softmax(a); };
  const auto xent = [](auto z, auto x) {
    return tf::nn::softmax_cross_entropy_with_logits(tf::labels = z, tf::logits = x);
  };
  const auto sparse_xent = [](auto l, auto x) {
    return tf::nn::sparse_softmax_cross_entropy_with_logits(tf::labels = l, tf::logits = x);
  };
  const auto sigmoid_xent = [](auto z, auto x) {
    return tf::nn::sigmoid_cross_entropy_with_logits(tf::labels = z, tf::logits = x);
  };
  const char* const tf_xent = "lambda z, x: tf.nn.softmax_cross_entropy_with_logits(labels=z, logits=x)";
  const char* const tf_sparse_xent = "lambda l, x: tf.nn.sparse_softmax_cross_entropy_with_logits(labels=l, logits=x)";
  const char* const tf_sigmoid_xent = "lambda z, x: tf.nn.sigmoid_cross_entropy_with_logits(labels=z, logits=x)";
  const gen logits = uniform(-3, 3);
  // Rows with huge and equal logits: a stable softmax shifts each row by its max.
  const gen large = list({1000, 0, -1000, 5, 100, 100, -100, 0, -1000, -1000, -999, -1000, 1e4, -1e4, 1e4, 30});
  run_case(out, "softmax", "tf.nn.softmax", softmax, in<f32, 3, 5>{logits});
  run_case(out, "softmax_rank3", "tf.nn.softmax", softmax, in<f32, 2, 3, 4>{logits});
  run_case(out, "softmax_large", "tf.nn.softmax", softmax, in<f32, 4, 4>{large});
  run_case(out, "log_softmax", "tf.nn.log_softmax", log_softmax, in<f32, 3, 5>{logits});
  run_case(out, "log_softmax_large", "tf.nn.log_softmax", log_softmax, in<f32, 4, 4>{large});
  run_case(out, "log_softmax_large_f64", "tf.nn.log_softmax", log_softmax, in<f64, 4, 4>{large});

  run_case(out, "softmax_cross_entropy", tf_xent, xent, in<f32, 4, 5>{simplex()}, in<f32, 4, 5>{logits});
  run_case(out, "softmax_cross_entropy_rank3", tf_xent, xent, in<f32, 2, 3, 4>{simplex()}, in<f32, 2, 3, 4>{logits});
  run_case(out, "softmax_cross_entropy_large", tf_xent, xent, in<f32, 4, 4>{simplex()}, in<f32, 4, 4>{large});
  run_case(out, "softmax_cross_entropy_one_hot_large", tf_xent, xent,
           in<f32, 4, 4>{list({0, 0, 1, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1})}, in<f32, 4, 4>{large});
  run_case(out, "softmax_cross_entropy_f64", tf_xent, xent, in<f64, 4, 5>{simplex()}, in<f64, 4, 5>{logits});
  run_case(
      out, "softmax_cross_entropy_of_softmax",
      "lambda y, x: tf.nn.softmax_cross_entropy_with_logits(labels=tf.nn.softmax(y), logits=x)",
      [](auto y, auto x) {
        return tf::nn::softmax_cross_entropy_with_logits(tf::labels = tf::nn::softmax(y), tf::logits = x);
      },
      in<f32, 3, 4>{logits}, in<f32, 3, 4>{logits});

  run_case(out, "sparse_softmax_cross_entropy", tf_sparse_xent, sparse_xent, in<i32, 4>{grid(0, 4)},
           in<f32, 4, 5>{logits});
  run_case(out, "sparse_softmax_cross_entropy_int64_rank3", tf_sparse_xent, sparse_xent, in<i64, 2, 3>{grid(0, 3)},
           in<f32, 2, 3, 4>{logits});
  run_case(out, "sparse_softmax_cross_entropy_large", tf_sparse_xent, sparse_xent, in<i64, 4>{list({2, 0, 1, 3})},
           in<f32, 4, 4>{large});
  run_case(out, "sparse_softmax_cross_entropy_f64", tf_sparse_xent, sparse_xent, in<i32, 4>{grid(0, 4)},
           in<f64, 4, 5>{logits});

  run_case(out, "sigmoid_cross_entropy", tf_sigmoid_xent, sigmoid_xent, in<f32, 3, 4>{uniform(0, 1)},
           in<f32, 3, 4>{logits});
  run_case(out, "sigmoid_cross_entropy_large", tf_sigmoid_xent, sigmoid_xent,
           in<f32, 12>{list({0, 1, 0.5, 1, 0, 0.25, 1, 0, 0, 1, 0.5, 0.5})},
           in<f32, 12>{list({100, -100, 1000, -1000, 20, -20, 89, -89, 0, 1e-7, 1e4, -1e4})});
  run_case(out, "sigmoid_cross_entropy_f64", tf_sigmoid_xent, sigmoid_xent, in<f64, 3, 4>{uniform(0, 1)},
           in<f64, 3, 4>{logits});

  run_case(
      out, "l2_loss", "tf.nn.l2_loss", [](auto a) { return tf::nn::l2_loss(a); }, in<f32, 3, 4>{});
  run_case(
      out, "bias_add", "tf.nn.bias_add", [](auto v, auto b) { return tf::nn::bias_add(v, b); }, in<f32, 3, 4>{},
      in<f32, 4>{});
  run_case(
      out, "bias_add_rank3", "tf.nn.bias_add", [](auto v, auto b) { return tf::nn::bias_add(v, b); },
      in<f32, 2, 3, 4>{}, in<f32, 4>{});
  run_case(
      out, "mean_squared_error", "lambda y, p: tf.compat.v1.losses.mean_squared_error(y, p)",
      [](auto y, auto p) { return tf::losses::mean_squared_error(tf::labels = y, tf::predictions = p); },
      in<f32, 3, 4>{}, in<f32, 3, 4>{});
  run_case(
      out, "mean_squared_error_f64", "lambda y, p: tf.compat.v1.losses.mean_squared_error(y, p)",
      [](auto y, auto p) { return tf::losses::mean_squared_error(tf::labels = y, tf::predictions = p); },
      in<f64, 5, 1>{}, in<f64, 5, 1>{});
}

}  // namespace

namespace parity {
void nn_cases(output& out) {
  test::op_table::for_each_row(test::op_table::activations(), [&](const auto& row) { run_row(out, row); });
  selu_just_below_zero(out);
  nn_loss_cases(out);
}
}  // namespace parity
