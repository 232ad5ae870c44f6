#ifndef TYPEFLOW_EVAL_SCALAR_VALUE_HPP
#define TYPEFLOW_EVAL_SCALAR_VALUE_HPP

#include <utility>

#include "xtensor.hpp"

namespace typeflow {

/// A fetched rank-0 value: an xt::xtensor<T, 0> (`v()` reads it) that converts to T, as NumPy's
/// scalars act as numbers: `total += loss_val / n`, `float l = sess.run(loss)`. xtensor's
/// operators take only its own expression types, so `loss_val / n` is a division of numbers,
/// not a lazy xtensor expression.
template <class T>
struct scalar_value : xt::xtensor<T, 0> {
  scalar_value() = default;
  explicit scalar_value(xt::xtensor<T, 0>&& v) : xt::xtensor<T, 0>(std::move(v)) {}
  operator T() const { return (*this)(); }
};

}  // namespace typeflow

#endif
