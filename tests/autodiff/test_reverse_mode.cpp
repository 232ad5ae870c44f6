// Reverse accumulation: one adjoint per node however often it is reused, literals kept apart,
// and tf::test::compute_gradient_error (TF's Jacobian check) on its own.

#include <doctest/doctest.h>

#include <typeflow/test/gradient_checker.hpp>
#include <typeflow/typeflow.hpp>

#include "gradient_check.hpp"

using test::random_tensor;

namespace {

/// h -> h + c * h^2, `depth` times: every level uses h twice, so y has 2^depth paths to x.
template <int Depth, class H, class C>
auto residual_tower(const H& h, const C& c) {
  if constexpr (Depth == 0) return h;
  else return residual_tower<Depth - 1>(h + c * tf::square(h), c);
}

/// The chain rule by hand for y = sum(residual_tower<depth>(x, c)): dy/dx per element and dy/dc.
std::pair<xt::xtensor<double, 1>, double> tower_gradients(const xt::xtensor<double, 1>& X, double c, int depth) {
  xt::xtensor<double, 1> dx = xt::zeros_like(X);
  double dc = 0;
  for (std::size_t i = 0; i < X.size(); ++i) {
    double h = X(i), dh = 1, dhc = 0;  // dh = dh/dx, dhc = dh/dc
    for (int k = 0; k < depth; ++k) {
      dhc = dhc * (1 + 2 * c * h) + h * h;
      dh = dh * (1 + 2 * c * h);
      h = h + c * h * h;
    }
    dx(i) = dh;
    dc += dhc;
  }
  return {dx, dc};
}

/// x^2 with a gradient that forgets the factor 2: the checker must see it.
struct wrong_square : tf::op::elementwise_unary {
  [[maybe_unused]] static constexpr std::string_view tf_name = "WrongSquare";
  constexpr auto operator()(auto a) const { return a * a; }
  static constexpr auto vjp(const auto& g, const auto& n) { return tf::op::parts{g * n.template arg<0>()}; }
};

}  // namespace

TEST_CASE("autodiff.reverse: a node reused level upon level gets one adjoint") {
  auto x = tf::placeholder<"x", double, 5>();
  auto c = tf::placeholder<"c", double>();
  const auto y = tf::reduce_sum(residual_tower<5>(x, c));
  // Path by path this gradient would have 2^5 terms; accumulated by node it has a few per level.
  const auto [dx, dc] = tf::gradients(y, x, c);
  static_assert(tf::payload_free_v<std::remove_cvref_t<decltype(dx)>>);
  static_assert(tf::topo_order_t<std::remove_cvref_t<decltype(dx)>>::size < 5 * 12);
  static_assert(sizeof(dx) == 1);  // payload-free operands are types, not stored copies

  const auto X = random_tensor<double, 1>({5}, 3, 0.1, 0.5);
  CHECK(tf::test::compute_gradient_error(y, x, tf::feed(x, X), tf::feed(c, 0.02)) < 1e-6);
  CHECK(tf::test::compute_gradient_error(y, c, tf::feed(x, X), tf::feed(c, 0.02)) < 1e-5);

  // And against the chain rule written out by hand.
  tf::Session sess;
  const auto [gx, gc] = sess.run(tf::fetch(dx, dc), tf::feed(x, X), tf::feed(c, 0.02));
  const auto [hand_dx, hand_dc] = tower_gradients(X, 0.02, 5);
  for (std::size_t i = 0; i < 5; ++i) CHECK(gx(i) == doctest::Approx(hand_dx(i)).epsilon(1e-12));
  CHECK(gc() == doctest::Approx(hand_dc).epsilon(1e-12));
}

TEST_CASE("autodiff.reverse: a deep residual tower, its gradients as a flat_tuple") {
  // Written out as a tree, dx's type has about 4^6 nodes: gradients' result, the fetch set and
  // the executor's roots are flat_tuples, which the compilers do not walk as trees
  // (core/flat_tuple.hpp). Deeper towers are compile_time.py's (--graph residual-variable):
  // 8 levels cost this file 50 s more under clang -O0 with ASan.
  auto x = tf::placeholder<"x", double, 4>();
  auto c = tf::placeholder<"c", double>();
  const auto y = tf::reduce_sum(residual_tower<6>(x, c));
  const auto grads = tf::gradients(y, x, c);
  static_assert(std::tuple_size_v<std::remove_const_t<decltype(grads)>> == 2);
  static_assert(tf::payload_free_v<std::tuple_element_t<0, std::remove_const_t<decltype(grads)>>>);

  const xt::xtensor<double, 1> X = {0.25, -0.5, 0.75, 1.0};
  const auto hand = tower_gradients(X, 0.03, 6);  // not bound: clang 14 cannot capture a binding
  tf::Session sess;
  const auto check = [&](const xt::xtensor<double, 1>& gx, double gc) {
    for (std::size_t i = 0; i < 4; ++i) CHECK(gx(i) == doctest::Approx(hand.first(i)).epsilon(1e-12));
    CHECK(gc == doctest::Approx(hand.second).epsilon(1e-12));
  };
  SUBCASE("tf::get and a fetch of each") {
    const xt::xtensor<double, 1> gx = sess.run(tf::get<0>(grads), tf::feed(x, X), tf::feed(c, 0.03));
    const xt::xtensor<double, 0> gc = sess.run(tf::get<1>(grads), tf::feed(x, X), tf::feed(c, 0.03));
    check(gx, gc());
  }
  SUBCASE("tf::apply, structured bindings, and one fetch twice") {
    const auto [gx, gc, again] =
        tf::apply([&](const auto& dx,
                      const auto& dc) { return sess.run(tf::fetch(dx, dc, dx), tf::feed(x, X), tf::feed(c, 0.03)); },
                  grads);
    check(gx, gc());
    CHECK(again == gx);
  }
}

TEST_CASE("autodiff.reverse: one type with different literals is two nodes") {
  auto x = tf::placeholder<"x", double, 3>();
  const xt::xtensor<double, 1> X = {0.5, -1.0, 2.0};
  tf::Session sess;
  SUBCASE("x*2 + x*3") {
    const auto [g] = tf::gradients(x * 2.0 + x * 3.0, x);
    const xt::xtensor<double, 1> G = sess.run(g, tf::feed(x, X));
    CHECK(G == xt::xtensor<double, 1>{5, 5, 5});
  }
  SUBCASE("(x*2) * (x*3), and literals below a payload-free part") {
    const auto [g] = tf::gradients((x * 2.0) * (x * 3.0), x);
    const xt::xtensor<double, 1> G = sess.run(g, tf::feed(x, X));
    CHECK(G == 12.0 * X);
    CHECK(tf::test::compute_gradient_error(tf::square(x * 2.0 + 1.0) * (x * 3.0 + 1.0), x, tf::feed(x, X)) < 1e-6);
  }
  SUBCASE("literals in a reused tower") {
    const auto y = residual_tower<4>(x, tf::constant(0.1));
    CHECK(tf::test::compute_gradient_error(y, x, tf::feed(x, X)) < 1e-6);
  }
}

TEST_CASE("test.compute_gradient_error: full Jacobians, broadcasting, float and double") {
  auto a = tf::placeholder<"a", double, 4, 3>();
  auto b = tf::placeholder<"b", double, 3>();
  const auto A = random_tensor<double, 2>({4, 3}, 1, -1.5, 1.5);
  const auto B = random_tensor<double, 1>({3}, 2, 0.5, 1.5);
  CHECK(tf::test::compute_gradient_error(a * b / (b + 2.0), b, tf::feed(a, A), tf::feed(b, B)) < 1e-7);
  auto m = tf::placeholder<"m", double, 3, 2>();
  const auto M = random_tensor<double, 2>({3, 2}, 4, -1.5, 1.5);
  CHECK(tf::test::compute_gradient_error(tf::matmul(a, m) + 1.0, a, tf::feed(a, A), tf::feed(m, M)) < 1e-7);
  CHECK(tf::test::compute_gradient_error(tf::reduce_mean(a, tf::axis<0>, tf::keep_dims) * a, a, tf::feed(a, A)) < 1e-7);

  auto f = tf::placeholder<"f", float, 2, 3>();
  const xt::xtensor<float, 2> F = {{0.5f, -1.0f, 1.5f}, {2.0f, 0.25f, -0.75f}};
  CHECK(tf::test::compute_gradient_error(tf::square(f) * f, f, tf::feed(f, F)) < 1e-2);

  // A wrong vector-Jacobian product is caught.
  const auto wrong = tf::graph::node<wrong_square, decltype(a)>({}, a);
  CHECK(tf::test::compute_gradient_error(wrong, a, tf::feed(a, A)) > 0.1);
}
