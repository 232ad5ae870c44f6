#ifndef TYPEFLOW_TESTS_GRADIENT_CHECK_HPP
#define TYPEFLOW_TESTS_GRADIENT_CHECK_HPP

// Gradients against central finite differences, in double precision. The gradient of a
// non-scalar y is that of sum(y), as in tf.gradients.

#include <doctest/doctest.h>

#include <cstddef>
#include <numeric>
#include <random>
#include <utility>
#include <typeflow/typeflow.hpp>

namespace tf = typeflow;

namespace test {

template <std::size_t R>
inline xt::xtensor<double, R> random_tensor(const std::array<std::size_t, R>& shape, unsigned seed, double lo = -1.5,
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

}  // namespace test

#endif

