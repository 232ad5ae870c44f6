// Every gradient against central finite differences (gradient_check.hpp): matmul, reductions, and the seed's loss.

#include <doctest/doctest.h>

#include <typeflow/typeflow.hpp>

#include "gradient_check.hpp"

using test::check_gradient;
using test::random_tensor;

TEST_CASE("autodiff.matmul: both operands, every transpose combination") {
  auto a = tf::placeholder<"a", double, 5, 3>();
  auto b = tf::placeholder<"b", double, 3, 4>();
  auto at = tf::placeholder<"at", double, 3, 5>();
  auto bt = tf::placeholder<"bt", double, 4, 3>();
  const auto A = random_tensor<double, 2>({5, 3}, 4, -1.5, 1.5), B = random_tensor<double, 2>({3, 4}, 5, -1.5, 1.5);
  const auto At = random_tensor<double, 2>({3, 5}, 6, -1.5, 1.5), Bt = random_tensor<double, 2>({4, 3}, 7, -1.5, 1.5);
  // A weighted sum, so that every output element gets a different gradient.
  auto w = tf::placeholder<"w", double, 5, 4>();
  const auto fw = tf::feed(w, random_tensor<double, 2>({5, 4}, 8, -1.5, 1.5));

  check_gradient(tf::matmul(a, b) * w, a, A, tf::feed(b, B), fw);
  check_gradient(tf::matmul(a, b) * w, b, B, tf::feed(a, A), fw);
  check_gradient(tf::matmul(at, b, tf::transpose_a) * w, at, At, tf::feed(b, B), fw);
  check_gradient(tf::matmul(at, b, tf::transpose_a) * w, b, B, tf::feed(at, At), fw);
  check_gradient(tf::matmul(a, bt, tf::transpose_b) * w, a, A, tf::feed(bt, Bt), fw);
  check_gradient(tf::matmul(a, bt, tf::transpose_b) * w, bt, Bt, tf::feed(a, A), fw);
  check_gradient(tf::matmul(at, bt, tf::transpose_a, tf::transpose_b) * w, at, At, tf::feed(bt, Bt), fw);
  check_gradient(tf::matmul(at, bt, tf::transpose_a, tf::transpose_b) * w, bt, Bt, tf::feed(at, At), fw);
}

TEST_CASE("autodiff.reduce: sum and mean over axes, with keep_dims, under further ops") {
  auto x = tf::placeholder<"x", double, 3, 4, 5>();
  const auto X = random_tensor<double, 3>({3, 4, 5}, 9, -1.5, 1.5);
  auto w = tf::placeholder<"w", double, 3, 5>();
  const auto fw = tf::feed(w, random_tensor<double, 2>({3, 5}, 10, -1.5, 1.5));

  check_gradient(tf::reduce_sum(x), x, X);
  check_gradient(tf::reduce_mean(tf::square(x)), x, X);
  check_gradient(tf::square(tf::reduce_sum(x, tf::axis<1>)) * w, x, X, fw);
  check_gradient(tf::square(tf::reduce_mean(x, tf::axis<-2>)) * w, x, X, fw);
  check_gradient(tf::square(tf::reduce_sum(x, tf::axis<0, 2>, tf::keep_dims)), x, X);
  check_gradient(tf::square(tf::reduce_mean(x, tf::axis<0, 2>)), x, X);
  check_gradient(x * tf::reduce_sum(x, tf::axis<2>, tf::keep_dims), x, X);
}

TEST_CASE("autodiff.linear_regression: the seed's loss, for both variables' shapes") {
  auto x = tf::placeholder<"x", double, tf::none, 3>();
  auto y = tf::placeholder<"y", double, tf::none, 1>();
  auto W = tf::placeholder<"W", double, 3, 1>();
  auto b = tf::placeholder<"b", double, 1>();
  auto loss = tf::reduce_mean(tf::square(y - (tf::matmul(x, W) + b)));
  const auto X = random_tensor<double, 2>({9, 3}, 14, -1.5, 1.5), Y = random_tensor<double, 2>({9, 1}, 15, -1.5, 1.5);
  const auto Wv = random_tensor<double, 2>({3, 1}, 16, -1.5, 1.5);
  const auto bv = random_tensor<double, 1>({1}, 17, -1.5, 1.5);
  check_gradient(loss, W, Wv, tf::feed(x, X), tf::feed(y, Y), tf::feed(b, bv));
  check_gradient(loss, b, bv, tf::feed(x, X), tf::feed(y, Y), tf::feed(W, Wv));
  check_gradient(loss, x, X, tf::feed(y, Y), tf::feed(W, Wv), tf::feed(b, bv));
}
