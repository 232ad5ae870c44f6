#ifndef TYPEFLOW_TEST_GRADIENT_CHECKER_HPP
#define TYPEFLOW_TEST_GRADIENT_CHECKER_HPP

// tf.test.compute_gradient_error: compares the Jacobian that tf::gradients builds with one
// from central differences, element by element, and returns the largest absolute difference.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <tuple>
#include <type_traits>

#include "../autodiff/gradients.hpp"
#include "../graph/placeholder.hpp"
#include "../ops/reduce.hpp"
#include "../runtime/session.hpp"

namespace typeflow::test {

namespace detail {

template <class X, class F>
constexpr auto others_than(const F& f) {
  if constexpr (std::is_same_v<typename F::placeholder_type, X>) return std::tuple<>{};
  else return std::tuple<const F&>{f};
}

template <class X, class F, class... Fs>
const auto& feed_value_of(const F& f, const Fs&... fs) {
  if constexpr (std::is_same_v<typename F::placeholder_type, X>) return f.value;
  else return feed_value_of<X>(fs...);
}

}  // namespace detail

/// The largest absolute difference between the Jacobians d y_j / d x_i of y with respect to
/// placeholder x computed symbolically (one tf::gradients run per element of y, weighting y
/// by a unit vector) and by central differences with step `delta` (TF's default, 1e-3, for
/// float; 1e-6 for double, where rounding allows it). `feeds` must feed x and every other
/// placeholder y needs; x's fed value is the point of evaluation.
template <tensor_node Y, class X, class... Feeds>
double compute_gradient_error(const Y& y, const X& x, const Feeds&... feeds) {
  static_assert(is_placeholder_v<X>, "tf::test::compute_gradient_error: x must be a placeholder, fed among the feeds");
  static_assert((std::is_same_v<typename Feeds::placeholder_type, X> || ...),
                "tf::test::compute_gradient_error: the feeds must include tf::feed(x, value)");
  using T = value_t<X>;
  using U = value_t<Y>;
  const double delta = std::is_same_v<T, float> ? 1e-3 : 1e-6;

  // d(sum(y * dy))/dx with dy = e_j is row j of the Jacobian.
  const auto dy =
      typeflow::detail::make_leaf<graph::placeholder, name<'d', 'y', '_', 'c', 'h', 'e', 'c', 'k'>, U, shape_of_t<Y>>();
  const auto grad = typeflow::get<0>(gradients(reduce_sum(y * dy), x));

  xt::xtensor<T, rank_v<X>> xv = detail::feed_value_of<X>(feeds...);
  const auto others = std::tuple_cat(detail::others_than<X>(feeds)...);
  Session sess;
  auto run = [&](const auto& fetch, const auto&... extra) {
    return std::apply([&](const auto&... o) { return sess.run(fetch, feed(x, xv), extra..., o...); }, others);
  };

  const xt::xtensor<U, rank_v<Y>> y0 = run(y);
  const std::size_t ny = y0.size(), nx = xv.size();
  xt::xtensor<double, 2> theoretical({ny, nx}), numeric({ny, nx});

  xt::xtensor<U, rank_v<Y>> unit(y0.shape(), U(0));
  for (std::size_t j = 0; j < ny; ++j) {
    unit.data()[j] = U(1);
    const xt::xtensor<T, rank_v<X>> row = run(grad, feed(dy, unit));
    std::copy(row.begin(), row.end(), &theoretical(j, 0));
    unit.data()[j] = U(0);
  }
  for (std::size_t i = 0; i < nx; ++i) {
    const T v = xv.data()[i];
    xv.data()[i] = static_cast<T>(v + delta);
    const xt::xtensor<U, rank_v<Y>> plus = run(y);
    xv.data()[i] = static_cast<T>(v - delta);
    const xt::xtensor<U, rank_v<Y>> minus = run(y);
    xv.data()[i] = v;
    for (std::size_t j = 0; j < ny; ++j)
      numeric(j, i) = (double(plus.data()[j]) - double(minus.data()[j])) / (2 * delta);
  }
  double error = 0;
  for (std::size_t k = 0; k < theoretical.size(); ++k)
    error = std::max(error, std::abs(theoretical.data()[k] - numeric.data()[k]));
  return error;
}

}  // namespace typeflow::test

#endif
