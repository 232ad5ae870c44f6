#ifndef TYPEFLOW_BENCHMARKS_REGRESSION_DATA_HPP
#define TYPEFLOW_BENCHMARKS_REGRESSION_DATA_HPP

// The linear regression's data of the runtime benchmarks (bench_linear_regression, bench_eager):
// N = 1000 rows of 3 features uniform in [0, 1); y = 0.6 x0 + 0.1 x1 + 0.3 x2 + 0.05 plus noise
// in [-0.01, 0.01), from a fixed LCG.

#include <cstddef>
#include <cstdint>
#include <typeflow/eval/xtensor.hpp>

namespace bench {

constexpr std::size_t regression_rows = 1000;

struct regression_data {
  xt::xtensor<float, 2> x = xt::xtensor<float, 2>::from_shape({regression_rows, 3});
  xt::xtensor<float, 2> y = xt::xtensor<float, 2>::from_shape({regression_rows, 1});
};

inline const regression_data& regression() {
  static const regression_data d = [] {
    regression_data s;
    std::uint64_t state = 7;
    auto uniform = [&] {
      state = state * 6364136223846793005ULL + 1442695040888963407ULL;
      return static_cast<float>(static_cast<double>(state >> 40) * 0x1.0p-24);
    };
    for (std::size_t i = 0; i < regression_rows; ++i) {
      for (std::size_t j = 0; j < 3; ++j) s.x(i, j) = uniform();
      s.y(i, 0) = 0.6f * s.x(i, 0) + 0.1f * s.x(i, 1) + 0.3f * s.x(i, 2) + 0.05f + 0.02f * (uniform() - 0.5f);
    }
    return s;
  }();
  return d;
}

}  // namespace bench

#endif
