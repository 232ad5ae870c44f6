// Forward values of the nn ops against plain double loops: softmax, log_softmax, the softmax,
// sparse and sigmoid cross-entropies, l2_loss, bias_add and losses::mean_squared_error, with
// large logits, tiny probabilities and the errors TF raises.

#include <doctest/doctest.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <typeflow/typeflow.hpp>
#include <vector>

#include "../random_tensor.hpp"

namespace tf = typeflow;

using test::random_tensor;

namespace {

template <class T>
constexpr double tol = std::is_same_v<T, float> ? 2e-5 : 1e-12;

/// log(softmax(x)) of one row, in double, by the textbook formula shifted by the max.
template <class T>
std::vector<double> ref_log_softmax(const T* x, std::size_t n) {
  double m = -INFINITY, s = 0;
  for (std::size_t i = 0; i < n; ++i) m = std::max(m, double(x[i]));
  for (std::size_t i = 0; i < n; ++i) s += std::exp(double(x[i]) - m);
  std::vector<double> out(n);
  for (std::size_t i = 0; i < n; ++i) out[i] = double(x[i]) - m - std::log(s);
  return out;
}

bool all_finite(const auto& t) {
  for (auto v : t)
    if (!std::isfinite(v)) return false;
  return true;
}

}  // namespace

TEST_CASE_TEMPLATE("ops.nn: softmax, log_softmax and the softmax cross-entropies against loops", T, float, double) {
  auto x = tf::placeholder<"x", T, tf::none, tf::none>();
  auto z = tf::placeholder<"z", T, tf::none, tf::none>();
  auto l32 = tf::placeholder<"l32", std::int32_t, tf::none>();
  auto l64 = tf::placeholder<"l64", std::int64_t, tf::none>();
  tf::Session sess;
  for (std::size_t batch : {1, 3, 64})
    for (std::size_t classes : {1, 2, 10, 17}) {
      CAPTURE(batch);
      CAPTURE(classes);
      const auto X = random_tensor<T, 2>({batch, classes}, unsigned(batch * 100 + classes), -5, 5);
      auto Z = random_tensor<T, 2>({batch, classes}, unsigned(batch * 100 + classes + 1), 0, 1);
      for (std::size_t r = 0; r < batch; ++r) {  // rows of probabilities
        T s = 0;
        for (std::size_t c = 0; c < classes; ++c) s += Z(r, c);
        for (std::size_t c = 0; c < classes; ++c) Z(r, c) /= s;
      }
      xt::xtensor<std::int32_t, 1> L32(std::array<std::size_t, 1>{batch});
      xt::xtensor<std::int64_t, 1> L64(std::array<std::size_t, 1>{batch});
      for (std::size_t r = 0; r < batch; ++r) L64(r) = L32(r) = std::int32_t((r * 7 + 3) % classes);

      const auto [sm, lsm, xent, sparse32, sparse64] =
          sess.run(tf::fetch(tf::nn::softmax(x), tf::nn::log_softmax(x),
                             tf::nn::softmax_cross_entropy_with_logits(tf::labels = z, tf::logits = x),
                             tf::nn::sparse_softmax_cross_entropy_with_logits(tf::labels = l32, tf::logits = x),
                             tf::nn::sparse_softmax_cross_entropy_with_logits(tf::labels = l64, tf::logits = x)),
                   tf::feed(x, X), tf::feed(z, Z), tf::feed(l32, L32), tf::feed(l64, L64));
      REQUIRE(sm.shape() == X.shape());
      REQUIRE(lsm.shape() == X.shape());
      REQUIRE(xent.shape() == std::array<std::size_t, 1>{batch});
      REQUIRE(sparse64.shape() == std::array<std::size_t, 1>{batch});
      for (std::size_t r = 0; r < batch; ++r) {
        const auto ref = ref_log_softmax(&X(r, 0), classes);
        double ce = 0;
        for (std::size_t c = 0; c < classes; ++c) {
          CHECK(sm(r, c) == doctest::Approx(std::exp(ref[c])).epsilon(tol<T>));
          CHECK(lsm(r, c) == doctest::Approx(ref[c]).epsilon(tol<T>));
          ce -= double(Z(r, c)) * ref[c];
        }
        CHECK(xent(r) == doctest::Approx(ce).epsilon(tol<T>));
        CHECK(sparse32(r) == doctest::Approx(-ref[std::size_t(L32(r))]).epsilon(tol<T>));
        CHECK(sparse64(r) == sparse32(r));
      }
    }
}

TEST_CASE_TEMPLATE("ops.nn: softmax and log_softmax over the last axis of a rank-3 tensor", T, float, double) {
  auto x = tf::placeholder<"x", T, 2, 3, 5>();
  const auto X = random_tensor<T, 3>({2, 3, 5}, 7, -3, 3);
  tf::Session sess;
  const auto [sm, lsm] = sess.run(tf::fetch(tf::nn::softmax(x), tf::nn::log_softmax(x)), tf::feed(x, X));
  for (std::size_t i = 0; i < 2; ++i)
    for (std::size_t j = 0; j < 3; ++j) {
      const auto ref = ref_log_softmax(&X(i, j, 0), 5);
      for (std::size_t c = 0; c < 5; ++c) {
        CHECK(sm(i, j, c) == doctest::Approx(std::exp(ref[c])).epsilon(tol<T>));
        CHECK(lsm(i, j, c) == doctest::Approx(ref[c]).epsilon(tol<T>));
      }
    }
  // A rank-1 input is one row, and its cross-entropy a scalar.
  auto v = tf::placeholder<"v", T, 4>();
  auto w = tf::placeholder<"w", T, 4>();
  const xt::xtensor<T, 1> V = {1, 2, 3, 4}, W = {0, 0, 1, 0};
  const auto ce = sess.run(tf::nn::softmax_cross_entropy_with_logits(tf::labels = w, tf::logits = v), tf::feed(v, V),
                           tf::feed(w, W));
  CHECK(ce() == doctest::Approx(-ref_log_softmax(V.data(), 4)[2]).epsilon(tol<T>));
}

TEST_CASE_TEMPLATE("ops.nn: large logits and tiny probabilities stay finite, as in TF", T, float, double) {
  auto x = tf::placeholder<"x", T, tf::none, 4>();
  auto z = tf::placeholder<"z", T, tf::none, 4>();
  auto l = tf::placeholder<"l", std::int32_t, tf::none>();
  // Row 0: logits of 1e4 (exp overflows without the shift); row 1: probabilities of e^-100, e^-200.
  const xt::xtensor<T, 2> X = {{T(1e4), T(-1e4), 0, T(1e4 - 1)}, {0, -100, -200, -1}};
  const xt::xtensor<T, 2> Z = {{0, 0.5, 0, 0.5}, {0, 0, 1, 0}};
  const xt::xtensor<std::int32_t, 1> L = {1, 2};
  tf::Session sess;
  auto xent = tf::nn::softmax_cross_entropy_with_logits(tf::labels = z, tf::logits = x);
  auto sparse = tf::nn::sparse_softmax_cross_entropy_with_logits(tf::labels = l, tf::logits = x);
  const auto [dx, dz] = tf::gradients(xent, x, z);
  const auto [dxs] = tf::gradients(sparse, x);
  const auto [sm, lsm, ce, sce, gx, gz, gxs] =
      sess.run(tf::fetch(tf::nn::softmax(x), tf::nn::log_softmax(x), xent, sparse, dx, dz, dxs), tf::feed(x, X),
               tf::feed(z, Z), tf::feed(l, L));
  CHECK(all_finite(sm));
  CHECK(all_finite(lsm));
  CHECK(all_finite(ce));
  CHECK(all_finite(sce));
  CHECK(all_finite(gx));
  CHECK(all_finite(gz));
  CHECK(all_finite(gxs));
  const double e = std::exp(-1.0);
  CHECK(sm(0, 0) == doctest::Approx(1 / (1 + e)).epsilon(tol<T>));
  CHECK(sm(0, 3) == doctest::Approx(e / (1 + e)).epsilon(tol<T>));
  CHECK(sm(0, 1) == 0);
  CHECK(lsm(0, 1) == doctest::Approx(-2e4 - std::log1p(e)).epsilon(tol<T>));
  CHECK(lsm(1, 2) == doctest::Approx(-200 - std::log1p(std::exp(-1.0) + std::exp(-100.0))).epsilon(tol<T>));
  CHECK(ce(0) == doctest::Approx(0.5 * (2e4 + std::log1p(e)) + 0.5 * (1 + std::log1p(e))).epsilon(tol<T>));
  CHECK(ce(1) == doctest::Approx(-lsm(1, 2)).epsilon(tol<T>));
  CHECK(sce(0) == doctest::Approx(2e4 + std::log1p(e)).epsilon(tol<T>));
  CHECK(sce(1) == doctest::Approx(ce(1)).epsilon(tol<T>));
  // d/dx = softmax - labels; d/dz = -log_softmax.
  CHECK(gx(0, 1) == doctest::Approx(-0.5).epsilon(tol<T>));
  CHECK(gx(1, 2) == doctest::Approx(-1).epsilon(tol<T>));
  CHECK(gz(1, 2) == doctest::Approx(-lsm(1, 2)).epsilon(tol<T>));
  CHECK(gxs(1, 2) == doctest::Approx(-1).epsilon(tol<T>));
  CHECK(gxs(0, 0) == doctest::Approx(1 / (1 + e)).epsilon(tol<T>));
}

TEST_CASE("ops.nn: sparse labels outside [0, classes) are an error naming the op, the index and the value") {
  auto x = tf::placeholder<"x", float, tf::none, 10>();
  auto l = tf::placeholder<"l", std::int64_t, tf::none>();
  auto m = tf::placeholder<"m", std::int32_t, 2, 2>();
  auto y = tf::placeholder<"y", float, 2, 2, 3>();
  const xt::xtensor<float, 2> X = xt::zeros<float>({3, 10});
  const xt::xtensor<float, 3> Y = xt::zeros<float>({2, 2, 3});
  const xt::xtensor<std::int64_t, 1> high = {0, 9, 10}, negative = {-1, 0, 0};
  const xt::xtensor<std::int32_t, 2> M = {{0, 1}, {2, 3}};
  auto loss = tf::nn::sparse_softmax_cross_entropy_with_logits(tf::labels = l, tf::logits = x);
  tf::Session sess;
  CHECK_THROWS_WITH_AS(
      sess.run(loss, tf::feed(x, X), tf::feed(l, high)),
      "SparseSoftmaxCrossEntropyWithLogits: labels[2] = 10 is outside the valid range of classes [0, 10)", tf::error);
  CHECK_THROWS_WITH_AS(
      sess.run(loss, tf::feed(x, X), tf::feed(l, negative)),
      "SparseSoftmaxCrossEntropyWithLogits: labels[0] = -1 is outside the valid range of classes [0, 10)", tf::error);
  // The gradient checks too (it may run without the loss).
  CHECK_THROWS_AS(sess.run(tf::get<0>(tf::gradients(loss, x)), tf::feed(x, X), tf::feed(l, high)), tf::error);
  // Labels of rank 2 are named by their coordinates.
  CHECK_THROWS_WITH_AS(
      sess.run(tf::nn::sparse_softmax_cross_entropy_with_logits(tf::labels = m, tf::logits = y), tf::feed(m, M),
               tf::feed(y, Y)),
      "SparseSoftmaxCrossEntropyWithLogits: labels[1, 1] = 3 is outside the valid range of classes [0, 3)", tf::error);
  // Run-time shapes that differ.
  const xt::xtensor<std::int64_t, 1> two = {0, 1};
  CHECK_THROWS_WITH_AS(sess.run(loss, tf::feed(x, X), tf::feed(l, two)),
                       "SparseSoftmaxCrossEntropyWithLogits: labels of shape [2] do not match logits of shape [3, 10] "
                       "(expected logits' shape without its last axis)",
                       tf::error);
  auto z = tf::placeholder<"z", float, tf::none, 10>();
  CHECK_THROWS_WITH_AS(sess.run(tf::nn::softmax_cross_entropy_with_logits(tf::labels = z, tf::logits = x),
                                tf::feed(x, X), tf::feed(z, xt::xtensor<float, 2>(xt::zeros<float>({2, 10})))),
                       "SoftmaxCrossEntropyWithLogits: labels of shape [2, 10] do not match logits of shape [3, 10]",
                       tf::error);
}

TEST_CASE_TEMPLATE("ops.nn: sigmoid_cross_entropy_with_logits against the definition, at every SIMD length", T, float,
                   double) {
  auto x = tf::placeholder<"x", T, tf::none>();
  auto z = tf::placeholder<"z", T, tf::none>();
  auto y = tf::nn::sigmoid_cross_entropy_with_logits(tf::labels = z, tf::logits = x);
  tf::Session sess;
  for (std::size_t n : {1, 3, 7, 8, 9, 15, 16, 17, 33, 101}) {
    const auto X = random_tensor<T, 1>({n}, unsigned(n), -6, 6);
    const auto Z = random_tensor<T, 1>({n}, unsigned(n + 1), 0, 1);
    const auto r = sess.run(y, tf::feed(x, X), tf::feed(z, Z));
    REQUIRE(r.size() == n);
    for (std::size_t i = 0; i < n; ++i) {
      const double s = 1 / (1 + std::exp(-double(X(i))));
      CHECK(r(i) ==
            doctest::Approx(-double(Z(i)) * std::log(s) - (1 - double(Z(i))) * std::log(1 - s)).epsilon(tol<T>));
    }
  }
  // |x| = 1e4: exp(1e4) would overflow; TF's formula gives |x| (or 0) exactly.
  const xt::xtensor<T, 1> X = {T(1e4), T(-1e4), T(1e4), T(-1e4), 0}, Z = {0, 1, 1, 0, T(0.5)};
  const auto [dx, dz] = tf::gradients(y, x, z);
  const auto [r, gx, gz] = sess.run(tf::fetch(y, dx, dz), tf::feed(x, X), tf::feed(z, Z));
  CHECK(r(0) == T(1e4));
  CHECK(r(1) == T(1e4));
  CHECK(r(2) == 0);
  CHECK(r(3) == 0);
  CHECK(r(4) == doctest::Approx(std::log(2.0)).epsilon(tol<T>));
  // d/dx = sigmoid(x) - z, d/dz = -x.
  CHECK(gx(0) == 1);
  CHECK(gx(1) == -1);
  CHECK(gx(2) == 0);
  CHECK(gx(3) == 0);
  CHECK(gx(4) == 0);
  CHECK(gz(0) == T(-1e4));
  CHECK(gz(1) == T(1e4));
}

TEST_CASE_TEMPLATE("ops.nn: l2_loss, bias_add and losses::mean_squared_error against loops", T, float, double) {
  auto x = tf::placeholder<"x", T, tf::none, 5>();
  auto b = tf::placeholder<"b", T, 5>();
  auto y = tf::placeholder<"y", T, tf::none, 5>();
  auto v = tf::placeholder<"v", T, 2, 3, 5>();
  tf::Session sess;
  for (std::size_t n : {1, 3, 7, 64}) {
    const auto X = random_tensor<T, 2>({n, 5}, unsigned(n));
    const auto Y = random_tensor<T, 2>({n, 5}, unsigned(n + 1));
    const auto B = random_tensor<T, 1>({5}, unsigned(n + 2));
    const auto [l2, ba, fused, mse] =
        sess.run(tf::fetch(tf::nn::l2_loss(x), tf::nn::bias_add(x, b), tf::square(tf::nn::bias_add(x, b)) * 2.0,
                           tf::losses::mean_squared_error(tf::labels = y, tf::predictions = x)),
                 tf::feed(x, X), tf::feed(b, B), tf::feed(y, Y));
    double sq = 0, se = 0;
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t j = 0; j < 5; ++j) {
        sq += double(X(i, j)) * X(i, j);
        se += (double(X(i, j)) - Y(i, j)) * (double(X(i, j)) - Y(i, j));
        CHECK(ba(i, j) == doctest::Approx(double(X(i, j)) + B(j)).epsilon(tol<T>));
        CHECK(fused(i, j) == doctest::Approx(2 * (double(X(i, j)) + B(j)) * (double(X(i, j)) + B(j))).epsilon(tol<T>));
      }
    CHECK(l2() == doctest::Approx(sq / 2).epsilon(tol<T>));
    CHECK(mse() == doctest::Approx(se / double(n * 5)).epsilon(tol<T>));
  }
  const auto V = random_tensor<T, 3>({2, 3, 5}, 3);
  const auto B = random_tensor<T, 1>({5}, 4);
  const auto r = sess.run(tf::nn::bias_add(v, b), tf::feed(v, V), tf::feed(b, B));
  for (std::size_t i = 0; i < 2; ++i)
    for (std::size_t j = 0; j < 3; ++j)
      for (std::size_t k = 0; k < 5; ++k)
        CHECK(r(i, j, k) == doctest::Approx(double(V(i, j, k)) + B(k)).epsilon(tol<T>));
}

TEST_CASE("ops.nn: op names and result shapes are TF's") {
  auto x = tf::placeholder<"x", float, tf::none, 3, 10>();
  auto l = tf::placeholder<"l", std::int32_t, tf::none, 3>();
  auto b = tf::placeholder<"b", float, 10>();
  using xent = decltype(tf::nn::softmax_cross_entropy_with_logits(tf::labels = x, tf::logits = x));
  using sparse = decltype(tf::nn::sparse_softmax_cross_entropy_with_logits(tf::labels = l, tf::logits = x));
  static_assert(std::is_same_v<tf::shape_of_t<xent>, tf::shape<tf::none, 3>>);
  static_assert(std::is_same_v<tf::shape_of_t<sparse>, tf::shape<tf::none, 3>>);
  static_assert(std::is_same_v<tf::value_t<sparse>, float>);
  static_assert(std::is_same_v<tf::shape_of_t<decltype(tf::nn::l2_loss(x))>, tf::shape<>>);
  static_assert(std::is_same_v<tf::shape_of_t<decltype(tf::nn::bias_add(x, b))>, tf::shape<tf::none, 3, 10>>);
  static_assert(xent::op_type::tf_name == "SoftmaxCrossEntropyWithLogits");
  static_assert(sparse::op_type::tf_name == "SparseSoftmaxCrossEntropyWithLogits");
  static_assert(decltype(tf::nn::softmax(x))::op_type::tf_name == "Softmax");
  static_assert(decltype(tf::nn::log_softmax(x))::op_type::tf_name == "LogSoftmax");
  static_assert(decltype(tf::nn::bias_add(x, b))::op_type::tf_name == "BiasAdd");
  static_assert(decltype(tf::nn::l2_loss(x))::op_type::tf_name == "L2Loss");
  // No gradient flows to integer labels.
  static_assert(!tf::differentiable_v<sparse, 0> && tf::differentiable_v<sparse, 1>);
  // Keywords in either order make one node; the mixed or positional calls are compile errors
  // (tests/compile_fail/xent_positional.cpp, loss_positional.cpp).
  auto z = tf::placeholder<"z", float, tf::none, 3, 10>();
  static_assert(std::is_same_v<decltype(tf::nn::softmax_cross_entropy_with_logits(tf::logits = x, tf::labels = z)),
                               decltype(tf::nn::softmax_cross_entropy_with_logits(tf::labels = z, tf::logits = x))>);
  static_assert(std::is_same_v<decltype(tf::nn::softmax_cross_entropy_with_logits_v2(tf::logits = x, tf::labels = z)),
                               decltype(tf::nn::softmax_cross_entropy_with_logits(tf::labels = z, tf::logits = x))>);
  using sigmoid = decltype(tf::nn::sigmoid_cross_entropy_with_logits(tf::logits = x, tf::labels = z));
  static_assert(
      std::is_same_v<sigmoid, decltype(tf::nn::sigmoid_cross_entropy_with_logits(tf::labels = z, tf::logits = x))>);
  static_assert(std::is_same_v<std::tuple_element_t<0, sigmoid::args_type>, decltype(z)>);  // labels first
  static_assert(std::is_same_v<decltype(tf::losses::mean_squared_error(tf::predictions = x, tf::labels = z)),
                               decltype(tf::losses::mean_squared_error(tf::labels = z, tf::predictions = x))>);
}

TEST_CASE("ops.nn: the gradient to the logits is TF's softmax(x) - labels, also where labels do not sum to 1") {
  auto x = tf::placeholder<"x", double, 2, 3>();
  auto z = tf::placeholder<"z", double, 2, 3>();
  const xt::xtensor<double, 2> X = {{1, 2, 3}, {-1, 0, 4}}, Z = {{0.5, 0.5, 0.5}, {0, 2, 0}};
  tf::Session sess;
  const auto [sm, g] = sess.run(
      tf::fetch(tf::nn::softmax(x), tf::get<0>(tf::gradients(
                                        tf::nn::softmax_cross_entropy_with_logits(tf::labels = z, tf::logits = x), x))),
      tf::feed(x, X), tf::feed(z, Z));
  for (std::size_t r = 0; r < 2; ++r)
    for (std::size_t c = 0; c < 3; ++c) CHECK(g(r, c) == doctest::Approx(sm(r, c) - Z(r, c)).epsilon(1e-12));
}
