#ifndef TYPEFLOW_TESTS_GRADIENT_CHECK_HPP
#define TYPEFLOW_TESTS_GRADIENT_CHECK_HPP

// Gradients against central finite differences, in double precision: element by element of
// the Jacobian (check_gradient), or of a scalar loss's gradients (check_gradients).

#include <doctest/doctest.h>

#include <cmath>
#include <cstddef>
#include <sstream>
#include <tuple>
#include <typeflow/test/gradient_checker.hpp>
#include <typeflow/typeflow.hpp>
#include <utility>

#include "../random_tensor.hpp"

namespace tf = typeflow;

namespace test {

/// Checks the whole Jacobian of y with respect to placeholder x at `value` against central
/// differences, through the public tf::test::compute_gradient_error (double: step 1e-6, so
/// truncation and rounding stay near 1e-9); `others` feed the remaining placeholders.
template <class Y, class X, std::size_t R, class... Others>
void check_gradient(const Y& y, const X& x, const xt::xtensor<double, R>& value, const Others&... others) {
  CHECK(tf::test::compute_gradient_error(y, x, tf::feed(x, value), others...) < 1e-6);
}

/// Checks the gradients of loss (a scalar) with respect to each placeholder of the tuple xs
/// at `values` (a tuple of as many double tensors) against central differences of loss, one
/// element at a time (step 1e-6, so truncation and rounding stay near 1e-9); `others` feed the
/// remaining placeholders. One plan computes the loss and every gradient, so a check costs the
/// compiler one graph, where check_gradient costs two per operand. With loss = sum(y * w) for a
/// random w, each gradient element is that of one output (or of a broadcast operand's sum).
template <class Loss, class... X, class... V, class... Others>
void check_gradients(const Loss& loss, const std::tuple<X...>& xs, std::tuple<V...> values, const Others&... others) {
  static_assert(sizeof...(X) == sizeof...(V), "one value per placeholder");
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    const auto grads = tf::gradients(loss, std::get<I>(xs)...);
    const auto fetches = tf::fetch(loss, tf::get<I>(grads)...);
    tf::Session sess;
    const auto run = [&] { return sess.run(fetches, tf::feed(std::get<I>(xs), std::get<I>(values))..., others...); };
    const auto at = run();
    const double delta = 1e-6;
    const auto check_operand = [&]<std::size_t J>() {
      auto& v = std::get<J>(values);
      const auto& g = std::get<J + 1>(at);
      REQUIRE(g.size() == v.size());
      for (std::size_t k = 0; k < v.size(); ++k) {
        const double x = v.data()[k];
        v.data()[k] = x + delta;
        const double plus = std::get<0>(run())();
        v.data()[k] = x - delta;
        const double minus = std::get<0>(run())();
        v.data()[k] = x;
        const double numeric = (plus - minus) / (2 * delta);
        std::ostringstream what;
        what.precision(17);
        what << "operand " << J << ", element " << k << " at " << x << ": gradient " << g.data()[k]
             << ", central difference " << numeric;
        CHECK_MESSAGE(std::abs(g.data()[k] - numeric) < 1e-6, what.str());
      }
    };
    (check_operand.template operator()<I>(), ...);
  }
  (std::index_sequence_for<X...>{});
}

}  // namespace test

#endif
