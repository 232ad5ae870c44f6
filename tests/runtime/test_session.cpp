// Session: fetches and feeds, variables and initializers, errors, node sharing, allocations.

#include <doctest/doctest.h>

#include <array>
#include <atomic>
#include <cmath>
#include <cstring>
#include <sstream>
#include <string>
#include <typeflow/typeflow.hpp>
#include <vector>

#include "../random_tensor.hpp"

#include "allocation_counter.hpp"

namespace tf = typeflow;

TEST_CASE("runtime.session: run returns xtensor values; fetch returns a tuple; an operation returns nothing") {
  tf::reset_default_graph();
  auto x = tf::placeholder<"x", float, tf::none, 2>();
  auto W = tf::Variable<"W", float, 2, 2>(tf::constant(0.5f));
  auto y = tf::matmul(x, W);
  auto total = tf::reduce_sum(y);
  tf::Session sess;
  sess.run(tf::global_variables_initializer());
  const xt::xtensor<float, 2> X = {{1, 2}, {3, 4}, {5, 6}};

  const xt::xtensor<float, 2> yv = sess.run(y, tf::feed(x, X));
  CHECK(yv == xt::xtensor<float, 2>{{1.5, 1.5}, {3.5, 3.5}, {5.5, 5.5}});
  const xt::xtensor<float, 0> t = sess.run(total, tf::feed(x, X));
  CHECK(t() == 21.0f);
  CHECK(sess.run(W) == xt::xtensor<float, 2>{{0.5, 0.5}, {0.5, 0.5}});
  // A rank-0 value is a number too, as NumPy's scalars: `total += c / n` is arithmetic on floats.
  const auto c = sess.run(total, tf::feed(x, X));
  double sum = 0;
  sum += c / 2;
  const float number = sess.run(total, tf::feed(x, X));
  CHECK(sum == 10.5);
  CHECK(number == 21.0f);
  std::ostringstream printed;  // std::cout << sess.run(W), with the umbrella header alone
  printed << sess.run(W) << " " << c;
  CHECK(printed.str() == "{{ 0.5,  0.5},\n { 0.5,  0.5}}  21.");

  auto train = tf::train::GradientDescentOptimizer(0.1).minimize(total);
  auto [tv, nothing, yv2] = sess.run(tf::fetch(total, train, y), tf::feed(x, X));
  static_assert(std::is_same_v<decltype(nothing), tf::no_value>);
  CHECK(tv() == 21.0f);  // values are those before the update
  CHECK(yv2 == yv);
  static_assert(std::is_void_v<decltype(sess.run(train, tf::feed(x, X)))>);
  // d(sum(xW))/dW = x^T 1 = column sums of x, repeated: [9, 12]; two steps of 0.1 so far.
  sess.run(train, tf::feed(x, X));
  const auto w = sess.run(W);
  for (std::size_t j = 0; j < 2; ++j) {
    CHECK(w(0, j) == doctest::Approx(0.5 - 2 * 0.9));
    CHECK(w(1, j) == doctest::Approx(0.5 - 2 * 1.2));
  }
}

TEST_CASE("runtime.feed: containers, other dtypes, expressions and temporaries; unused feeds are allowed") {
  auto x = tf::placeholder<"x", double, tf::none>();
  auto unused = tf::placeholder<"unused", float, 2>();
  const xt::xtensor<float, 2> U = {{1, 2}};
  tf::Session sess;
  auto y = x * 2.0;
  const xt::xarray<double> A = {1.0, 2.0};
  CHECK(sess.run(y, tf::feed(x, A)) == xt::xtensor<double, 1>{2, 4});
  const xt::xtensor<int, 1> I = {3, 4, 5};
  CHECK(sess.run(y, tf::feed(x, I)) == xt::xtensor<double, 1>{6, 8, 10});
  CHECK(sess.run(y, tf::feed(x, xt::arange<double>(3) + 1.0)) == xt::xtensor<double, 1>{2, 4, 6});
  auto f = tf::feed(x, xt::xtensor<double, 1>{7});  // the item owns the temporary
  CHECK(sess.run(y, f, tf::feed(unused, xt::xtensor<float, 1>{1, 2})) == xt::xtensor<double, 1>{14});
  const xt::xtensor<double, 1, xt::layout_type::column_major> cm = {1, 2};
  CHECK(sess.run(y, tf::feed(x, cm)) == xt::xtensor<double, 1>{2, 4});
  (void)U;
}

TEST_CASE("runtime.feed: a value whose shape disagrees with the placeholder names it and both shapes") {
  auto x = tf::placeholder<"inputs", float, tf::none, 3>();
  tf::Session sess;
  const xt::xtensor<float, 2> bad = xt::zeros<float>({4, 2});
  CHECK_THROWS_WITH_AS(sess.run(x * 2.0f, tf::feed(x, bad)),
                       "feed for placeholder 'inputs': expected shape [None, 3], got [4, 2]", tf::error);
  const xt::xarray<float> rank3 = xt::zeros<float>({1, 3, 1});
  CHECK_THROWS_WITH_AS(sess.run(x * 2.0f, tf::feed(x, rank3)),
                       "feed for placeholder 'inputs': expected shape [None, 3], got [1, 3, 1]", tf::error);
  // Two run-time dims that do not broadcast are an error naming the op and the shapes.
  auto a = tf::placeholder<"a", float, tf::none>();
  auto b = tf::placeholder<"b", float, tf::none>();
  const xt::xtensor<float, 1> A = {1, 2, 3}, B = {1, 2};
  CHECK_THROWS_WITH_AS(sess.run(a + b, tf::feed(a, A), tf::feed(b, B)), "AddV2: shapes [3] and [2] do not broadcast",
                       tf::error);
}

TEST_CASE("runtime.shapes: an op's run-time dims, from its one operand with a run-time dim or broadcast between two") {
  auto x = tf::placeholder<"x", float, tf::none, 3>();
  auto col = tf::placeholder<"col", float, tf::none, 1>();
  auto other = tf::placeholder<"other", float, tf::none, 3>();
  const auto b = tf::constant<3>(xt::xtensor<float, 1>{1, 2, 3});
  const auto row3 = tf::constant<3>(xt::xtensor<float, 1>{10, 20, 30});
  tf::Session sess;
  // x * 2 + b: every other operand is fully static, so the result has x's dims, whatever the
  // batch (one executor, fed 2 rows, then 0, then 4).
  for (std::size_t rows : {2, 0, 4}) {
    const xt::xtensor<float, 2> X = xt::ones<float>({rows, std::size_t{3}});
    const auto y = sess.run(x * 2.0f + b, tf::feed(x, X));
    REQUIRE(y.shape() == std::array<std::size_t, 2>{rows, 3});
    for (std::size_t i = 0; i < rows; ++i)
      for (std::size_t j = 0; j < 3; ++j) CHECK(y(i, j) == 3.0f + static_cast<float>(j));
  }
  // col [None, 1] + row3 [3]: the static operand widens the result to [None, 3].
  const xt::xtensor<float, 2> C = {{1}, {2}};
  CHECK(sess.run(col + row3, tf::feed(col, C)) == xt::xtensor<float, 2>{{11, 21, 31}, {12, 22, 32}});
  // Two operands with run-time dims: broadcast and checked at run time.
  const xt::xtensor<float, 2> X2 = xt::ones<float>({2, 3}), O3 = xt::ones<float>({3, 3});
  CHECK(sess.run(x + other, tf::feed(x, X2), tf::feed(other, X2)) == xt::xtensor<float, 2>{{2, 2, 2}, {2, 2, 2}});
  CHECK_THROWS_WITH_AS(sess.run(x + other, tf::feed(x, X2), tf::feed(other, O3)),
                       "AddV2: shapes [2, 3] and [3, 3] do not broadcast", tf::error);
  CHECK(sess.run(x * col, tf::feed(x, X2), tf::feed(col, C)) == xt::xtensor<float, 2>{{1, 1, 1}, {2, 2, 2}});
}

TEST_CASE("runtime.variables: reading one before initialisation is an error naming it") {
  tf::reset_default_graph();
  auto v = tf::Variable<"not_yet", float, 2>(tf::constant(1.0f));
  tf::Session sess;
  CHECK_THROWS_WITH_AS(sess.run(v * 2.0f),
                       "FailedPrecondition: attempting to use uninitialized value not_yet (run "
                       "tf::global_variables_initializer() first)",
                       tf::error);
  sess.run(tf::global_variables_initializer());
  CHECK(sess.run(v * 2.0f) == xt::xtensor<float, 1>{2, 2});
  tf::Session other;  // each session has its own values
  CHECK_THROWS_AS(other.run(v), tf::error);
  // One name, another dtype or shape: an error; the same declaration again is the same variable.
  CHECK_THROWS_AS((tf::Variable<"not_yet", float, 3>(tf::constant(1.0f))), tf::error);
  CHECK_NOTHROW((tf::Variable<"not_yet", float, 2>(tf::constant(3.0f))));
}

TEST_CASE("runtime.initializers: constants, seeded random values, TF's distributions") {
  tf::reset_default_graph();
  auto c = tf::Variable<"c", double, 2, 3>(tf::constant(xt::xtensor<double, 1>{1, 2, 3}));
  auto n1 = tf::Variable<"n1", double, 100, 100>(tf::random_normal(1.0, 2.0, 7));
  auto n2 = tf::Variable<"n2", double, 100, 100>(tf::random_normal(1.0, 2.0, 7));
  auto t = tf::Variable<"t", double, 100, 100>(tf::truncated_normal(0.0, 0.5, 8));
  auto u = tf::Variable<"u", float, 100, 100>(tf::random_uniform(-3.0, 5.0, 9));
  tf::Session sess;
  sess.run(tf::global_variables_initializer());
  CHECK(sess.run(c) == xt::xtensor<double, 2>{{1, 2, 3}, {1, 2, 3}});

  const auto a = sess.run(n1), b = sess.run(n2);
  CHECK(a == b);  // one seed, one sequence
  const double mean = xt::mean(a)(), sd = std::sqrt(xt::variance(a)());
  CHECK(mean == doctest::Approx(1.0).epsilon(0.05));
  CHECK(sd == doctest::Approx(2.0).epsilon(0.03));

  const auto tv = sess.run(t);
  CHECK(xt::amax(xt::abs(tv))() <= 1.0);                                                // redrawn beyond 2 stddev
  CHECK(std::sqrt(xt::variance(tv)()) == doctest::Approx(0.5 * 0.8796).epsilon(0.03));  // sd of N(0,1) cut at +-2

  const auto uv = sess.run(u);
  CHECK(xt::amin(uv)() >= -3.0f);
  CHECK(xt::amax(uv)() < 5.0f);
  CHECK(xt::mean(uv)() == doctest::Approx(1.0).epsilon(0.05));

  tf::Session again;  // a seeded initializer gives the same values in every session
  again.run(tf::global_variables_initializer());
  CHECK(again.run(n1) == a);
  CHECK_THROWS_AS((tf::Variable<"bad", double, 2, 2>(tf::constant(xt::xtensor<double, 1>{1, 2, 3})),
                   sess.run(tf::global_variables_initializer())),
                  tf::error);
}

TEST_CASE("runtime.initializers: a number, an array, tf::zeros and friends as the initial value") {
  tf::reset_default_graph();
  auto w = tf::Variable<"w", float>(0.5);         // tf.Variable(0.5)
  auto v = tf::Variable<"v", double, 2, 2>(3);    // a number fills the shape
  auto s = tf::Variable<"s">(7);                  // dtype from the number: int32, rank 0
  auto W = tf::Variable<"W">(tf::zeros<4, 3>());  // tf.Variable(tf.zeros([4, 3])): float32 [4, 3]
  auto k = tf::Variable<"k">(tf::constant(2.5));
  auto r = tf::Variable<"r">(tf::range<double, 3>());
  const xt::xtensor<double, 2> A = {{1, 2, 3}, {4, 5, 6}};
  auto a = tf::Variable<"a", float, 2, 3>(A);  // tf.Variable(np_array): copied now, converted
  static_assert(std::is_same_v<decltype(s), tf::graph::variable<tf::name_of<"s">, int, tf::shape<>>>);
  static_assert(std::is_same_v<tf::shape_of_t<decltype(W)>, tf::shape<4, 3>> &&
                std::is_same_v<tf::value_t<decltype(W)>, float>);
  static_assert(std::is_same_v<tf::value_t<decltype(k)>, double> && tf::rank_v<decltype(k)> == 0);
  tf::Session sess;
  sess.run(tf::global_variables_initializer());
  CHECK(sess.run(w)() == 0.5f);
  CHECK(sess.run(v) == xt::xtensor<double, 2>{{3, 3}, {3, 3}});
  CHECK(sess.run(s)() == 7);
  CHECK(sess.run(W) == xt::zeros<float>({4, 3}));
  CHECK(sess.run(k)() == 2.5);
  CHECK(sess.run(r) == xt::xtensor<double, 1>{0, 1, 2});
  CHECK(sess.run(a) == xt::xtensor<float, 2>{{1, 2, 3}, {4, 5, 6}});
  CHECK_THROWS_WITH_AS((tf::Variable<"a2", float, 3, 2>(A)),
                       "Variable 'a2': initial value of shape [2, 3] does not match shape [3, 2]", tf::error);
}

namespace {
// One declaration, run twice: one variable (its identity is the place of the declaration).
auto declared_here() { return tf::Variable(tf::ones<2>()); }
}  // namespace

TEST_CASE("runtime.variables: unnamed ones are TF's Variable, Variable_1, ...; y.eval(sess, feeds...)") {
  tf::reset_default_graph();
  // TF1's MLP keeps its variables in dicts, unnamed: weights = {'out': ...}, biases = {'out': ...}.
  auto x = tf::placeholder<"x", float, tf::none, 3>();
  auto h1 = tf::Variable<float, 3, 4>(tf::random_normal(0.0, 0.5, 1));
  auto b1 = tf::Variable(tf::zeros<4>());
  auto out_w = tf::Variable<float, 4, 1>(tf::random_normal(0.0, 0.5, 2));
  auto out_b = tf::Variable(0.5f);
  [[maybe_unused]] auto named = tf::Variable<"Variable_5", float>(1.0);  // takes the name Variable_5
  static_assert(!std::is_same_v<decltype(h1), decltype(out_w)> && !std::is_same_v<decltype(b1), decltype(out_b)>);
  static_assert(std::is_same_v<decltype(declared_here()), decltype(declared_here())>);
  auto y = tf::matmul(tf::nn::relu(tf::matmul(x, h1) + b1), out_w) + out_b;
  auto loss = tf::reduce_mean(tf::square(y - 1.0f));
  auto train = tf::train::AdamOptimizer(0.05).minimize(loss);
  std::vector<std::string> names;
  for (const auto& v : tf::get_default_graph().variables()) names.push_back(v.name);
  CHECK(names == std::vector<std::string>{"Variable", "Variable_1", "Variable_2", "Variable_3", "Variable_5",
                                          "beta1_power", "beta2_power", "Variable/Adam", "Variable/Adam_1",
                                          "Variable_1/Adam", "Variable_1/Adam_1", "Variable_2/Adam",
                                          "Variable_2/Adam_1", "Variable_3/Adam", "Variable_3/Adam_1"});
  tf::Session sess;
  sess.run(tf::global_variables_initializer());
  const xt::xtensor<float, 2> X = {{1, 2, 3}, {-1, 0.5, 2}};
  const float before = loss.eval(sess, tf::feed(x, X));
  for (int i = 0; i < 50; ++i) sess.run(train, tf::feed(x, X));
  CHECK(loss.eval(sess, tf::feed(x, X)) < before / 10);
  CHECK(y.eval(sess, tf::feed(x, X)) == sess.run(y, tf::feed(x, X)));
  CHECK(out_b.eval(sess)() == sess.run(out_b)());
  CHECK_THROWS_WITH_AS(sess.run(tf::Variable(tf::ones<2>())),
                       "FailedPrecondition: attempting to use uninitialized value Variable_4 (run "
                       "tf::global_variables_initializer() first)",
                       tf::error);
  // Named anew in a new graph; a declaration run again is the same variable, as one place.
  tf::reset_default_graph();
  auto v = declared_here();
  auto w = declared_here();
  CHECK(tf::get_default_graph().variables().size() == 1);
  CHECK(decltype(v)::name_type::view() == "Variable");
  (void)w;
}

// A kernel op that counts its runs: used to see how often a node is computed.
namespace {
std::atomic<int> g_runs{0};
struct counted_copy {
  static constexpr bool elementwise = false;
  [[maybe_unused]] static constexpr std::string_view tf_name = "Identity";
  template <class A>
  using value_type = tf::value_t<A>;
  template <class A>
  using shape_type = tf::shape_of_t<A>;
  template <std::size_t R>
  static std::array<std::size_t, R> result_dims(const std::array<std::size_t, R>& a) {
    return a;
  }
  template <class T, std::size_t R>
  static void forward(tf::tensor_ref<T, R> out, tf::tensor_ref<const T, R> in) {
    ++g_runs;
    std::copy(in.data, in.data + in.size(), out.data);
  }
  static constexpr auto vjp(const auto& g, const auto&) {
    return std::tuple{g};
  }  // a std::tuple works as op::parts does
};
template <class X>
auto counted(const X& x) {
  return tf::graph::node<counted_copy, X>({}, x);
}
}  // namespace

TEST_CASE("runtime.plan: each unique node is computed once per run, also across fetches and gradients") {
  tf::reset_default_graph();
  auto x = tf::placeholder<"x", double, 4>();
  auto W = tf::Variable<"W", double, 4>(tf::constant(0.5));
  auto h = counted(x * W);
  auto loss = tf::reduce_sum(tf::square(h) + h * h / (h + 3.0));
  auto [dW] = tf::gradients(loss, W);
  tf::Session sess;
  sess.run(tf::global_variables_initializer());
  const xt::xtensor<double, 1> X = {1, 2, 3, 4};
  g_runs = 0;
  auto [l, g, hv] = sess.run(tf::fetch(loss, dW, h), tf::feed(x, X));
  CHECK(g_runs == 1);
  for (std::size_t i = 0; i < 4; ++i) {
    const double hi = X(i) * 0.5;
    CHECK(hv(i) == hi);
    // d/dh (h^2 + h^2/(h+3)) = 2h + (2h(h+3) - h^2)/(h+3)^2, times dh/dW = x
    CHECK(g(i) == doctest::Approx((2 * hi + (2 * hi * (hi + 3) - hi * hi) / ((hi + 3) * (hi + 3))) * X(i)));
  }
  sess.run(tf::fetch(loss, dW), tf::feed(x, X));
  CHECK(g_runs == 2);
}

// A view op (op contract: view_offset): elements [Offset, Offset + N) of a vector, whose
// forward (a copy) counts its runs.
namespace {
std::atomic<int> g_view_copies{0};
template <std::size_t Offset, std::size_t N>
struct part_of {
  [[maybe_unused]] static constexpr std::string_view tf_name = "Slice";
  static constexpr std::size_t view_offset = Offset;
  static constexpr bool differentiable(std::size_t) { return false; }
  template <class A>
  using value_type = tf::value_t<A>;
  template <class A>
  using shape_type = tf::shape<N>;
  static std::array<std::size_t, 1> result_dims(const std::array<std::size_t, 1>&) { return {N}; }
  template <class T>
  static void forward(tf::tensor_ref<T, 1> out, tf::tensor_ref<const T, 1> in) {
    ++g_view_copies;
    std::copy(in.data + Offset, in.data + Offset + N, out.data);
  }
};
template <std::size_t Offset, std::size_t N, class X>
auto part(const X& x) {
  return tf::graph::node<part_of<Offset, N>, X>({}, x);
}
}  // namespace

TEST_CASE("runtime.plan: a view op reads its operand in place, and copies a variable") {
  tf::reset_default_graph();
  auto x = tf::placeholder<"x", float, 6>();
  const xt::xtensor<float, 1> X = {1, 2, 3, 4, 5, 6};
  const auto h = counted(x * 2.0f);  // a kernel: a buffer of its own
  const auto tail = part<2, 3>(h);   // 6, 8, 10
  const auto head = part<0, 2>(h);   // 2, 4
  tf::Session sess;
  g_view_copies = 0;
  CHECK(sess.run(tail, tf::feed(x, X)) == xt::xtensor<float, 1>{6, 8, 10});
  // Read by a fused loop, by a reduction, next to their operand (handed over before or after
  // them: the views read its buffer where it stays), and fetched into an array.
  const auto [sum, scaled, hv, tv] =
      sess.run(tf::fetch(tf::reduce_sum(head), tail * 0.5f + 1.0f, h, tail), tf::feed(x, X));
  CHECK(sum() == 6.0f);
  CHECK(scaled == xt::xtensor<float, 1>{4, 5, 6});
  CHECK(hv == xt::xtensor<float, 1>{2, 4, 6, 8, 10, 12});
  CHECK(tv == xt::xtensor<float, 1>{6, 8, 10});
  const auto [hv2, tv2] = sess.run(tf::fetch(h, tail), tf::feed(x, X * 10.0f));
  CHECK(hv2 == xt::xtensor<float, 1>{20, 40, 60, 80, 100, 120});
  CHECK(tv2 == xt::xtensor<float, 1>{60, 80, 100});
  auto into = xt::xtensor<float, 1>::from_shape({3});
  sess.run(tf::fetch_into(into, tail), tf::feed(x, X));
  CHECK(into == xt::xtensor<float, 1>{6, 8, 10});
  CHECK(g_view_copies == 0);
  sess.run(tail, tf::feed(x, X));
  CHECK(test::allocations_of([&] { sess.run(tf::fetch_into(into, tail), tf::feed(x, X)); }) == 0);
  // A view of a feed reads it in place; a view of a variable is copied, since the run's
  // operations may update the variable before the fetches are read.
  CHECK(sess.run(part<3, 3>(x), tf::feed(x, X)) == xt::xtensor<float, 1>{4, 5, 6});
  CHECK(g_view_copies == 0);
  auto v = tf::Variable<"v", float, 6>(tf::constant(1.0f));
  sess.run(tf::global_variables_initializer());
  const auto before = std::get<0>(sess.run(tf::fetch(part<4, 2>(v), tf::assign_add(v, x)), tf::feed(x, X)));
  CHECK(before == xt::xtensor<float, 1>{1, 1});
  CHECK(sess.run(v)(5) == 7.0f);
  CHECK(g_view_copies == 1);
}

TEST_CASE("runtime.plan: a steady training step allocates nothing; a fetched value allocates only itself") {
  tf::reset_default_graph();
  auto x = tf::placeholder<"x", float, tf::none, 3>();
  auto y = tf::placeholder<"y", float, tf::none, 1>();
  auto W = tf::Variable<"W", float, 3, 1>(tf::random_normal(0.0, 1.0, 1));
  auto b = tf::Variable<"b", float, 1>(tf::constant(0.0f));
  auto loss = tf::reduce_mean(tf::square(y - (tf::matmul(x, W) + b)));
  auto train = tf::train::GradientDescentOptimizer(0.01).minimize(loss);
  tf::Session sess;
  sess.run(tf::global_variables_initializer());
  const xt::xtensor<float, 2> X = 0.01f * xt::arange<float>(150).reshape({50, 3}), Y = xt::ones<float>({50, 1});
  sess.run(train, tf::feed(x, X), tf::feed(y, Y));  // builds the plan and its buffers
  CHECK(test::allocations_of([&] { sess.run(train, tf::feed(x, X), tf::feed(y, Y)); }) == 0);
  sess.run(tf::fetch(train, loss), tf::feed(x, X), tf::feed(y, Y));
  CHECK(test::allocations_of([&] { sess.run(tf::fetch(train, loss), tf::feed(x, X), tf::feed(y, Y)); }) == 1);
  // A computed array is handed over, not copied: the next run allocates its buffer again.
  const auto fitted = tf::matmul(x, W) + b;
  sess.run(fitted, tf::feed(x, X));
  CHECK(test::allocations_of([&] { (void)sess.run(fitted, tf::feed(x, X)); }) == 1);
  const xt::xtensor<float, 2> first = sess.run(fitted, tf::feed(x, X));
  const xt::xtensor<float, 2> X2 = 2.0f * X;
  const xt::xtensor<float, 2> second = sess.run(fitted, tf::feed(x, X2));
  CHECK(xt::allclose(second - sess.run(b), 2.0f * (first - sess.run(b))));
  // A node fetched twice: each place gets its value (handed over at the last).
  const auto [p1, l1, p2] = sess.run(tf::fetch(fitted, loss, fitted), tf::feed(x, X), tf::feed(y, Y));
  CHECK(p1 == first);
  CHECK(p2 == first);
  CHECK(l1() == doctest::Approx(xt::mean(xt::square(Y - first))()));
  xt::xtensor<float, 0> l;
  sess.run(tf::fetch_into(l, loss), tf::feed(x, X), tf::feed(y, Y));
  CHECK(test::allocations_of([&] { sess.run(tf::fetch_into(l, loss), tf::feed(x, X), tf::feed(y, Y)); }) == 0);
  CHECK(l() == sess.run(loss, tf::feed(x, X), tf::feed(y, Y))());
  xt::xtensor<float, 2> w({3, 1});  // a leaf is copied into the array
  sess.run(tf::fetch_into(w, W));
  CHECK(w == sess.run(W));

  // An array of another shape is an error that names both shapes and leaves the array alone,
  // for a computed fetch (the array would have been the result's buffer) and for a leaf.
  xt::xtensor<float, 2> wrong = xt::full_like(xt::xtensor<float, 2>({2, 2}), 7.0f);
  const auto pred = tf::matmul(x, W);
  CHECK_THROWS_WITH_AS(sess.run(tf::fetch_into(wrong, pred), tf::feed(x, X)),
                       doctest::Contains("has shape [2, 2], but the fetch yields [50, 1]"), tf::error);
  CHECK_THROWS_WITH_AS(sess.run(tf::fetch_into(wrong, W)), doctest::Contains("[2, 2]"), tf::error);
  CHECK(wrong == xt::xtensor<float, 2>{{7, 7}, {7, 7}});
  xt::xtensor<float, 2> right({50, 1});
  sess.run(tf::fetch_into(right, pred), tf::feed(x, X));  // the plan is still usable
  CHECK(right == sess.run(pred, tf::feed(x, X)));

  // The array fed to the run, updated in place (x = f(x)): computed in the run's own buffer and
  // copied, for an elementwise fetch and a product, which would otherwise read what they write.
  auto v = tf::placeholder<"v", float, tf::none, 4>();
  const xt::xtensor<float, 2> M = {{1, 2, 0, 0}, {0, 1, 0, 0}, {0, 0, 1, 3}, {1, 0, 0, 1}};
  const auto m = tf::constant<4, 4>(M);
  xt::xtensor<float, 2> V = {{1, 2, 3, 4}, {5, 6, 7, 8}};
  sess.run(tf::fetch_into(V, v * 2.0f + 1.0f), tf::feed(v, V));
  CHECK(V == xt::xtensor<float, 2>{{3, 5, 7, 9}, {11, 13, 15, 17}});
  sess.run(tf::fetch_into(V, tf::matmul(v, m)), tf::feed(v, V));
  CHECK(V == xt::xtensor<float, 2>{{12, 11, 7, 30}, {28, 35, 15, 62}});
}

TEST_CASE_TEMPLATE("runtime.plan: a product by a constant packs it once, with the bits of a product by a feed", T,
                   float, double) {
  tf::reset_default_graph();
  auto x = tf::placeholder<"x", T, tf::none, 40>();
  auto w = tf::placeholder<"w", T, 40, 70>();
  const xt::xtensor<T, 2> W = xt::reshape_view(xt::sin(xt::arange<T>(2800)), {40, 70});
  const auto c = tf::constant<40, 70>(W);
  // The constant as B of a product and of a transposed one (two packings), and the same fed.
  const auto by_constant = tf::matmul(tf::matmul(x, c), c, tf::transpose_b);
  const auto by_feed = tf::matmul(tf::matmul(x, w), w, tf::transpose_b);
  tf::Session sess;
  for (const T scale : {T(1), T(-0.5)}) {  // the second run reads the packings of the first
    const xt::xtensor<T, 2> X = scale * xt::reshape_view(xt::cos(xt::arange<T>(33 * 40)), {33, 40});
    const xt::xtensor<T, 2> packed = sess.run(by_constant, tf::feed(x, X));
    const xt::xtensor<T, 2> fed = sess.run(by_feed, tf::feed(x, X), tf::feed(w, W));
    REQUIRE(packed.shape() == fed.shape());
    CHECK(std::memcmp(packed.data(), fed.data(), packed.size() * sizeof(T)) == 0);
    for (std::size_t i = 0; i < 33; i += 8) {  // rows of X W W^T, in double
      std::array<double, 70> xw{};
      for (std::size_t j = 0; j < 70; ++j)
        for (std::size_t k = 0; k < 40; ++k) xw[j] += double(X(i, k)) * double(W(k, j));
      for (std::size_t j = 0; j < 40; ++j) {
        double v = 0;
        for (std::size_t k = 0; k < 70; ++k) v += xw[k] * double(W(j, k));
        CHECK(packed(i, j) == doctest::Approx(v).epsilon(1e-4));
      }
    }
  }
}

xt::xtensor<float, 1> read_odr_variable(tf::Session& sess);  // in odr_other_unit.cpp

TEST_CASE("runtime.plan: a sum or mean of every element reads the elementwise expression, with no buffer for it") {
  tf::reset_default_graph();
  auto x = tf::placeholder<"x", double, tf::none, 7>();
  auto b = tf::placeholder<"b", double, 7>();
  auto sq = tf::square(x - 0.25);  // contiguous operands: the SIMD path
  auto shifted = tf::exp(x + b);   // b broadcasts: the iterator path
  auto mean = tf::reduce_mean(sq);
  auto sum = tf::reduce_sum(shifted, tf::keep_dims);
  auto rows = tf::reduce_sum(shifted, tf::axis<1>);  // not every axis: the kernel, from a buffer
  using plan = tf::eval::schedule<decltype(mean), decltype(sum), decltype(rows)>;
  static_assert(!plan::materialised<decltype(sq)>);
  static_assert(plan::materialised<decltype(shifted)>);  // the row sums read it as a buffer
  static_assert(!tf::eval::schedule<decltype(sum)>::materialised<decltype(shifted)>);

  for (const std::size_t n : {std::size_t{3}, std::size_t{80000}}) {  // below and above the threads' grain
    const auto X = test::random_tensor<double, 2>({n, 7}, 5);
    const auto B = test::random_tensor<double, 1>({7}, 6);
    double ref_mean = 0, ref_sum = 0;
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t j = 0; j < 7; ++j) {
        ref_mean += (X(i, j) - 0.25) * (X(i, j) - 0.25);
        ref_sum += std::exp(X(i, j) + B(j));
      }
    ref_mean /= double(n * 7);
    for (const int threads : {1, 3}) {
      tf::Session sess(tf::ConfigProto{.intra_op_parallelism_threads = threads});
      const auto [m, s, r] = sess.run(tf::fetch(mean, sum, rows), tf::feed(x, X), tf::feed(b, B));
      CAPTURE(n);
      CAPTURE(threads);
      CHECK(m() == doctest::Approx(ref_mean).epsilon(1e-13));
      CHECK(s.shape() == std::array<std::size_t, 2>{1, 1});
      CHECK(s(0, 0) == doctest::Approx(ref_sum).epsilon(1e-13));
      CHECK(xt::sum(r)() == doctest::Approx(ref_sum).epsilon(1e-13));
      CHECK(sess.run(tf::reduce_sum(sq), tf::feed(x, X))() == doctest::Approx(ref_mean * double(n * 7)).epsilon(1e-13));
    }
  }
}

TEST_CASE("runtime.odr: a variable declared in one translation unit is read in another") {
  tf::reset_default_graph();
  auto v = tf::Variable<"odr", float, 2>(tf::constant(xt::xtensor<float, 1>{1.5f, -2.0f}));
  tf::Session sess;
  sess.run(tf::global_variables_initializer());
  CHECK(read_odr_variable(sess) == xt::xtensor<float, 1>{3.0f, -4.0f});
  CHECK(sess.run(v) == xt::xtensor<float, 1>{1.5f, -2.0f});
}
