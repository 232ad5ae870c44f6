// Forward values of reduce_max/min/prod/logsumexp, argmax/argmin, the shape ops, batched
// matmul and the state ops against plain loops (float, double and int where the op allows;
// odd sizes, tf::none dims), and their run-time shape errors.

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

/// Reference reduction of a rank-3 tensor over a mask of axes (result in keep-dims form).
template <class T, class F>
xt::xtensor<T, 3> reference_reduce(const xt::xtensor<T, 3>& x, std::array<bool, 3> mask, T init, F f) {
  std::array<std::size_t, 3> s = x.shape();
  for (int a = 0; a < 3; ++a)
    if (mask[a]) s[a] = 1;
  xt::xtensor<T, 3> r(s);
  r.fill(init);
  for (std::size_t i = 0; i < x.shape(0); ++i)
    for (std::size_t j = 0; j < x.shape(1); ++j)
      for (std::size_t k = 0; k < x.shape(2); ++k) {
        T& o = r(mask[0] ? 0 : i, mask[1] ? 0 : j, mask[2] ? 0 : k);
        o = f(o, x(i, j, k));
      }
  return r;
}

template <class T, std::size_t R>
void check_values(const xt::xtensor<T, R>& got, const xt::xtensor<T, 3>& ref) {
  REQUIRE(got.size() == ref.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    CAPTURE(i);
    if constexpr (std::is_integral_v<T>) CHECK(got.data()[i] == ref.data()[i]);
    else CHECK(got.data()[i] == doctest::Approx(ref.data()[i]).epsilon(tol<T>));
  }
}

}  // namespace

TEST_CASE_TEMPLATE("ops.reduce: max, min and prod over axis sets, with keep_dims", T, float, double, std::int32_t) {
  auto x = tf::placeholder<"x", T, 3, tf::none, 5>();
  const auto X = random_tensor<T, 3>({3, 4, 5}, 1);
  // Small values keep the product of up to 60 of them representable.
  xt::xtensor<T, 3> P = X;
  for (auto& v : P) v = std::is_integral_v<T> ? T(1 + (v < 0)) : T(0.9 + 0.1 * static_cast<double>(v));
  tf::Session sess;
  const auto run = [&](auto e) { return sess.run(e, tf::feed(x, X)); };
  const auto runp = [&](auto e) { return sess.run(e, tf::feed(x, P)); };
  const auto mx = [](T a, T b) { return b > a ? b : a; };
  const auto mn = [](T a, T b) { return b < a ? b : a; };
  const auto pr = [](T a, T b) { return a * b; };
  const T lo = std::numeric_limits<T>::lowest(), hi = std::numeric_limits<T>::max();

  const auto all = run(tf::reduce_max(x));
  static_assert(decltype(all)::rank == 0);
  check_values(all, reference_reduce<T>(X, {true, true, true}, lo, mx));
  check_values(run(tf::reduce_min(x)), reference_reduce<T>(X, {true, true, true}, hi, mn));
  check_values(runp(tf::reduce_prod(x)), reference_reduce<T>(P, {true, true, true}, T(1), pr));

  const auto m1 = run(tf::reduce_max(x, tf::axis<1>));
  CHECK(m1.shape() == std::array<std::size_t, 2>{3, 5});
  check_values(m1, reference_reduce<T>(X, {false, true, false}, lo, mx));
  const auto m0k = run(tf::reduce_min(x, tf::axis<0, 2>, tf::keep_dims));
  CHECK(m0k.shape() == std::array<std::size_t, 3>{1, 4, 1});
  check_values(m0k, reference_reduce<T>(X, {true, false, true}, hi, mn));
  check_values(run(tf::reduce_max(x, tf::axis<-1>)), reference_reduce<T>(X, {false, false, true}, lo, mx));
  check_values(run(tf::reduce_min(x, tf::axis<0>)), reference_reduce<T>(X, {true, false, false}, hi, mn));
  check_values(runp(tf::reduce_prod(x, tf::axis<1>, tf::keep_dims)),
               reference_reduce<T>(P, {false, true, false}, T(1), pr));
  check_values(runp(tf::reduce_prod(x, tf::axis<0, 2>)), reference_reduce<T>(P, {true, false, true}, T(1), pr));
}

TEST_CASE_TEMPLATE("ops.reduce: logsumexp over axis sets, with keep_dims, stable for large and -inf inputs", T, float,
                   double) {
  auto x = tf::placeholder<"x", T, 3, tf::none, 5>();
  xt::xtensor<T, 3> X = random_tensor<T, 3>({3, 4, 5}, 2, -3.0, 3.0);
  tf::Session sess;
  // log(sum(exp(x))) in double, shifted by the max of each group (the reference, not TF's composite).
  const auto reference = [](const xt::xtensor<T, 3>& v, std::array<bool, 3> mask) {
    const xt::xtensor<double, 3> d = xt::cast<double>(v);
    const auto mx = [](double a, double b) { return std::max(a, b); };
    const xt::xtensor<double, 3> m = reference_reduce<double>(d, mask, -std::numeric_limits<double>::infinity(), mx);
    const xt::xtensor<double, 3> shifted = xt::exp(d - m);
    return xt::xtensor<double, 3>(xt::log(reference_reduce<double>(shifted, mask, 0.0, std::plus<>{})) + m);
  };
  const auto check = [](const auto& got, const xt::xtensor<double, 3>& ref) {
    REQUIRE(got.size() == ref.size());
    for (std::size_t i = 0; i < got.size(); ++i) {
      CAPTURE(i);
      CHECK(std::isfinite(got.data()[i]));
      CHECK(got.data()[i] == doctest::Approx(ref.data()[i]).epsilon(tol<T>));
    }
  };
  const auto all = sess.run(tf::reduce_logsumexp(x), tf::feed(x, X));
  static_assert(decltype(all)::rank == 0);
  check(all, reference(X, {true, true, true}));
  const auto a1 = sess.run(tf::reduce_logsumexp(x, tf::axis<1>), tf::feed(x, X));
  CHECK(a1.shape() == std::array<std::size_t, 2>{3, 5});
  check(a1, reference(X, {false, true, false}));
  const auto a02 = sess.run(tf::reduce_logsumexp(x, tf::axis<0, 2>, tf::keep_dims), tf::feed(x, X));
  CHECK(a02.shape() == std::array<std::size_t, 3>{1, 4, 1});
  check(a02, reference(X, {true, false, true}));
  check(sess.run(tf::reduce_logsumexp(x, tf::axis<-1>), tf::feed(x, X)), reference(X, {false, false, true}));

  // exp(1e4) overflows and exp(-1e4) underflows; shifted by the max, neither does.
  X *= T(3e3);
  check(sess.run(tf::reduce_logsumexp(x, tf::axis<1>), tf::feed(x, X)), reference(X, {false, true, false}));
  // A group of -inf: the max is not finite, so the shift is 0, and the result log(0) = -inf (TF's).
  const T inf = std::numeric_limits<T>::infinity();
  auto Y = sess.run(tf::reduce_logsumexp(x, tf::axis<2>), tf::feed(x, xt::xtensor<T, 3>(xt::full_like(X, -inf))));
  for (const T v : Y) CHECK(v == -inf);
}

TEST_CASE("ops.reduce: empty max/min/prod are -inf, +inf and 1, NaN propagates, as in TensorFlow") {
  auto x = tf::placeholder<"x", float, tf::none, 3>();
  tf::Session sess;
  const xt::xtensor<float, 2> E = xt::zeros<float>({0, 3});
  CHECK(sess.run(tf::reduce_max(x), tf::feed(x, E))() == -std::numeric_limits<float>::infinity());
  CHECK(sess.run(tf::reduce_min(x), tf::feed(x, E))() == std::numeric_limits<float>::infinity());
  CHECK(sess.run(tf::reduce_prod(x, tf::axis<0>), tf::feed(x, E)) == xt::xtensor<float, 1>{1, 1, 1});
  xt::xtensor<float, 2> N = {{1, 2, 3}, {4, 5, 6}};
  N(0, 1) = std::numeric_limits<float>::quiet_NaN();
  const auto cols = sess.run(tf::reduce_max(x, tf::axis<0>), tf::feed(x, N));
  CHECK(cols(0) == 4);
  CHECK(std::isnan(cols(1)));
  CHECK(cols(2) == 6);
  CHECK(std::isnan(sess.run(tf::reduce_min(x), tf::feed(x, N))()));
}

TEST_CASE_TEMPLATE("ops.argmax: first index of the extreme along an axis, int64", T, float, std::int32_t) {
  auto x = tf::placeholder<"x", T, tf::none, 5>();
  const xt::xtensor<T, 2> X = {{1, 3, 3, 0, 2}, {7, 7, 7, 7, 7}, {0, -1, 4, 4, -1}};
  tf::Session sess;
  const auto rows = sess.run(tf::argmax(x, tf::axis<1>), tf::feed(x, X));
  static_assert(std::is_same_v<decltype(rows), const xt::xtensor<std::int64_t, 1>>);
  CHECK(rows == xt::xtensor<std::int64_t, 1>{1, 0, 2});
  CHECK(sess.run(tf::argmin(x, tf::axis<-1>), tf::feed(x, X)) == xt::xtensor<std::int64_t, 1>{3, 0, 1});
  CHECK(sess.run(tf::argmax(x), tf::feed(x, X)) == xt::xtensor<std::int64_t, 1>{1, 1, 1, 1, 1});
  CHECK(sess.run(tf::argmin(x, tf::axis<0>), tf::feed(x, X)) == xt::xtensor<std::int64_t, 1>{2, 2, 0, 0, 2});

  // Against a loop on random values, odd sizes.
  const auto R = random_tensor<T, 2>({9, 5}, 2);
  const auto got = sess.run(tf::argmax(x, tf::axis<1>), tf::feed(x, R));
  for (std::size_t i = 0; i < 9; ++i) {
    std::size_t best = 0;
    for (std::size_t j = 1; j < 5; ++j)
      if (R(i, j) > R(i, best)) best = j;
    CHECK(got(i) == static_cast<std::int64_t>(best));
  }
  // An empty axis has no index: an error, as TF's.
  const xt::xtensor<T, 2> E = xt::zeros<T>({0, 5});
  CHECK_THROWS_WITH_AS(sess.run(tf::argmax(x, tf::axis<0>), tf::feed(x, E)),
                       "ArgMax: reduction axis 0 is empty in shape [0, 5]", tf::error);
}

TEST_CASE_TEMPLATE("ops.reshape: values in order, -1 inferred at compile or run time", T, float, std::int64_t) {
  auto s = tf::placeholder<"s", T, 3, 4, 5>();
  auto d = tf::placeholder<"d", T, tf::none, 6>();
  static_assert(std::is_same_v<tf::shape_of_t<decltype(tf::reshape<-1, 10>(s))>, tf::shape<6, 10>>);
  static_assert(std::is_same_v<tf::shape_of_t<decltype(tf::reshape<4, -1>(d))>, tf::shape<4, tf::none>>);
  static_assert(std::is_same_v<tf::shape_of_t<decltype(tf::reshape<60>(s))>, tf::shape<60>>);
  const auto S = random_tensor<T, 3>({3, 4, 5}, 3);
  const auto D = random_tensor<T, 2>({6, 6}, 4);
  tf::Session sess;
  const auto r = sess.run(tf::reshape<-1, 10>(s), tf::feed(s, S));
  REQUIRE(r.shape() == std::array<std::size_t, 2>{6, 10});
  CHECK(std::equal(r.begin(), r.end(), S.begin()));
  const auto q = sess.run(tf::reshape<4, -1, 3>(d), tf::feed(d, D));
  REQUIRE(q.shape() == std::array<std::size_t, 3>{4, 3, 3});
  CHECK(std::equal(q.begin(), q.end(), D.begin()));
  const auto flat = sess.run(tf::reshape<-1>(d * d), tf::feed(d, D));
  for (std::size_t i = 0; i < 36; ++i) CHECK(flat(i) == D.data()[i] * D.data()[i]);

  const xt::xtensor<T, 2> D5 = xt::zeros<T>({5, 6});
  CHECK_THROWS_WITH_AS(sess.run(tf::reshape<4, -1>(d), tf::feed(d, D5)),
                       "Reshape: input to reshape is a tensor with 30 values [5, 6], but the requested shape [4, -1] "
                       "requires a multiple of 4",
                       tf::error);
  CHECK_THROWS_WITH_AS(
      sess.run(tf::reshape<4, 9>(d), tf::feed(d, D5)),
      "Reshape: input to reshape is a tensor with 30 values [5, 6], but the requested shape [4, 9] has 36", tf::error);
}

TEST_CASE_TEMPLATE("ops.transpose, expand_dims, squeeze: against loops", T, double, std::int32_t) {
  auto x = tf::placeholder<"x", T, tf::none, 4, 5>();
  const auto X = random_tensor<T, 3>({3, 4, 5}, 5);
  tf::Session sess;
  const auto run = [&](auto e) { return sess.run(e, tf::feed(x, X)); };

  const auto rev = run(tf::transpose(x));
  static_assert(std::is_same_v<tf::shape_of_t<decltype(tf::transpose(x))>, tf::shape<5, 4, tf::none>>);
  const auto p = run(tf::transpose<1, 0, 2>(x));
  const auto p2 = run(tf::transpose<2, 0, 1>(x));
  REQUIRE(rev.shape() == std::array<std::size_t, 3>{5, 4, 3});
  REQUIRE(p.shape() == std::array<std::size_t, 3>{4, 3, 5});
  REQUIRE(p2.shape() == std::array<std::size_t, 3>{5, 3, 4});
  for (std::size_t i = 0; i < 3; ++i)
    for (std::size_t j = 0; j < 4; ++j)
      for (std::size_t k = 0; k < 5; ++k) {
        CHECK(rev(k, j, i) == X(i, j, k));
        CHECK(p(j, i, k) == X(i, j, k));
        CHECK(p2(k, i, j) == X(i, j, k));
      }

  static_assert(std::is_same_v<tf::shape_of_t<decltype(tf::expand_dims<1>(x))>, tf::shape<tf::none, 1, 4, 5>>);
  static_assert(std::is_same_v<tf::shape_of_t<decltype(tf::expand_dims<-1>(x))>, tf::shape<tf::none, 4, 5, 1>>);
  const auto e = run(tf::expand_dims<-1>(x));
  REQUIRE(e.shape() == std::array<std::size_t, 4>{3, 4, 5, 1});
  CHECK(std::equal(e.begin(), e.end(), X.begin()));

  auto y = tf::placeholder<"y", T, 1, tf::none, 1, 3>();
  static_assert(std::is_same_v<tf::shape_of_t<decltype(tf::squeeze(y))>, tf::shape<tf::none, 3>>);
  static_assert(std::is_same_v<tf::shape_of_t<decltype(tf::squeeze<1, -2>(y))>, tf::shape<1, 3>>);
  const auto Y = random_tensor<T, 4>({1, 1, 1, 3}, 6);
  const auto sq = sess.run(tf::squeeze<1, -2>(y), tf::feed(y, Y));
  REQUIRE(sq.shape() == std::array<std::size_t, 2>{1, 3});
  CHECK(std::equal(sq.begin(), sq.end(), Y.begin()));
  CHECK(sess.run(tf::squeeze(y), tf::feed(y, Y)).shape() == std::array<std::size_t, 2>{1, 3});
  const xt::xtensor<T, 4> Y2 = xt::zeros<T>({1, 2, 1, 3});
  CHECK_THROWS_WITH_AS(sess.run(tf::squeeze<1, -2>(y), tf::feed(y, Y2)),
                       "Squeeze: can not squeeze dim[1] of [1, 2, 1, 3], expected a dimension of 1, got 2", tf::error);
}

TEST_CASE_TEMPLATE("ops.concat: along each axis, tf::none dims, against loops", T, float, double, std::int32_t) {
  auto a = tf::placeholder<"a", T, tf::none, 3>();
  auto b = tf::placeholder<"b", T, 2, tf::none>();
  auto c = tf::placeholder<"c", T, 2, 1>();
  static_assert(std::is_same_v<tf::shape_of_t<decltype(tf::concat<1>(a, b, c))>, tf::shape<2, tf::none>>);
  static_assert(std::is_same_v<tf::shape_of_t<decltype(tf::concat<0>(a, b))>, tf::shape<tf::none, 3>>);
  static_assert(std::is_same_v<tf::shape_of_t<decltype(tf::concat<-1>(c, c))>, tf::shape<2, 2>>);
  const auto A = random_tensor<T, 2>({2, 3}, 7), B = random_tensor<T, 2>({2, 4}, 8), C = random_tensor<T, 2>({2, 1}, 9);
  tf::Session sess;
  const auto r = sess.run(tf::concat<1>(a, b, c), tf::feed(a, A), tf::feed(b, B), tf::feed(c, C));
  REQUIRE(r.shape() == std::array<std::size_t, 2>{2, 8});
  for (std::size_t i = 0; i < 2; ++i) {
    for (std::size_t j = 0; j < 3; ++j) CHECK(r(i, j) == A(i, j));
    for (std::size_t j = 0; j < 4; ++j) CHECK(r(i, 3 + j) == B(i, j));
    CHECK(r(i, 7) == C(i, 0));
  }
  const auto B3 = random_tensor<T, 2>({2, 3}, 10);
  const auto r0 = sess.run(tf::concat<0>(a, b), tf::feed(a, A), tf::feed(b, B3));
  REQUIRE(r0.shape() == std::array<std::size_t, 2>{4, 3});
  for (std::size_t j = 0; j < 3; ++j) {
    CHECK(r0(0, j) == A(0, j));
    CHECK(r0(1, j) == A(1, j));
    CHECK(r0(2, j) == B3(0, j));
    CHECK(r0(3, j) == B3(1, j));
  }
  CHECK_THROWS_WITH_AS(sess.run(tf::concat<0>(a, b), tf::feed(a, A), tf::feed(b, B)),
                       "ConcatV2: dimensions of inputs should match: shape[0] = [2, 3] vs. shape[1] = [2, 4]",
                       tf::error);
}

TEST_CASE_TEMPLATE("ops.slice and tile: against loops, compile-time and run-time begin/size", T, float, std::int64_t) {
  auto x = tf::placeholder<"x", T, 5, tf::none, 3>();
  const auto X = random_tensor<T, 3>({5, 7, 3}, 11);
  tf::Session sess;
  const auto run = [&](auto e) { return sess.run(e, tf::feed(x, X)); };
  auto s1 = tf::slice<1, 2, 0>(x, tf::size<3, -1, 2>);
  static_assert(std::is_same_v<tf::shape_of_t<decltype(s1)>, tf::shape<3, tf::none, 2>>);
  static_assert(
      std::is_same_v<tf::shape_of_t<decltype(tf::slice<1, 0, 1>(x, tf::size<-1, 2, -1>))>, tf::shape<4, 2, 2>>);
  const auto r1 = run(s1);
  REQUIRE(r1.shape() == std::array<std::size_t, 3>{3, 5, 2});
  const auto r2 = run(tf::slice(x, {1, 2, 0}, {3, -1, 2}));
  CHECK(r2 == r1);
  for (std::size_t i = 0; i < 3; ++i)
    for (std::size_t j = 0; j < 5; ++j)
      for (std::size_t k = 0; k < 2; ++k) CHECK(r1(i, j, k) == X(1 + i, 2 + j, k));
  // Two slices of one type with different begins are two nodes.
  const auto both = run(tf::slice(x, {0, 0, 0}, {1, 1, 1}) + tf::slice(x, {4, 6, 2}, {1, 1, 1}));
  CHECK(both(0, 0, 0) == X(0, 0, 0) + X(4, 6, 2));
  CHECK_THROWS_WITH_AS(run(tf::slice(x, {1, 5, 0}, {3, 3, 2})),
                       "Slice: expected size[1] in [0, 2], but got 3 (input shape [5, 7, 3])", tf::error);
  CHECK_THROWS_WITH_AS(run(tf::slice(x, {1, 8, 0}, {3, -1, 2})),
                       "Slice: expected begin[1] in [0, 7], but got 8 (input shape [5, 7, 3])", tf::error);

  auto t = tf::tile<2, 1, 3>(x);
  static_assert(std::is_same_v<tf::shape_of_t<decltype(t)>, tf::shape<10, tf::none, 9>>);
  const auto rt = run(t);
  REQUIRE(rt.shape() == std::array<std::size_t, 3>{10, 7, 9});
  for (std::size_t i = 0; i < 10; ++i)
    for (std::size_t j = 0; j < 7; ++j)
      for (std::size_t k = 0; k < 9; ++k) CHECK(rt(i, j, k) == X(i % 5, j, k % 3));
  CHECK(run(tf::tile<1, 0, 1>(x)).size() == 0);

  CHECK(run(tf::stop_gradient(x)) == X);
  CHECK(run(tf::identity(x) * T(2)) == xt::xtensor<T, 3>(X * T(2)));
}

TEST_CASE_TEMPLATE("ops.matmul: batches, every transpose, batch broadcasting, against loops", T, float, double) {
  const std::size_t B = 3, m = 4, k = 5, n = 2;
  auto a = tf::placeholder<"a", T, tf::none, 4, 5>();
  auto at = tf::placeholder<"at", T, tf::none, 5, 4>();
  auto b = tf::placeholder<"b", T, 3, 5, 2>();
  auto bt = tf::placeholder<"bt", T, 3, 2, 5>();
  auto b1 = tf::placeholder<"b1", T, 1, 5, 2>();
  auto b2 = tf::placeholder<"b2", T, 5, 2>();
  const auto A = random_tensor<T, 3>({B, m, k}, 12), Bv = random_tensor<T, 3>({B, k, n}, 13);
  const xt::xtensor<T, 3> At = xt::transpose(A, {0, 2, 1}), Bt = xt::transpose(Bv, {0, 2, 1});
  const auto B1 = random_tensor<T, 3>({1, k, n}, 14);
  xt::xtensor<T, 2> B2({k, n});
  std::copy(B1.begin(), B1.end(), B2.begin());
  tf::Session sess;
  const auto f = [&](auto e) {
    return sess.run(e, tf::feed(a, A), tf::feed(at, At), tf::feed(b, Bv), tf::feed(bt, Bt), tf::feed(b1, B1),
                    tf::feed(b2, B2));
  };
  static_assert(std::is_same_v<tf::shape_of_t<decltype(tf::matmul(a, b))>, tf::shape<3, 4, 2>>);
  static_assert(std::is_same_v<tf::shape_of_t<decltype(tf::matmul(a, b2))>, tf::shape<tf::none, 4, 2>>);
  const xt::xtensor<T, 3> results[] = {f(tf::matmul(a, b)), f(tf::matmul(at, b, tf::transpose_a)),
                                       f(tf::matmul(a, bt, tf::transpose_b)),
                                       f(tf::matmul(at, bt, tf::transpose_a, tf::transpose_b))};
  for (const auto& r : results) {
    REQUIRE(r.shape() == std::array<std::size_t, 3>{B, m, n});
    for (std::size_t q = 0; q < B; ++q)
      for (std::size_t i = 0; i < m; ++i)
        for (std::size_t j = 0; j < n; ++j) {
          T ref = 0;
          for (std::size_t p = 0; p < k; ++p) ref += A(q, i, p) * Bv(q, p, j);
          CHECK(r(q, i, j) == doctest::Approx(ref).epsilon(tol<T>));
        }
  }
  // A batch of 1 and a rank-2 operand are shared by every batch.
  const xt::xtensor<T, 3> shared[] = {f(tf::matmul(a, b1)), f(tf::matmul(a, b2))};
  for (const auto& r : shared) {
    REQUIRE(r.shape() == std::array<std::size_t, 3>{B, m, n});
    for (std::size_t q = 0; q < B; ++q)
      for (std::size_t i = 0; i < m; ++i)
        for (std::size_t j = 0; j < n; ++j) {
          T ref = 0;
          for (std::size_t p = 0; p < k; ++p) ref += A(q, i, p) * B2(p, j);
          CHECK(r(q, i, j) == doctest::Approx(ref).epsilon(tol<T>));
        }
  }
  const auto A2 = random_tensor<T, 3>({2, m, k}, 15);
  CHECK_THROWS_WITH_AS(sess.run(tf::matmul(a, b), tf::feed(a, A2), tf::feed(b, Bv)),
                       "BatchMatMulV2: batch dimensions do not broadcast: [2, 4, 5] x [3, 5, 2]", tf::error);
}

TEST_CASE("ops.assign: values read before any write, groups, initialisation, shape errors") {
  tf::reset_default_graph();
  auto W = tf::Variable<"W", float, 2, 2>(tf::constant(xt::xtensor<float, 2>{{1, 2}, {3, 4}}));
  auto V = tf::Variable<"V", float, 2, 2>(tf::constant(xt::xtensor<float, 2>{{10, 20}, {30, 40}}));
  auto n = tf::Variable<"n", std::int32_t>(tf::constant(std::int32_t{0}));
  tf::Session sess;
  sess.run(tf::global_variables_initializer());

  // The value reads W's old value for the whole expression.
  sess.run(tf::assign(W, W * 2.0f + tf::reduce_sum(W)));
  CHECK(sess.run(W) == xt::xtensor<float, 2>{{12, 14}, {16, 18}});
  // A swap: each assign reads the other's old value (a variable value is copied first).
  sess.run(tf::group(tf::assign(W, V), tf::assign(V, W)));
  CHECK(sess.run(W) == xt::xtensor<float, 2>{{10, 20}, {30, 40}});
  CHECK(sess.run(V) == xt::xtensor<float, 2>{{12, 14}, {16, 18}});
  // Both values computed from the old W, before either assign writes.
  sess.run(tf::group(tf::assign(W, W * 0.5f), tf::assign(V, W + 1.0f)));
  CHECK(sess.run(W) == xt::xtensor<float, 2>{{5, 10}, {15, 20}});
  CHECK(sess.run(V) == xt::xtensor<float, 2>{{11, 21}, {31, 41}});
  sess.run(tf::assign_add(W, V));
  CHECK(sess.run(W) == xt::xtensor<float, 2>{{16, 31}, {46, 61}});
  sess.run(tf::assign_sub(W, W));
  CHECK(sess.run(W) == xt::xtensor<float, 2>{{0, 0}, {0, 0}});
  for (int i = 0; i < 3; ++i) sess.run(tf::assign_add(n, 2));
  CHECK(sess.run(n)() == 6);

  // Assign initialises a variable (as TF's Assign); assign_add reads it first, so it may not.
  tf::Session fresh;
  CHECK_THROWS_AS(fresh.run(tf::assign_add(W, V)), tf::error);
  auto x = tf::placeholder<"x", float, tf::none, 2>();
  fresh.run(tf::assign(W, x), tf::feed(x, xt::xtensor<float, 2>{{1, 1}, {2, 2}}));
  CHECK(fresh.run(W) == xt::xtensor<float, 2>{{1, 1}, {2, 2}});
  CHECK_THROWS_WITH_AS(fresh.run(tf::assign(W, x), tf::feed(x, xt::xtensor<float, 2>{{1, 1}, {2, 2}, {3, 3}})),
                       "Assign: the value's shape [3, 2] differs from the variable's [2, 2]", tf::error);
  CHECK(fresh.run(W) == xt::xtensor<float, 2>{{1, 1}, {2, 2}});
}
