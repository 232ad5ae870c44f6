#ifndef TYPEFLOW_TESTS_GRADIENT_CHECK_HPP
#define TYPEFLOW_TESTS_GRADIENT_CHECK_HPP

// Gradients against central finite differences, in double precision, element by element of
// the Jacobian.

#include <doctest/doctest.h>

#include <cstddef>
#include <typeflow/test/gradient_checker.hpp>
#include <typeflow/typeflow.hpp>

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

}  // namespace test

#endif

