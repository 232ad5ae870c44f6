// tf::nn::dropout (the keep rate, the scaling, a new mask per run, seeds, the rate fed as a
// placeholder, the gradient through the same mask), tf::nn::moments and
// tf::nn::batch_normalization against direct loops and finite differences, and
// tf::layers::batch_normalization's training and evaluation modes and moving averages.

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <typeflow/test/gradient_checker.hpp>
#include <typeflow/typeflow.hpp>

#include "../autodiff/gradient_check.hpp"
#include "../random_tensor.hpp"
#include "allocation_counter.hpp"

namespace tf = typeflow;

using test::random_tensor;

TEST_CASE("dropout: keeps 1 - rate of the values, scaled by 1 / (1 - rate), anew each run") {
  auto x = tf::placeholder<"x", float, tf::none>();
  auto y = tf::nn::dropout(x, 0.3, /*seed=*/7);
  const xt::xtensor<float, 1> X = 1.0f + random_tensor<float, 1>({100000}, 1, 0, 1);
  tf::Session sess;
  const auto a = sess.run(y, tf::feed(x, X));
  const auto b = sess.run(y, tf::feed(x, X));
  std::size_t kept = 0, same = 0;
  double worst = 0;  // of the kept values' relative error against x / 0.7
  for (std::size_t i = 0; i < X.size(); ++i) {
    if (a(i) != 0) ++kept, worst = std::max(worst, std::abs(a(i) * 0.7 / X(i) - 1));
    same += (a(i) != 0) == (b(i) != 0);
  }
  CHECK(worst < 1e-6);
  CHECK(double(kept) / double(X.size()) == doctest::Approx(0.7).epsilon(0.01));
  CHECK(same < X.size() * 0.7);  // independent masks agree on 0.7^2 + 0.3^2 = 58% of the cells

  // A seed fixes a node's sequence of masks: another node with that seed draws the same first
  // mask (in any Session); a node without one draws its own.
  tf::Session other;
  const auto c = other.run(tf::nn::dropout(x, 0.3, 7), tf::feed(x, X));
  CHECK(std::equal(a.begin(), a.end(), c.begin()));
  const auto d = other.run(tf::nn::dropout(x, 0.3), tf::feed(x, X));
  CHECK(!std::equal(a.begin(), a.end(), d.begin()));
}

TEST_CASE("dropout: the rate as a placeholder (0: the identity), the gradient through the same mask") {
  auto x = tf::placeholder<"x", double, 4, 50>();
  auto rate = tf::placeholder<"rate", double>();
  auto y = tf::nn::dropout(x, rate, 3);
  const auto X = random_tensor<double, 2>({4, 50}, 2, 0.5, 1.5);
  tf::Session sess;
  const auto eval = sess.run(y, tf::feed(x, X), tf::feed(rate, 0.0));
  CHECK(std::equal(eval.begin(), eval.end(), X.begin()));
  // d sum(y) / dx = mask = y / x, from the mask drawn in the same run.
  const auto [value, grad] =
      sess.run(tf::fetch(y, tf::get<0>(tf::gradients(tf::reduce_sum(y), x))), tf::feed(x, X), tf::feed(rate, 0.5));
  std::size_t dropped = 0;
  for (std::size_t i = 0; i < X.size(); ++i) {
    CHECK(grad.data()[i] == doctest::Approx(value.data()[i] / X.data()[i]));
    dropped += value.data()[i] == 0;
  }
  CHECK(dropped > 50);
  CHECK(dropped < 150);
  CHECK_THROWS_WITH(sess.run(y, tf::feed(x, X), tf::feed(rate, 1.0)),
                    doctest::Contains("dropout: rate must be in [0, 1), got 1"));
  CHECK_THROWS_WITH(tf::nn::dropout(x, -0.1), doctest::Contains("rate must be in [0, 1), got -0.1"));
}

TEST_CASE("moments and batch_normalization: against direct loops, gradients against finite differences") {
  auto x = tf::placeholder<"x", double, 2, 3, 4, 5>();
  auto offset = tf::placeholder<"offset", double, 5>();
  auto scale = tf::placeholder<"scale", double, 5>();
  const auto X = random_tensor<double, 4>({2, 3, 4, 5}, 3);
  const auto O = random_tensor<double, 1>({5}, 4), S = random_tensor<double, 1>({5}, 5, 0.5, 2);
  const auto [mean, variance] = tf::nn::moments(x, tf::axis<0, 1, 2>);
  static_assert(std::is_same_v<tf::shape_of_t<decltype(mean)>, tf::shape<5>>);
  const auto y = tf::nn::batch_normalization(x, mean, variance, offset, scale, 1e-3);
  tf::Session sess;
  const auto [m, v, out] =
      sess.run(tf::fetch(mean, variance, y), tf::feed(x, X), tf::feed(offset, O), tf::feed(scale, S));
  for (std::size_t c = 0; c < 5; ++c) {
    double sum = 0, sq = 0;
    for (std::size_t i = 0; i < 24; ++i) sum += X.data()[i * 5 + c];
    const double mu = sum / 24;
    for (std::size_t i = 0; i < 24; ++i) sq += (X.data()[i * 5 + c] - mu) * (X.data()[i * 5 + c] - mu);
    CHECK(m(c) == doctest::Approx(mu).epsilon(1e-12));
    CHECK(v(c) == doctest::Approx(sq / 24).epsilon(1e-12));
    for (std::size_t i = 0; i < 24; ++i)
      CHECK(out.data()[i * 5 + c] ==
            doctest::Approx((X.data()[i * 5 + c] - mu) / std::sqrt(sq / 24 + 1e-3) * S(c) + O(c)).epsilon(1e-12));
  }
  const auto fx = tf::feed(x, X);
  auto w = tf::placeholder<"w", double, 2, 3, 4, 5>();
  // One plan for the three gradients (test::check_gradients), each element against central differences.
  test::check_gradients(tf::reduce_sum(y * w), std::tuple{x, scale, offset}, std::tuple{X, S, O},
                        tf::feed(w, random_tensor<double, 4>({2, 3, 4, 5}, 6)));
  // offset and scale None.
  const auto plain = sess.run(tf::nn::batch_normalization(x, mean, variance, nullptr, nullptr, 1e-3), fx);
  CHECK(plain(1, 2, 3, 4) == doctest::Approx((X(1, 2, 3, 4) - m(4)) / std::sqrt(v(4) + 1e-3)).epsilon(1e-12));
}

TEST_CASE("layers::batch_normalization: batch statistics when training, moving averages after") {
  tf::reset_default_graph();
  auto x = tf::placeholder<"x", float, tf::none, 3, 3, 2>();
  auto training = tf::placeholder<"training", bool>();
  auto bn = tf::layers::batch_normalization<"bn1">(x, training, /*momentum=*/0.9);
  auto loss = tf::reduce_sum(tf::square(bn.output - 1.0f));
  auto train = tf::group(tf::train::GradientDescentOptimizer(0.01).minimize(loss), bn.update_ops);
  auto gamma = tf::Variable<"bn1/gamma", float, 2>(tf::constant(1.0f));
  auto beta = tf::Variable<"bn1/beta", float, 2>(tf::constant(0.0f));
  // Trained: gamma and beta; not the moving statistics (read through stop_gradient).
  static_assert(std::is_same_v<tf::variables_of_t<decltype(loss)>, tf::var_list_t<decltype(gamma), decltype(beta)>> ||
                std::is_same_v<tf::variables_of_t<decltype(loss)>, tf::var_list_t<decltype(beta), decltype(gamma)>>);

  const auto X = random_tensor<float, 4>({4, 3, 3, 2}, 7, -1, 3);
  tf::Session sess;
  sess.run(tf::global_variables_initializer());
  const auto y = sess.run(bn.output, tf::feed(x, X), tf::feed(training, true));
  std::array<double, 2> mu{}, var{};
  for (std::size_t c = 0; c < 2; ++c) {
    for (std::size_t i = 0; i < 36; ++i) mu[c] += X.data()[i * 2 + c] / 36.0;
    for (std::size_t i = 0; i < 36; ++i) var[c] += (X.data()[i * 2 + c] - mu[c]) * (X.data()[i * 2 + c] - mu[c]) / 36.0;
    for (std::size_t i = 0; i < 36; ++i)
      CHECK(y.data()[i * 2 + c] ==
            doctest::Approx((X.data()[i * 2 + c] - mu[c]) / std::sqrt(var[c] + 1e-3)).epsilon(1e-5));
  }
  sess.run(train, tf::feed(x, X), tf::feed(training, true));
  auto moving_mean = tf::Variable<"bn1/moving_mean", float, 2>(tf::constant(0.0f));
  auto moving_variance = tf::Variable<"bn1/moving_variance", float, 2>(tf::constant(1.0f));
  const auto [mm, mv] = sess.run(tf::fetch(moving_mean, moving_variance));
  for (std::size_t c = 0; c < 2; ++c) {
    CHECK(mm(c) == doctest::Approx(0.1 * mu[c]).epsilon(1e-5));
    CHECK(mv(c) == doctest::Approx(0.9 + 0.1 * var[c] * 36 / 35).epsilon(1e-5));  // Bessel's correction
  }
  // Evaluation: the moving averages, gamma and beta as trained.
  const auto [e, g, b] = sess.run(tf::fetch(bn.output, gamma, beta), tf::feed(x, X), tf::feed(training, false));
  CHECK(g(0) != 1.0f);
  for (std::size_t c = 0; c < 2; ++c)
    CHECK(e.data()[c] == doctest::Approx((X.data()[c] - mm(c)) / std::sqrt(mv(c) + 1e-3) * g(c) + b(c)).epsilon(1e-5));
}

TEST_CASE("FusedBatchNormV3: values as the composite's, gradients against finite differences, both modes") {
  auto x = tf::placeholder<"x", double, 2, 3, 2, 4>();
  auto scale = tf::placeholder<"scale", double, 4>();
  auto offset = tf::placeholder<"offset", double, 4>();
  auto mean = tf::placeholder<"mean", double, 4>();
  auto variance = tf::placeholder<"variance", double, 4>();
  auto training = tf::placeholder<"training", bool>();
  auto w = tf::placeholder<"w", double, 2, 3, 2, 4>();
  using Op = tf::op::fused_batch_norm;
  const auto y = tf::graph::node<Op, decltype(x), decltype(scale), decltype(offset), decltype(mean), decltype(variance),
                                 decltype(training)>(Op{{1e-3}}, x, scale, offset, mean, variance, training);
  const auto X = random_tensor<double, 4>({2, 3, 2, 4}, 8);
  const auto fx = tf::feed(x, X);
  const auto fs = tf::feed(scale, random_tensor<double, 1>({4}, 9, 0.5, 2));
  const auto fo = tf::feed(offset, random_tensor<double, 1>({4}, 10));
  const auto fm = tf::feed(mean, random_tensor<double, 1>({4}, 11));
  const auto fv = tf::feed(variance, random_tensor<double, 1>({4}, 12, 0.5, 2));
  const auto fw = tf::feed(w, random_tensor<double, 4>({2, 3, 2, 4}, 13));
  tf::Session sess;
  for (const bool mode : {true, false}) {
    CAPTURE(mode);
    const auto ft = tf::feed(training, mode);
    // The composite of tf::nn::moments and tf::nn::batch_normalization, with the same statistics.
    const auto [bm, bv] = tf::nn::moments(x, tf::axis<0, 1, 2>);
    const auto composite =
        mode ? sess.run(tf::nn::batch_normalization(x, bm, bv, offset, scale, 1e-3), fx, fs, fo)
             : sess.run(tf::nn::batch_normalization(x, mean, variance, offset, scale, 1e-3), fx, fs, fo, fm, fv);
    const auto fused = sess.run(y, fx, fs, fo, fm, fv, ft);
    for (std::size_t i = 0; i < fused.size(); ++i)
      CHECK(fused.data()[i] == doctest::Approx(composite.data()[i]).epsilon(1e-12));
    test::check_gradients(tf::reduce_sum(y * w), std::tuple{x, scale, offset},
                          std::tuple{X, random_tensor<double, 1>({4}, 9, 0.5, 2), random_tensor<double, 1>({4}, 10)},
                          fm, fv, ft, fw);
  }
}

TEST_CASE("cnn.allocations: a steady CNN training step allocates nothing, with one thread or two") {
  tf::reset_default_graph();
  auto x = tf::placeholder<"x", float, tf::none, 8, 8, 1>();
  auto y = tf::placeholder<"y", std::int64_t, tf::none>();
  auto training = tf::placeholder<"training", bool>();
  auto W1 = tf::Variable<"W1", float, 3, 3, 1, 8>(tf::truncated_normal(0.0, 0.1, 1));
  auto bn = tf::layers::batch_normalization<"bn">(tf::nn::conv2d(x, W1, tf::strides<1>, tf::padding<"SAME">), training);
  auto pooled =
      tf::nn::avg_pool(tf::nn::max_pool(tf::nn::relu(bn.output), tf::ksize<2>, tf::strides<2>, tf::padding<"SAME">),
                       tf::ksize<2>, tf::strides<2>, tf::padding<"VALID">);  // [None, 2, 2, 8]
  auto W2 = tf::Variable<"W2", float, 32, 10>(tf::truncated_normal(0.0, 0.1, 2));
  auto logits = tf::matmul(tf::nn::dropout(tf::reshape<-1, 32>(pooled), 0.25, 3), W2);
  auto loss = tf::reduce_mean(tf::nn::sparse_softmax_cross_entropy_with_logits(tf::labels = y, tf::logits = logits));
  auto train = tf::group(tf::train::AdamOptimizer(0.01).minimize(loss), bn.update_ops);
  const auto X = random_tensor<float, 4>({16, 8, 8, 1}, 14, 0, 1);
  const auto Y = random_tensor<std::int64_t, 1>({16}, 15, 0, 9);
  for (const int threads : {1, 2}) {
    CAPTURE(threads);
    tf::Session sess(tf::ConfigProto{.intra_op_parallelism_threads = threads});
    sess.run(tf::global_variables_initializer());
    const auto step = [&] { sess.run(train, tf::feed(x, X), tf::feed(y, Y), tf::feed(training, true)); };
    step();  // builds the plan, its buffers and the kernels' per-thread scratch
    step();
    CHECK(test::allocations_of(step) == 0);
  }
}
