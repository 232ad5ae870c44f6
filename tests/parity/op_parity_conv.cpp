// The convolution and pooling cases of the per-op parity test (see op_parity.cpp and
// op_parity.hpp): conv2d, max_pool and avg_pool with "SAME" and "VALID" padding, strides
// that do and do not divide the input, dilations, odd sizes, float and double; values,
// gradients to every input, and TensorFlow running typeflow's exported Conv2D/MaxPool/AvgPool;
// and tf.nn.moments and tf.nn.batch_normalization, which TF composes from primitives as
// typeflow does.
// TF's CPU Conv2DBackpropInput/Filter reject dilations, so the dilated cases' reference is
// tf.nn.convolution, which TF computes through space_to_batch; their exported Conv2D, with
// its dilations attr, runs in TensorFlow as it is.

#include "op_parity.hpp"

namespace parity {

namespace {
using f32 = float;
using f64 = double;
}  // namespace

void conv_cases(output& out) {
  const auto conv = [](auto... window) { return [=](auto x, auto f) { return tf::nn::conv2d(x, f, window...); }; };
  const auto same = tf::padding<"SAME">;
  const auto valid = tf::padding<"VALID">;
  run_case(out, "conv2d_same", "lambda x, f: tf.nn.conv2d(x, f, strides=[1, 1, 1, 1], padding='SAME')",
           conv(tf::strides<1, 1, 1, 1>, same), in<f32, 2, 5, 5, 3>{}, in<f32, 3, 3, 3, 4>{});
  run_case(out, "conv2d_valid", "lambda x, f: tf.nn.conv2d(x, f, strides=[1, 1, 1, 1], padding='VALID')",
           conv(tf::strides<1, 1, 1, 1>, valid), in<f32, 2, 5, 5, 3>{}, in<f32, 3, 3, 3, 4>{});
  run_case(out, "conv2d_same_stride2_odd", "lambda x, f: tf.nn.conv2d(x, f, strides=[1, 2, 2, 1], padding='SAME')",
           conv(tf::strides<1, 2, 2, 1>, same), in<f32, 2, 7, 6, 3>{}, in<f32, 3, 2, 3, 5>{});
  run_case(out, "conv2d_valid_stride2_odd", "lambda x, f: tf.nn.conv2d(x, f, strides=[1, 2, 2, 1], padding='VALID')",
           conv(tf::strides<1, 2, 2, 1>, valid), in<f32, 2, 7, 6, 3>{}, in<f32, 3, 2, 3, 5>{});
  run_case(out, "conv2d_same_stride3x2_even_window", "lambda x, f: tf.nn.conv2d(x, f, strides=[3, 2], padding='SAME')",
           conv(tf::strides<3, 2>, same), in<f32, 1, 8, 9, 2>{}, in<f32, 2, 4, 2, 3>{});
  run_case(out, "conv2d_valid_stride3x2_even_window",
           "lambda x, f: tf.nn.conv2d(x, f, strides=[3, 2], padding='VALID')", conv(tf::strides<3, 2>, valid),
           in<f32, 1, 8, 9, 2>{}, in<f32, 2, 4, 2, 3>{});
  run_case(out, "conv2d_same_dilated",
           "lambda x, f: tf.nn.convolution(x, f, strides=1, padding='SAME', dilations=[2, 3])",
           conv(tf::strides<1>, same, tf::dilations<1, 2, 3, 1>), in<f32, 2, 9, 7, 2>{}, in<f32, 3, 3, 2, 3>{});
  run_case(out, "conv2d_valid_dilated", "lambda x, f: tf.nn.convolution(x, f, strides=1, padding='VALID', dilations=2)",
           conv(tf::strides<1>, valid, tf::dilations<2>), in<f32, 2, 9, 7, 2>{}, in<f32, 3, 3, 2, 3>{});
  run_case(out, "conv2d_1x1", "lambda x, f: tf.nn.conv2d(x, f, strides=1, padding='VALID')",
           conv(tf::strides<1>, valid), in<f32, 3, 4, 5, 6>{}, in<f32, 1, 1, 6, 4>{});
  run_case(out, "conv2d_1x1_stride2", "lambda x, f: tf.nn.conv2d(x, f, strides=2, padding='SAME')",
           conv(tf::strides<2>, same), in<f32, 2, 5, 5, 3>{}, in<f32, 1, 1, 3, 2>{});
  run_case(out, "conv2d_one_channel_5x5", "lambda x, f: tf.nn.conv2d(x, f, strides=1, padding='SAME')",
           conv(tf::strides<1>, same), in<f32, 2, 8, 8, 1>{}, in<f32, 5, 5, 1, 4>{});
  run_case(out, "conv2d_same_f64", "lambda x, f: tf.nn.conv2d(x, f, strides=2, padding='SAME')",
           conv(tf::strides<2>, same), in<f64, 2, 7, 7, 3>{}, in<f64, 3, 3, 3, 2>{});
  run_case(out, "conv2d_valid_f64", "lambda x, f: tf.nn.conv2d(x, f, strides=1, padding='VALID')",
           conv(tf::strides<1>, valid), in<f64, 2, 6, 5, 2>{}, in<f64, 2, 3, 2, 3>{});
}

void pool_cases(output& out) {
  const auto max_pool = [](auto... window) { return [=](auto x) { return tf::nn::max_pool(x, window...); }; };
  const auto avg_pool = [](auto... window) { return [=](auto x) { return tf::nn::avg_pool(x, window...); }; };
  const auto same = tf::padding<"SAME">;
  const auto valid = tf::padding<"VALID">;
  const auto k2s2 = [](auto pool, auto pad) { return pool(tf::ksize<1, 2, 2, 1>, tf::strides<1, 2, 2, 1>, pad); };
  run_case(out, "max_pool_2x2_same_odd", "lambda x: tf.nn.max_pool(x, [1, 2, 2, 1], [1, 2, 2, 1], 'SAME')",
           k2s2(max_pool, same), in<f32, 2, 7, 5, 3>{});
  run_case(out, "max_pool_2x2_valid_odd", "lambda x: tf.nn.max_pool(x, [1, 2, 2, 1], [1, 2, 2, 1], 'VALID')",
           k2s2(max_pool, valid), in<f32, 2, 7, 5, 3>{});
  run_case(out, "max_pool_3x3_stride1_same", "lambda x: tf.nn.max_pool(x, 3, 1, 'SAME')",
           max_pool(tf::ksize<3>, tf::strides<1>, same), in<f32, 1, 6, 6, 2>{});
  run_case(out, "max_pool_3x2_stride2x1_valid", "lambda x: tf.nn.max_pool(x, [3, 2], [2, 1], 'VALID')",
           max_pool(tf::ksize<3, 2>, tf::strides<2, 1>, valid), in<f32, 2, 7, 6, 3>{});
  run_case(out, "max_pool_ties", "lambda x: tf.nn.max_pool(x, 2, 1, 'VALID')",  // the first max takes g
           max_pool(tf::ksize<2>, tf::strides<1>, valid), in<f32, 1, 4, 4, 2>{grid(0, 2)});
  run_case(out, "max_pool_f64", "lambda x: tf.nn.max_pool(x, 3, 2, 'SAME')",
           max_pool(tf::ksize<3>, tf::strides<2>, same), in<f64, 2, 5, 5, 2>{});
  run_case(out, "avg_pool_2x2_same_odd", "lambda x: tf.nn.avg_pool(x, [1, 2, 2, 1], [1, 2, 2, 1], 'SAME')",
           k2s2(avg_pool, same), in<f32, 2, 7, 5, 3>{});
  run_case(out, "avg_pool_2x2_valid_odd", "lambda x: tf.nn.avg_pool(x, [1, 2, 2, 1], [1, 2, 2, 1], 'VALID')",
           k2s2(avg_pool, valid), in<f32, 2, 7, 5, 3>{});
  run_case(out, "avg_pool_3x3_stride2_same", "lambda x: tf.nn.avg_pool(x, 3, 2, 'SAME')",
           avg_pool(tf::ksize<3>, tf::strides<2>, same), in<f32, 2, 6, 7, 2>{});
  run_case(out, "avg_pool_3x2_stride2x1_valid", "lambda x: tf.nn.avg_pool(x, [3, 2], [2, 1], 'VALID')",
           avg_pool(tf::ksize<3, 2>, tf::strides<2, 1>, valid), in<f32, 2, 7, 6, 3>{});
  run_case(out, "avg_pool_f64", "lambda x: tf.nn.avg_pool(x, 2, 2, 'SAME')",
           avg_pool(tf::ksize<2>, tf::strides<2>, same), in<f64, 2, 5, 5, 2>{});
}

void normalization_cases(output& out) {
  run_case(
      out, "moments_variance_nhwc", "lambda x: tf.nn.moments(x, axes=[0, 1, 2])[1]",
      [](auto x) { return tf::nn::moments(x, tf::axis<0, 1, 2>).second; }, in<f32, 2, 3, 4, 5>{});
  run_case(
      out, "moments_mean_keepdims", "lambda x: tf.nn.moments(x, axes=[0], keepdims=True)[0]",
      [](auto x) { return tf::nn::moments(x, tf::axis<0>, tf::keep_dims).first; }, in<f32, 6, 4>{});
  run_case(
      out, "batch_normalization",
      "lambda x, m, v, o, s: tf.nn.batch_normalization(x, m, v, o, s, variance_epsilon=1e-3)",
      [](auto x, auto m, auto v, auto o, auto s) { return tf::nn::batch_normalization(x, m, v, o, s, 1e-3); },
      in<f32, 2, 3, 3, 4>{}, in<f32, 4>{}, in<f32, 4>{uniform(0.1, 2)}, in<f32, 4>{}, in<f32, 4>{});
  run_case(
      out, "batch_normalization_of_moments_f64",
      "lambda x, o, s: tf.nn.batch_normalization(x, *tf.nn.moments(x, axes=[0, 1, 2]), o, s, 1e-3)",
      [](auto x, auto o, auto s) {
        const auto [mean, variance] = tf::nn::moments(x, tf::axis<0, 1, 2>);
        return tf::nn::batch_normalization(x, mean, variance, o, s, 1e-3);
      },
      in<f64, 2, 3, 3, 4>{}, in<f64, 4>{}, in<f64, 4>{});
}

}  // namespace parity
