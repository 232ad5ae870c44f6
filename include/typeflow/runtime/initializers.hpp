#ifndef TYPEFLOW_RUNTIME_INITIALIZERS_HPP
#define TYPEFLOW_RUNTIME_INITIALIZERS_HPP

// Variable initializers, as TensorFlow's: a constant, or random values drawn from a seeded
// generator (std::mt19937_64, whose sequence the C++ standard fixes, so a seed gives the
// same values with any compiler). Without a seed each run draws different values, as in TF.

#include <cmath>
#include <cstdint>
#include <numbers>
#include <optional>
#include <random>
#include <string>

#include "../core/error.hpp"
#include "../eval/xtensor.hpp"
#include "../graph/constant.hpp"

namespace typeflow {

namespace detail {

class random_source {
 public:
  explicit random_source(std::optional<std::uint64_t> seed) : m_engine(seed ? *seed : std::random_device{}()) {}

  /// Uniform in [0, 1), from 53 random bits.
  double uniform() { return static_cast<double>(m_engine() >> 11) * 0x1.0p-53; }

  /// Standard normal, by the Box-Muller transform.
  double normal() {
    if (m_spare) {
      const double z = *m_spare;
      m_spare.reset();
      return z;
    }
    const double u1 = 1.0 - uniform();  // in (0, 1]: log(u1) is finite
    const double u2 = uniform();
    const double r = std::sqrt(-2.0 * std::log(u1));
    m_spare = r * std::sin(2.0 * std::numbers::pi * u2);
    return r * std::cos(2.0 * std::numbers::pi * u2);
  }

 private:
  std::mt19937_64 m_engine;
  std::optional<double> m_spare;
};

}  // namespace detail

/// tf.random_normal_initializer / tf.random_normal: values ~ N(mean, stddev^2).
struct random_normal {
  double mean = 0.0, stddev = 1.0;
  std::optional<std::uint64_t> seed;

  explicit random_normal(double mean_ = 0.0, double stddev_ = 1.0, std::optional<std::uint64_t> seed_ = std::nullopt)
      : mean(mean_), stddev(stddev_), seed(seed_) {}

  template <class T, std::size_t R>
  void operator()(xt::xtensor<T, R>& value) const {
    detail::random_source rng(seed);
    for (auto& v : value) v = static_cast<T>(mean + stddev * rng.normal());
  }
};

/// tf.truncated_normal: N(mean, stddev^2), redrawing values more than 2 stddev from the mean.
struct truncated_normal {
  double mean = 0.0, stddev = 1.0;
  std::optional<std::uint64_t> seed;

  explicit truncated_normal(double mean_ = 0.0, double stddev_ = 1.0, std::optional<std::uint64_t> seed_ = std::nullopt)
      : mean(mean_), stddev(stddev_), seed(seed_) {}

  template <class T, std::size_t R>
  void operator()(xt::xtensor<T, R>& value) const {
    detail::random_source rng(seed);
    for (auto& v : value) {
      double z = rng.normal();
      while (std::abs(z) > 2.0) z = rng.normal();
      v = static_cast<T>(mean + stddev * z);
    }
  }
};

/// tf.random_uniform: values uniform in [minval, maxval).
struct random_uniform {
  double minval = 0.0, maxval = 1.0;
  std::optional<std::uint64_t> seed;

  explicit random_uniform(double minval_ = 0.0, double maxval_ = 1.0, std::optional<std::uint64_t> seed_ = std::nullopt)
      : minval(minval_), maxval(maxval_), seed(seed_) {}

  template <class T, std::size_t R>
  void operator()(xt::xtensor<T, R>& value) const {
    detail::random_source rng(seed);
    for (auto& v : value) v = static_cast<T>(minval + (maxval - minval) * rng.uniform());
  }
};

namespace detail {

/// Fills a variable's value from an initializer: one of the above, a number, a scalar constant
/// (`tf::constant(0.0f)`) or a constant tensor broadcastable to the variable's shape.
template <class Init, class T, std::size_t R>
void initialize(const Init& init, xt::xtensor<T, R>& value, const std::string& name) {
  if constexpr (dtype<Init>) {
    value.fill(static_cast<T>(init));
  } else if constexpr (is_scalar_v<Init>) {
    value.fill(static_cast<T>(init.m_value));
  } else if constexpr (is_constant_v<Init>) {
    auto src = xt::adapt(init.m_data->data(), init.m_data->size(), xt::no_ownership(), init.m_shape);
    try {
      xt::noalias(value) = xt::broadcast(xt::cast<T>(src), value.shape());
    } catch (const std::exception&) {
      throw error("Variable '" + name + "': initial value of shape " + shape_string(init.m_shape) +
                  " does not fit shape " + shape_string(value.shape()));
    }
  } else {
    init(value);
  }
}

}  // namespace detail
}  // namespace typeflow

#endif
