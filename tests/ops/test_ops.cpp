// Forward values of every op against plain loops, on odd sizes and around the SIMD width.

#include <doctest/doctest.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <typeflow/typeflow.hpp>

#include "../random_tensor.hpp"

namespace tf = typeflow;

using test::random_tensor;

namespace {

template <class T>
constexpr double tol = std::is_same_v<T, float> ? 1e-5 : 1e-12;

}  // namespace

TEST_CASE_TEMPLATE("ops.elementwise: + - * / negate square against loops, with broadcasting", T, float, double) {
  auto a = tf::placeholder<"a", T, 7, 5>();
  auto b = tf::placeholder<"b", T, 5>();     // broadcast over rows
  auto c = tf::placeholder<"c", T, 7, 1>();  // broadcast over columns
  const auto A = random_tensor<T, 2>({7, 5}, 1);
  const auto B = random_tensor<T, 1>({5}, 2, 0.5, 1.5);
  const auto C = random_tensor<T, 2>({7, 1}, 3, 0.5, 1.5);
  tf::Session sess;
  const auto feeds = [&](auto e) { return sess.run(e, tf::feed(a, A), tf::feed(b, B), tf::feed(c, C)); };

  const auto add = feeds(a + b), sub = feeds(a - c), mul = feeds(c * b), div = feeds(a / c), neg = feeds(-a),
             sq = feeds(tf::square(a)), lit = feeds(2.0 * a - 1 / b);
  CHECK(mul.shape() == std::array<std::size_t, 2>{7, 5});
  // TF's function names are the operators.
  CHECK(feeds(tf::add(a, b)) == add);
  CHECK(feeds(tf::subtract(a, c)) == sub);
  CHECK(feeds(tf::multiply(c, b)) == mul);
  CHECK(feeds(tf::divide(a, c)) == div);
  CHECK(feeds(tf::negative(a)) == neg);
  for (std::size_t i = 0; i < 7; ++i)
    for (std::size_t j = 0; j < 5; ++j) {
      CHECK(add(i, j) == doctest::Approx(A(i, j) + B(j)).epsilon(tol<T>));
      CHECK(sub(i, j) == doctest::Approx(A(i, j) - C(i, 0)).epsilon(tol<T>));
      CHECK(mul(i, j) == doctest::Approx(C(i, 0) * B(j)).epsilon(tol<T>));
      CHECK(div(i, j) == doctest::Approx(A(i, j) / C(i, 0)).epsilon(tol<T>));
      CHECK(neg(i, j) == -A(i, j));
      CHECK(sq(i, j) == doctest::Approx(A(i, j) * A(i, j)).epsilon(tol<T>));
      CHECK(lit(i, j) == doctest::Approx(2 * A(i, j) - 1 / B(j)).epsilon(tol<T>));
    }
}

TEST_CASE("ops.elementwise: a fused chain is exact at every length around the SIMD width") {
  auto x = tf::placeholder<"x", float, tf::none>();
  auto y = tf::placeholder<"y", float, tf::none>();
  auto chain = tf::square(x * 1.5f + y) - x / (y * y + 1.0f) * -x;
  tf::Session sess;
  for (std::size_t n : {0, 1, 3, 7, 8, 9, 15, 16, 17, 31, 33, 49, 1001}) {
    const auto X = random_tensor<float, 1>({n}, 4);
    const auto Y = random_tensor<float, 1>({n}, 5);
    const auto r = sess.run(chain, tf::feed(x, X), tf::feed(y, Y));
    REQUIRE(r.size() == n);
    for (std::size_t i = 0; i < n; ++i) {
      const float s = X(i) * 1.5f + Y(i);
      CHECK(r(i) == doctest::Approx(s * s - X(i) / (Y(i) * Y(i) + 1.0f) * -X(i)).epsilon(1e-5));
    }
  }
}

TEST_CASE("ops.elementwise: a fused chain whose rank-3 operands broadcast along different axes") {
  // The loop (eval/fused.hpp) runs row by row where operands broadcast: a is read whole, b is
  // one value per row, c and i repeat along the last axis, i is converted on load; a bool is
  // computed inside the loop (where's condition), stored (a fetched comparison) and summed
  // over. The longest rows are split over the Session's threads.
  auto a = tf::placeholder<"a", float, tf::none, 3, tf::none>();
  auto b = tf::placeholder<"b", float, tf::none, 3, 1>();
  auto c = tf::placeholder<"c", float, tf::none>();
  auto i = tf::placeholder<"i", std::int32_t, 1, 1, tf::none>();
  auto y = tf::where(a > b, a * c - b, tf::cast<float>(i) + 0.5f);
  auto below = tf::less(b, c);
  auto total = tf::reduce_sum(y * y + tf::cast<float>(below));
  tf::Session sess;
  for (std::size_t n : {1, 5, 17, 300001}) {
    CAPTURE(n);
    const auto A = random_tensor<float, 3>({2, 3, n}, 6);
    const auto B = random_tensor<float, 3>({2, 3, 1}, 7);
    const auto C = random_tensor<float, 1>({n}, 8);
    const auto I = random_tensor<std::int32_t, 3>({1, 1, n}, 9, -3, 3);
    const auto [Y, L, S] =
        sess.run(tf::fetch(y, below, total), tf::feed(a, A), tf::feed(b, B), tf::feed(c, C), tf::feed(i, I));
    REQUIRE(Y.shape() == std::array<std::size_t, 3>{2, 3, n});
    REQUIRE(L.shape() == std::array<std::size_t, 3>{2, 3, n});
    double sum = 0;
    std::size_t wrong = 0;  // counted, so that a mistake in 1.8M elements reports once
    for (std::size_t p = 0; p < 2; ++p)
      for (std::size_t q = 0; q < 3; ++q)
        for (std::size_t r = 0; r < n; ++r) {
          const float expected = A(p, q, r) > B(p, q, 0) ? A(p, q, r) * C(r) - B(p, q, 0) : float(I(0, 0, r)) + 0.5f;
          const bool less = B(p, q, 0) < C(r);
          wrong += Y(p, q, r) != doctest::Approx(expected).epsilon(1e-6) || L(p, q, r) != less;
          sum += double(expected) * expected + less;
        }
    CHECK(wrong == 0);
    CHECK(S() == doctest::Approx(sum).epsilon(1e-5));
  }
}

TEST_CASE("ops.elementwise: a NaN literal is a node like any other; -0.0 and 0.0 are two nodes") {
  // A plan finds a node's buffer by comparing payloads: bit for bit, so a NaN equals itself.
  auto x = tf::placeholder<"x", float, 3>();
  auto y = x * std::numeric_limits<float>::quiet_NaN();
  auto z = y + y * 2.0f;  // y has a buffer, read twice
  auto p = x * 0.0f;
  auto m = x * -0.0f;  // p's type, another node
  tf::Session sess;
  const xt::xtensor<float, 1> X = {1, 2, 3};
  const auto [Z, P, M] = sess.run(tf::fetch(z, p, m), tf::feed(x, X));
  for (std::size_t i = 0; i < 3; ++i) {
    CHECK(std::isnan(Z(i)));
    CHECK(!std::signbit(P(i)));
    CHECK(std::signbit(M(i)));
  }
}

TEST_CASE("ops.elementwise: one type with different literals is two nodes") {
  auto x = tf::placeholder<"x", float, 3>();
  const xt::xtensor<float, 1> X = {1, 2, 3};
  tf::Session sess;
  // x * 2 and x * 3 share a type but not a value; each must keep its own.
  const auto r = sess.run(tf::square(x * 2.0f) + tf::square(x * 3.0f), tf::feed(x, X));
  for (std::size_t i = 0; i < 3; ++i) CHECK(r(i) == doctest::Approx(13 * X(i) * X(i)));
}

TEST_CASE_TEMPLATE("ops.matmul: every transpose combination against a triple loop", T, float, double) {
  const std::size_t m = 7, k = 5, n = 3;
  const auto A = random_tensor<T, 2>({m, k}, 6), At = xt::xtensor<T, 2>(xt::transpose(A));
  const auto B = random_tensor<T, 2>({k, n}, 7), Bt = xt::xtensor<T, 2>(xt::transpose(B));
  auto a = tf::placeholder<"a", T, tf::none, 5>();
  auto at = tf::placeholder<"at", T, 5, tf::none>();
  auto b = tf::placeholder<"b", T, 5, 3>();
  auto bt = tf::placeholder<"bt", T, 3, 5>();
  tf::Session sess;
  const auto f = [&](auto e) {
    return sess.run(e, tf::feed(a, A), tf::feed(at, At), tf::feed(b, B), tf::feed(bt, Bt));
  };
  const xt::xtensor<T, 2> results[] = {f(tf::matmul(a, b)), f(tf::matmul(at, b, tf::transpose_a)),
                                       f(tf::matmul(a, bt, tf::transpose_b)),
                                       f(tf::matmul(at, bt, tf::transpose_a, tf::transpose_b))};
  for (const auto& r : results) {
    REQUIRE(r.shape() == std::array<std::size_t, 2>{m, n});
    for (std::size_t i = 0; i < m; ++i)
      for (std::size_t j = 0; j < n; ++j) {
        T ref = 0;
        for (std::size_t p = 0; p < k; ++p) ref += A(i, p) * B(p, j);
        CHECK(r(i, j) == doctest::Approx(ref).epsilon(tol<T>));
      }
  }
}

TEST_CASE("ops.matmul: a run-time inner dimension that differs is an error naming both shapes") {
  auto a = tf::placeholder<"a", float, 2, tf::none>();
  auto b = tf::placeholder<"b", float, tf::none, 2>();
  tf::Session sess;
  const xt::xtensor<float, 2> A = xt::ones<float>({2, 3}), B = xt::ones<float>({4, 2});
  CHECK_THROWS_WITH_AS(sess.run(tf::matmul(a, b), tf::feed(a, A), tf::feed(b, B)),
                       "MatMul: inner dimensions differ: [2, 3] x [4, 2]", tf::error);
}

namespace {
// Reference reduction over a mask of axes of a rank-3 tensor, keeping dims as 1.
template <class T>
xt::xtensor<double, 3> reference_sum(const xt::xtensor<T, 3>& x, std::array<bool, 3> mask) {
  std::array<std::size_t, 3> s = x.shape();
  for (int a = 0; a < 3; ++a)
    if (mask[a]) s[a] = 1;
  xt::xtensor<double, 3> r = xt::zeros<double>(s);
  for (std::size_t i = 0; i < x.shape(0); ++i)
    for (std::size_t j = 0; j < x.shape(1); ++j)
      for (std::size_t k = 0; k < x.shape(2); ++k) r(mask[0] ? 0 : i, mask[1] ? 0 : j, mask[2] ? 0 : k) += x(i, j, k);
  return r;
}

template <class T, std::size_t R>
void check_against(const xt::xtensor<T, R>& got, const xt::xtensor<double, 3>& ref, double scale) {
  REQUIRE(got.size() == ref.size());
  for (std::size_t i = 0; i < got.size(); ++i)
    CHECK(got.data()[i] == doctest::Approx(ref.data()[i] * scale).epsilon(tol<T>));
}
}  // namespace

TEST_CASE_TEMPLATE("ops.reduce: sum and mean over every axis set, with and without keep_dims", T, float, double) {
  auto x = tf::placeholder<"x", T, 3, tf::none, 5>();
  const auto X = random_tensor<T, 3>({3, 4, 5}, 8);
  tf::Session sess;
  const auto run = [&](auto e) { return sess.run(e, tf::feed(x, X)); };

  const auto all = run(tf::reduce_sum(x));
  static_assert(decltype(all)::rank == 0);
  check_against(all, reference_sum(X, {true, true, true}), 1.0);
  check_against(run(tf::reduce_mean(x)), reference_sum(X, {true, true, true}), 1.0 / 60);

  const auto s1 = run(tf::reduce_sum(x, tf::axis<1>));
  CHECK(s1.shape() == std::array<std::size_t, 2>{3, 5});
  check_against(s1, reference_sum(X, {false, true, false}), 1.0);
  const auto s1k = run(tf::reduce_sum(x, tf::axis<1>, tf::keep_dims));
  CHECK(s1k.shape() == std::array<std::size_t, 3>{3, 1, 5});
  check_against(s1k, reference_sum(X, {false, true, false}), 1.0);
  check_against(run(tf::reduce_sum(x, tf::axis<-1>)), reference_sum(X, {false, false, true}), 1.0);
  check_against(run(tf::reduce_sum(x, tf::axis<0, 2>, tf::keep_dims)), reference_sum(X, {true, false, true}), 1.0);
  check_against(run(tf::reduce_mean(x, tf::axis<0, 2>)), reference_sum(X, {true, false, true}), 1.0 / 15);
  check_against(run(tf::reduce_mean(x, tf::axis<0>)), reference_sum(X, {true, false, false}), 1.0 / 3);
  check_against(run(tf::reduce_sum(x, tf::axis<0, 1, 2>, tf::keep_dims)), reference_sum(X, {true, true, true}), 1.0);
}

TEST_CASE_TEMPLATE("ops.reduce: the sum of every element of an expression, for lengths around the SIMD width and the "
                   "2^12-element block, with and without a broadcast operand",
                   T, float, double) {
  // reduce_sum(2 x) runs in the expression's own loop (four SIMD chains per block of 2^12, one
  // batch at a time at the block's end, then element by element); x + y broadcasts y along
  // rows, so that loop runs row by row, reading y's value spread to a batch.
  auto x = tf::placeholder<"x", T, tf::none>();
  auto m = tf::placeholder<"m", T, tf::none, 3>();
  auto c = tf::placeholder<"c", T, tf::none, 1>();
  tf::Session sess;
  for (std::size_t n : {0, 1, 7, 8, 15, 16, 17, 31, 33, 63, 64, 65, 100, 4095, 4096, 4097, 8192 + 40, 10000}) {
    const auto X = random_tensor<T, 1>({n}, static_cast<unsigned>(n) + 1);
    double sum = 0, magnitude = 0;
    for (T v : X) sum += 2.0 * static_cast<double>(v), magnitude += 2.0 * std::abs(static_cast<double>(v));
    INFO("n = ", n);
    const double got = sess.run(tf::reduce_sum(x * T(2)), tf::feed(x, X))();
    CHECK(std::abs(got - sum) <= 1e-6 * magnitude + 1e-12);

    const auto M = random_tensor<T, 2>({n, 3}, static_cast<unsigned>(n) + 2);
    const auto C = random_tensor<T, 2>({n, 1}, static_cast<unsigned>(n) + 3);
    double broadcast_sum = 0, broadcast_magnitude = 0;
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t j = 0; j < 3; ++j) {
        const double v = static_cast<double>(M(i, j)) + static_cast<double>(C(i, 0));
        broadcast_sum += v, broadcast_magnitude += std::abs(v);
      }
    const double got_broadcast = sess.run(tf::reduce_sum(m + c), tf::feed(m, M), tf::feed(c, C))();
    CHECK(std::abs(got_broadcast - broadcast_sum) <= 1e-6 * broadcast_magnitude + 1e-12);
  }
}

TEST_CASE("ops.reduce: empty inputs sum to 0 and average to NaN, as in TensorFlow") {
  auto x = tf::placeholder<"x", float, tf::none, 3>();
  const xt::xtensor<float, 2> X = xt::zeros<float>({0, 3});
  tf::Session sess;
  CHECK(sess.run(tf::reduce_sum(x), tf::feed(x, X))() == 0.0f);
  const auto cols = sess.run(tf::reduce_sum(x, tf::axis<0>), tf::feed(x, X));
  CHECK(cols == xt::xtensor<float, 1>{0, 0, 0});
  CHECK(std::isnan(sess.run(tf::reduce_mean(x), tf::feed(x, X))()));
  CHECK(sess.run(tf::reduce_sum(x, tf::axis<1>), tf::feed(x, X)).size() == 0);
}

TEST_CASE("ops.constant: constant tensors and scalars take part in ops") {
  const xt::xtensor<double, 2> K = {{1, 2, 3}, {4, 5, 6}};
  auto k = tf::constant(K);
  auto k23 = tf::constant<2, 3>(K);
  static_assert(std::is_same_v<tf::shape_of_t<decltype(k)>, tf::shape<tf::none, tf::none>>);
  static_assert(std::is_same_v<tf::shape_of_t<decltype(k23)>, tf::shape<2, 3>>);
  auto x = tf::placeholder<"x", double, 3>();
  const xt::xtensor<double, 1> X = {10, 20, 30};
  tf::Session sess;
  const auto r = sess.run(k * x + tf::constant(1.0) + k23, tf::feed(x, X));
  for (std::size_t i = 0; i < 2; ++i)
    for (std::size_t j = 0; j < 3; ++j) CHECK(r(i, j) == doctest::Approx(K(i, j) * X(j) + 1 + K(i, j)));
  CHECK_THROWS_AS((tf::constant<3, 2>(K)), tf::error);
}

TEST_CASE("ops.constructors: zeros, ones, fill, range, linspace of static shapes; zeros_like, ones_like") {
  auto x = tf::placeholder<"x", double, tf::none, 3>();
  static_assert(std::is_same_v<decltype(tf::zeros<2, 3>()), tf::graph::constant<float, tf::shape<2, 3>>>);
  static_assert(std::is_same_v<tf::value_t<decltype(tf::ones<double, 3>())>, double>);
  static_assert(std::is_same_v<decltype(tf::range<5>()), tf::graph::constant<std::int32_t, tf::shape<5>>>);
  static_assert(std::is_same_v<tf::shape_of_t<decltype(tf::range<10, 2, -3>())>, tf::shape<3>>);
  static_assert(std::is_same_v<tf::shape_of_t<decltype(tf::range<3, 3>())>, tf::shape<0>>);
  static_assert(std::is_same_v<tf::shape_of_t<decltype(tf::ones_like(x))>, tf::shape<tf::none, 3>>);
  static_assert(decltype(tf::zeros_like(x))::op_type::tf_name == "ZerosLike");
  tf::Session sess;
  const auto [z, o, f, r, r2, r3, rf] =
      sess.run(tf::fetch(tf::zeros<2, 3>(), tf::ones<double, 3>(), tf::fill<2, 2>(0.5f), tf::range<5>(),
                         tf::range<2, 11, 3>(), tf::range<10, 2, -3>(), tf::range<double, 1, 4>()));
  CHECK(z == xt::zeros<float>({2, 3}));
  CHECK(o == xt::xtensor<double, 1>{1, 1, 1});
  CHECK(f == xt::xtensor<float, 2>{{0.5f, 0.5f}, {0.5f, 0.5f}});
  CHECK(r == xt::xtensor<std::int32_t, 1>{0, 1, 2, 3, 4});  // tf.range(5), int32
  CHECK(r2 == xt::xtensor<std::int32_t, 1>{2, 5, 8});       // tf.range(2, 11, 3)
  CHECK(r3 == xt::xtensor<std::int32_t, 1>{10, 7, 4});      // tf.range(10, 2, -3)
  CHECK(rf == xt::xtensor<double, 1>{1, 2, 3});
  // tf.linspace(-1.3, 2.9, 11) in float32 and tf.linspace(0., 1., 7) in float64, as TF 2.21 gives them.
  const auto l = sess.run(tf::linspace<11>(-1.3f, 2.9f));
  const float tf_l[] = {-1.2999999523162842f, -0.8799999952316284f, -0.4599999785423279f, -0.039999961853027344f,
                        0.3799999952316284f,  0.7999999523162842f,  1.2200000286102295f,  1.6399998664855957f,
                        2.059999942779541f,   2.4800000190734863f,  2.9000000953674316f};
  for (std::size_t i = 0; i < 11; ++i) CHECK(l(i) == tf_l[i]);
  const auto l7 = sess.run(tf::linspace<7>(0.0, 1.0));
  for (std::size_t i = 0; i < 7; ++i) CHECK(l7(i) == (i == 6 ? 1.0 : double(i) * (1.0 / 6)));
  CHECK(sess.run(tf::linspace<1>(3.0f, 5.0f)) == xt::xtensor<float, 1>{3.0f});
  // The *_like ops take x's run-time shape; they fuse into their users, NaN and inf included.
  const xt::xtensor<double, 2> X = {{1, std::numeric_limits<double>::quiet_NaN(), 3},
                                    {-std::numeric_limits<double>::infinity(), 5, 6}};
  const auto [zl, ol, sum] = sess.run(
      tf::fetch(tf::zeros_like(x), tf::ones_like(x), tf::ones_like(x) * 2.0 + tf::zeros<double, 3>()), tf::feed(x, X));
  CHECK(zl == xt::zeros<double>({2, 3}));
  CHECK(ol == xt::ones<double>({2, 3}));
  CHECK(sum == xt::xtensor<double, 2>{{2, 2, 2}, {2, 2, 2}});
  // No gradient flows through them (TF's is None): d/dx (x * ones_like(x)) is 1.
  const auto [g] = tf::gradients(tf::reduce_sum(x * tf::ones_like(x)), x);
  CHECK(sess.run(g, tf::feed(x, xt::xtensor<double, 2>{{1, 2, 3}})) == xt::xtensor<double, 2>{{1, 1, 1}});
}
