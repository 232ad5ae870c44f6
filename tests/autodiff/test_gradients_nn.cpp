// Every gradient of the nn ops against central finite differences (gradient_check.hpp), on
// shapes with several rows and classes, weighted so that every output gets its own gradient.

#include <doctest/doctest.h>

#include <cstdint>
#include <typeflow/typeflow.hpp>

#include "gradient_check.hpp"

using test::check_gradient;
using test::random_tensor;

namespace {
xt::xtensor<double, 2> normalised_rows(xt::xtensor<double, 2> z) {
  for (std::size_t r = 0; r < z.shape()[0]; ++r) {
    double s = 0;
    for (std::size_t c = 0; c < z.shape()[1]; ++c) s += z(r, c);
    for (std::size_t c = 0; c < z.shape()[1]; ++c) z(r, c) /= s;
  }
  return z;
}
}  // namespace

TEST_CASE("autodiff.nn: softmax and log_softmax, rank 2 and rank 3") {
  auto x = tf::placeholder<"x", double, 4, 6>();
  auto w = tf::placeholder<"w", double, 4, 6>();
  const auto X = random_tensor<double, 2>({4, 6}, 1, -3, 3);
  const auto fw = tf::feed(w, random_tensor<double, 2>({4, 6}, 2, -1.5, 1.5));
  // sum(softmax(x)) is constant per row: the weights make its gradient non-zero.
  check_gradient(tf::nn::softmax(x) * w, x, X, fw);
  check_gradient(tf::nn::log_softmax(x) * w, x, X, fw);

  auto v = tf::placeholder<"v", double, 2, 3, 5>();
  auto u = tf::placeholder<"u", double, 2, 3, 5>();
  const auto V = random_tensor<double, 3>({2, 3, 5}, 3, -3, 3);
  const auto fu = tf::feed(u, random_tensor<double, 3>({2, 3, 5}, 4, -1.5, 1.5));
  check_gradient(tf::nn::softmax(v) * u, v, V, fu);
  check_gradient(tf::nn::log_softmax(v) * u, v, V, fu);
  // Through both, and softmax feeding an elementwise op that reads it twice.
  check_gradient(tf::square(tf::nn::softmax(tf::nn::log_softmax(v) * u)), v, V, fu);
}

TEST_CASE("autodiff.nn: softmax_cross_entropy_with_logits, to the logits and to the labels") {
  auto x = tf::placeholder<"x", double, tf::none, 7>();
  auto z = tf::placeholder<"z", double, tf::none, 7>();
  auto w = tf::placeholder<"w", double, tf::none>();
  const auto X = random_tensor<double, 2>({5, 7}, 5, -3, 3);
  // Rows of probabilities: TF's gradient to the logits, softmax(x) - z, assumes that each row
  // of labels sums to 1 (the true derivative is sum(z) softmax(x) - z).
  const auto Z = normalised_rows(random_tensor<double, 2>({5, 7}, 6, 0, 1));
  const auto fw = tf::feed(w, random_tensor<double, 1>({5}, 7, -1.5, 1.5));
  auto loss = tf::nn::softmax_cross_entropy_with_logits(tf::labels = z, tf::logits = x) * w;
  check_gradient(loss, x, X, tf::feed(z, Z), fw);
  check_gradient(loss, z, Z, tf::feed(x, X), fw);
  // Labels that are themselves a softmax: the labels' gradient flows on.
  auto y = tf::placeholder<"y", double, tf::none, 7>();
  const auto Y = random_tensor<double, 2>({5, 7}, 8, -2, 2);
  check_gradient(tf::nn::softmax_cross_entropy_with_logits(tf::labels = tf::nn::softmax(y), tf::logits = x) * w, y, Y,
                 tf::feed(x, X), fw);
  // Rank 1: a scalar loss, seeded by a plain 1.
  auto x1 = tf::placeholder<"x1", double, 6>();
  auto z1 = tf::placeholder<"z1", double, 6>();
  const auto X1 = random_tensor<double, 1>({6}, 9, -3, 3);
  const auto Z1n = normalised_rows(random_tensor<double, 2>({1, 6}, 10, 0, 1));
  const xt::xtensor<double, 1> Z1 = xt::adapt(Z1n.data(), 6, xt::no_ownership(), std::array<std::size_t, 1>{6});
  check_gradient(tf::nn::softmax_cross_entropy_with_logits(tf::labels = z1, tf::logits = x1), x1, X1, tf::feed(z1, Z1));
  check_gradient(tf::nn::softmax_cross_entropy_with_logits(tf::labels = z1, tf::logits = x1), z1, Z1, tf::feed(x1, X1));
}

TEST_CASE("autodiff.nn: sparse_softmax_cross_entropy_with_logits, int32 and int64 labels, rank 2 and 3") {
  auto x = tf::placeholder<"x", double, tf::none, 7>();
  auto l = tf::placeholder<"l", std::int32_t, tf::none>();
  auto w = tf::placeholder<"w", double, tf::none>();
  const auto X = random_tensor<double, 2>({5, 7}, 11, -3, 3);
  const xt::xtensor<std::int32_t, 1> L = {0, 6, 3, 3, 1};
  const auto fw = tf::feed(w, random_tensor<double, 1>({5}, 12, -1.5, 1.5));
  check_gradient(tf::nn::sparse_softmax_cross_entropy_with_logits(tf::labels = l, tf::logits = x) * w, x, X,
                 tf::feed(l, L), fw);

  auto v = tf::placeholder<"v", double, 2, 3, 4>();
  auto m = tf::placeholder<"m", std::int64_t, 2, 3>();
  const xt::xtensor<std::int64_t, 2> M = {{0, 1, 2}, {3, 3, 0}};
  check_gradient(tf::reduce_mean(tf::nn::sparse_softmax_cross_entropy_with_logits(tf::labels = m, tf::logits = v)), v,
                 random_tensor<double, 3>({2, 3, 4}, 13, -3, 3), tf::feed(m, M));
}

TEST_CASE("autodiff.nn: sigmoid_cross_entropy_with_logits, to the logits and to the labels") {
  auto x = tf::placeholder<"x", double, 4, 5>();
  auto z = tf::placeholder<"z", double, 4, 5>();
  auto w = tf::placeholder<"w", double, 4, 5>();
  const auto X = random_tensor<double, 2>({4, 5}, 14, -4, 4), Z = random_tensor<double, 2>({4, 5}, 15, 0, 1);
  const auto fw = tf::feed(w, random_tensor<double, 2>({4, 5}, 16, -1.5, 1.5));
  auto loss = tf::nn::sigmoid_cross_entropy_with_logits(tf::labels = z, tf::logits = x) * w;
  check_gradient(loss, x, X, tf::feed(z, Z), fw);
  check_gradient(loss, z, Z, tf::feed(x, X), fw);
}

TEST_CASE("autodiff.nn: l2_loss, bias_add and losses::mean_squared_error") {
  auto x = tf::placeholder<"x", double, tf::none, 5>();
  auto b = tf::placeholder<"b", double, 5>();
  auto w = tf::placeholder<"w", double, tf::none, 5>();
  const auto X = random_tensor<double, 2>({4, 5}, 17, -1.5, 1.5);
  const auto B = random_tensor<double, 1>({5}, 18, -1.5, 1.5);
  const auto fw = tf::feed(w, random_tensor<double, 2>({4, 5}, 19, -1.5, 1.5));
  check_gradient(tf::nn::l2_loss(x * w), x, X, fw);
  check_gradient(tf::square(tf::nn::bias_add(x, b)) * w, x, X, tf::feed(b, B), fw);
  check_gradient(tf::square(tf::nn::bias_add(x, b)) * w, b, B, tf::feed(x, X), fw);
  auto v = tf::placeholder<"v", double, 2, 3, 5>();
  const auto V = random_tensor<double, 3>({2, 3, 5}, 20, -1.5, 1.5);
  check_gradient(tf::nn::l2_loss(tf::nn::bias_add(v, b)), b, B, tf::feed(v, V));
  auto y = tf::placeholder<"y", double, tf::none, 5>();
  const auto Y = random_tensor<double, 2>({4, 5}, 21, -1.5, 1.5);
  check_gradient(tf::losses::mean_squared_error(tf::labels = y, tf::predictions = x), x, X, tf::feed(y, Y));
  check_gradient(tf::losses::mean_squared_error(tf::labels = y, tf::predictions = x), y, Y, tf::feed(x, X));
}

TEST_CASE("autodiff.nn: a classifier's loss, to the weights and the bias") {
  auto x = tf::placeholder<"x", double, tf::none, 4>();
  auto l = tf::placeholder<"l", std::int32_t, tf::none>();
  auto W = tf::placeholder<"W", double, 4, 3>();
  auto b = tf::placeholder<"b", double, 3>();
  auto loss = tf::reduce_mean(tf::nn::sparse_softmax_cross_entropy_with_logits(
                  tf::labels = l, tf::logits = tf::nn::bias_add(tf::matmul(x, W), b))) +
              0.01 * tf::nn::l2_loss(W);
  const auto X = random_tensor<double, 2>({6, 4}, 22, -1.5, 1.5), Wv = random_tensor<double, 2>({4, 3}, 23, -1.5, 1.5);
  const auto Bv = random_tensor<double, 1>({3}, 24, -1.5, 1.5);
  const xt::xtensor<std::int32_t, 1> L = {0, 1, 2, 2, 1, 0};
  check_gradient(loss, W, Wv, tf::feed(x, X), tf::feed(l, L), tf::feed(b, Bv));
  check_gradient(loss, b, Bv, tf::feed(x, X), tf::feed(l, L), tf::feed(W, Wv));
}
