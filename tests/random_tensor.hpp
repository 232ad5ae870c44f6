#ifndef TYPEFLOW_TESTS_RANDOM_TENSOR_HPP
#define TYPEFLOW_TESTS_RANDOM_TENSOR_HPP

// Seeded test inputs shared by the op and gradient tests.

#include <array>
#include <cstddef>
#include <random>
#include <type_traits>
#include <xtensor/xtensor.hpp>

namespace test {

/// A tensor of the given shape, filled from `seed`: floating values uniform in [lo, hi),
/// integers uniform in [lo, hi] (so that equal values, hence ties, occur).
template <class T, std::size_t R>
xt::xtensor<T, R> random_tensor(const std::array<std::size_t, R>& shape, unsigned seed, double lo = -2.0,
                                double hi = 2.0) {
  std::mt19937 rng(seed);
  xt::xtensor<T, R> t(shape);
  if constexpr (std::is_integral_v<T>) {
    std::uniform_int_distribution<long long> u(static_cast<long long>(lo), static_cast<long long>(hi));
    for (auto& v : t) v = static_cast<T>(u(rng));
  } else {
    std::uniform_real_distribution<double> u(lo, hi);
    for (auto& v : t) v = static_cast<T>(u(rng));
  }
  return t;
}

}  // namespace test

#endif
