// Gradients of reduce_max/min/prod/logsumexp, the shape ops and batched matmul against central
// finite differences (gradient_check.hpp); max's ties, stop_gradient and argmax by value and type.

#include <doctest/doctest.h>

#include <typeflow/typeflow.hpp>

#include "gradient_check.hpp"

using test::check_gradient;
using test::random_tensor;

TEST_CASE("autodiff.reduce: max, min and prod over axes, with keep_dims") {
  auto x = tf::placeholder<"x", double, 3, tf::none, 5>();
  const auto X = random_tensor<double, 3>({3, 4, 5}, 21, -1.5, 1.5);
  auto w = tf::placeholder<"w", double, 3, 5>();
  const auto fw = tf::feed(w, random_tensor<double, 2>({3, 5}, 22, -1.5, 1.5));

  check_gradient(tf::reduce_max(x), x, X);
  check_gradient(tf::reduce_max(x, tf::axis<1>) * w, x, X, fw);
  check_gradient(tf::square(tf::reduce_min(x, tf::axis<0, 2>, tf::keep_dims)), x, X);
  check_gradient(tf::reduce_min(x, tf::axis<-2>) * w, x, X, fw);
  check_gradient(tf::reduce_prod(x, tf::axis<1>) * w, x, X, fw);
  check_gradient(tf::square(tf::reduce_prod(x, tf::axis<0, 2>, tf::keep_dims)), x, X);
  // Zeros in the product: the gradient is the product of the others, with no division.
  auto Z = X;
  Z(0, 1, 0) = 0;
  Z(1, 2, 3) = 0;
  Z(1, 3, 3) = 0;
  check_gradient(tf::reduce_prod(x, tf::axis<1>) * w, x, Z, fw);
  check_gradient(tf::reduce_prod(x), x, Z);
}

TEST_CASE("autodiff.reduce_logsumexp: the softmax over the reduced axes, through the composite") {
  auto x = tf::placeholder<"x", double, 3, tf::none, 5>();
  const auto X = random_tensor<double, 3>({3, 4, 5}, 23, -3.0, 3.0);
  auto w = tf::placeholder<"w", double, 3, 5>();
  const auto fw = tf::feed(w, random_tensor<double, 2>({3, 5}, 24, -1.5, 1.5));
  check_gradient(tf::reduce_logsumexp(x), x, X);
  check_gradient(tf::reduce_logsumexp(x, tf::axis<1>) * w, x, X, fw);
  check_gradient(tf::square(tf::reduce_logsumexp(x, tf::axis<0, 2>, tf::keep_dims)), x, X);
  // Large inputs: the gradient, exp(x - logsumexp), stays finite and sums to 1 per group.
  auto y = tf::placeholder<"y", double, 2, 3>();
  const xt::xtensor<double, 2> Y = {{1000, 1000, -1000}, {-5e3, 0, 5e3}};
  const auto [dy] = tf::gradients(tf::reduce_logsumexp(y, tf::axis<1>), y);
  tf::Session sess;
  const auto g = sess.run(dy, tf::feed(y, Y));
  const xt::xtensor<double, 2> softmax = {{0.5, 0.5, 0}, {0, 0, 1}};
  for (std::size_t i = 0; i < g.size(); ++i) CHECK(g.data()[i] == doctest::Approx(softmax.data()[i]).scale(1e-300));
}

TEST_CASE("autodiff.reduce_max: ties share the gradient equally, as in TensorFlow") {
  auto x = tf::placeholder<"x", double, 2, 4>();
  const xt::xtensor<double, 2> X = {{3, 1, 3, 3}, {-1, 2, 0, 2}};
  auto g_rows =
      tf::get<0>(tf::gradients(tf::reduce_max(x, tf::axis<1>) * tf::constant(xt::xtensor<double, 1>{6, 4}), x));
  tf::Session sess;
  CHECK(sess.run(g_rows, tf::feed(x, X)) == xt::xtensor<double, 2>{{2, 0, 2, 2}, {0, 2, 0, 2}});
  auto g_min = tf::get<0>(tf::gradients(tf::reduce_min(x), x));
  CHECK(sess.run(g_min, tf::feed(x, X)) == xt::xtensor<double, 2>{{0, 0, 0, 0}, {1, 0, 0, 0}});
  // A two-way tie is where central differences see the same half share.
  const xt::xtensor<double, 2> T2 = {{3, 1, 3, 0}, {-1, 2, 0, -2}};
  check_gradient(tf::reduce_max(x, tf::axis<1>), x, T2);
}

TEST_CASE("autodiff.shape: reshape, transpose, expand_dims, squeeze") {
  auto x = tf::placeholder<"x", double, tf::none, 4, 3>();
  const auto X = random_tensor<double, 3>({2, 4, 3}, 23, -1.5, 1.5);
  auto w6 = tf::placeholder<"w6", double, 6, 4>();
  const auto fw6 = tf::feed(w6, random_tensor<double, 2>({6, 4}, 24, -1.5, 1.5));
  auto w3 = tf::placeholder<"w3", double, 3, 4, 2>();
  const auto fw3 = tf::feed(w3, random_tensor<double, 3>({3, 4, 2}, 25, -1.5, 1.5));

  check_gradient(tf::reshape<-1, 4>(x) * w6, x, X, fw6);
  check_gradient(tf::square(tf::reshape<24>(x)), x, X);
  check_gradient(tf::transpose(x) * w3, x, X, fw3);
  check_gradient(tf::transpose<2, 0, 1>(x) * tf::transpose<0, 2, 1>(w3), x, X, fw3);
  check_gradient(tf::square(tf::expand_dims<1>(x)) * tf::reshape<1, 1, 4, 1>(tf::reduce_sum(w3, tf::axis<0, 2>)), x, X,
                 fw3);
  auto y = tf::placeholder<"y", double, 2, 1, 3>();
  auto w23 = tf::placeholder<"w23", double, 2, 3>();
  check_gradient(tf::squeeze(y) * w23, y, random_tensor<double, 3>({2, 1, 3}, 26, -1.5, 1.5),
                 tf::feed(w23, random_tensor<double, 2>({2, 3}, 27, -1.5, 1.5)));
}

TEST_CASE("autodiff.shape: concat, slice, tile") {
  auto a = tf::placeholder<"a", double, 2, tf::none>();
  auto b = tf::placeholder<"b", double, 2, 3>();
  auto c = tf::placeholder<"c", double, tf::none, 2>();
  const auto A = random_tensor<double, 2>({2, 4}, 28, -1.5, 1.5), B = random_tensor<double, 2>({2, 3}, 29, -1.5, 1.5),
             C = random_tensor<double, 2>({2, 2}, 30, -1.5, 1.5);
  auto w = tf::placeholder<"w", double, 2, 9>();
  const auto fw = tf::feed(w, random_tensor<double, 2>({2, 9}, 31, -1.5, 1.5));
  auto cat = tf::concat<1>(a, b, c) * w;
  check_gradient(cat, a, A, tf::feed(b, B), tf::feed(c, C), fw);
  check_gradient(cat, b, B, tf::feed(a, A), tf::feed(c, C), fw);
  check_gradient(cat, c, C, tf::feed(a, A), tf::feed(b, B), fw);
  // An operand used twice gets both parts.
  check_gradient(tf::square(tf::concat<0>(b, b * 2.0)), b, B);

  auto x = tf::placeholder<"x", double, 5, tf::none, 3>();
  const auto X = random_tensor<double, 3>({5, 4, 3}, 32, -1.5, 1.5);
  auto w2 = tf::placeholder<"w2", double, 3, 2, 2>();
  const auto fw2 = tf::feed(w2, random_tensor<double, 3>({3, 2, 2}, 33, -1.5, 1.5));
  check_gradient(tf::slice<1, 2, 0>(x, tf::size<3, -1, 2>) * w2, x, X, fw2);
  check_gradient(tf::slice(x, {2, 1, 1}, {3, 2, -1}) * w2, x, X, fw2);
  auto w3 = tf::placeholder<"w3", double, 10, 4, 6>();
  check_gradient(tf::tile<2, 1, 2>(x) * w3, x, X, tf::feed(w3, random_tensor<double, 3>({10, 4, 6}, 34, -1.5, 1.5)));
  check_gradient(tf::identity(tf::square(x)), x, X);
}

TEST_CASE("autodiff.stop_gradient and argmax: no gradient flows through them") {
  auto x = tf::placeholder<"x", double, 5>();
  const auto X = random_tensor<double, 1>({5}, 35, -1.5, 1.5);
  // d/dx (x * stop(x)) = stop(x) = x, where the full derivative would be 2x.
  auto g = tf::get<0>(tf::gradients(tf::reduce_sum(x * tf::stop_gradient(x)), x));
  tf::Session sess;
  const auto G = sess.run(g, tf::feed(x, X));
  for (std::size_t i = 0; i < 5; ++i) CHECK(G(i) == X(i));
  static_assert(!tf::depends_on_v<decltype(tf::stop_gradient(x)), decltype(x)>);
  static_assert(!tf::depends_on_v<decltype(tf::argmax(x)), decltype(x)>);
  static_assert(tf::depends_on_v<decltype(tf::identity(x)), decltype(x)>);
}

TEST_CASE("autodiff.matmul: batches, every transpose, broadcast batches summed") {
  auto a = tf::placeholder<"a", double, 3, 4, 2>();
  auto b = tf::placeholder<"b", double, 3, 2, 5>();
  auto at = tf::placeholder<"at", double, 3, 2, 4>();
  auto bt = tf::placeholder<"bt", double, 3, 5, 2>();
  const auto A = random_tensor<double, 3>({3, 4, 2}, 36, -1.5, 1.5),
             B = random_tensor<double, 3>({3, 2, 5}, 37, -1.5, 1.5);
  const auto At = random_tensor<double, 3>({3, 2, 4}, 38, -1.5, 1.5),
             Bt = random_tensor<double, 3>({3, 5, 2}, 39, -1.5, 1.5);
  auto w = tf::placeholder<"w", double, 3, 4, 5>();
  const auto fw = tf::feed(w, random_tensor<double, 3>({3, 4, 5}, 40, -1.5, 1.5));

  check_gradient(tf::matmul(a, b) * w, a, A, tf::feed(b, B), fw);
  check_gradient(tf::matmul(a, b) * w, b, B, tf::feed(a, A), fw);
  check_gradient(tf::matmul(at, b, tf::transpose_a) * w, at, At, tf::feed(b, B), fw);
  check_gradient(tf::matmul(at, b, tf::transpose_a) * w, b, B, tf::feed(at, At), fw);
  check_gradient(tf::matmul(a, bt, tf::transpose_b) * w, a, A, tf::feed(bt, Bt), fw);
  check_gradient(tf::matmul(a, bt, tf::transpose_b) * w, bt, Bt, tf::feed(a, A), fw);
  check_gradient(tf::matmul(at, bt, tf::transpose_a, tf::transpose_b) * w, at, At, tf::feed(bt, Bt), fw);
  check_gradient(tf::matmul(at, bt, tf::transpose_a, tf::transpose_b) * w, bt, Bt, tf::feed(at, At), fw);

  // A static batch of 1 and a rank-2 operand: their gradients sum over the batches.
  auto b1 = tf::placeholder<"b1", double, 1, 2, 5>();
  auto b2 = tf::placeholder<"b2", double, 2, 5>();
  const auto B1 = random_tensor<double, 3>({1, 2, 5}, 41, -1.5, 1.5);
  const auto B2 = random_tensor<double, 2>({2, 5}, 42, -1.5, 1.5);
  check_gradient(tf::matmul(a, b1) * w, b1, B1, tf::feed(a, A), fw);
  check_gradient(tf::matmul(a, b2) * w, b2, B2, tf::feed(a, A), fw);
  check_gradient(tf::matmul(a, b2) * w, a, A, tf::feed(b2, B2), fw);

  // tf::none batches that broadcast only at run time (1 against 3).
  auto an = tf::placeholder<"an", double, tf::none, 4, 2>();
  auto bn = tf::placeholder<"bn", double, tf::none, 2, 5>();
  auto y = tf::matmul(an, bn) * w;
  check_gradient(y, bn, random_tensor<double, 3>({1, 2, 5}, 43, -1.5, 1.5), tf::feed(an, A), fw);
  check_gradient(y, an, random_tensor<double, 3>({1, 4, 2}, 44, -1.5, 1.5), tf::feed(bn, B), fw);
  check_gradient(y, an, A, tf::feed(bn, B), fw);
}
