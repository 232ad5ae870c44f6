// Every gradient against central finite differences (gradient_check.hpp): elementwise ops and broadcasting.

#include <doctest/doctest.h>

#include <typeflow/typeflow.hpp>

#include "gradient_check.hpp"

using test::check_gradient;
using test::random_tensor;

TEST_CASE("autodiff.elementwise: + - * / negate square, each operand, with broadcasting") {
  auto a = tf::placeholder<"a", double, 4, 3>();
  auto b = tf::placeholder<"b", double, 3>();
  auto c = tf::placeholder<"c", double, 4, 1>();
  const auto A = random_tensor<double, 2>({4, 3}, 1, -1.5, 1.5);
  const auto B = random_tensor<double, 1>({3}, 2, 0.5, 1.5);
  const auto C = random_tensor<double, 2>({4, 1}, 3, 0.5, 1.5);
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
  SUBCASE("literals on either side") { check_gradient(2.0 * a - 1.0 / c + 3.0, c, C, fa); }
  SUBCASE("a node used several times") {
    auto h = a * b;
    check_gradient(h * h + h / (h * h + 1.0), a, A, fb);
    check_gradient(tf::square(a) * a, a, A);
  }
}

TEST_CASE("autodiff.broadcast: run-time dims and rank-raising broadcasts sum back to the operand") {
  auto x = tf::placeholder<"x", double, tf::none, 3>();
  auto v = tf::placeholder<"v", double, 3>();
  auto s = tf::placeholder<"s", double>();
  const auto X = random_tensor<double, 2>({6, 3}, 11, -1.5, 1.5);
  const auto V = random_tensor<double, 1>({3}, 12, -1.5, 1.5);
  const auto S = random_tensor<double, 0>({}, 13, -1.5, 1.5);
  check_gradient(tf::square(x * v + s), v, V, tf::feed(x, X), tf::feed(s, S));
  check_gradient(tf::square(x * v + s), s, S, tf::feed(x, X), tf::feed(v, V));
  check_gradient(tf::reduce_mean(tf::square(x * v + s)), x, X, tf::feed(v, V), tf::feed(s, S));
}
