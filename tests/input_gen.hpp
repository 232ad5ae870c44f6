#ifndef TYPEFLOW_TESTS_INPUT_GEN_HPP
#define TYPEFLOW_TESTS_INPUT_GEN_HPP

// How a test input's values are drawn: the op table's domains (ops/op_table.hpp) and the
// inputs of the TensorFlow parity cases (parity/op_parity.hpp).

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <random>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>
#include <xtensor/xtensor.hpp>

namespace test {

/// How an input's values are drawn.
struct gen {
  enum kind { uniform, away, grid, list, simplex, boolean } k = uniform;
  double lo = -2, hi = 2;
  double margin = 0;           // away: |v - kink| >= margin for each kink
  std::vector<double> values;  // list: cycled to fill the tensor; away: the kinks
};

/// Uniform in [lo, hi).
inline gen uniform(double lo, double hi) { return {gen::uniform, lo, hi, 0, {}}; }
/// Uniform in [lo, hi), redrawn while within `margin` of a kink (relu's 0, relu6's 6, ...).
inline gen away(double lo, double hi, std::vector<double> kinks, double margin = 0.05) {
  return {gen::away, lo, hi, margin, std::move(kinks)};
}
/// Integers in [lo, hi]: ties for comparisons, maxima and argmax; integer dtypes; labels.
inline gen grid(double lo, double hi) { return {gen::grid, lo, hi, 0, {}}; }
/// Fixed values, cycled: the numerically hard inputs.
inline gen list(std::vector<double> values) { return {gen::list, 0, 0, 0, std::move(values)}; }
/// Rows (last axis) of positive values that sum to 1: labels of the softmax cross-entropy.
inline gen simplex() { return {gen::simplex, 0.05, 1, 0, {}}; }
/// Random true/false.
inline gen boolean() { return {gen::boolean, 0, 1, 0, {}}; }

template <class T, std::size_t R>
xt::xtensor<T, R> draw(const gen& g, const std::array<std::size_t, R>& shape, std::mt19937_64& rng) {
  auto t = xt::xtensor<T, R>::from_shape(shape);
  std::uniform_real_distribution<double> u(g.lo, g.hi);
  std::size_t i = 0;
  for (auto& v : t) {
    double x = 0;
    switch (g.k) {
      case gen::uniform:
      case gen::simplex: x = u(rng); break;
      case gen::away:
        for (bool near = true; near;) {
          x = u(rng);
          near = false;
          for (double kink : g.values) near = near || std::abs(x - kink) < g.margin;
        }
        break;
      case gen::grid:
        x = static_cast<double>(std::uniform_int_distribution<long>(std::lround(g.lo), std::lround(g.hi))(rng));
        break;
      case gen::list: x = g.values.at(i % g.values.size()); break;
      case gen::boolean: x = static_cast<double>(std::uniform_int_distribution<int>(0, 1)(rng)); break;
    }
    v = static_cast<T>(x);
    ++i;
  }
  if constexpr (std::is_floating_point_v<T> && R > 0) {
    if (g.k == gen::simplex) {
      const std::size_t n = shape[R - 1];
      for (std::size_t row = 0; row < t.size() / n; ++row) {
        T s = 0;
        for (std::size_t j = 0; j < n; ++j) s += t.data()[row * n + j];
        for (std::size_t j = 0; j < n; ++j) t.data()[row * n + j] /= s;
      }
    }
  }
  return t;
}

/// A generator's seed from a name (FNV-1a), so that adding or removing a case changes no other.
inline std::uint64_t seed_of(std::string_view name) {
  std::uint64_t h = 1469598103934665603ULL;
  for (unsigned char ch : name) h = (h ^ ch) * 1099511628211ULL;
  return h;
}

}  // namespace test

#endif
