// typeflow's float exp and tanh (kernels/vector_math.hpp): their error against std::exp and
// std::tanh in double over a sweep of float bit patterns (benchmarks/accuracy/vector_math_ulp.cpp
// measures all of them), the values at the edges, and that graph mode and eager mode call them.

#include <doctest/doctest.h>

#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <typeflow/eager.hpp>
#include <typeflow/typeflow.hpp>
#include <vector>

namespace tf = typeflow;
namespace tfe = typeflow::eager;
namespace vmath = typeflow::kernels::vector_math;

namespace {

using batch = xsimd::batch<float>;
constexpr float inf = std::numeric_limits<float>::infinity();

/// f applied batch by batch to values padded to whole batches.
template <class F>
std::vector<float> apply(F f, std::vector<float> x) {
  const std::size_t n = x.size();
  x.resize((n + batch::size - 1) / batch::size * batch::size, 0.0f);
  std::vector<float> y(x.size());
  for (std::size_t i = 0; i < x.size(); i += batch::size)
    f(batch::load_unaligned(x.data() + i)).store_unaligned(y.data() + i);
  y.resize(n);
  return y;
}
/// f of x in every lane, lane 0's result.
float apply1(batch (*f)(const batch&), float x) { return f(batch(x)).get(0); }
batch exp1(const batch& x) { return vmath::exp(x); }
batch tanh1(const batch& x) { return vmath::tanh(x); }

/// |got - ref| in units of the float spacing at ref.
double ulp_error(float got, double ref) {
  const float rounded = static_cast<float>(ref);
  const float magnitude = std::fabs(rounded);
  const double spacing = static_cast<double>(std::nextafter(magnitude, inf)) - magnitude;
  return std::fabs(static_cast<double>(got) - ref) / spacing;
}

struct max_error {
  double ulp = 0;
  float at = 0;
};

/// The largest error of f over every 1021st float bit pattern whose reference result is a finite,
/// nonzero float (about 4.2 million values).
template <class F, class R>
max_error sweep(F f, R reference) {
  std::vector<float> x;
  for (std::uint64_t bits = 0; bits < (std::uint64_t{1} << 32); bits += 1021) {
    const float v = std::bit_cast<float>(static_cast<std::uint32_t>(bits));
    const float r = static_cast<float>(reference(static_cast<double>(v)));
    if (std::isfinite(v) && std::isfinite(r) && r != 0) x.push_back(v);
  }
  const std::vector<float> y = apply(f, x);
  max_error worst;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double e = ulp_error(y[i], reference(static_cast<double>(x[i])));
    if (!(e <= worst.ulp)) worst = {e, x[i]};
  }
  return worst;
}

}  // namespace

TEST_CASE("vector_math::exp is within 1.1 ulp of e^x wherever e^x is a finite nonzero float (all floats: 1.08)") {
  const max_error e = sweep([](const batch& x) { return vmath::exp(x); }, [](double x) { return std::exp(x); });
  INFO("worst at x = " << e.at);
  CHECK(e.ulp <= 1.1);
}

TEST_CASE("vector_math::tanh is within 6 ulp of tanh(x) (Eigen's, which TensorFlow uses: 4.9 over all floats)") {
  const max_error e = sweep([](const batch& x) { return vmath::tanh(x); }, [](double x) { return std::tanh(x); });
  INFO("worst at x = " << e.at);
  CHECK(e.ulp <= 6.0);  // over all floats 5.3 with AVX-512; this sweep 5.6 with SSE4.2
}

TEST_CASE("vector_math::exp at the edges: overflow, subnormal results, zero, infinities and NaN") {
  CHECK(std::isfinite(apply1(exp1, 88.72f)));  // xsimd's and Eigen's give inf from 88.38 on
  CHECK(ulp_error(apply1(exp1, 88.72f), std::exp(static_cast<double>(88.72f))) <= 1.1);
  CHECK(apply1(exp1, 88.73f) == inf);
  CHECK(apply1(exp1, 1e30f) == inf);
  CHECK(apply1(exp1, inf) == inf);
  // Subnormal results, which xsimd and Eigen flush to 0 from -87.68 on.
  for (const float x : {-87.5f, -95.0f, -100.0f, -103.0f}) {
    CAPTURE(x);
    const float got = apply1(exp1, x), want = static_cast<float>(std::exp(static_cast<double>(x)));
    CHECK(got > 0);
    CHECK(std::fabs(got - want) <= std::numeric_limits<float>::denorm_min());
  }
  CHECK(apply1(exp1, -104.0f) == 0.0f);
  CHECK(apply1(exp1, -inf) == 0.0f);
  CHECK(apply1(exp1, -0.0f) == 1.0f);
  CHECK(std::isnan(apply1(exp1, std::numeric_limits<float>::quiet_NaN())));
}

TEST_CASE("vector_math::exp: an extreme lane does not change the others in its batch") {
  std::vector<float> x(batch::size);
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = -3.0f + 0.37f * static_cast<float>(i);
  const std::vector<float> plain = apply([](const batch& b) { return vmath::exp(b); }, x);
  x[0] = -100.0f;  // takes the whole batch through the rescaling path
  const std::vector<float> mixed = apply([](const batch& b) { return vmath::exp(b); }, x);
  for (std::size_t i = 1; i < x.size(); ++i) CHECK(mixed[i] == plain[i]);
  CHECK(mixed[0] == doctest::Approx(std::exp(-100.0)).epsilon(1e-5));
}

TEST_CASE("vector_math::tanh at the edges: saturation, signed zero, subnormals, infinities and NaN") {
  CHECK(apply1(tanh1, 10.0f) == 1.0f);
  CHECK(apply1(tanh1, -9.5f) == -1.0f);
  CHECK(apply1(tanh1, 1e30f) == 1.0f);
  CHECK(apply1(tanh1, inf) == 1.0f);
  CHECK(apply1(tanh1, -inf) == -1.0f);
  CHECK(std::signbit(apply1(tanh1, -0.0f)));
  CHECK(apply1(tanh1, -0.0f) == 0.0f);
  CHECK(apply1(tanh1, 1e-40f) == 1e-40f);
  CHECK(apply1(tanh1, -3e-20f) == -3e-20f);
  CHECK(std::isnan(apply1(tanh1, std::numeric_limits<float>::quiet_NaN())));
}

TEST_CASE("graph mode and eager mode compute float exp and tanh with vector_math") {
  // A whole number of batches, so that no element takes the scalar tail (std::exp).
  std::vector<float> values(64 * batch::size);
  for (std::size_t i = 0; i < values.size(); ++i)
    values[i] = -6.0f + 12.0f * static_cast<float>(i) / static_cast<float>(values.size());
  const std::vector<float> want_exp = apply([](const batch& b) { return vmath::exp(b); }, values);
  const std::vector<float> want_tanh = apply([](const batch& b) { return vmath::tanh(b); }, values);
  const xt::xtensor<float, 1> x = xt::adapt(values, std::array<std::size_t, 1>{values.size()});

  const auto p = tf::placeholder<"x", float, tf::none>();
  tf::Session sess;
  const auto [e, t] = sess.run(tf::fetch(tf::exp(p), tf::tanh(p)), tf::feed(p, x));
  const auto eager_exp = tfe::exp(tfe::Tensor<float>(x)).numpy<1>();
  const auto eager_tanh = tfe::tanh(tfe::Tensor<float>(x)).numpy<1>();
  for (std::size_t i = 0; i < values.size(); ++i) {
    CAPTURE(values[i]);
    CHECK(e(i) == want_exp[i]);
    CHECK(t(i) == want_tanh[i]);
    CHECK(eager_exp(i) == want_exp[i]);
    CHECK(eager_tanh(i) == want_tanh[i]);
  }
}
