// Convolutional networks (issue 21), for benchmarks/compare/compare.py's workloads 7 and 8:
//
//   conv_layer_typeflow  a 3x3 convolution, 32 -> 64 channels, "SAME", of a [64, 28, 28, 32]
//                        batch: y, and the gradients of reduce_sum(y * g) to the input and the
//                        filter (Conv2D, Conv2DBackpropInput, Conv2DBackpropFilter), one run
//   conv_layer_gemm      the three products of that layer's im2col formulation alone, with
//                        typeflow's GEMM on ready patch matrices: the limit of the approach
//   cnn_step_typeflow    one Adam(0.001) training step of TF's "deep MNIST" CNN, batch 64:
//                        conv 5x5 32 + bias, ReLU, max-pool 2x2, conv 5x5 64 + bias, ReLU,
//                        max-pool 2x2, dense 3136 -> 128 ReLU, dense 128 -> 10, sparse softmax
//                        cross-entropy (mean)
//
// verify() checks the layer's three results against direct sums at sampled positions, and that
// the CNN's loss falls by a fifth over 20 steps on a fixed batch.

#include <benchmark/benchmark.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <typeflow/kernels/gemm.hpp>
#include <typeflow/typeflow.hpp>
#include <vector>

#include "bench_main.hpp"

namespace tf = typeflow;

namespace {

/// Uniform values in [lo, hi) from a fixed LCG, so the data is the same everywhere.
template <class T, std::size_t R>
xt::xtensor<T, R> lcg_tensor(const std::array<std::size_t, R>& shape, std::uint64_t seed, double lo, double hi) {
  xt::xtensor<T, R> t = xt::xtensor<T, R>::from_shape(shape);
  std::uint64_t state = seed;
  for (auto& v : t) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    v = static_cast<T>(lo + (hi - lo) * static_cast<double>(state >> 40) * 0x1.0p-24);
  }
  return t;
}

// --- Workload 7: one conv layer, forward and backward ----------------------------------------

constexpr std::size_t batch = 64, side = 28, in_channels = 32, out_channels = 64;

struct conv_layer {
  static inline const auto x = tf::placeholder<"x", float, batch, side, side, in_channels>();
  static inline const auto W = tf::placeholder<"W", float, 3, 3, in_channels, out_channels>();
  static inline const auto g = tf::placeholder<"g", float, batch, side, side, out_channels>();
  static inline const auto y = tf::nn::conv2d(x, W, tf::strides<1, 1, 1, 1>, tf::padding<"SAME">);
  static inline const auto grads = tf::gradients(tf::reduce_sum(y * g), x, W);
  static inline const auto fetches = tf::fetch(y, tf::get<0>(grads), tf::get<1>(grads));
  static inline const auto X = lcg_tensor<float, 4>({batch, side, side, in_channels}, 1, -1, 1);
  static inline const auto Wv = lcg_tensor<float, 4>({3, 3, in_channels, out_channels}, 2, -0.1, 0.1);
  static inline const auto G = lcg_tensor<float, 4>({batch, side, side, out_channels}, 3, -1, 1);
};

void BM_conv_layer_typeflow(benchmark::State& state) {
  tf::Session sess(bench::session_config());
  using L = conv_layer;
  for (auto _ : state) {
    auto r = sess.run(L::fetches, tf::feed(L::x, L::X), tf::feed(L::W, L::Wv), tf::feed(L::g, L::G));
    benchmark::DoNotOptimize(std::get<0>(r).data());
  }
}

/// The three GEMMs of the layer on patch matrices built once: what im2col + GEMM costs at best.
void BM_conv_layer_gemm(benchmark::State& state) {
  const std::size_t m = batch * side * side, k = 9 * in_channels, n = out_channels;
  std::vector<float> cols(m * k, 0.5f), filter(k * n, 0.25f), y(m * n), dcols(m * k), dfilter(k * n);
  tf::parallel::thread_pool pool(bench::threads() > 0 ? static_cast<std::size_t>(bench::threads()) : 1);
  const tf::parallel::use_pool lend(bench::threads() > 1 ? &pool : nullptr);
  for (auto _ : state) {
    tf::kernels::gemm::gemm<false, false>(cols.data(), filter.data(), y.data(), m, n, k);  // forward
    tf::kernels::gemm::gemm<false, true>(y.data(), filter.data(), dcols.data(), m, k, n);  // to the input
    tf::kernels::gemm::gemm<true, false>(cols.data(), y.data(), dfilter.data(), k, n, m);  // to the filter
    benchmark::DoNotOptimize(dfilter.data());
  }
}

void verify_conv_layer() {
  using L = conv_layer;
  tf::Session sess(bench::session_config());
  const auto [y, dx, dW] = sess.run(L::fetches, tf::feed(L::x, L::X), tf::feed(L::W, L::Wv), tf::feed(L::g, L::G));
  const auto at = [](const auto& t, long n, long h, long w, long c) -> double {
    if (h < 0 || w < 0 || h >= long(side) || w >= long(side)) return 0;
    return t(std::size_t(n), std::size_t(h), std::size_t(w), std::size_t(c));
  };
  double worst = 0;
  std::uint64_t s = 7;
  for (int sample = 0; sample < 200; ++sample) {
    s = s * 6364136223846793005ULL + 1442695040888963407ULL;
    const long n = long(s >> 33) % long(batch), h = long(s >> 20) % long(side), w = long(s >> 10) % long(side);
    const long o = long(s >> 45) % long(out_channels), c = long(s >> 50) % long(in_channels);
    const long kh = long(s >> 55) % 3, kw = long(s >> 58) % 3;
    double yy = 0, xx = 0, ww = 0;
    for (long i = 0; i < 3; ++i)
      for (long j = 0; j < 3; ++j)
        for (long k = 0; k < long(in_channels); ++k) yy += at(L::X, n, h + i - 1, w + j - 1, k) * L::Wv(i, j, k, o);
    for (long i = 0; i < 3; ++i)  // dx[n, h, w, c] = sum over the outputs whose window covers it
      for (long j = 0; j < 3; ++j)
        for (long p = 0; p < long(out_channels); ++p) xx += at(L::G, n, h - i + 1, w - j + 1, p) * L::Wv(i, j, c, p);
    for (long b = 0; b < long(batch); ++b)
      for (long i = 0; i < long(side); ++i)
        for (long j = 0; j < long(side); ++j) ww += at(L::X, b, i + kh - 1, j + kw - 1, c) * L::G(b, i, j, o);
    worst = std::max({worst, std::abs(y(n, h, w, o) - yy) / (1 + std::abs(yy)),
                      std::abs(dx(n, h, w, c) - xx) / (1 + std::abs(xx)),
                      std::abs(dW(kh, kw, c, o) - ww) / (1 + std::abs(ww))});
  }
  if (!(worst < 1e-4)) {
    std::fprintf(stderr, "bench_conv: the conv layer differs from direct sums by %g\n", worst);
    std::abort();
  }
}

// --- Workload 8: TF's deep-MNIST CNN, one Adam step ---------------------------------------------

struct cnn {
  static inline const auto x = tf::placeholder<"images", float, tf::none, 28, 28, 1>();
  static inline const auto y = tf::placeholder<"labels", std::int64_t, tf::none>();
  static inline const auto W1 = tf::Variable<"cnn/W1", float, 5, 5, 1, 32>(tf::truncated_normal(0.0, 0.1, 1));
  static inline const auto b1 = tf::Variable<"cnn/b1", float, 32>(tf::constant(0.1f));
  static inline const auto W2 = tf::Variable<"cnn/W2", float, 5, 5, 32, 64>(tf::truncated_normal(0.0, 0.1, 2));
  static inline const auto b2 = tf::Variable<"cnn/b2", float, 64>(tf::constant(0.1f));
  static inline const auto W3 = tf::Variable<"cnn/W3", float, 3136, 128>(tf::truncated_normal(0.0, 0.02, 3));
  static inline const auto b3 = tf::Variable<"cnn/b3", float, 128>(tf::constant(0.1f));
  static inline const auto W4 = tf::Variable<"cnn/W4", float, 128, 10>(tf::truncated_normal(0.0, 0.1, 4));
  static inline const auto b4 = tf::Variable<"cnn/b4", float, 10>(tf::constant(0.0f));
  static constexpr auto same = tf::padding<"SAME">;
  static inline const auto h1 = tf::nn::max_pool(tf::nn::relu(tf::nn::conv2d(x, W1, tf::strides<1>, same) + b1),
                                                 tf::ksize<2>, tf::strides<2>, same);
  static inline const auto h2 = tf::nn::max_pool(tf::nn::relu(tf::nn::conv2d(h1, W2, tf::strides<1>, same) + b2),
                                                 tf::ksize<2>, tf::strides<2>, same);
  static inline const auto h3 = tf::nn::relu(tf::matmul(tf::reshape<-1, 3136>(h2), W3) + b3);
  static inline const auto logits = tf::matmul(h3, W4) + b4;
  static inline const auto loss =
      tf::reduce_mean(tf::nn::sparse_softmax_cross_entropy_with_logits(tf::labels = y, tf::logits = logits));
  static inline const auto train = tf::train::AdamOptimizer<"cnn/Adam">(0.001).minimize(loss);
  static inline const auto X = lcg_tensor<float, 4>({batch, 28, 28, 1}, 4, 0, 1);
  static inline const auto Y = [] {
    xt::xtensor<std::int64_t, 1> t = xt::xtensor<std::int64_t, 1>::from_shape({batch});
    for (std::size_t i = 0; i < batch; ++i) t(i) = static_cast<std::int64_t>((i * 7 + 3) % 10);
    return t;
  }();
};

void BM_cnn_step_typeflow(benchmark::State& state) {
  tf::Session sess(bench::session_config());
  sess.run(tf::global_variables_initializer());
  for (auto _ : state) sess.run(cnn::train, tf::feed(cnn::x, cnn::X), tf::feed(cnn::y, cnn::Y));
}

void verify_cnn() {
  tf::Session sess(bench::session_config());
  sess.run(tf::global_variables_initializer());
  const float first = sess.run(cnn::loss, tf::feed(cnn::x, cnn::X), tf::feed(cnn::y, cnn::Y))();
  for (int i = 0; i < 20; ++i) sess.run(cnn::train, tf::feed(cnn::x, cnn::X), tf::feed(cnn::y, cnn::Y));
  const float last = sess.run(cnn::loss, tf::feed(cnn::x, cnn::X), tf::feed(cnn::y, cnn::Y))();
  if (!(last < 0.8f * first)) {
    std::fprintf(stderr, "bench_conv: the CNN's loss went from %g to %g in 20 steps on one batch\n", first, last);
    std::abort();
  }
}

void verify() {
  verify_conv_layer();
  verify_cnn();
}

}  // namespace

BENCHMARK(BM_conv_layer_typeflow)->Apply(bench::repeat_ms);
BENCHMARK(BM_conv_layer_gemm)->Apply(bench::repeat_ms);
BENCHMARK(BM_cnn_step_typeflow)->Apply(bench::repeat_ms);

int main(int argc, char** argv) { return bench::main(argc, argv, verify); }
