// Forward values of conv2d, max_pool and avg_pool against direct loops in double, written from
// TF's documented semantics (output sizes, "SAME" padding split, windows that skip padding),
// over every padding with strides, dilations, odd sizes and a batch fed at run time; the same
// values with a thread pool; and the run-time errors.

#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <limits>
#include <typeflow/typeflow.hpp>

#include "../random_tensor.hpp"

namespace tf = typeflow;

using test::random_tensor;

namespace {

/// One spatial axis as TF's documentation defines it: "VALID" keeps whole windows,
/// "SAME" gives ceil(in / s) outputs and pads (total / 2) before.
struct axis_ref {
  long out, pad;
  axis_ref(long in, long k, long s, long d, bool same) {
    const long span = (k - 1) * d + 1;
    out = same ? (in + s - 1) / s : (in - span) / s + 1;
    pad = same ? std::max(0L, (out - 1) * s + span - in) / 2 : 0;
  }
};

struct spec {
  long sh, sw, dh, dw;
  bool same;
};

/// conv2d in double by its definition: a sum over the window, zeros outside the input.
template <class T>
xt::xtensor<double, 4> conv_ref(const xt::xtensor<T, 4>& x, const xt::xtensor<T, 4>& f, spec s) {
  const long n = long(x.shape(0)), h = long(x.shape(1)), w = long(x.shape(2)), c = long(x.shape(3));
  const long kh = long(f.shape(0)), kw = long(f.shape(1)), co = long(f.shape(3));
  const axis_ref ah(h, kh, s.sh, s.dh, s.same), aw(w, kw, s.sw, s.dw, s.same);
  xt::xtensor<double, 4> out =
      xt::zeros<double>({std::size_t(n), std::size_t(ah.out), std::size_t(aw.out), std::size_t(co)});
  for (long b = 0; b < n; ++b)
    for (long i = 0; i < ah.out; ++i)
      for (long j = 0; j < aw.out; ++j)
        for (long o = 0; o < co; ++o) {
          double acc = 0;
          for (long di = 0; di < kh; ++di)
            for (long dj = 0; dj < kw; ++dj) {
              const long y = i * s.sh + di * s.dh - ah.pad, z = j * s.sw + dj * s.dw - aw.pad;
              if (y < 0 || y >= h || z < 0 || z >= w) continue;
              for (long k = 0; k < c; ++k) acc += double(x(b, y, z, k)) * double(f(di, dj, k, o));
            }
          out(b, i, j, o) = acc;
        }
  return out;
}

/// A pool in double: the max or the mean of the window's cells inside the input.
template <class T>
xt::xtensor<double, 4> pool_ref(const xt::xtensor<T, 4>& x, long kh, long kw, spec s, bool max) {
  const long n = long(x.shape(0)), h = long(x.shape(1)), w = long(x.shape(2)), c = long(x.shape(3));
  const axis_ref ah(h, kh, s.sh, 1, s.same), aw(w, kw, s.sw, 1, s.same);
  xt::xtensor<double, 4> out({std::size_t(n), std::size_t(ah.out), std::size_t(aw.out), std::size_t(c)});
  for (long b = 0; b < n; ++b)
    for (long i = 0; i < ah.out; ++i)
      for (long j = 0; j < aw.out; ++j)
        for (long k = 0; k < c; ++k) {
          double acc = max ? -INFINITY : 0;
          long cells = 0;
          for (long y = i * s.sh - ah.pad; y < i * s.sh - ah.pad + kh; ++y)
            for (long z = j * s.sw - aw.pad; z < j * s.sw - aw.pad + kw; ++z) {
              if (y < 0 || y >= h || z < 0 || z >= w) continue;
              acc = max ? std::max(acc, double(x(b, y, z, k))) : acc + double(x(b, y, z, k));
              ++cells;
            }
          out(b, i, j, k) = max ? acc : acc / double(cells);
        }
  return out;
}

template <class T, class R>
void check_close(const R& got, const xt::xtensor<double, 4>& want, double tol) {
  REQUIRE(got.shape().size() == 4);
  for (std::size_t i = 0; i < 4; ++i) REQUIRE(got.shape(i) == want.shape(i));
  double worst = 0;
  for (std::size_t i = 0; i < want.size(); ++i)
    worst = std::max(worst, std::abs(double(got.data()[i]) - want.data()[i]) / (1 + std::abs(want.data()[i])));
  CHECK(worst < tol);
}

/// conv2d of a [2, H, W, 3] input by a [KH, KW, 3, 4] filter, against conv_ref, in one Session
/// and again with two threads.
template <long H, long W, long KH, long KW, long SH, long SW, long DH, long DW, class Pad>
void check_conv(Pad pad, bool same) {
  const std::array<long, 8> geometry{H, W, KH, KW, SH, SW, DH, DW};  // input, window, strides, dilations
  CAPTURE(geometry);
  CAPTURE(same);
  auto x = tf::placeholder<"x", double, tf::none, H, W, 3>();
  auto f = tf::placeholder<"f", double, KH, KW, 3, 4>();
  auto y = tf::nn::conv2d(x, f, tf::strides<1, SH, SW, 1>, pad, tf::dilations<DH, DW>);
  const auto X = random_tensor<double, 4>({2, std::size_t(H), std::size_t(W), 3}, 1);
  const auto F = random_tensor<double, 4>({std::size_t(KH), std::size_t(KW), 3, 4}, 2);
  const auto want = conv_ref(X, F, {SH, SW, DH, DW, same});
  using S = tf::shape_of_t<decltype(y)>;
  CHECK(S::dims[1] == std::int64_t(want.shape(1)));
  CHECK(S::dims[2] == std::int64_t(want.shape(2)));
  tf::Session one;
  check_close<double>(one.run(y, tf::feed(x, X), tf::feed(f, F)), want, 1e-12);
  tf::Session two(tf::ConfigProto{.intra_op_parallelism_threads = 2});
  check_close<double>(two.run(y, tf::feed(x, X), tf::feed(f, F)), want, 1e-12);
}

}  // namespace

TEST_CASE("conv2d: SAME and VALID, strides, dilations and odd sizes against direct loops") {
  constexpr auto same = tf::padding<"SAME">;
  constexpr auto valid = tf::padding<"VALID">;
  check_conv<5, 5, 3, 3, 1, 1, 1, 1>(same, true);
  check_conv<5, 5, 3, 3, 1, 1, 1, 1>(valid, false);
  check_conv<7, 6, 3, 2, 2, 2, 1, 1>(same, true);  // the padding split unevenly
  check_conv<7, 6, 3, 2, 2, 2, 1, 1>(valid, false);
  check_conv<8, 9, 2, 3, 3, 2, 1, 1>(same, true);  // even window, strides larger than the window
  check_conv<8, 9, 2, 3, 3, 2, 1, 1>(valid, false);
  check_conv<9, 7, 3, 3, 1, 1, 2, 3>(same, true);  // dilated
  check_conv<9, 7, 3, 3, 1, 1, 2, 3>(valid, false);
  check_conv<4, 5, 1, 1, 1, 1, 1, 1>(valid, false);  // 1x1: the GEMM alone
  check_conv<5, 4, 1, 1, 2, 2, 1, 1>(same, true);    // 1x1 with strides: patches
  check_conv<3, 3, 3, 3, 1, 1, 1, 1>(valid, false);  // one output cell
}

TEST_CASE("conv2d: float, a batch large enough to split across threads, and TF's strides forms") {
  auto x = tf::placeholder<"x", float, tf::none, 12, 12, 5>();
  auto f = tf::placeholder<"f", float, 3, 3, 5, 16>();
  auto y = tf::nn::conv2d(x, f, tf::strides<2>, tf::padding<"SAME">);
  static_assert(std::is_same_v<tf::shape_of_t<decltype(y)>, tf::shape<tf::none, 6, 6, 16>>);
  static_assert(std::is_same_v<decltype(y), decltype(tf::nn::conv2d(x, f, tf::strides<2, 2>, tf::padding<"SAME">))>);
  static_assert(
      std::is_same_v<decltype(y), decltype(tf::nn::conv2d(x, f, tf::strides<1, 2, 2, 1>, tf::padding<"SAME">))>);
  const auto X = random_tensor<float, 4>({64, 12, 12, 5}, 3);
  const auto F = random_tensor<float, 4>({3, 3, 5, 16}, 4);
  const auto want = conv_ref(X, F, {2, 2, 1, 1, true});
  tf::Session one;
  const auto a = one.run(y, tf::feed(x, X), tf::feed(f, F));
  check_close<float>(a, want, 2e-5);
  tf::Session two(tf::ConfigProto{.intra_op_parallelism_threads = 2});
  const auto b = two.run(y, tf::feed(x, X), tf::feed(f, F));
  CHECK(std::equal(a.begin(), a.end(), b.begin()));  // the split changes no value
}

TEST_CASE("conv2d: run-time errors name the op and the shapes") {
  auto x = tf::placeholder<"x", float, tf::none, tf::none, tf::none, tf::none>();
  auto f = tf::placeholder<"f", float, 3, 3, 2, 4>();
  tf::Session sess;
  const auto run = [&](std::size_t h, std::size_t c, auto y) {
    return sess.run(y, tf::feed(x, xt::xtensor<float, 4>::from_shape({1, h, h, c})),
                    tf::feed(f, xt::xtensor<float, 4>::from_shape({3, 3, 2, 4})));
  };
  const auto valid = tf::nn::conv2d(x, f, tf::strides<1>, tf::padding<"VALID">);
  CHECK_THROWS_WITH(run(5, 3, valid), doctest::Contains("Conv2D: input depth 3 (input [1, 5, 5, 3]) differs from the "
                                                        "filter's in_channels 2 (filter [3, 3, 2, 4])"));
  CHECK_THROWS_WITH(run(2, 2, valid), doctest::Contains("Conv2D: a 3x3 window (with dilations) does not fit input "
                                                        "[1, 2, 2, 2] with \"VALID\" padding"));
  CHECK(run(2, 2, tf::nn::conv2d(x, f, tf::strides<1>, tf::padding<"SAME">)).shape(1) == 2);
}

TEST_CASE("max_pool and avg_pool: SAME and VALID, strides, odd sizes against direct loops") {
  auto x = tf::placeholder<"x", double, tf::none, 7, 6, 3>();
  const auto X = random_tensor<double, 4>({2, 7, 6, 3}, 5);
  tf::Session sess;
  const auto check = [&](auto y, long kh, long kw, spec s) {
    const std::array<long, 4> window{kh, kw, s.sh, s.sw};  // ksize, strides
    CAPTURE(window);
    CAPTURE(s.same);
    const bool is_max = decltype(y)::op_type::tf_name == "MaxPool";
    check_close<double>(sess.run(y, tf::feed(x, X)), pool_ref(X, kh, kw, s, is_max), 1e-14);
  };
  const auto same = tf::padding<"SAME">;
  const auto valid = tf::padding<"VALID">;
  check(tf::nn::max_pool(x, tf::ksize<1, 2, 2, 1>, tf::strides<1, 2, 2, 1>, same), 2, 2, {2, 2, 1, 1, true});
  check(tf::nn::max_pool(x, tf::ksize<1, 2, 2, 1>, tf::strides<1, 2, 2, 1>, valid), 2, 2, {2, 2, 1, 1, false});
  check(tf::nn::max_pool(x, tf::ksize<3>, tf::strides<1>, same), 3, 3, {1, 1, 1, 1, true});
  check(tf::nn::max_pool(x, tf::ksize<3, 2>, tf::strides<2, 1>, valid), 3, 2, {2, 1, 1, 1, false});
  check(tf::nn::avg_pool(x, tf::ksize<1, 2, 2, 1>, tf::strides<1, 2, 2, 1>, same), 2, 2, {2, 2, 1, 1, true});
  check(tf::nn::avg_pool(x, tf::ksize<3>, tf::strides<2>, same), 3, 3, {2, 2, 1, 1, true});  // border cells fewer
  check(tf::nn::avg_pool(x, tf::ksize<3, 2>, tf::strides<2, 1>, valid), 3, 2, {2, 1, 1, 1, false});
}

TEST_CASE("max_pool: a window of negative values ignores the padding") {
  auto x = tf::placeholder<"x", float, 1, 3, 3, 1>();
  tf::Session sess;
  const xt::xtensor<float, 4> X = -1.0f - random_tensor<float, 4>({1, 3, 3, 1}, 6, 0, 1);
  const auto y = sess.run(tf::nn::max_pool(x, tf::ksize<2>, tf::strides<2>, tf::padding<"SAME">), tf::feed(x, X));
  CHECK(y(0, 1, 1, 0) == X(0, 2, 2, 0));  // the corner window has one cell inside: no 0 from padding
  CHECK(y(0, 0, 0, 0) == std::max({X(0, 0, 0, 0), X(0, 0, 1, 0), X(0, 1, 0, 0), X(0, 1, 1, 0)}));
}

TEST_CASE("conv2d: images split across threads (the filter gradient summed per part), values as one thread's") {
  // 28x28x8 by 3x3x8x16, stride 1: ~2^20 multiply-adds per image, so kernels/conv.hpp gives each of
  // 2 threads at least 2 images of a batch of 8.
  auto x = tf::placeholder<"x", double, 8, 28, 28, 8>();
  auto f = tf::placeholder<"f", double, 3, 3, 8, 16>();
  auto g = tf::placeholder<"g", double, 8, 28, 28, 16>();
  auto y = tf::nn::conv2d(x, f, tf::strides<1>, tf::padding<"SAME">);
  const auto grads = tf::gradients(tf::reduce_sum(y * g), x, f);
  const auto fetches = tf::fetch(y, tf::get<0>(grads), tf::get<1>(grads));
  const auto X = random_tensor<double, 4>({8, 28, 28, 8}, 20), F = random_tensor<double, 4>({3, 3, 8, 16}, 21);
  const auto G = random_tensor<double, 4>({8, 28, 28, 16}, 22);
  const auto run = [&](int threads) {
    tf::Session sess(tf::ConfigProto{.intra_op_parallelism_threads = threads});
    return sess.run(fetches, tf::feed(x, X), tf::feed(f, F), tf::feed(g, G));
  };
  const auto one = run(1), two = run(2);
  const auto same = [](const auto& a, const auto& b, double tol) {
    double worst = 0;
    for (std::size_t i = 0; i < a.size(); ++i) worst = std::max(worst, std::abs(a.data()[i] - b.data()[i]));
    return worst <= tol;
  };
  CHECK(same(std::get<0>(one), std::get<0>(two), 0));      // y: each image on one thread
  CHECK(same(std::get<1>(one), std::get<1>(two), 0));      // dx likewise
  CHECK(same(std::get<2>(one), std::get<2>(two), 1e-10));  // df: two partial sums, added in order
  check_close<double>(std::get<0>(two), conv_ref(X, F, {1, 1, 1, 1, true}), 1e-12);
}
