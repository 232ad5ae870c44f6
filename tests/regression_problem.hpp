#ifndef TYPEFLOW_TESTS_REGRESSION_PROBLEM_HPP
#define TYPEFLOW_TESTS_REGRESSION_PROBLEM_HPP

// The optimizer tests' problem (graph mode's test_optimizers and eager mode's test_eager):
// loss = mean_i (y_i - (x_i . W + b))^2 with W [2, 1], b [1] and three rows, and its gradient
// by hand, so that each optimizer's steps can be followed with plain loops.

#include <array>
#include <cstddef>

namespace test {

/// The parameters as one array p = {W0, W1, b}.
using params = std::array<double, 3>;
inline const double xs[3][2] = {{1, 2}, {3, -1}, {0.5, 0.5}};
inline const double ys[3] = {1, 2, 3};
inline const params p0 = {0.5, -1.0, 0.25};

/// d loss / d p: -2/n sum_i r_i (x_i0, x_i1, 1), r_i = y_i - x_i . W - b.
inline params gradient(const params& p) {
  params g{};
  for (std::size_t i = 0; i < 3; ++i) {
    const double r = ys[i] - (xs[i][0] * p[0] + xs[i][1] * p[1] + p[2]);
    g[0] += -2.0 / 3 * r * xs[i][0];
    g[1] += -2.0 / 3 * r * xs[i][1];
    g[2] += -2.0 / 3 * r;
  }
  return g;
}

}  // namespace test

#endif
