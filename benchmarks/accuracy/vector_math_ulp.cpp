// Max error, in units in the last place, of typeflow's float exp and tanh (kernels/vector_math.hpp)
// over every finite float, next to xsimd's and Eigen's, against std::exp and std::tanh in double:
//
//   build/benchmarks/vector_math_ulp [stride]     (stride 1: all 4.2e9 finite floats, ~2 min on 2 cores)
//
// A result that is inf or 0 where the float-rounded reference is finite and nonzero (or the reverse)
// is counted apart, not folded into the max: xsimd's and Eigen's exp overflow from 88.38 on.

#include <Eigen/Core>
#include <array>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <vector>

#include <typeflow/kernels/vector_math.hpp>

namespace {

using batch = xsimd::batch<float>;
namespace vmath = typeflow::kernels::vector_math;

/// |got - ref| in units of the float spacing at ref; -1 where got is inf or 0 and the rounded
/// reference is not (or the reverse): a wrong overflow or underflow.
double ulp_error(float got, double ref) {
  const float rounded = static_cast<float>(ref);
  if (std::isnan(ref)) return std::isnan(got) ? 0 : -1;
  const bool got_edge = std::isinf(got) || got == 0, ref_edge = std::isinf(rounded) || rounded == 0;
  if (got_edge || ref_edge) return got == rounded ? 0 : (got_edge != ref_edge ? -1 : 1e30);
  const float magnitude = std::fabs(rounded);
  const double spacing = static_cast<double>(std::nextafter(magnitude, INFINITY)) - magnitude;
  return std::fabs(static_cast<double>(got) - ref) / spacing;
}

struct worst {
  double ulp = 0;
  float at = 0;
  std::uint64_t wrong_edges = 0;
  float first_edge = 0;
  void add(float x, float got, double ref) {
    const double e = ulp_error(got, ref);
    if (e < 0) {
      if (wrong_edges++ == 0 || std::fabs(x) < std::fabs(first_edge)) first_edge = x;
    } else if (e > ulp) {
      ulp = e;
      at = x;
    }
  }
  void merge(const worst& o) {
    if (o.ulp > ulp) ulp = o.ulp, at = o.at;
    if (o.wrong_edges && (!wrong_edges || std::fabs(o.first_edge) < std::fabs(first_edge))) first_edge = o.first_edge;
    wrong_edges += o.wrong_edges;
  }
};

constexpr int implementations = 3;                                  // typeflow, xsimd, Eigen
using results = std::array<std::array<worst, implementations>, 2>;  // [exp, tanh][implementation]

results sweep(std::uint64_t first, std::uint64_t end, std::uint64_t stride) {
  constexpr std::size_t block = 4096;
  alignas(64) static thread_local float in[block], out[6][block];
  results r{};
  for (std::uint64_t bits = first; bits < end;) {
    std::size_t n = 0;
    for (; n < block && bits < end; bits += stride) {
      const auto u = static_cast<std::uint32_t>(bits);
      std::memcpy(&in[n], &u, sizeof u);
      if (std::isfinite(in[n])) ++n;
    }
    const std::size_t padded = (n + batch::size - 1) / batch::size * batch::size;
    for (std::size_t i = n; i < padded; ++i) in[i] = 0;
    for (std::size_t i = 0; i < padded; i += batch::size) {
      const batch x = batch::load_aligned(in + i);
      vmath::exp(x).store_aligned(out[0] + i);
      xsimd::exp(x).store_aligned(out[1] + i);
      vmath::tanh(x).store_aligned(out[3] + i);
      xsimd::tanh(x).store_aligned(out[4] + i);
    }
    const Eigen::Map<const Eigen::ArrayXf> x(in, static_cast<Eigen::Index>(padded));
    Eigen::Map<Eigen::ArrayXf>(out[2], static_cast<Eigen::Index>(padded)) = x.exp();
    Eigen::Map<Eigen::ArrayXf>(out[5], static_cast<Eigen::Index>(padded)) = x.tanh();
    for (std::size_t i = 0; i < n; ++i) {
      const double e = std::exp(static_cast<double>(in[i])), t = std::tanh(static_cast<double>(in[i]));
      for (int k = 0; k < implementations; ++k) {
        r[0][k].add(in[i], out[k][i], e);
        r[1][k].add(in[i], out[3 + k][i], t);
      }
    }
  }
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  const std::uint64_t stride = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 1;
  if (stride == 0) return std::fprintf(stderr, "usage: %s [stride >= 1]\n", argv[0]), 2;
  const unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  constexpr std::uint64_t all = std::uint64_t{1} << 32;
  std::vector<results> parts(threads);
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < threads; ++t) {
    // Each thread a contiguous range that starts on the stride's grid.
    const std::uint64_t chunk = (all / threads + stride - 1) / stride * stride;
    pool.emplace_back([&, t, chunk] { parts[t] = sweep(t * chunk, std::min(all, (t + 1) * chunk), stride); });
  }
  for (auto& th : pool) th.join();
  results total{};
  for (const auto& p : parts)
    for (int f = 0; f < 2; ++f)
      for (int k = 0; k < implementations; ++k) total[f][k].merge(p[f][k]);
  const char* functions[] = {"exp", "tanh"};
  const char* names[] = {"typeflow", "xsimd 8.1", "Eigen 3.4"};
  std::printf("finite floats, stride %llu (%s):\n", static_cast<unsigned long long>(stride), batch::arch_type::name());
  for (int f = 0; f < 2; ++f)
    for (int k = 0; k < implementations; ++k) {
      const worst& w = total[f][k];
      std::printf("  %-4s %-10s max %.2f ulp (at %.9g)", functions[f], names[k], w.ulp, w.at);
      if (w.wrong_edges)
        std::printf(", %llu wrong inf or 0 (the one nearest 0 at x = %.9g)",
                    static_cast<unsigned long long>(w.wrong_edges), w.first_edge);
      std::printf("\n");
    }
}
