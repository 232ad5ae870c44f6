// Eager mode: values against hand-written loops, printing against TensorFlow 2.21's own
// strings (copied from its output), every gradient against central differences, and the
// GradientTape's rules (persistent, watch, stop_recording, nesting, None) as TF states them.

#include <doctest/doctest.h>

#include <unistd.h>
#include <algorithm>
#include <array>
#include <cmath>
#include <filesystem>
#include <limits>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <typeflow/eager.hpp>

#include "../error_of.hpp"
#include "../regression_problem.hpp"

namespace tfe = typeflow::eager;
using test::error_of;

namespace {

template <class T>
std::string str(const T& t) {
  std::ostringstream os;
  os << t;
  return os.str();
}

std::vector<double> values(const tfe::Tensor<double>& t) { return {t.data().begin(), t.data().end()}; }

/// Checks the tape's gradient of sum(f(x) * w) for fixed random weights w against central
/// differences at x, element by element; returns the largest absolute difference.
template <class F>
double gradient_error(F f, const tfe::Tensor<double>& x) {
  const auto y0 = f(x);
  const auto w = tfe::random_normal<double>(y0.shape(), 0.0, 1.0, 7);
  const auto loss = [&](const tfe::Tensor<double>& at) { return tfe::reduce_sum(f(at) * w).item(); };
  tfe::GradientTape tape;
  tape.watch(x);
  const auto l = tfe::reduce_sum(f(x) * w);
  const auto g = tape.gradient(l, x);
  REQUIRE(g.has_value());
  REQUIRE(g->shape() == x.shape());
  double worst = 0;
  const double h = 1e-6;
  for (std::size_t i = 0; i < x.size(); ++i) {
    auto plus = x.numpy(), minus = x.numpy();
    plus.data()[i] += h;
    minus.data()[i] -= h;
    const double numeric = (loss(tfe::constant(plus)) - loss(tfe::constant(minus))) / (2 * h);
    worst = std::max(worst, std::abs(numeric - g->data()[i]));
  }
  return worst;
}

}  // namespace

TEST_CASE("eager: ops compute at once, with broadcasting and numbers mixed in") {
  const auto a = tfe::constant<float>({{1, 2}, {3, 4}});
  const auto b = tfe::matmul(a, a) + 1.0f;
  CHECK(b.shape() == tfe::TensorShape{2, 2});
  CHECK(std::vector<float>(b.data().begin(), b.data().end()) == std::vector<float>{8, 11, 16, 23});

  const auto x = tfe::constant<double>({{1, 2, 3}, {4, 5, 6}});
  const auto row = tfe::constant<double>({10, 20, 30});
  const auto col = tfe::constant<double>({{100}, {200}});
  CHECK(values(x + row) == std::vector<double>{11, 22, 33, 14, 25, 36});
  CHECK(values(col - x) == std::vector<double>{99, 98, 97, 196, 195, 194});
  CHECK(values(2.0 * x / 4) == std::vector<double>{0.5, 1, 1.5, 2, 2.5, 3});
  CHECK(values(-tfe::square(x)) == std::vector<double>{-1, -4, -9, -16, -25, -36});
  const auto e = tfe::exp(x);
  for (std::size_t i = 0; i < 6; ++i) CHECK(e.data()[i] == doctest::Approx(std::exp(double(i + 1))));

  SUBCASE("reductions over any axes, negative axes, keepdims") {
    CHECK(tfe::reduce_sum(x).item() == 21);
    CHECK(values(tfe::reduce_sum(x, 0)) == std::vector<double>{5, 7, 9});
    CHECK(values(tfe::reduce_mean(x, -1)) == std::vector<double>{2, 5});
    CHECK(tfe::reduce_max(x, 1, true).shape() == tfe::TensorShape{2, 1});
    const auto t =
        tfe::reshape(tfe::cast<double>(tfe::constant<int>({{0, 1, 2, 3}, {4, 5, 6, 7}, {8, 9, 10, 11}})), {3, 2, 2});
    // Axes 0 and 2 of a (3, 2, 2) tensor: collapsed to the kernel's (3, 2, 2) pattern; by hand:
    std::vector<double> want(2, 0.0);
    for (std::size_t i = 0; i < 3; ++i)
      for (std::size_t j = 0; j < 2; ++j)
        for (std::size_t k = 0; k < 2; ++k) want[j] += double(i * 4 + j * 2 + k);
    CHECK(values(tfe::reduce_sum(t, {0, 2})) == want);
    CHECK(values(tfe::reduce_prod(t, {1, 2})) == std::vector<double>{0, 4 * 5 * 6 * 7, 8 * 9 * 10 * 11});
  }
  SUBCASE("logical ops, where, shape ops") {
    const auto big = x > 2.0;
    const auto mid = tfe::logical_and(big, x < 5.0);
    CHECK(std::vector<bool>(mid.data().begin(), mid.data().end()) ==
          std::vector<bool>{false, false, true, true, false, false});
    const auto small = tfe::logical_not(big);
    CHECK(std::vector<bool>(small.data().begin(), small.data().end()) ==
          std::vector<bool>{true, true, false, false, false, false});
    CHECK(values(tfe::where(big, x, 0.0)) == std::vector<double>{0, 0, 3, 4, 5, 6});
    CHECK(tfe::expand_dims(x, -1).shape() == tfe::TensorShape{2, 3, 1});
    CHECK(tfe::squeeze(tfe::expand_dims(x, 0)).shape() == tfe::TensorShape{2, 3});
    CHECK(error_of([&] { (void)tfe::squeeze(x, {0}); }) ==
          "Squeeze: cannot squeeze axis 0 of shape (2, 3): its dim is 2, not 1");
    CHECK(values(tfe::nn::bias_add(x, row)) == std::vector<double>{11, 22, 33, 14, 25, 36});
    CHECK(tfe::nn::l2_loss(x).item() == 91.0 / 2);
    CHECK(values(tfe::slice(x, {0, 1}, {-1, 2})) == std::vector<double>{2, 3, 5, 6});
    CHECK(error_of([&] {
            (void)tfe::slice(x, {0, 2}, {1, 2});
          }) == "Slice: expected size[1] in [0, 1], but got 2 (input shape [2, 3])");
  }
  SUBCASE("comparisons, casts, reshapes") {
    const auto m = x > 3.0;
    CHECK(m.dtype() == "bool");
    CHECK(std::vector<bool>(m.data().begin(), m.data().end()) ==
          std::vector<bool>{false, false, false, true, true, true});
    CHECK(tfe::reshape(x, {-1}).shape() == tfe::TensorShape{6});
    CHECK(tfe::reshape(x, {3, -1}).shape() == tfe::TensorShape{3, 2});
    CHECK(values(tfe::transpose(x)) == std::vector<double>{1, 4, 2, 5, 3, 6});
  }
  SUBCASE("softmax over the last axis") {
    const auto s = tfe::nn::softmax(x);
    const double z = std::exp(1.0) + std::exp(2.0) + std::exp(3.0);
    CHECK(s.data()[0] == doctest::Approx(std::exp(1.0) / z));
    CHECK(tfe::reduce_sum(s, 1).data()[1] == doctest::Approx(1.0));
  }
}

TEST_CASE("eager: tensors print as TensorFlow prints them") {
  // Each expected string is TF 2.21's str() of the same tensor.
  CHECK(str(tfe::matmul(tfe::constant<float>({{1, 2}, {3, 4}}), tfe::constant<float>({{1, 2}, {3, 4}})) + 1.0f) ==
        "tf.Tensor(\n[[ 8. 11.]\n [16. 23.]], shape=(2, 2), dtype=float32)");
  CHECK(str(tfe::constant<float>({0.5f, 1.25f})) == "tf.Tensor([0.5  1.25], shape=(2,), dtype=float32)");
  CHECK(str(tfe::constant<int>({1, 2})) == "tf.Tensor([1 2], shape=(2,), dtype=int32)");
  CHECK(str(tfe::constant(3.0f)) == "tf.Tensor(3.0, shape=(), dtype=float32)");
  CHECK(str(tfe::constant(0.1f)) == "tf.Tensor(0.1, shape=(), dtype=float32)");
  CHECK(tfe::constant<float>({3}).shape() == tfe::TensorShape{1});  // a list, as tf.constant([3.])
  CHECK(str(tfe::constant<bool>({true, false})) == "tf.Tensor([ True False], shape=(2,), dtype=bool)");
  CHECK(str(tfe::constant<float>({{{1, 2}, {3, 4}}, {{5, 6}, {7, 8.5f}}})) ==
        "tf.Tensor(\n[[[1.  2. ]\n  [3.  4. ]]\n\n [[5.  6. ]\n  [7.  8.5]]], shape=(2, 2, 2), dtype=float32)");
  CHECK(str(tfe::constant<float>({1e-5f, 1.0f})) == "tf.Tensor([1.e-05 1.e+00], shape=(2,), dtype=float32)");
  CHECK(str(tfe::constant<float>({-1.5f, 0.25f, 100.0f})) ==
        "tf.Tensor([ -1.5    0.25 100.  ], shape=(3,), dtype=float32)");
  CHECK(str(tfe::constant<int>({{1}, {2}})) == "tf.Tensor(\n[[1]\n [2]], shape=(2, 1), dtype=int32)");
  CHECK(str(tfe::zeros<float>({0})) == "tf.Tensor([], shape=(0,), dtype=float32)");
}

TEST_CASE("eager: conversions to and from xtensor") {
  xt::xtensor<double, 2> a = {{1, 2, 3}, {4, 5, 6}};
  const auto t = tfe::constant(a);
  CHECK(t.shape() == tfe::TensorShape{2, 3});
  const xt::xtensor<double, 2> back = t.numpy<2>();
  CHECK(back == a);
  CHECK(t.view()(1, 2) == 6);
  CHECK(t.view().data() == t.data().data());  // a view copies nothing
  xt::xtensor<double, 2> taken = a;  // an array given as an rvalue becomes the tensor's buffer (a Session's results)
  const double* buffer = taken.data();
  const tfe::Tensor<double> adopted(std::move(taken));
  CHECK(adopted.data().data() == buffer);
  CHECK(adopted.numpy<2>() == a);
  CHECK(values(adopted * 2.0) == std::vector<double>{2, 4, 6, 8, 10, 12});
  CHECK(error_of([&] { (void)t.numpy<3>(); }).find("has rank 2 (shape (2, 3)), expected rank 3") != std::string::npos);
}

TEST_CASE("eager: errors name the op and both shapes, as TF's InvalidArgumentError") {
  const auto a = tfe::constant<float>({{1, 2, 3}});
  const auto b = tfe::constant<float>({1, 2});
  CHECK(error_of([&] { (void)(a + b); }) == "AddV2: incompatible shapes: (1, 3) vs. (2,)");
  CHECK(error_of([&] { (void)tfe::matmul(a, a); }).find("MatMul: inner dimensions differ") != std::string::npos);
  CHECK(error_of([&] { (void)tfe::matmul(b, b); }) == "MatMul: operand 0 has rank 1 (shape (2,)), expected rank 2");
  CHECK(error_of([&] {
          (void)tfe::reshape(a, {2, 2});
        }).find("cannot reshape a tensor with 3 elements") != std::string::npos);
  CHECK(error_of([&] { (void)tfe::reduce_sum(a, 2); }) == "reduce_sum: axis 2 is out of range for a tensor of rank 2");
  CHECK(error_of([] { (void)tfe::constant<float>({{1, 2}, {3}}); }).find("not rectangular") != std::string::npos);
  tfe::Variable<float> v;
  CHECK(error_of([&] { (void)v.value(); }).find("is read before it was initialised") != std::string::npos);
}

namespace {

/// The reduction of t over `axes` by `combine` from `init`, element by element with an
/// odometer: an independent reference for any rank.
template <class Combine>
std::vector<double> reduce_by_hand(const tfe::Tensor<double>& t, std::initializer_list<int> axes, double init,
                                   Combine combine) {
  const tfe::TensorShape& s = t.shape();
  std::vector<bool> reduced(s.rank(), false);
  for (const int a : axes) reduced[static_cast<std::size_t>(a)] = true;
  std::size_t out_size = 1;
  for (std::size_t i = 0; i < s.rank(); ++i)
    if (!reduced[i]) out_size *= s[i];
  std::vector<double> out(out_size, init);
  std::vector<std::size_t> index(s.rank(), 0);
  for (std::size_t e = 0; e < t.size(); ++e) {
    std::size_t o = 0;
    for (std::size_t i = 0; i < s.rank(); ++i)
      if (!reduced[i]) o = o * s[i] + index[i];
    out[o] = combine(out[o], t.data()[e]);
    for (std::size_t i = s.rank(); i-- > 0;) {
      if (++index[i] < s[i]) break;
      index[i] = 0;
    }
  }
  return out;
}

void check_close(const tfe::Tensor<double>& got, const std::vector<double>& want) {
  REQUIRE(got.size() == want.size());
  for (std::size_t i = 0; i < want.size(); ++i) CHECK(got.data()[i] == doctest::Approx(want[i]).epsilon(1e-12));
}

}  // namespace

// Every eager reduction runs as one of two rank-8 kernel ops (its reduced axes even or odd) on
// its collapsed dims after unit axes; these cases put the first collapsed axis on either,
// reduced or kept, at ranks 7 and 8, with unit dims among the axes.
TEST_CASE("eager: reductions of rank 7 and 8 over axes that alternate with kept ones") {
  using T = tfe::Tensor<double>;
  const T r8 = tfe::random_normal<double>({2, 3, 1, 2, 3, 2, 2, 2}, 0.0, 1.0, 11);
  const T r7 = tfe::random_normal<double>({3, 2, 2, 1, 3, 2, 2}, 0.0, 1.0, 12);
  const auto plus = [](double a, double b) { return a + b; };
  const auto larger = [](double a, double b) { return std::max(a, b); };
  const auto smaller = [](double a, double b) { return std::min(a, b); };
  const double inf = std::numeric_limits<double>::infinity();

  check_close(tfe::reduce_sum(r8, {0, 2, 4, 6}), reduce_by_hand(r8, {0, 2, 4, 6}, 0.0, plus));
  check_close(tfe::reduce_max(r8, {1, 3, 5}), reduce_by_hand(r8, {1, 3, 5}, -inf, larger));
  check_close(tfe::reduce_sum(r8, {7}), reduce_by_hand(r8, {7}, 0.0, plus));
  check_close(tfe::reduce_sum(r7, {0, 2, 4, 6}), reduce_by_hand(r7, {0, 2, 4, 6}, 0.0, plus));
  check_close(tfe::reduce_min(r7, {1, 4}), reduce_by_hand(r7, {1, 4}, inf, smaller));
  std::vector<double> mean = reduce_by_hand(r7, {0, 1, 5}, 0.0, plus);
  for (double& m : mean) m /= 3 * 2 * 2;
  check_close(tfe::reduce_mean(r7, {0, 1, 5}), mean);
  CHECK(tfe::reduce_sum(r8, {0, 2, 4, 6}, true).shape() == tfe::TensorShape{1, 3, 1, 2, 1, 2, 1, 2});

  CHECK(gradient_error([](const T& t) { return tfe::reduce_mean(t, {0, 2, 4, 6}); }, r8) < 1e-6);
  CHECK(gradient_error([](const T& t) { return tfe::reduce_max(t, {1, 3, 5}); }, r7) < 1e-6);
  CHECK(gradient_error([](const T& t) { return tfe::reduce_prod(t, {1, 4}, true) * t; }, r7) < 1e-6);
}

TEST_CASE("eager: every gradient against central differences") {
  namespace tf = typeflow;
  const auto x = tfe::random_normal<double>({3, 4}, 0.0, 1.0, 1);
  const auto pos = tfe::exp(tfe::random_normal<double>({3, 4}, 0.0, 0.5, 2));
  const auto row = tfe::random_normal<double>({4}, 0.0, 1.0, 3);
  const auto col = tfe::random_normal<double>({3, 1}, 0.0, 1.0, 4);
  const auto w = tfe::random_normal<double>({4, 2}, 0.0, 1.0, 5);
  using T = tfe::Tensor<double>;
  const double tol = 1e-6;
  CHECK(gradient_error([&](const T& t) { return t * row + col; }, x) < tol);
  CHECK(gradient_error([&](const T& t) { return x * t - t / (col * col + 1.0); }, row) < tol);  // broadcast operand
  CHECK(gradient_error([&](const T& t) { return x * t; }, col) < tol);                          // sums back to (3, 1)
  CHECK(gradient_error([&](const T& t) { return tfe::square(t) + tfe::exp(t) + tfe::sin(t) * tfe::cos(t); }, x) < tol);
  CHECK(gradient_error([&](const T& t) { return tfe::log(t) + tfe::sqrt(t) + tfe::pow(t, 1.5); }, pos) < tol);
  CHECK(gradient_error([&](const T& t) { return tfe::tanh(t) + tfe::sigmoid(t) + tfe::nn::softplus(t); }, x) < tol);
  CHECK(gradient_error([&](const T& t) { return tfe::maximum(t, 0.1) + tfe::nn::elu(t); }, x) < tol);
  CHECK(gradient_error([&](const T& t) { return tfe::matmul(t, w); }, x) < tol);
  CHECK(gradient_error([&](const T& t) { return tfe::matmul(x, t); }, w) < tol);
  CHECK(gradient_error([&](const T& t) { return tfe::matmul(t, x, true, false); }, col) < tol);
  CHECK(gradient_error([&](const T& t) { return tfe::reduce_mean(t, 0); }, x) < tol);
  CHECK(gradient_error([&](const T& t) { return tfe::reduce_sum(t, {1}, true) * t; }, x) < tol);
  CHECK(gradient_error([&](const T& t) { return tfe::reduce_max(t, -1); }, x) < tol);
  CHECK(gradient_error([&](const T& t) { return tfe::reduce_prod(t, 1); }, pos) < tol);
  CHECK(gradient_error([&](const T& t) { return tfe::nn::softmax(t); }, x) < tol);
  CHECK(gradient_error([&](const T& t) { return tfe::nn::log_softmax(t); }, x) < tol);
  CHECK(gradient_error([&](const T& t) { return tfe::transpose(tfe::reshape(t, {4, 3})); }, x) < tol);
  CHECK(gradient_error([&](const T& t) { return tfe::where(x > 0.0, t * t, -t); }, x) < tol);
  CHECK(gradient_error([&](const T& t) { return tfe::clip_by_value(t, -0.5, 0.7); }, x) < tol);
  CHECK(gradient_error(
            [&](const T& t) {
              return tfe::nn::sigmoid_cross_entropy_with_logits(tf::labels = tfe::sigmoid(pos), tf::logits = t);
            },
            x) < tol);
  CHECK(gradient_error([&](const T& t) { return tfe::nn::l2_loss(t); }, x) < tol);
  CHECK(gradient_error([&](const T& t) { return tfe::nn::bias_add(x, t); }, row) < tol);
  CHECK(gradient_error([&](const T& t) { return tfe::squeeze(tfe::expand_dims(t, 1) * 2.0); }, x) < tol);
  CHECK(gradient_error([&](const T& t) { return tfe::slice(t, {1, 1}, {2, -1}) * 3.0; }, x) < tol);
}

TEST_CASE("eager: concat, stack, tile and indexing, as TF's") {
  const auto x = tfe::constant<double>({{1, 2, 3}, {4, 5, 6}});
  const auto row = tfe::constant<double>({10, 20, 30});
  const auto col = tfe::constant<double>({{100}, {200}});
  SUBCASE("values") {
    const auto rows = tfe::concat({x, x * 10.0}, 0);
    CHECK(rows.shape() == tfe::TensorShape{4, 3});
    CHECK(values(rows) == std::vector<double>{1, 2, 3, 4, 5, 6, 10, 20, 30, 40, 50, 60});
    CHECK(values(tfe::concat({x, col}, 1)) == std::vector<double>{1, 2, 3, 100, 4, 5, 6, 200});
    CHECK(values(tfe::concat({col, x, col}, -1)) == std::vector<double>{100, 1, 2, 3, 100, 200, 4, 5, 6, 200});
    const auto ints = tfe::concat({tfe::cast<std::int32_t>(row), tfe::cast<std::int32_t>(row)}, 0);
    CHECK(std::vector<std::int32_t>(ints.data().begin(), ints.data().end()) ==
          std::vector<std::int32_t>{10, 20, 30, 10, 20, 30});
    CHECK(tfe::stack({row, row * 2.0}).shape() == tfe::TensorShape{2, 3});
    CHECK(values(tfe::stack({row, row * 2.0}, 1)) == std::vector<double>{10, 20, 20, 40, 30, 60});
    CHECK(values(tfe::stack({row, row * 2.0}, -1)) == std::vector<double>{10, 20, 20, 40, 30, 60});
    CHECK(values(tfe::tile(x, {2, 1})) == std::vector<double>{1, 2, 3, 4, 5, 6, 1, 2, 3, 4, 5, 6});
    CHECK(values(tfe::tile(x, {1, 2})) == std::vector<double>{1, 2, 3, 1, 2, 3, 4, 5, 6, 4, 5, 6});
    CHECK(tfe::tile(x, {0, 2}).shape() == tfe::TensorShape{0, 6});
    CHECK(tfe::tile(tfe::constant<double>(2.5), {}).item() == 2.5);  // a scalar: no multiples
    CHECK(values(x[1]) == std::vector<double>{4, 5, 6});
    CHECK(x[1].shape() == tfe::TensorShape{3});
    CHECK(values(x[-2]) == std::vector<double>{1, 2, 3});
    CHECK(x[1][2].item() == 6);
    CHECK(x[1][2].rank() == 0);
    // Slices, `...` and tf.newaxis: shapes and values as TF 2.21 gives them for the same index.
    CHECK(values(x[tfe::Slice(1, 10)]) == std::vector<double>{4, 5, 6});  // x[1:10]: clamped
    CHECK(x[tfe::Slice(1, 10)].shape() == tfe::TensorShape{1, 3});
    CHECK(x[tfe::Slice(3, 1)].shape() == tfe::TensorShape{0, 3});      // x[3:1]: empty
    CHECK(x[tfe::Slice(-5)].shape() == tfe::TensorShape{2, 3});        // x[-5:]
    CHECK(values(x(tfe::Slice(), 1)) == std::vector<double>{2, 5});    // x[:, 1]
    CHECK(values(x(tfe::Ellipsis, -1)) == std::vector<double>{3, 6});  // x[..., -1]
    CHECK(x(tfe::Ellipsis, -1).shape() == tfe::TensorShape{2});
    CHECK(values(x(tfe::Slice(), tfe::Slice(1, -1))) == std::vector<double>{2, 5});  // x[:, 1:-1]
    CHECK(x(tfe::Slice(), tfe::Slice(1, -1)).shape() == tfe::TensorShape{2, 1});
    CHECK(x(tfe::Slice(), tfe::newaxis).shape() == tfe::TensorShape{2, 1, 3});   // x[:, tf.newaxis]
    CHECK(x(tfe::newaxis, tfe::Ellipsis, 1).shape() == tfe::TensorShape{1, 2});  // x[tf.newaxis, ..., 1]
    CHECK(values(x(tfe::newaxis, tfe::Ellipsis, 1)) == std::vector<double>{2, 5});
    CHECK(values(x(1, tfe::Slice(0, 2))) == std::vector<double>{4, 5});  // x[1, 0:2]
    CHECK(x(1, 2).item() == 6);
    CHECK(x().shape() == x.shape());  // x[()]
    // Steps: Python's bounds for each direction, as TF 2.21 gives them.
    const tfe::Slice reversed(tfe::None, tfe::None, -1);
    CHECK(values(x(tfe::Slice(), tfe::Slice(tfe::None, tfe::None, 2))) ==
          std::vector<double>{1, 3, 4, 6});  // x[:, ::2]
    CHECK(x(tfe::Slice(), tfe::Slice(tfe::None, tfe::None, 2)).shape() == tfe::TensorShape{2, 2});
    CHECK(values(x[reversed]) == std::vector<double>{4, 5, 6, 1, 2, 3});                              // x[::-1]
    CHECK(values(x(tfe::Slice(), reversed)) == std::vector<double>{3, 2, 1, 6, 5, 4});                // x[:, ::-1]
    CHECK(values(x(reversed, tfe::Slice(1, tfe::None, -1))) == std::vector<double>{5, 4, 2, 1});      // x[::-1, 1::-1]
    CHECK(values(x(1, tfe::Slice(-1, 0, -2))) == std::vector<double>{6});                             // x[1, -1:0:-2]
    CHECK(values(x(tfe::Slice(), tfe::Slice(5, -10, -1))) == std::vector<double>{3, 2, 1, 6, 5, 4});  // clamped
    CHECK(values(x(tfe::Slice(), tfe::Slice(0, 3, 5))) == std::vector<double>{1, 4});                 // x[:, 0:3:5]
    CHECK(x(tfe::Slice(), tfe::Slice(0, 2, -1)).shape() == tfe::TensorShape{2, 0});    // x[:, 0:2:-1]: empty
    CHECK(x[tfe::Slice(tfe::None, tfe::None, -3)].shape() == tfe::TensorShape{1, 3});  // x[::-3]: row 1
    CHECK(x(tfe::None).shape() == tfe::TensorShape{1, 2, 3});                          // x[None]
    CHECK(values(tfe::strided_slice(x, {0, 2}, {2, -4}, {1, -1})) == std::vector<double>{3, 2, 1, 6, 5, 4});
    CHECK(values(tfe::strided_slice(x, {-1, 0}, {-3, 3}, {-1, 2})) == std::vector<double>{4, 6, 1, 3});
  }
  SUBCASE("errors, with TF's messages") {
    CHECK(error_of([&] {
            (void)tfe::concat({x, row}, 0);
          }) == "ConcatV2: dimensions of inputs should match: shape[0] = [2, 3] vs. shape[1] = [3]");
    CHECK(error_of([&] { (void)tfe::concat({x, x}, 2); }) == "ConcatV2: axis 2 is out of range for rank 2");
    CHECK(error_of([&] {
            (void)tfe::stack({x, tfe::transpose(x)});
          }) == "Pack: shapes of all inputs must match: values[0].shape = (2, 3) != values[1].shape = (3, 2)");
    CHECK(error_of([&] { (void)tfe::tile(x, {2}); }) ==
          "Tile: expected multiples argument to be a vector of length 2 but got length 1");
    CHECK(error_of([&] { (void)tfe::tile(x, {1, -1}); }) == "Tile: expected multiples[1] >= 0, but got -1");
    CHECK(error_of([&] { (void)x[2]; }) == "StridedSlice: slice index 2 of dimension 0 out of bounds (shape (2, 3))");
    CHECK(error_of([&] { (void)x[0][0][0]; }) ==
          "StridedSlice: index out of range using input dim 0; input has only 0 dims");
    CHECK(error_of([&] { (void)x(tfe::Slice(), tfe::Slice(), 0); }) ==
          "StridedSlice: index out of range using input dim 2; input has only 2 dims");
    CHECK(error_of([&] { (void)x(tfe::Ellipsis, tfe::Ellipsis); }) ==
          "StridedSlice: Multiple ellipses in slice spec not allowed");
    CHECK(error_of([&] { (void)x(0, 5); }) ==
          "StridedSlice: slice index 5 of dimension 1 out of bounds (shape (2, 3))");
    CHECK(error_of([&] { (void)x(0, tfe::Slice(tfe::None, tfe::None, 0)); }) ==
          "StridedSlice: strides[1] must be non-zero");
    CHECK(error_of([&] { (void)tfe::strided_slice(x, {0}, {1}, {1}); }) ==
          "StridedSlice: Expected begin, end, and strides to have one entry per axis of the input of shape (2, 3), but "
          "got 1, 1 and 1");
  }
  SUBCASE("gradients against central differences") {
    using T = tfe::Tensor<double>;
    const auto t0 = tfe::random_normal<double>({2, 3}, 0.0, 1.0, 11);
    const double tol = 1e-6;
    CHECK(gradient_error([&](const T& t) { return tfe::concat({t, tfe::square(t)}, 1); }, t0) < tol);
    CHECK(gradient_error([&](const T& t) { return tfe::square(t(tfe::Slice(), tfe::Slice(1))); }, t0) < tol);
    CHECK(gradient_error([&](const T& t) { return t(tfe::Slice(), -1, tfe::newaxis) * t(0, tfe::newaxis); }, t0) < tol);
    CHECK(gradient_error([&](const T& t) { return tfe::concat({x, t, t * 2.0}, 0); }, t0) < tol);
    CHECK(gradient_error([&](const T& t) { return tfe::stack({t, tfe::sin(t)}, 1); }, t0) < tol);
    CHECK(gradient_error([&](const T& t) { return tfe::tile(t, {2, 3}); }, t0) < tol);
    CHECK(gradient_error([&](const T& t) { return t[1] * 3.0 + t[-1][0]; }, t0) < tol);
    CHECK(gradient_error(
              [&](const T& t) {
                return tfe::square(t(tfe::Slice(tfe::None, tfe::None, -1), tfe::Slice(tfe::None, tfe::None, 2)));
              },
              t0) < tol);
    CHECK(gradient_error([&](const T& t) { return t(0, tfe::Slice(tfe::None, tfe::None, -1)) * t[1]; }, t0) < tol);
  }
  SUBCASE("second derivatives through tile and concat") {
    const auto t = tfe::constant<double>({0.5, -1.0, 2.0});
    tfe::GradientTape outer;
    outer.watch(t);
    std::optional<tfe::Tensor<double>> dtile, dconcat;
    {
      tfe::GradientTape inner(tfe::persistent);
      inner.watch(t);
      const auto tiled = tfe::reduce_sum(tfe::tile(t * t * t, {2}));            // 2 t^3 per element
      const auto joined = tfe::reduce_sum(tfe::concat({t * t, t * t * t}, 0));  // t^2 + t^3
      dtile = inner.gradient(tiled, t);
      dconcat = inner.gradient(joined, t);
    }
    const auto second = outer.gradient(*dtile + *dconcat, t);  // 12 t + 2 + 6 t
    REQUIRE(second.has_value());
    for (std::size_t i = 0; i < 3; ++i) {
      const double v = t.data()[i];
      CHECK(dtile->data()[i] == doctest::Approx(6 * v * v));
      CHECK(dconcat->data()[i] == doctest::Approx(2 * v + 3 * v * v));
      CHECK(second->data()[i] == doctest::Approx(18 * v + 2));
    }
  }
  SUBCASE("second derivatives through slices, strided slices and indexing") {
    // y = sum(t[1:3]^3) + sum(t[::-2]^3) + t[0]^3: dy/dt = 3 t^2 times how often t_i is picked.
    const auto t = tfe::constant<double>({0.5, -1.0, 2.0, 3.0});
    tfe::GradientTape outer;
    outer.watch(t);
    std::optional<tfe::Tensor<double>> first;
    {
      tfe::GradientTape inner;
      inner.watch(t);
      const auto cube = [](const tfe::Tensor<double>& u) { return tfe::reduce_sum(u * u * u); };
      first = inner.gradient(cube(t[tfe::Slice(1, 3)]) + cube(t[tfe::Slice(tfe::None, tfe::None, -2)]) + cube(t[0]), t);
    }
    REQUIRE(first.has_value());
    const auto second = outer.gradient(*first, t);
    REQUIRE(second.has_value());
    const double picked[] = {1, 2, 1, 1};  // t[0] by t[0]; t[1] by both slices; t[2] by t[1:3]; t[3] by t[::-2]
    for (std::size_t i = 0; i < 4; ++i) {
      const double v = t.data()[i];
      CHECK(first->data()[i] == doctest::Approx(3 * v * v * picked[i]));
      CHECK(second->data()[i] == doctest::Approx(6 * v * picked[i]));
    }
  }
}

TEST_CASE("eager: GradientTape follows TF's rules") {
  tfe::Variable<double> w(tfe::constant<double>({{1.0}, {2.0}}), "w");
  tfe::Variable<double> frozen(3.0, "frozen", /*trainable=*/false);
  const auto x = tfe::constant<double>({{1, 2}, {3, 4}});

  SUBCASE("variables are watched, tensors only when asked; unconnected gives nullopt") {
    tfe::GradientTape tape(tfe::persistent);
    const auto y = tfe::reduce_sum(tfe::matmul(x, w) * frozen);
    auto [dw, dx, dfrozen] = tape.gradient(y, w, x, frozen);
    REQUIRE(dw.has_value());
    CHECK(values(*dw) == std::vector<double>{3 * 4, 3 * 6});  // d sum(3 x w)/dw = 3 * column sums of x
    CHECK_FALSE(dx.has_value());                              // x was not watched
    CHECK_FALSE(dfrozen.has_value());                         // not trainable, not watched
    tfe::Variable<double> unused(1.0, "unused");
    CHECK_FALSE(tape.gradient(y, unused).has_value());
  }
  SUBCASE("a non-persistent tape gives one gradient") {
    tfe::GradientTape tape;
    const auto y = tfe::reduce_sum(w * w);
    CHECK(values(*tape.gradient(y, w)) == std::vector<double>{2, 4});
    CHECK(error_of([&] { (void)tape.gradient(y, w); }).find("only be called once") != std::string::npos);
  }
  SUBCASE("a non-scalar target is summed") {
    tfe::GradientTape tape;
    tape.watch(x);
    const auto y = x * x;
    CHECK(values(*tape.gradient(y, x)) == std::vector<double>{2, 4, 6, 8});
  }
  SUBCASE("stop_recording") {
    tfe::GradientTape tape;
    tape.watch(x);
    auto y = x * 2.0;
    {
      auto pause = tape.stop_recording();
      y = y * x;  // not recorded: y's new value has no path to x
    }
    CHECK_FALSE(tape.gradient(y, x).has_value());
  }
  SUBCASE("nested tapes give second derivatives") {
    const auto t = tfe::constant<double>(1.5);
    tfe::GradientTape outer;
    outer.watch(t);
    std::optional<tfe::Tensor<double>> dy;
    {
      tfe::GradientTape inner;
      inner.watch(t);
      const auto y = t * t * t + tfe::sin(t);
      dy = inner.gradient(y, t);
    }
    REQUIRE(dy.has_value());
    CHECK(dy->item() == doctest::Approx(3 * 1.5 * 1.5 + std::cos(1.5)));
    const auto d2y = outer.gradient(*dy, t);
    REQUIRE(d2y.has_value());
    CHECK(d2y->item() == doctest::Approx(6 * 1.5 - std::sin(1.5)));
  }
  SUBCASE("a source that is the target") {
    tfe::GradientTape tape;
    tape.watch(x);
    CHECK(values(*tape.gradient(x, x)) == std::vector<double>{1, 1, 1, 1});
  }
}

TEST_CASE("eager: variables") {
  tfe::Variable<float> v(tfe::constant<float>({1, 2, 3}), "v");
  const auto before = v.read_value();
  v.assign_add(tfe::constant<float>({1, 1, 1}));
  CHECK(std::vector<float>(before.data().begin(), before.data().end()) == std::vector<float>{1, 2, 3});  // a snapshot
  CHECK(v.value().data()[2] == 4);
  CHECK(error_of([&] {
          v.assign(tfe::constant<float>({1, 2}));
        }) == "tfe::Variable 'v'.assign: shape (2,) differs from the variable's (3,)");
  CHECK(str(v) == "<tf.Variable 'v:0' shape=(3,) dtype=float32, numpy=[2. 3. 4.]>");
}

namespace {

using test::params;

/// Three eager steps of `opt` from p0, against three steps of `update(p, g, step)` by hand.
template <class Optimizer, class Update>
void check_eager_training(const Optimizer& opt, Update update) {
  const params p0 = test::p0;
  tfe::Variable<double> W(tfe::constant<double>({{p0[0]}, {p0[1]}}), "W");
  tfe::Variable<double> b(tfe::constant<double>({p0[2]}), "b");
  const auto x = tfe::constant<double>({{1, 2}, {3, -1}, {0.5, 0.5}});
  const auto y = tfe::constant<double>({{1}, {2}, {3}});
  params p = p0;
  for (int step = 1; step <= 3; ++step) {
    tfe::GradientTape tape;
    const auto loss = tfe::reduce_mean(tfe::square(y - (tfe::matmul(x, W) + b)));
    auto [dW, db] = tape.gradient(loss, W, b);
    opt.apply_gradients(std::pair{dW, W}, std::pair{db, b});
    update(p, test::gradient(p), step);
    CHECK(W.value().data()[0] == doctest::Approx(p[0]).epsilon(1e-12));
    CHECK(W.value().data()[1] == doctest::Approx(p[1]).epsilon(1e-12));
    CHECK(b.value().data()[0] == doctest::Approx(p[2]).epsilon(1e-12));
  }
}

}  // namespace

TEST_CASE("eager: the five optimizers' apply_gradients, against TF's update formulas by hand") {
  namespace train = typeflow::train;
  SUBCASE("GradientDescent") {
    check_eager_training(train::GradientDescentOptimizer(0.1), [](params& p, const params& g, int) {
      for (std::size_t i = 0; i < 3; ++i) p[i] -= 0.1 * g[i];
    });
  }
  SUBCASE("Momentum") {
    params accum{};
    check_eager_training(train::MomentumOptimizer(0.1, 0.9), [&](params& p, const params& g, int) {
      for (std::size_t i = 0; i < 3; ++i) {
        accum[i] = accum[i] * 0.9 + g[i];
        p[i] -= 0.1 * accum[i];
      }
    });
  }
  SUBCASE("Adagrad") {
    params accum = {0.1, 0.1, 0.1};
    check_eager_training(train::AdagradOptimizer(0.1), [&](params& p, const params& g, int) {
      for (std::size_t i = 0; i < 3; ++i) {
        accum[i] += g[i] * g[i];
        p[i] -= 0.1 * g[i] / std::sqrt(accum[i]);
      }
    });
  }
  SUBCASE("RMSProp") {
    params ms = {1, 1, 1}, mom{};
    check_eager_training(train::RMSPropOptimizer(0.01), [&](params& p, const params& g, int) {
      for (std::size_t i = 0; i < 3; ++i) {
        ms[i] += (g[i] * g[i] - ms[i]) * (1 - 0.9);
        mom[i] = mom[i] * 0.0 + 0.01 * g[i] / std::sqrt(ms[i] + 1e-10);
        p[i] -= mom[i];
      }
    });
  }
  SUBCASE("Adam") {
    params m{}, v{};
    const train::AdamOptimizer adam(0.1);
    check_eager_training(adam, [&](params& p, const params& g, int step) {
      const double lr = 0.1 * std::sqrt(1 - std::pow(0.999, step)) / (1 - std::pow(0.9, step));
      for (std::size_t i = 0; i < 3; ++i) {
        m[i] += (g[i] - m[i]) * (1 - 0.9);
        v[i] += (g[i] * g[i] - v[i]) * (1 - 0.999);
        p[i] -= m[i] * lr / (std::sqrt(v[i]) + 1e-8);
      }
    });
  }
  SUBCASE("a None gradient skips its variable; all None is TF's error") {
    tfe::Variable<double> w(1.0, "w"), unused(2.0, "unused");
    tfe::GradientTape tape;
    const auto loss = w * w;
    auto [dw, du] = tape.gradient(loss, w, unused);
    train::GradientDescentOptimizer(0.25).apply_gradients(std::pair{dw, w}, std::pair{du, unused});
    CHECK(w.value().item() == 0.5);
    CHECK(unused.value().item() == 2.0);
    const auto none = du;  // clang 14 cannot capture a structured binding
    CHECK(error_of([&] {
            train::GradientDescentOptimizer(0.1).apply_gradients(std::pair{none, unused});
          }).find("no gradients provided for any variable") != std::string::npos);
  }
}

TEST_CASE("eager: tfe::function traces a generic lambda into a graph, runs it, and differentiates it") {
  namespace tf = typeflow;
  const auto body = [](auto x, auto w) { return tfe::nn::sigmoid(tfe::matmul(x, w) * 2.0 + 1.0) - tfe::square(x); };
  auto f = tfe::function<tf::TensorSpec<double, tf::none, 2>, tf::TensorSpec<double, 2, 2>>(body);
  const auto x = tfe::random_normal<double>({3, 2}, 0.0, 1.0, 11);
  tfe::Variable<double> w(tfe::random_normal<double>({2, 2}, 0.0, 1.0, 12), "w");

  // The graph's values are the eager ones (the same op tags: exactly).
  CHECK(values(f(x, w)) == values(body(x, w.value())));
  // A tf::none dim takes any size; a static one is checked.
  CHECK(f(tfe::zeros<double>({5, 2}), w).shape() == tfe::TensorShape{5, 2});
  CHECK(error_of([&] {
          (void)f(x, tfe::zeros<double>({3, 2}));
        }) == "tfe::function: argument 1 has shape (3, 2), the signature's TensorSpec [2, 2]");
  // Under a tape, a call is one op whose gradient is the traced graph's tf::gradients.
  tfe::GradientTape tape(tfe::persistent);
  tape.watch(x);
  const auto traced = tfe::reduce_sum(f(x, w));
  const auto eager = tfe::reduce_sum(body(x, w.value()));
  for (const auto& [g_traced, g_eager] : {std::pair{*tape.gradient(traced, w), *tape.gradient(eager, w)},
                                          std::pair{*tape.gradient(traced, x), *tape.gradient(eager, x)}}) {
    REQUIRE(g_traced.shape() == g_eager.shape());
    for (std::size_t i = 0; i < g_traced.size(); ++i) CHECK(g_traced.data()[i] == doctest::Approx(g_eager.data()[i]));
  }
}

TEST_CASE("eager: tfe::Saver saves and restores eager variables in TF's checkpoint files") {
  namespace tf = typeflow;
  const auto dir = std::filesystem::temp_directory_path() / ("typeflow_eager_saver_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  tfe::Variable<float> w(tfe::constant<float>({{1, 2}, {3, 4}}), "w");
  tfe::Variable<std::int64_t> step(std::int64_t{7}, "global_step", false);
  tfe::Saver saver(w, step);
  const std::string prefix = saver.save((dir / "model").string(), 7);
  CHECK(prefix == (dir / "model-7").string());
  CHECK(std::filesystem::exists(prefix + ".index"));
  CHECK(std::filesystem::exists(prefix + ".data-00000-of-00001"));
  CHECK_FALSE(std::filesystem::exists(prefix + ".meta"));  // an eager program has no graph to store

  w.assign(tfe::zeros<float>({2, 2}));
  step.assign(tfe::constant(std::int64_t{0}));
  saver.restore(tf::train::latest_checkpoint(dir.string()));
  CHECK(std::vector<float>(w.value().data().begin(), w.value().data().end()) == std::vector<float>{1, 2, 3, 4});
  CHECK(step.value().item() == 7);

  tfe::Variable<float> wrong(tfe::zeros<float>({3}), "w");
  CHECK(error_of([&] { tfe::Saver(wrong).restore(prefix); }).find("has shape [2, 2], the variable [3]") !=
        std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST_CASE("eager: a steady training loop takes its buffers from the cache, not the system") {
  namespace tf = typeflow;
  const auto x = tfe::random_normal<float>({64, 32}, 0.0, 1.0, 1);
  const auto y = tfe::constant(xt::xtensor<std::int64_t, 1>(xt::arange<std::int64_t>(64) % 10));
  tfe::Variable<float> W(tfe::random_normal<float>({32, 10}, 0.0, 0.1, 2), "W");
  tfe::Variable<float> b(tfe::zeros<float>({10}), "b");
  tf::train::AdamOptimizer adam(0.01);
  const auto step = [&] {
    tfe::GradientTape tape;
    const auto loss = tfe::reduce_mean(
        tfe::nn::sparse_softmax_cross_entropy_with_logits(tf::labels = y, tf::logits = tfe::matmul(x, W) + b));
    const auto [dW, db] = tape.gradient(loss, W, b);
    adam.apply_gradients(std::pair{dW, W}, std::pair{db, b});
    return loss.item();
  };
  const float first = step();
  for (int i = 0; i < 3; ++i) step();  // the slots and the cache fill
  const std::size_t before = tfe::detail::buffer_cache::system_allocations();
  float last = first;
  for (int i = 0; i < 20; ++i) last = step();
  CHECK(tfe::detail::buffer_cache::system_allocations() == before);
  CHECK(last < first);
}
