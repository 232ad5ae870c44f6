// A user's debug build: this file compiles at -O0 (tests/meson.build) with the build's other
// flags, -march=native among them. With g++ 12 and xsimd 8 on AVX-512, the fused loop of a
// comparison of integers did not compile at -O0 (eval/fused.hpp): the accuracy of the MLP and
// CNN examples, `equal(argmax(logits), labels)`, broke their debug builds. Values against loops
// by hand, over more elements than a SIMD batch holds (the fused loops' integer batches, which
// such a build no longer uses, run in every optimized build's tests).

#include <doctest/doctest.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <typeflow/typeflow.hpp>

namespace tf = typeflow;

TEST_CASE("debug build: comparisons of integers, where, maximum and sign run at -O0") {
  constexpr std::size_t n = 37;
  auto logits = tf::placeholder<"logits", float, tf::none, 3>();
  auto labels = tf::placeholder<"labels", std::int64_t, tf::none>();
  auto a = tf::placeholder<"a", std::int32_t, tf::none>();
  auto b = tf::placeholder<"b", std::int32_t, tf::none>();
  auto accuracy = tf::reduce_mean(tf::cast<float>(tf::equal(tf::argmax(logits, tf::axis<1>), labels)));

  xt::xtensor<float, 2> L = xt::zeros<float>({n, std::size_t{3}});
  xt::xtensor<std::int64_t, 1> Y = xt::zeros<std::int64_t>({n});
  xt::xtensor<std::int32_t, 1> A = xt::zeros<std::int32_t>({n}), B = xt::zeros<std::int32_t>({n});
  std::size_t correct = 0;
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = 0; j < 3; ++j) L(i, j) = static_cast<float>((i * 7 + j * 3) % 5);
    Y(i) = static_cast<std::int64_t>(i % 3);
    const auto top = static_cast<std::size_t>(std::max_element(&L(i, 0), &L(i, 0) + 3) - &L(i, 0));
    correct += top == i % 3;
    A(i) = static_cast<std::int32_t>((i * 5) % 11) - 5;
    B(i) = static_cast<std::int32_t>((i * 3) % 7) - 3;
  }
  tf::Session sess;
  auto [acc, larger, picked, most, signs] = sess.run(
      tf::fetch(accuracy, tf::greater(a, b), tf::where(tf::greater(a, b), a, b), tf::maximum(a, b), tf::sign(a)),
      tf::feed(logits, L), tf::feed(labels, Y), tf::feed(a, A), tf::feed(b, B));
  CHECK(acc() == doctest::Approx(static_cast<double>(correct) / n));
  for (std::size_t i = 0; i < n; ++i) {
    CHECK(larger(i) == (A(i) > B(i)));
    CHECK(picked(i) == std::max(A(i), B(i)));
    CHECK(most(i) == std::max(A(i), B(i)));
    CHECK(signs(i) == (A(i) > 0) - (A(i) < 0));
  }
}
