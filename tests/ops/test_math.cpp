// Forward values of the math, activation, comparison, where and cast ops against plain
// std:: loops, beyond what the op table checks for each elementwise op (test_op_table.cpp):
// broadcasting, integer dtypes, run-time attributes, comparisons, where and cast, and the
// SIMD path of the op tags on integers and of comparisons, where and cast.

#include <doctest/doctest.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <random>
#include <typeflow/typeflow.hpp>

#include "../random_tensor.hpp"

namespace tf = typeflow;

using test::random_tensor;

namespace {

/// Integers in [lo, hi], as T: equal values occur, so comparisons and ties are exercised.
template <class T, std::size_t R>
xt::xtensor<T, R> random_integers(const std::array<std::size_t, R>& shape, unsigned seed, int lo, int hi) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> u(lo, hi);
  xt::xtensor<T, R> t(shape);
  for (auto& v : t) v = static_cast<T>(u(rng));
  return t;
}

template <class T>
constexpr double tol = std::is_same_v<T, float> ? 2e-6 : 1e-13;

/// Relative closeness, with an absolute floor for results near 0 (sigmoid of -30, log of 1).
template <class T>
void check_close(T got, double ref) {
  CHECK(std::isfinite(got) == std::isfinite(ref));
  if (std::isinf(ref)) {  // 0^-1 is inf, as in TF
    CHECK(static_cast<double>(got) == ref);
    return;
  }
  CHECK(static_cast<double>(got) ==
        doctest::Approx(ref).epsilon(8 * tol<T>).scale(std::is_same_v<T, float> ? 1e-6 : 1e-14));
}

// The sizes around the SIMD width: xsimd batches of float are 4, 8 or 16 lanes.
constexpr std::size_t sizes[] = {1, 7, 8, 15, 16, 17, 33};

}  // namespace

TEST_CASE("ops.activations: leaky ReLUs with different alphas are different nodes") {
  auto x = tf::placeholder<"x", float, 5>();
  const xt::xtensor<float, 1> X = {-2, -1, 0, 1, 2};
  tf::Session sess;
  static_assert(std::is_same_v<decltype(tf::nn::leaky_relu(x, 0.1)), decltype(tf::nn::leaky_relu(x, 0.3))>);
  const auto r = sess.run(tf::nn::leaky_relu(x, 0.1) + tf::square(tf::nn::leaky_relu(x, 0.3)), tf::feed(x, X));
  for (std::size_t i = 0; i < 5; ++i) {
    const float a = X(i) > 0 ? X(i) : 0.1f * X(i), b = X(i) > 0 ? X(i) : 0.3f * X(i);
    CHECK(r(i) == doctest::Approx(a + b * b));
  }
}

TEST_CASE_TEMPLATE("ops.math: pow, maximum and minimum broadcast both ways", T, float, double) {
  auto a = tf::placeholder<"a", T, 7, tf::none>();
  auto b = tf::placeholder<"b", T, 17>();
  auto c = tf::placeholder<"c", T, 7, 1>();
  const auto A = random_integers<T, 2>({7, 17}, 3, -3, 3);  // ties with B and C
  const auto B = random_integers<T, 1>({17}, 4, -3, 3);
  const auto C = random_integers<T, 2>({7, 1}, 5, -3, 3);
  const auto Pa = random_tensor<T, 2>({7, 17}, 6, 0.1, 3.0);
  tf::Session sess;
  const auto [pw, pw_same, pw_lit, mx, mn, mx_lit, mn_lit] =
      sess.run(tf::fetch(tf::pow(a, c), tf::pow(a, a), tf::pow(2.0, b), tf::maximum(c, b), tf::minimum(a, c),
                         tf::maximum(a, 0), tf::minimum(1.5, b)),
               tf::feed(a, A), tf::feed(b, B), tf::feed(c, C));
  const auto pwp = sess.run(tf::pow(a, b * T(0.5)), tf::feed(a, Pa), tf::feed(b, B));
  REQUIRE(mx.shape() == std::array<std::size_t, 2>{7, 17});
  for (std::size_t i = 0; i < 7; ++i)
    for (std::size_t j = 0; j < 17; ++j) {
      check_close(pw(i, j), std::pow(double(A(i, j)), double(C(i, 0))));
      check_close(pw_same(i, j), std::pow(double(A(i, j)), double(A(i, j))));  // 0^0 = 1, (-3)^-3
      check_close(pwp(i, j), std::pow(double(Pa(i, j)), double(B(j)) * 0.5));
      CHECK(mx(i, j) == std::max(C(i, 0), B(j)));
      CHECK(mn(i, j) == std::min(A(i, j), C(i, 0)));
      CHECK(mx_lit(i, j) == std::max(A(i, j), T(0)));
    }
  for (std::size_t j = 0; j < 17; ++j) {
    check_close(pw_lit(j), std::pow(2.0, double(B(j))));
    CHECK(mn_lit(j) == std::min(T(1.5), B(j)));
  }
}

TEST_CASE_TEMPLATE("ops.math: integer dtypes where TensorFlow allows them", T, std::int32_t, std::int64_t) {
  auto x = tf::placeholder<"x", T, tf::none>();
  auto y = tf::placeholder<"y", T, tf::none>();
  const auto fetches = tf::fetch(tf::abs(x), tf::sign(x), tf::maximum(x, y), tf::minimum(x, 2), tf::nn::relu(x),
                                 tf::nn::relu6(x), x * y + y * 3 - x, -x, tf::square(y));
  tf::Session sess;
  for (std::size_t n : sizes) {
    CAPTURE(n);
    auto X = random_integers<T, 1>({n}, 7 + unsigned(n), -9, 9);
    const auto Y = random_integers<T, 1>({n}, 8 + unsigned(n), -9, 9);
    if (n > 2) X(2) = (T(1) << (sizeof(T) == 4 ? 24 : 53)) + 1;  // no float (double) holds it exactly
    const auto [abs_, sign_, max_, min_, relu_, relu6_, arith, neg, sq] =
        sess.run(fetches, tf::feed(x, X), tf::feed(y, Y));
    static_assert(std::is_same_v<typename std::remove_cvref_t<decltype(abs_)>::value_type, T>);
    for (std::size_t i = 0; i < n; ++i) {
      CHECK(abs_(i) == (X(i) < 0 ? -X(i) : X(i)));
      CHECK(sign_(i) == T((X(i) > 0) - (X(i) < 0)));
      CHECK(max_(i) == std::max(X(i), Y(i)));
      CHECK(min_(i) == std::min(X(i), T(2)));
      CHECK(relu_(i) == std::max(X(i), T(0)));
      CHECK(relu6_(i) == std::min(std::max(X(i), T(0)), T(6)));
      CHECK(arith(i) == X(i) * Y(i) + Y(i) * 3 - X(i));
      CHECK(neg(i) == -X(i));
      CHECK(sq(i) == Y(i) * Y(i));
    }
  }
}

TEST_CASE_TEMPLATE("ops.compare: the six comparisons, broadcasting, with numbers and operators", T, float, double,
                   std::int32_t, std::int64_t) {
  auto a = tf::placeholder<"a", T, tf::none, 17>();
  auto b = tf::placeholder<"b", T, 17>();
  auto c = tf::placeholder<"c", T, tf::none, 1>();
  const auto A = random_integers<T, 2>({5, 17}, 9, -2, 2);
  const auto B = random_integers<T, 1>({17}, 10, -2, 2);
  const auto C = random_integers<T, 2>({5, 1}, 11, -2, 2);
  tf::Session sess;
  const auto [eq, ne, lt, le, gt, ge, lt_op, le_op, gt_op, ge_op, eq_lit] =
      sess.run(tf::fetch(tf::equal(a, b), tf::not_equal(a, c), tf::less(c, b), tf::less_equal(a, b), tf::greater(a, c),
                         tf::greater_equal(b, a), a<b, c <= b, a> 0, 1 >= a, tf::equal(0, a)),
               tf::feed(a, A), tf::feed(b, B), tf::feed(c, C));
  static_assert(std::is_same_v<typename std::remove_cvref_t<decltype(eq)>::value_type, bool>);
  REQUIRE(lt.shape() == std::array<std::size_t, 2>{5, 17});
  for (std::size_t i = 0; i < 5; ++i)
    for (std::size_t j = 0; j < 17; ++j) {
      const T av = A(i, j), bv = B(j), cv = C(i, 0);
      CHECK(eq(i, j) == (av == bv));
      CHECK(ne(i, j) == (av != cv));
      CHECK(lt(i, j) == (cv < bv));
      CHECK(le(i, j) == (av <= bv));
      CHECK(gt(i, j) == (av > cv));
      CHECK(ge(i, j) == (bv >= av));
      CHECK(lt_op(i, j) == (av < bv));
      CHECK(le_op(i, j) == (cv <= bv));
      CHECK(gt_op(i, j) == (av > 0));
      CHECK(ge_op(i, j) == (1 >= av));
      CHECK(eq_lit(i, j) == (av == 0));
    }
}

TEST_CASE_TEMPLATE("ops.where: x where cond, y elsewhere, the three broadcast together", T, float, double,
                   std::int32_t) {
  auto cond = tf::placeholder<"cond", bool, tf::none, 1>();
  auto x = tf::placeholder<"x", T, 17>();
  auto y = tf::placeholder<"y", T, 1, 1>();
  auto w = tf::placeholder<"w", T, tf::none, 17>();
  const xt::xtensor<bool, 2> Cond = {{true}, {false}, {true}, {true}, {false}};
  const auto X = random_integers<T, 1>({17}, 12, -5, 5);
  const xt::xtensor<T, 2> Y = {{T(7)}};
  const auto W = random_integers<T, 2>({5, 17}, 13, -5, 5);
  const xt::xtensor<bool, 1> one_true = {true};
  auto single = tf::placeholder<"single", bool, 1>();
  auto row = tf::placeholder<"row", bool, 17>();  // bools loaded along the SIMD (last) axis
  xt::xtensor<bool, 1> Row(std::array<std::size_t, 1>{17});
  for (std::size_t j = 0; j < 17; ++j) Row(j) = j % 3 == 0;
  tf::Session sess;
  const auto [bcast, lazy_cond, numbers, single_cond, by_row] =
      sess.run(tf::fetch(tf::where(cond, x, y), tf::where(w > x, w * 2, x - w), tf::where(w < 0, 0, w),
                         tf::where(single, w, x), tf::where(row, w, -w)),
               tf::feed(cond, Cond), tf::feed(x, X), tf::feed(y, Y), tf::feed(w, W), tf::feed(single, one_true),
               tf::feed(row, Row));
  REQUIRE(bcast.shape() == std::array<std::size_t, 2>{5, 17});
  for (std::size_t i = 0; i < 5; ++i)
    for (std::size_t j = 0; j < 17; ++j) {
      CHECK(bcast(i, j) == (Cond(i, 0) ? X(j) : T(7)));
      CHECK(lazy_cond(i, j) == (W(i, j) > X(j) ? W(i, j) * 2 : X(j) - W(i, j)));
      CHECK(numbers(i, j) == (W(i, j) < 0 ? T(0) : W(i, j)));
      CHECK(single_cond(i, j) == W(i, j));
      CHECK(by_row(i, j) == (Row(j) ? W(i, j) : T(-W(i, j))));
    }
}

TEST_CASE_TEMPLATE("ops.where: a condition computed in another dtype than x and y", T, float, std::int64_t) {
  // The comparison runs on doubles (int32s) whose float images would compare otherwise.
  auto d = tf::placeholder<"d", double, tf::none>();
  auto k = tf::placeholder<"k", std::int32_t, tf::none>();
  auto x = tf::placeholder<"x", T, tf::none>();
  tf::Session sess;
  for (std::size_t n : sizes) {
    CAPTURE(n);
    xt::xtensor<double, 1> D(std::array<std::size_t, 1>{n});
    xt::xtensor<std::int32_t, 1> K(std::array<std::size_t, 1>{n});
    for (std::size_t i = 0; i < n; ++i) {
      D(i) = 1.0 + (i % 3 == 0 ? 1e-12 : i % 3 == 1 ? -1e-12 : 0.0);  // all 1.0f as floats
      K(i) = 16777216 + static_cast<std::int32_t>(i % 2);             // 2^24 and 2^24 + 1: one float
    }
    const auto X = random_integers<T, 1>({n}, 14 + unsigned(n), 1, 9);
    const auto [by_double, by_int, by_cast] =
        sess.run(tf::fetch(tf::where(d > 1.0, x, -x), tf::where(tf::equal(k, 16777217), x * 2, x),
                           tf::where(tf::cast<std::int32_t>(d * 2.0) >= 2, x, 0)),
                 tf::feed(d, D), tf::feed(k, K), tf::feed(x, X));
    for (std::size_t i = 0; i < n; ++i) {
      CHECK(by_double(i) == (D(i) > 1.0 ? X(i) : T(-X(i))));
      CHECK(by_int(i) == (K(i) == 16777217 ? T(X(i) * 2) : X(i)));
      CHECK(by_cast(i) == (static_cast<std::int32_t>(D(i) * 2.0) >= 2 ? X(i) : T(0)));
    }
  }
}

TEST_CASE("ops.cast: int <-> floating, bool <-> numbers, truncation toward zero") {
  auto f = tf::placeholder<"f", float, tf::none>();
  auto d = tf::placeholder<"d", double, tf::none>();
  auto i32 = tf::placeholder<"i32", std::int32_t, tf::none>();
  auto i64 = tf::placeholder<"i64", std::int64_t, tf::none>();
  static_assert(std::is_same_v<decltype(tf::cast<float>(f)), decltype(f)>);  // a cast to its own dtype is x
  tf::Session sess;
  const auto fetches = tf::fetch(tf::cast<std::int32_t>(f), tf::cast<std::int64_t>(d * 3.0), tf::cast<float>(i32),
                                 tf::cast<double>(i64), tf::cast<double>(f) * d, tf::cast<float>(f > 0.5f),
                                 tf::cast<bool>(i32), tf::cast<std::int64_t>(tf::cast<float>(i32) * 0.5f));
  for (std::size_t n : sizes) {
    CAPTURE(n);
    const auto F = random_tensor<float, 1>({n}, 15 + unsigned(n), -5.0, 5.0);
    const auto D = random_tensor<double, 1>({n}, 16 + unsigned(n), -5.0, 5.0);
    auto I32 = random_integers<std::int32_t, 1>({n}, 17 + unsigned(n), -3, 3);
    auto I64 = random_integers<std::int64_t, 1>({n}, 18 + unsigned(n), -1000, 1000);
    if (n > 1) I64(1) = (std::int64_t{1} << 53) + 1;  // rounds to 2^53 as a double
    const auto [to_i32, to_i64, to_f, to_d, mixed, from_bool, to_bool, chain] =
        sess.run(fetches, tf::feed(f, F), tf::feed(d, D), tf::feed(i32, I32), tf::feed(i64, I64));
    static_assert(std::is_same_v<typename std::remove_cvref_t<decltype(to_bool)>::value_type, bool>);
    for (std::size_t i = 0; i < n; ++i) {
      CHECK(to_i32(i) == static_cast<std::int32_t>(F(i)));
      CHECK(to_i64(i) == static_cast<std::int64_t>(D(i) * 3.0));
      CHECK(to_f(i) == static_cast<float>(I32(i)));
      CHECK(to_d(i) == static_cast<double>(I64(i)));
      CHECK(mixed(i) == static_cast<double>(F(i)) * D(i));
      CHECK(from_bool(i) == (F(i) > 0.5f ? 1.0f : 0.0f));
      CHECK(to_bool(i) == (I32(i) != 0));
      CHECK(chain(i) == static_cast<std::int64_t>(static_cast<float>(I32(i)) * 0.5f));
    }
  }
}

TEST_CASE("ops.compare: a comparison, where and cast chain (a classifier's accuracy)") {
  // The predicted class of three scores, as an int64, then the share of correct labels.
  auto x0 = tf::placeholder<"x0", float, tf::none, 1>();
  auto x1 = tf::placeholder<"x1", float, tf::none, 1>();
  auto x2 = tf::placeholder<"x2", float, tf::none, 1>();
  auto labels = tf::placeholder<"labels", std::int64_t, tf::none, 1>();
  auto pred = tf::where(tf::minimum(x1 - x0, x1 - x2) >= 0.0f, tf::constant(std::int64_t{1}),
                        tf::where(x2 > x0, tf::constant(std::int64_t{2}), tf::constant(std::int64_t{0})));
  auto accuracy = tf::reduce_mean(tf::cast<float>(tf::equal(pred, labels)));
  const xt::xtensor<float, 2> X0 = {{0.1f}, {3.0f}, {0.0f}, {1.0f}, {-1.0f}};
  const xt::xtensor<float, 2> X1 = {{2.0f}, {1.0f}, {0.5f}, {1.5f}, {-2.0f}};
  const xt::xtensor<float, 2> X2 = {{-1.0f}, {0.0f}, {4.0f}, {1.2f}, {-0.5f}};
  const xt::xtensor<std::int64_t, 2> Labels = {{1}, {0}, {1}, {1}, {2}};
  tf::Session sess;
  const auto [p, acc] = sess.run(tf::fetch(pred, accuracy), tf::feed(x0, X0), tf::feed(x1, X1), tf::feed(x2, X2),
                                 tf::feed(labels, Labels));
  REQUIRE(p.shape() == std::array<std::size_t, 2>{5, 1});
  const std::int64_t expected[] = {1, 0, 2, 1, 2};
  for (std::size_t i = 0; i < 5; ++i) CHECK(p(i, 0) == expected[i]);
  CHECK(acc() == doctest::Approx(0.8f));
}

// Each op tag keeps the fused loop (eval/fused.hpp) on its SIMD path where xsimd has the
// function; a scalar fallback would be silent, so it is checked here (for float and double,
// the op table checks each of its rows). C is the loop's dtype: the result's, but the
// operands' for a comparison.
namespace {
template <class C, class Op, class... T>
constexpr bool simd_assign_v = tf::eval::fused::simd_v<C, tf::eval::fused::apply<Op, tf::eval::fused::leaf<T, 1>...>>;
}  // namespace

static_assert(simd_assign_v<std::int32_t, tf::op::abs, std::int32_t> &&
              simd_assign_v<std::int64_t, tf::op::sign, std::int64_t>);
static_assert(simd_assign_v<std::int32_t, tf::op::minimum, std::int32_t, std::int32_t>);
static_assert(simd_assign_v<float, tf::op::less, float, float> &&
              simd_assign_v<std::int64_t, tf::op::equal, std::int64_t, std::int64_t>);
static_assert(simd_assign_v<float, tf::op::where, bool, float, float>);
static_assert(simd_assign_v<float, tf::op::cast<float>, std::int32_t> &&
              simd_assign_v<std::int32_t, tf::op::cast<std::int32_t>, float>);
static_assert(simd_assign_v<double, tf::op::cast<double>, bool>);
