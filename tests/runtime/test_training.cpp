// GradientDescentOptimizer: one step against TF's formula computed by hand, var_list, and
// convergence of the seed's linear regression.

#include <doctest/doctest.h>

#include <cmath>
#include <cstddef>
#include <random>
#include <typeflow/typeflow.hpp>

namespace tf = typeflow;

TEST_CASE("train.gradient_descent: one step is var -= lr * dloss/dvar, computed by hand") {
  tf::reset_default_graph();
  auto x = tf::placeholder<"x", double, tf::none, 2>();
  auto y = tf::placeholder<"y", double, tf::none, 1>();
  auto W = tf::Variable<"W", double, 2, 1>(tf::constant(xt::xtensor<double, 2>{{0.5}, {-1.0}}));
  auto b = tf::Variable<"b", double, 1>(tf::constant(0.25));
  auto loss = tf::reduce_mean(tf::square(y - (tf::matmul(x, W) + b)));
  const double lr = 0.1;
  auto train = tf::train::GradientDescentOptimizer(lr).minimize(loss);
  tf::Session sess;
  sess.run(tf::global_variables_initializer());
  const xt::xtensor<double, 2> X = {{1, 2}, {3, -1}, {0.5, 0.5}}, Y = {{1}, {2}, {3}};
  sess.run(train, tf::feed(x, X), tf::feed(y, Y));

  // loss = mean_i (y_i - x_i.W - b)^2; dloss/dW_j = -2/n sum_i r_i x_ij; dloss/db = -2/n sum_i r_i.
  double dW[2] = {0, 0}, db = 0;
  for (std::size_t i = 0; i < 3; ++i) {
    const double r = Y(i, 0) - (X(i, 0) * 0.5 + X(i, 1) * -1.0 + 0.25);
    dW[0] += -2.0 / 3 * r * X(i, 0);
    dW[1] += -2.0 / 3 * r * X(i, 1);
    db += -2.0 / 3 * r;
  }
  const auto w = sess.run(W);
  CHECK(w(0, 0) == doctest::Approx(0.5 - lr * dW[0]).epsilon(1e-14));
  CHECK(w(1, 0) == doctest::Approx(-1.0 - lr * dW[1]).epsilon(1e-14));
  CHECK(sess.run(b)(0) == doctest::Approx(0.25 - lr * db).epsilon(1e-14));
}

TEST_CASE("train.gradient_descent: var_list limits the update; a variable the loss skips is untouched") {
  tf::reset_default_graph();
  auto x = tf::placeholder<"x", float, 4>();
  auto a = tf::Variable<"a", float, 4>(tf::constant(1.0f));
  auto c = tf::Variable<"c", float, 4>(tf::constant(1.0f));
  auto unused = tf::Variable<"unused", float, 4>(tf::constant(7.0f));
  auto loss = tf::reduce_sum(tf::square(a * x - c));
  static_assert(std::is_same_v<tf::variables_of_t<decltype(loss)>, tf::var_list_t<decltype(a), decltype(c)>>);
  auto only_a = tf::train::GradientDescentOptimizer(0.1).minimize(loss, tf::var_list(a));
  tf::Session sess;
  sess.run(tf::global_variables_initializer());
  const xt::xtensor<float, 1> X = {1, 2, 3, 4};
  sess.run(only_a, tf::feed(x, X));
  CHECK(sess.run(c) == xt::xtensor<float, 1>{1, 1, 1, 1});
  CHECK(sess.run(unused) == xt::xtensor<float, 1>{7, 7, 7, 7});
  const auto av = sess.run(a);
  for (std::size_t i = 0; i < 4; ++i)  // d/da (a x - c)^2 = 2 (a x - c) x
    CHECK(av(i) == doctest::Approx(1.0 - 0.1 * 2 * (X(i) - 1) * X(i)));
}

TEST_CASE("train.linear_regression: converges to the true weights on a noiseless problem") {
  tf::reset_default_graph();
  std::mt19937 rng(42);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  const std::size_t n = 257;
  xt::xtensor<float, 2> X({n, 3}), Y({n, 1});
  const float true_w[3] = {0.7f, -1.3f, 2.1f}, true_b = 0.4f;
  for (std::size_t i = 0; i < n; ++i) {
    Y(i, 0) = true_b;
    for (std::size_t j = 0; j < 3; ++j) {
      X(i, j) = u(rng);
      Y(i, 0) += true_w[j] * X(i, j);
    }
  }
  auto x = tf::placeholder<"x", float, tf::none, 3>();
  auto y = tf::placeholder<"y", float, tf::none, 1>();
  auto W = tf::Variable<"W", float, 3, 1>(tf::random_normal(0.0, 1.0, 1));
  auto b = tf::Variable<"b", float, 1>(tf::constant(0.0f));
  auto loss = tf::reduce_mean(tf::square(y - (tf::matmul(x, W) + b)));
  auto train = tf::train::GradientDescentOptimizer(0.2).minimize(loss);
  tf::Session sess;
  sess.run(tf::global_variables_initializer());
  const float initial = sess.run(loss, tf::feed(x, X), tf::feed(y, Y))();
  for (int step = 0; step < 1500; ++step) sess.run(train, tf::feed(x, X), tf::feed(y, Y));
  const auto w = sess.run(W);
  for (std::size_t j = 0; j < 3; ++j) CHECK(std::abs(w(j, 0) - true_w[j]) < 1e-3f);
  CHECK(std::abs(sess.run(b)(0) - true_b) < 1e-3f);
  CHECK(sess.run(loss, tf::feed(x, X), tf::feed(y, Y))() < 1e-8f * initial);
}
