// conv2d, max_pool and avg_pool gradients (and their gradients: second derivatives) against
// central finite differences (gradient_check.hpp), over both paddings, strides and dilations.

#include <doctest/doctest.h>

#include <typeflow/typeflow.hpp>

#include "gradient_check.hpp"

using test::check_gradient;
using test::random_tensor;

namespace {

/// The gradients of conv2d(x, f) * w to x and to f, at random x, f and w.
template <long H, long W, long KH, long KW, class... Options>
void check_conv_gradients(Options... options) {
  auto x = tf::placeholder<"x", double, 2, H, W, 3>();
  auto f = tf::placeholder<"f", double, KH, KW, 3, 2>();
  auto y = tf::nn::conv2d(x, f, options...);
  using S = tf::shape_of_t<decltype(y)>;
  auto weight = tf::placeholder<"weight", double, 2, S::dims[1], S::dims[2], 2>();
  const auto X = random_tensor<double, 4>({2, std::size_t(H), std::size_t(W), 3}, 11);
  const auto F = random_tensor<double, 4>({std::size_t(KH), std::size_t(KW), 3, 2}, 12);
  const auto fw =
      tf::feed(weight, random_tensor<double, 4>({2, std::size_t(S::dims[1]), std::size_t(S::dims[2]), 2}, 13));
  check_gradient(y * weight, x, X, tf::feed(f, F), fw);
  check_gradient(y * weight, f, F, tf::feed(x, X), fw);
}

}  // namespace

TEST_CASE("autodiff.conv2d: to the input and the filter, every padding, strides, dilations") {
  check_conv_gradients<5, 5, 3, 3>(tf::strides<1>, tf::padding<"SAME">);
  check_conv_gradients<5, 5, 3, 3>(tf::strides<1>, tf::padding<"VALID">);
  check_conv_gradients<7, 6, 3, 2>(tf::strides<2>, tf::padding<"SAME">);
  check_conv_gradients<7, 6, 3, 2>(tf::strides<2, 3>, tf::padding<"VALID">);
  check_conv_gradients<7, 7, 2, 3>(tf::strides<1>, tf::padding<"SAME">, tf::dilations<2>);
  check_conv_gradients<4, 5, 1, 1>(tf::strides<1>, tf::padding<"VALID">);  // the 1x1 path
}

TEST_CASE("autodiff.conv2d: second derivatives, through the backprop ops' own gradients") {
  auto x = tf::placeholder<"x", double, 1, 5, 4, 2>();
  auto f = tf::placeholder<"f", double, 3, 2, 2, 2>();
  auto w = tf::placeholder<"w", double, 1, 3, 4, 2>();
  auto y = tf::nn::conv2d(x, f, tf::strides<2, 1>, tf::padding<"SAME">);
  auto loss = tf::reduce_sum(tf::square(y) * w);
  const auto X = random_tensor<double, 4>({1, 5, 4, 2}, 14), F = random_tensor<double, 4>({3, 2, 2, 2}, 15);
  const auto fw = tf::feed(w, random_tensor<double, 4>({1, 3, 4, 2}, 16));
  const auto [dx, df] = tf::gradients(loss, x, f);  // Conv2DBackpropInput and Conv2DBackpropFilter of 2 y w
  check_gradient(dx, x, X, tf::feed(f, F), fw);
  check_gradient(dx, f, F, tf::feed(x, X), fw);
  check_gradient(df, x, X, tf::feed(f, F), fw);
  check_gradient(df, f, F, tf::feed(x, X), fw);
}

TEST_CASE("autodiff.pool: max_pool and avg_pool, every padding, and their second derivatives") {
  auto x = tf::placeholder<"x", double, 2, 5, 6, 3>();
  const auto X = random_tensor<double, 4>({2, 5, 6, 3}, 17);  // no ties: the max is differentiable
  auto w = tf::placeholder<"w", double, 2, 3, 3, 3>();
  auto wv = tf::placeholder<"wv", double, 2, 2, 2, 3>();
  const auto fw = tf::feed(w, random_tensor<double, 4>({2, 3, 3, 3}, 18));
  const auto fwv = tf::feed(wv, random_tensor<double, 4>({2, 2, 2, 3}, 19));
  auto max_same = tf::nn::max_pool(x, tf::ksize<2>, tf::strides<2>, tf::padding<"SAME">);          // 3x3
  auto max_valid = tf::nn::max_pool(x, tf::ksize<3, 2>, tf::strides<2, 3>, tf::padding<"VALID">);  // 2x2
  auto avg_same = tf::nn::avg_pool(x, tf::ksize<3>, tf::strides<2>, tf::padding<"SAME">);          // 3x3
  auto avg_valid = tf::nn::avg_pool(x, tf::ksize<3, 2>, tf::strides<2, 3>, tf::padding<"VALID">);  // 2x2
  check_gradient(max_same * w, x, X, fw);
  check_gradient(max_valid * wv, x, X, fwv);
  check_gradient(avg_same * w, x, X, fw);
  check_gradient(avg_valid * wv, x, X, fwv);
  // d/dx of the gradient: MaxPoolGrad's gradient (MaxPoolGradGrad), AvgPoolGrad's (AvgPool).
  check_gradient(tf::get<0>(tf::gradients(tf::reduce_sum(tf::square(max_same) * w), x)), x, X, fw);
  check_gradient(tf::get<0>(tf::gradients(tf::reduce_sum(tf::square(avg_valid) * wv), x)), x, X, fwv);
}
