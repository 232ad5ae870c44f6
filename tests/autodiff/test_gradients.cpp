// Every gradient against central finite differences, in double precision, on shapes that
// broadcast. The gradient of a non-scalar y is that of sum(y), as in tf.gradients.

#include <doctest/doctest.h>

#include <cstddef>
#include <numeric>
#include <random>
#include <utility>
#include <typeflow/typeflow.hpp>

namespace tf = typeflow;

namespace {

template <std::size_t R>
xt::xtensor<double, R> random_tensor(const std::array<std::size_t, R>& shape, unsigned seed, double lo = -1.5,
                                     double hi = 1.5) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> u(lo, hi);
  xt::xtensor<double, R> t(shape);
  for (auto& v : t) v = u(rng);
  return t;
}

/// Compares tf::gradients(y, x) with (f(x + h e_i) - f(x - h e_i)) / 2h for every element,
/// f being sum(y); `others` feed the remaining placeholders.
template <class Y, class X, std::size_t R, class... Others>
void check_gradient(const Y& y, const X& x, const xt::xtensor<double, R>& value, const Others&... others) {
  tf::Session sess;
  const auto grad = std::get<0>(tf::gradients(y, x));  // (clang 14 cannot capture a structured binding)
  // One fetch set for both uses: one plan to compile per case.
  auto f = [&](const xt::xtensor<double, R>& v) {
    const auto [out, g] = sess.run(tf::fetch(y, grad), tf::feed(x, v), others...);
    return std::pair{std::accumulate(out.begin(), out.end(), 0.0), g};
  };
  const xt::xtensor<double, R> analytic = f(value).second;
  REQUIRE(analytic.shape() == value.shape());
  const double h = 1e-6;
  for (std::size_t i = 0; i < value.size(); ++i) {
    auto plus = value, minus = value;
    plus.data()[i] += h;
    minus.data()[i] -= h;
    const double numeric = (f(plus).first - f(minus).first) / (2 * h);
    CAPTURE(i);
    CHECK(analytic.data()[i] == doctest::Approx(numeric).epsilon(1e-6).scale(1.0));
  }
}

}  // namespace

TEST_CASE("autodiff.elementwise: + - * / negate square, each operand, with broadcasting") {
  auto a = tf::placeholder<"a", double, 4, 3>();
  auto b = tf::placeholder<"b", double, 3>();
  auto c = tf::placeholder<"c", double, 4, 1>();
  const auto A = random_tensor<2>({4, 3}, 1);
  const auto B = random_tensor<1>({3}, 2, 0.5, 1.5);
  const auto C = random_tensor<2>({4, 1}, 3, 0.5, 1.5);
  const auto fa = tf::feed(a, A);
  const auto fb = tf::feed(b, B);
  const auto fc = tf::feed(c, C);

  SUBCASE("add") {
    check_gradient(a + b, a, A, fb);
    check_gradient(a + b, b, B, fa);
  }
  SUBCASE("sub") {
    check_gradient(a - c, a, A, fc);
    check_gradient(a - c, c, C, fa);
  }
  SUBCASE("mul") {
    check_gradient(c * b, c, C, fb);
    check_gradient(c * b, b, B, fc);
  }
  SUBCASE("div") {
    check_gradient(a / c, a, A, fc);
    check_gradient(a / c, c, C, fa);
    check_gradient(b / a, b, B, fa);
  }
  SUBCASE("negate and square") {
    check_gradient(-a, a, A);
    check_gradient(tf::square(a), a, A);
    check_gradient(tf::square(c - b), b, B, fc);
  }
  SUBCASE("literals on either side") {
    check_gradient(2.0 * a - 1.0 / c + 3.0, c, C, fa);
  }
  SUBCASE("a node used several times") {
    auto h = a * b;
    check_gradient(h * h + h / (h * h + 1.0), a, A, fb);
    check_gradient(tf::square(a) * a, a, A);
  }
}

TEST_CASE("autodiff.matmul: both operands, every transpose combination") {
  auto a = tf::placeholder<"a", double, 5, 3>();
  auto b = tf::placeholder<"b", double, 3, 4>();
  auto at = tf::placeholder<"at", double, 3, 5>();
  auto bt = tf::placeholder<"bt", double, 4, 3>();
  const auto A = random_tensor<2>({5, 3}, 4), B = random_tensor<2>({3, 4}, 5);
  const auto At = random_tensor<2>({3, 5}, 6), Bt = random_tensor<2>({4, 3}, 7);
  // A weighted sum, so that every output element gets a different gradient.
  auto w = tf::placeholder<"w", double, 5, 4>();
  const auto fw = tf::feed(w, random_tensor<2>({5, 4}, 8));

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
  const auto X = random_tensor<3>({3, 4, 5}, 9);
  auto w = tf::placeholder<"w", double, 3, 5>();
  const auto fw = tf::feed(w, random_tensor<2>({3, 5}, 10));

  check_gradient(tf::reduce_sum(x), x, X);
  check_gradient(tf::reduce_mean(tf::square(x)), x, X);
  check_gradient(tf::square(tf::reduce_sum(x, tf::axis<1>)) * w, x, X, fw);
  check_gradient(tf::square(tf::reduce_mean(x, tf::axis<-2>)) * w, x, X, fw);
  check_gradient(tf::square(tf::reduce_sum(x, tf::axis<0, 2>, tf::keep_dims)), x, X);
  check_gradient(tf::square(tf::reduce_mean(x, tf::axis<0, 2>)), x, X);
  check_gradient(x * tf::reduce_sum(x, tf::axis<2>, tf::keep_dims), x, X);
}

TEST_CASE("autodiff.broadcast: run-time dims and rank-raising broadcasts sum back to the operand") {
  auto x = tf::placeholder<"x", double, tf::none, 3>();
  auto v = tf::placeholder<"v", double, 3>();
  auto s = tf::placeholder<"s", double>();
  const auto X = random_tensor<2>({6, 3}, 11);
  const auto V = random_tensor<1>({3}, 12);
  const auto S = random_tensor<0>({}, 13);
  check_gradient(tf::square(x * v + s), v, V, tf::feed(x, X), tf::feed(s, S));
  check_gradient(tf::square(x * v + s), s, S, tf::feed(x, X), tf::feed(v, V));
  check_gradient(tf::reduce_mean(tf::square(x * v + s)), x, X, tf::feed(v, V), tf::feed(s, S));
}

TEST_CASE("autodiff.linear_regression: the seed's loss, for both variables' shapes") {
  auto x = tf::placeholder<"x", double, tf::none, 3>();
  auto y = tf::placeholder<"y", double, tf::none, 1>();
  auto W = tf::placeholder<"W", double, 3, 1>();
  auto b = tf::placeholder<"b", double, 1>();
  auto loss = tf::reduce_mean(tf::square(y - (tf::matmul(x, W) + b)));
  const auto X = random_tensor<2>({9, 3}, 14), Y = random_tensor<2>({9, 1}, 15);
  const auto Wv = random_tensor<2>({3, 1}, 16);
  const auto bv = random_tensor<1>({1}, 17);
  check_gradient(loss, W, Wv, tf::feed(x, X), tf::feed(y, Y), tf::feed(b, bv));
  check_gradient(loss, b, bv, tf::feed(x, X), tf::feed(y, Y), tf::feed(W, Wv));
  check_gradient(loss, x, X, tf::feed(y, Y), tf::feed(W, Wv), tf::feed(b, bv));
}
