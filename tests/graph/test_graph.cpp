// The graph as types, checked at compile time and without xtensor (TYPEFLOW_SYMBOLIC_ONLY):
// names, static shapes and broadcasting, op result shapes, simplification, gradient types.

#include <doctest/doctest.h>

#include <string>
#include <type_traits>
#include <typeflow/autodiff/gradients.hpp>
#include <typeflow/graph/constant.hpp>
#include <typeflow/graph/placeholder.hpp>
#include <typeflow/graph/traversal.hpp>
#include <typeflow/graph/variable.hpp>
#include <typeflow/ops/elementwise.hpp>
#include <typeflow/ops/linalg.hpp>
#include <typeflow/ops/reduce.hpp>

namespace tf = typeflow;

namespace {
auto x = tf::placeholder<"x", float, tf::none, 3>();
auto y = tf::placeholder<"y", float, tf::none, 1>();
auto v = tf::placeholder<"v", float, 3>();
tf::graph::variable<tf::name_of<"W">, float, tf::shape<3, 1>> W;
tf::graph::variable<tf::name_of<"b">, float, tf::shape<1>> b;
template <class E>
using shape_t = tf::shape_of_t<E>;
}  // namespace

TEST_CASE("graph.placeholder: the name is a char pack, the shape a type") {
  using X = decltype(x);
  static_assert(std::is_same_v<X, tf::graph::placeholder<tf::name<'x'>, float, tf::shape<tf::none, 3>>>);
  static_assert(std::is_empty_v<X>);
  CHECK(std::string(X::name_type::view()) == "x");
  CHECK(tf::shape_string(tf::shape<tf::none, 3>::dims) == "[None, 3]");
}

TEST_CASE("graph.shape: NumPy broadcasting of static shapes, tf::none included") {
  using tf::none;
  using tf::shape;
  static_assert(std::is_same_v<tf::broadcast_shape_t<shape<none, 3>, shape<3>>, shape<none, 3>>);
  static_assert(std::is_same_v<tf::broadcast_shape_t<shape<4, 1>, shape<1, 5>>, shape<4, 5>>);
  static_assert(std::is_same_v<tf::broadcast_shape_t<shape<none, 1>, shape<7, 1>>, shape<7, 1>>);
  static_assert(std::is_same_v<tf::broadcast_shape_t<shape<>, shape<2, 2>>, shape<2, 2>>);
  static_assert(tf::broadcastable_v<shape<0, 3>, shape<1, 3>>);
  static_assert(!tf::broadcastable_v<shape<3, 2>, shape<4, 2>>);
  static_assert(!tf::broadcastable_v<shape<0>, shape<2>>);
}

TEST_CASE("graph.ops: result shapes and dtypes") {
  static_assert(std::is_same_v<shape_t<decltype(tf::matmul(x, W) + b)>, tf::shape<tf::none, 1>>);
  static_assert(std::is_same_v<shape_t<decltype(x * v - 2.0)>, tf::shape<tf::none, 3>>);
  static_assert(std::is_same_v<tf::value_t<decltype(2 * x)>, float>);  // a number takes the tensor's dtype
  static_assert(std::is_same_v<shape_t<decltype(tf::matmul(x, x, tf::transpose_a))>, tf::shape<3, 3>>);
  static_assert(std::is_same_v<shape_t<decltype(tf::matmul(x, x, tf::transpose_b))>, tf::shape<tf::none, tf::none>>);
  static_assert(std::is_same_v<shape_t<decltype(tf::reduce_sum(x))>, tf::shape<>>);
  static_assert(std::is_same_v<shape_t<decltype(tf::reduce_mean(x, tf::axis<0>))>, tf::shape<3>>);
  static_assert(
      std::is_same_v<shape_t<decltype(tf::reduce_sum(x, tf::axis<1>, tf::keep_dims))>, tf::shape<tf::none, 1>>);
  // A negative axis is normalised: both spellings are one node type.
  static_assert(std::is_same_v<decltype(tf::reduce_sum(x, tf::axis<-1>)), decltype(tf::reduce_sum(x, tf::axis<1>))>);
  static_assert(!std::is_same_v<decltype(tf::reduce_sum(x, tf::axis<0>)), decltype(tf::reduce_sum(x, tf::axis<1>))>);
}

template <class A, class B>
concept addable = requires(A a, B b) {
  a + b;
};
template <class A>
concept squarable = requires(A a) {
  tf::square(a);
};

TEST_CASE("graph.ops: operands must be nodes or numbers") {
  static_assert(addable<decltype(x), decltype(v)>);
  static_assert(addable<double, decltype(x)>);
  static_assert(!addable<decltype(x), std::string>);
  static_assert(!squarable<float>);
}

TEST_CASE("graph.simplify: x * 1, x + 0, x - 0 are x; 0 - x is -x; -(-x) is x") {
  using one = tf::graph::static_scalar<float, 1>;
  using zero = tf::graph::static_scalar<float, 0>;
  static_assert(std::is_same_v<decltype(x * one{}), decltype(x)>);
  static_assert(std::is_same_v<decltype(one{} * x), decltype(x)>);
  static_assert(std::is_same_v<decltype(x + zero{}), decltype(x)>);
  static_assert(std::is_same_v<decltype(zero{} + x), decltype(x)>);
  static_assert(std::is_same_v<decltype(x - zero{}), decltype(x)>);
  static_assert(std::is_same_v<decltype(zero{} - x), decltype(-x)>);
  static_assert(std::is_same_v<decltype(-(-x)), decltype(x)>);
  // A scalar times zero is zero; a tensor times zero keeps its shape, so stays a product.
  auto s = tf::placeholder<"s", float>();
  static_assert(std::is_same_v<decltype(s * zero{}), zero>);
  static_assert(std::is_same_v<decltype(zero{} * s), zero>);
  static_assert(!std::is_same_v<decltype(x * zero{}), zero>);
}

TEST_CASE("graph.traversal: unique nodes in topological order; values uses counted") {
  auto d = y - (tf::matmul(x, W) + b);
  auto loss = tf::reduce_mean(tf::square(d) + d);
  using order = tf::topo_order_t<decltype(loss)>;
  // y, x, W, matmul, b, add, d, square, square + d, mean: d appears once.
  static_assert(order::size == 10);
  static_assert(tf::use_counts_v<order>[tf::position_v<order, decltype(d)>] == 2);
  static_assert(tf::position_v<order, decltype(x)> < tf::position_v<order, decltype(tf::matmul(x, W))>);
}

TEST_CASE("autodiff.types: gradients reuse forward nodes and prune what does not depend on x") {
  auto pred = tf::matmul(x, W) + b;
  auto loss = tf::reduce_mean(tf::square(y - pred));
  static_assert(tf::depends_on_v<decltype(loss), decltype(W)>);
  static_assert(!tf::depends_on_v<decltype(pred), decltype(y)>);
  auto [dW, db] = tf::gradients(loss, W, b);
  static_assert(std::is_same_v<shape_t<decltype(dW)>, tf::shape<3, 1>>);
  static_assert(std::is_same_v<shape_t<decltype(db)>, tf::shape<1>>);
  // The forward difference y - pred is a node of the gradients: one computation for both.
  using grads = tf::topo_order_t<decltype(dW), decltype(db)>;
  static_assert(tf::index_of<decltype(y - pred)>(grads{}) < grads::size);
  // d(x*x)/dx needs no seed multiplication: the 1 folds away.
  auto [g] = tf::gradients(v * v, v);
  static_assert(tf::topo_order_t<decltype(g)>::size <= 6);
}
