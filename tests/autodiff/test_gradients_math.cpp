// Gradients of the math ops and activations beyond what the op table checks for each
// elementwise op (test_gradients_table.cpp): against central finite differences
// (gradient_check.hpp) on shapes that broadcast both ways, inputs kept away from the kinks
// (relu at 0, ties of maximum); TF's rules at the kinks and ties; where and cast; hard inputs.

#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <typeflow/typeflow.hpp>

#include "gradient_check.hpp"

using test::check_gradient;
using test::random_tensor;

namespace {

/// t with every value closer than `margin` to `kink` moved to kink +- margin.
template <std::size_t R>
xt::xtensor<double, R> away_from(xt::xtensor<double, R> t, double kink, double margin = 0.2) {
  for (auto& v : t)
    if (std::abs(v - kink) < margin) v = v < kink ? kink - margin : kink + margin;
  return t;
}

}  // namespace

TEST_CASE("autodiff.activations: through a broadcast bias, as in a dense layer") {
  // The gradient of b sums over the rows.
  auto x = tf::placeholder<"x", double, 5, 4>();
  auto b = tf::placeholder<"b", double, 4>();
  auto w = tf::placeholder<"w", double, 5, 4>();
  const auto X = away_from(random_tensor<double, 2>({5, 4}, 5, -3.0, 3.0), 0.0);
  const auto fw = tf::feed(w, random_tensor<double, 2>({5, 4}, 7, -1.5, 1.5));
  check_gradient(tf::nn::relu(x + b) * w, b, xt::xtensor<double, 1>{0.05, -0.1, 0.3, -0.25}, tf::feed(x, X), fw);
  check_gradient(tf::nn::leaky_relu(x, 0.01) * w + tf::nn::leaky_relu(x, 0.5), x, X, fw);  // two alphas, two nodes
}

TEST_CASE("autodiff.math: pow, maximum and minimum, both operands, broadcasting both ways") {
  auto a = tf::placeholder<"a", double, 4, 3>();
  auto b = tf::placeholder<"b", double, 3>();
  auto c = tf::placeholder<"c", double, 4, 1>();
  const auto A = random_tensor<double, 2>({4, 3}, 8, 0.3, 2.0);
  const auto B = random_tensor<double, 1>({3}, 9, -1.5, 1.5);
  const auto C = random_tensor<double, 2>({4, 1}, 10, 0.3, 2.0);
  const auto fb = tf::feed(b, B);
  const auto fc = tf::feed(c, C);

  SUBCASE("pow") {
    check_gradient(tf::pow(c, b), c, C, fb);
    check_gradient(tf::pow(c, b), b, B, fc);
    check_gradient(tf::pow(a, 3.0), a, random_tensor<double, 2>({4, 3}, 11, -2.0, 2.0));  // negative x, integer y
  }
  SUBCASE("pow: where x <= 0 the gradient to y is 0, as TensorFlow's") {
    auto x = tf::placeholder<"x", double, 4>();
    auto y = tf::placeholder<"y", double, 4>();
    const xt::xtensor<double, 1> X = {-2.0, 0.0, 2.0, -1.0}, Y = {2.0, 3.0, 2.0, 3.0};
    tf::Session sess;
    const auto [dx, dy] = tf::gradients(tf::pow(x, y), x, y);
    const auto [gx, gy] = sess.run(tf::fetch(dx, dy), tf::feed(x, X), tf::feed(y, Y));
    for (std::size_t i = 0; i < 4; ++i) {
      CHECK(gx(i) == doctest::Approx(Y(i) * std::pow(X(i), Y(i) - 1)));
      CHECK(gy(i) == (X(i) > 0 ? doctest::Approx(std::pow(X(i), Y(i)) * std::log(X(i))) : doctest::Approx(0.0)));
    }
  }
  SUBCASE("maximum and minimum") {
    // a - c and b - c stay away from 0: no ties where finite differences would straddle the switch.
    const auto Cs = xt::xtensor<double, 2>{{0.0}, {0.5}, {-0.5}, {1.0}};
    const auto Bs = away_from(away_from(away_from(away_from(B, 0.0), 0.5), -0.5), 1.0);
    check_gradient(tf::maximum(c, b), c, Cs, tf::feed(b, Bs));
    check_gradient(tf::maximum(c, b), b, Bs, tf::feed(c, Cs));
    check_gradient(tf::minimum(c, b), c, Cs, tf::feed(b, Bs));
    check_gradient(tf::minimum(c, b), b, Bs, tf::feed(c, Cs));
    check_gradient(tf::square(tf::maximum(a - 1.0, 0.0)), a, away_from(A, 1.0));
  }
  SUBCASE("maximum and minimum: a tie sends the gradient to x, as TensorFlow's") {
    auto x = tf::placeholder<"x", double, 3>();
    auto y = tf::placeholder<"y", double, 3>();
    const xt::xtensor<double, 1> X = {1.0, 2.0, 3.0}, Y = {1.0, 1.0, 4.0};
    tf::Session sess;
    const auto [dx_max, dy_max] = tf::gradients(tf::maximum(x, y), x, y);
    const auto [dx_min, dy_min] = tf::gradients(tf::minimum(x, y), x, y);
    const auto [gx, gy, hx, hy] = sess.run(tf::fetch(dx_max, dy_max, dx_min, dy_min), tf::feed(x, X), tf::feed(y, Y));
    CHECK(gx == xt::xtensor<double, 1>{1.0, 1.0, 0.0});
    CHECK(gy == xt::xtensor<double, 1>{0.0, 0.0, 1.0});
    CHECK(hx == xt::xtensor<double, 1>{1.0, 0.0, 1.0});
    CHECK(hy == xt::xtensor<double, 1>{0.0, 1.0, 0.0});
  }
}

TEST_CASE("autodiff.where: x where cond, y elsewhere, none to cond; the three broadcast") {
  auto x = tf::placeholder<"x", double, 3>();
  auto y = tf::placeholder<"y", double, 4, 3>();
  auto c = tf::placeholder<"c", double, 4, 1>();
  auto w = tf::placeholder<"w", double, 4, 3>();
  const auto X = random_tensor<double, 1>({3}, 12, -1.5, 1.5);
  const auto Y = random_tensor<double, 2>({4, 3}, 13, -1.5, 1.5);
  const xt::xtensor<double, 2> C = {{0.5}, {-0.5}, {1.0}, {-1.0}};
  const auto fw = tf::feed(w, random_tensor<double, 2>({4, 3}, 14, -1.5, 1.5));
  check_gradient(tf::where(c > 0.0, x, y) * w, x, X, tf::feed(c, C), tf::feed(y, Y), fw);
  check_gradient(tf::where(c > 0.0, x, y) * w, y, Y, tf::feed(c, C), tf::feed(x, X), fw);
  check_gradient(tf::where(y > 0.0, tf::square(x), -x) * w, x, X, tf::feed(y, Y), fw);
  // cond's operand gets no gradient through the comparison (TF: None).
  static_assert(!tf::depends_on_v<decltype(tf::where(c > 0.0, x, y)), decltype(c)>);
  static_assert(tf::depends_on_v<decltype(tf::where(c > 0.0, x * c, y)), decltype(c)>);
}

TEST_CASE("autodiff.cast: floating casts pass the gradient back cast; integer and bool paths give none") {
  auto x = tf::placeholder<"x", double, 5>();
  const xt::xtensor<double, 1> X = {-1.5, -0.25, 0.5, 1.0, 2.75};
  tf::Session sess;
  const auto y = tf::square(tf::cast<double>(tf::cast<float>(x) * 3.0f));
  const auto [dx] = tf::gradients(y, x);
  static_assert(std::is_same_v<tf::value_t<decltype(dx)>, double>);
  const auto g = sess.run(dx, tf::feed(x, X));
  for (std::size_t i = 0; i < 5; ++i) CHECK(g(i) == doctest::Approx(18 * X(i)).epsilon(1e-6));  // float precision

  static_assert(!tf::depends_on_v<decltype(tf::cast<double>(tf::cast<std::int32_t>(x))), decltype(x)>);
  static_assert(!tf::depends_on_v<decltype(tf::cast<double>(x > 0.0)), decltype(x)>);
  static_assert(!tf::depends_on_v<decltype(tf::sign(x)), decltype(x)>);  // sign: no path (TF: zeros)
  static_assert(tf::depends_on_v<decltype(tf::sign(x) * x), decltype(x)>);
  check_gradient(tf::sign(x) * tf::square(x), x, X);
}

TEST_CASE("autodiff.math: gradients read the forward node, which a run computes once") {
  auto x = tf::placeholder<"x", double, 4>();
  const auto e = tf::exp(x);
  const auto s = tf::sigmoid(x);
  const auto t = tf::tanh(x);
  const auto r = tf::sqrt(x);
  const auto [de] = tf::gradients(e, x);
  const auto [ds] = tf::gradients(s, x);
  const auto [dt] = tf::gradients(t, x);
  const auto [dr] = tf::gradients(r, x);
  static_assert(tf::contains_v<tf::topo_order_t<std::remove_cvref_t<decltype(de)>>, std::remove_const_t<decltype(e)>>);
  static_assert(tf::contains_v<tf::topo_order_t<std::remove_cvref_t<decltype(ds)>>, std::remove_const_t<decltype(s)>>);
  static_assert(tf::contains_v<tf::topo_order_t<std::remove_cvref_t<decltype(dt)>>, std::remove_const_t<decltype(t)>>);
  static_assert(tf::contains_v<tf::topo_order_t<std::remove_cvref_t<decltype(dr)>>, std::remove_const_t<decltype(r)>>);
}

TEST_CASE("autodiff.activations: gradients at hard inputs are finite where TensorFlow's are") {
  auto x = tf::placeholder<"x", double, 8>();
  auto f = tf::placeholder<"f", float, 8>();
  const xt::xtensor<double, 1> X = {-1000.0, -100.0, -30.0, -1e-9, 1e-9, 30.0, 100.0, 1000.0};
  tf::Session sess;
  const auto [ds] = tf::gradients(tf::sigmoid(x), x);
  const auto [dsp] = tf::gradients(tf::nn::softplus(x), x);
  const auto [dt] = tf::gradients(tf::tanh(x), x);
  const auto [de] = tf::gradients(tf::nn::elu(x), x);
  const auto [dfs] = tf::gradients(tf::sigmoid(f) + tf::nn::softplus(f) + tf::tanh(f), f);
  const auto [gs, gsp, gt, ge] = sess.run(tf::fetch(ds, dsp, dt, de), tf::feed(x, X));
  const auto gf = sess.run(dfs, tf::feed(f, xt::xtensor<float, 1>(xt::cast<float>(X))));
  for (std::size_t i = 0; i < 8; ++i) {
    CAPTURE(X(i));
    const double sig = 1 / (1 + std::exp(-X(i)));
    CHECK(gs(i) == doctest::Approx(sig * (1 - sig)).scale(1e-300));
    CHECK(gsp(i) == doctest::Approx(sig).scale(1e-300));
    CHECK(gt(i) == doctest::Approx(1 - std::tanh(X(i)) * std::tanh(X(i))).scale(1e-300));
    CHECK(ge(i) == doctest::Approx(X(i) < 0 ? std::expm1(X(i)) + 1 : 1.0).scale(1e-300));  // (y + 1) g, as TF's EluGrad
    CHECK(std::isfinite(gf(i)));
    CHECK(gf(i) ==
          doctest::Approx(sig * (1 - sig) + sig + (1 - std::tanh(X(i)) * std::tanh(X(i)))).epsilon(1e-5).scale(1e-30));
  }
}
