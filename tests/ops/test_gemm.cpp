// kernels::matmul (and the packed GEMM behind it, kernels/gemm.hpp) against a triple loop in
// double: the four transpose combinations, float and double, sizes at every edge of the
// blocking (0 and 1, not multiples of MR, NR, KC, MC or NC), the MLP's products, and the
// sub-rectangles that threads compute, products split across a thread pool, the
// matrix-vector paths of kernels/matmul.hpp, and a B packed once for many products.

#include <doctest/doctest.h>

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <typeflow/kernels/matmul.hpp>
#include <vector>

namespace gemm = typeflow::kernels::gemm;

namespace {

/// Values in [-1, 1) from a fixed LCG.
template <class T>
std::vector<T> random_values(std::size_t n, std::uint64_t seed) {
  std::vector<T> v(n);
  for (auto& x : v) {
    seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
    x = static_cast<T>(static_cast<double>(seed >> 11) * 0x1.0p-52 - 1.0);
  }
  return v;
}

/// op(A) op(B) in double, and for each element the sum of |terms| that bounds its rounding error.
struct reference {
  std::vector<double> c, bound;
};
template <bool TA, bool TB, class T>
reference triple_loop(const std::vector<T>& a, const std::vector<T>& b, std::size_t m, std::size_t n, std::size_t k) {
  reference r{std::vector<double>(m * n), std::vector<double>(m * n)};
  for (std::size_t i = 0; i < m; ++i)
    for (std::size_t j = 0; j < n; ++j) {
      double s = 0, bound = 0;
      for (std::size_t p = 0; p < k; ++p) {
        const double t = static_cast<double>(TA ? a[p * m + i] : a[i * k + p]) *
                         static_cast<double>(TB ? b[j * k + p] : b[p * n + j]);
        s += t;
        bound += std::fabs(t);
      }
      r.c[i * n + j] = s;
      r.bound[i * n + j] = bound;
    }
  return r;
}

/// Elements of c farther from the reference than k rounding errors of T on the sum of |terms|
/// (a blocked, FMA-based sum stays well inside that: its error bound is about k eps).
template <class T>
std::size_t mismatches(const std::vector<T>& c, const reference& r, std::size_t k, std::string& first) {
  const double eps = std::numeric_limits<T>::epsilon();
  std::size_t bad = 0;
  for (std::size_t i = 0; i < c.size(); ++i) {
    const double err = std::fabs(static_cast<double>(c[i]) - r.c[i]);
    if (!(err <= static_cast<double>(k + 2) * eps * r.bound[i])) {
      if (bad++ == 0)
        first = "element " + std::to_string(i) + ": " + std::to_string(static_cast<double>(c[i])) + " vs " +
                std::to_string(r.c[i]);
    }
  }
  return bad;
}

/// kernels::matmul<TA, TB> on m x n x k against the triple loop; the output starts as NaN, so
/// an element the kernel forgets to write is caught too.
template <bool TA, bool TB, class T>
void check_product(std::size_t m, std::size_t n, std::size_t k) {
  const auto a = random_values<T>(m * k, 1 + m + 7 * k), b = random_values<T>(k * n, 2 + n + 11 * k);
  std::vector<T> c(m * n, std::numeric_limits<T>::quiet_NaN());
  typeflow::kernels::matmul<TA, TB>(a.data(), b.data(), c.data(), m, n, k);
  std::string first;
  const std::size_t bad = mismatches(c, triple_loop<TA, TB>(a, b, m, n, k), k, first);
  INFO("TA=", TA, " TB=", TB, " m=", m, " n=", n, " k=", k, " first mismatch: ", first);
  CHECK(bad == 0);
}

template <class T>
void check_all_transposes(std::size_t m, std::size_t n, std::size_t k) {
  check_product<false, false, T>(m, n, k);
  check_product<true, false, T>(m, n, k);
  check_product<false, true, T>(m, n, k);
  check_product<true, true, T>(m, n, k);
}

}  // namespace

TEST_CASE_TEMPLATE("kernels.gemm: every size from 0 to past KC, all transposes, against a triple loop", T, float,
                   double) {
  // 7, 17 and 63 are not multiples of MR (12) or NR (32 floats, 16 doubles); 129 and 300 cross
  // several tiles, 300 also KC (256) and, as n, the threshold for packing A^T (8 slivers).
  for (std::size_t m : {0, 1, 2, 7, 17, 63, 129, 300})
    for (std::size_t n : {0, 1, 2, 7, 17, 63, 129, 300})
      for (std::size_t k : {0, 1, 7, 17, 129, 300}) check_all_transposes<T>(m, n, k);
}

TEST_CASE_TEMPLATE("kernels.gemm: every remainder of the tile height and width", T, float, double) {
  using blk = gemm::blocking<T>;
  for (std::size_t m = 1; m <= 2 * blk::mr + 1; ++m) check_all_transposes<T>(m, 2 * blk::nr + 3, 5);
  for (std::size_t n = 1; n <= 2 * blk::nr + 1; ++n) check_all_transposes<T>(2 * blk::nr + 7, n, 5);
  check_all_transposes<T>(2 * blk::mr + 1, 9 * blk::nr + 5, 33);  // A^T packed (more than 8 slivers)
}

TEST_CASE_TEMPLATE("kernels.gemm: blocks past MC, NC and two KC panels", T, float, double) {
  using blk = gemm::blocking<T>;
  check_all_transposes<T>(blk::mc + 5, 300, 2 * blk::kc + 3);  // two A blocks, three K panels, A^T packed
  check_all_transposes<T>(13, blk::nc + 17, 9);                // two B panels
}

TEST_CASE_TEMPLATE("kernels.gemm: the MLP's and the regression's products", T, float, double) {
  check_product<false, false, T>(64, 128, 784);  // x W1
  check_product<true, false, T>(784, 128, 64);   // x^T dh: dW1
  check_product<false, false, T>(64, 10, 128);   // h W2
  check_product<true, false, T>(128, 10, 64);    // h^T dlogits: dW2
  check_product<false, true, T>(64, 128, 10);    // dlogits W2^T: dh
  check_product<false, false, T>(1000, 1, 3);    // x W (regression)
  check_product<true, false, T>(3, 1, 1000);     // x^T g
  check_product<false, false, T>(1, 128, 64);    // one row
  check_product<false, true, T>(1, 128, 64);
  check_product<true, true, T>(1, 5, 33);
}

TEST_CASE_TEMPLATE("kernels.matmul: matrix-vector paths for every small size, lengths around the SIMD widths", T, float,
                   double) {
  // a^T b with M <= 8 columns (columns_dot: M batches of SIMD lanes per step, two steps at a
  // time, then single steps, then a scalar tail) and a b with K <= 8 rows (rows_dot); 9 takes
  // the general loops.
  for (std::size_t small = 1; small <= 9; ++small)
    for (std::size_t k : {0, 1, 3, 4, 7, 8, 9, 15, 16, 17, 31, 32, 33, 47, 48, 63, 64, 65, 1000}) {
      check_product<true, false, T>(small, 1, k);
      check_product<false, false, T>(k, 1, small);
    }
}

/// kernels::matmul<TA, TB> with op(B) packed once (gemm::packed_b) against the same product
/// packing B per call: the same operations in the same order, so equal bit for bit.
template <bool TA, bool TB, class T>
void check_packed(std::size_t m, std::size_t n, std::size_t k) {
  const auto a = random_values<T>(m * k, 3 + m + 5 * k), b = random_values<T>(k * n, 4 + n + 13 * k);
  const auto packed = gemm::packed_b<T>::template pack<TB>(b.data(), n, k);
  std::vector<T> c(m * n, std::numeric_limits<T>::quiet_NaN()), d = c;
  typeflow::kernels::matmul<TA, TB>(a.data(), b.data(), c.data(), m, n, k);
  typeflow::kernels::matmul<TA, TB>(a.data(), b.data(), d.data(), m, n, k, &packed);
  INFO("TA=", TA, " TB=", TB, " m=", m, " n=", n, " k=", k);
  CHECK(std::memcmp(c.data(), d.data(), c.size() * sizeof(T)) == 0);
}

TEST_CASE_TEMPLATE("kernels.gemm: op(B) packed once gives the products that pack it per call", T, float, double) {
  using blk = gemm::blocking<T>;
  for (const auto [m, n, k] : {std::array<std::size_t, 3>{64, 128, 784},
                               {7, 17, 5},
                               {13, blk::nr + 3, 2 * blk::kc + 3},
                               {blk::mc + 5, blk::nc + 17, blk::kc + 1},
                               {300, 2, 9},
                               {2, 300, 40}}) {
    check_packed<false, false, T>(m, n, k);
    check_packed<true, false, T>(m, n, k);
    check_packed<false, true, T>(m, n, k);
    check_packed<true, true, T>(m, n, k);
  }
  // Split across threads (by rows, then by columns): every thread reads the one packed B.
  typeflow::parallel::thread_pool pool(3);
  const typeflow::parallel::use_pool lend(&pool);
  check_packed<false, false, T>(301, 150, 300);
  check_packed<false, true, T>(40, 700, 300);
  // A packed B of other dims is not used (the product packs its own).
  const auto b = random_values<T>(6, 1);
  const auto other = gemm::packed_b<T>::template pack<false>(b.data(), 3, 2);
  const auto a = random_values<T>(4 * 3, 2), b2 = random_values<T>(3 * 2, 5);
  std::vector<T> c(8), d(8);
  typeflow::kernels::matmul<false, false>(a.data(), b2.data(), c.data(), 4, 2, 3);
  typeflow::kernels::matmul<false, false>(a.data(), b2.data(), d.data(), 4, 2, 3, &other);
  CHECK(c == d);
}

TEST_CASE_TEMPLATE("kernels.gemm: split across a pool's threads, by rows and by columns", T, float, double) {
  typeflow::parallel::thread_pool pool(3);
  const typeflow::parallel::use_pool lend(&pool);
  check_all_transposes<T>(301, 150, 300);       // tall: row blocks
  check_all_transposes<T>(40, 700, 300);        // wide: column blocks, the last one partial
  check_product<true, false, T>(784, 10, 300);  // the narrow A^T path on row blocks
  check_product<false, false, T>(64, 128, 784);
}

TEST_CASE("kernels.gemm: the tolerance catches one missing product term") {
  // The reference without one of its k terms, which a kernel that skipped an iteration or an
  // edge row would produce: must count as a mismatch at every size the tests use.
  for (std::size_t k : {7, 129, 300, 515}) {
    const std::size_t m = 17, n = 19;
    const auto a = random_values<float>(m * k, 3), b = random_values<float>(k * n, 4);
    std::vector<float> c(m * n);
    typeflow::kernels::matmul<false, false>(a.data(), b.data(), c.data(), m, n, k);
    const auto ref = triple_loop<false, false>(a, b, m, n, k);
    std::string first;
    CHECK(mismatches(c, ref, k, first) == 0);
    // Drop the largest term of element (5, 6) from the result.
    std::size_t pmax = 0;
    for (std::size_t p = 1; p < k; ++p)
      if (std::fabs(a[5 * k + p] * b[p * n + 6]) > std::fabs(a[5 * k + pmax] * b[pmax * n + 6])) pmax = p;
    c[5 * n + 6] -= a[5 * k + pmax] * b[pmax * n + 6];
    CHECK(mismatches(c, ref, k, first) == 1);
  }
}

TEST_CASE_TEMPLATE("kernels.gemm: gemm_block writes its rectangle and nothing else; rectangles tile C", T, float,
                   double) {
  const std::size_t m = 77, n = 150, k = 40;
  const auto a = random_values<T>(m * k, 5), b = random_values<T>(n * k, 6);
  const auto ref = triple_loop<true, true>(a, b, m, n, k);
  const T sentinel = T(12345);
  std::vector<T> c(m * n, sentinel);
  gemm::gemm_block<true, true>(a.data(), b.data(), c.data(), m, n, k, 5, 50, 3, 41);
  std::size_t wrong_inside = 0, touched_outside = 0;
  for (std::size_t i = 0; i < m; ++i)
    for (std::size_t j = 0; j < n; ++j) {
      const bool inside = i >= 5 && i < 50 && j >= 3 && j < 41;
      const double v = static_cast<double>(c[i * n + j]);
      if (inside &&
          !(std::fabs(v - ref.c[i * n + j]) <= (k + 2) * std::numeric_limits<T>::epsilon() * ref.bound[i * n + j]))
        ++wrong_inside;
      if (!inside && c[i * n + j] != sentinel) ++touched_outside;
    }
  CHECK(wrong_inside == 0);
  CHECK(touched_outside == 0);

  // Four rectangles, split at a row and a column that are not tile multiples, make the product.
  std::vector<T> d(m * n, std::numeric_limits<T>::quiet_NaN());
  for (auto [r0, r1] : {std::pair<std::size_t, std::size_t>{0, 31}, {31, m}})
    for (auto [c0, c1] : {std::pair<std::size_t, std::size_t>{0, 45}, {45, n}})
      gemm::gemm_block<true, true>(a.data(), b.data(), d.data(), m, n, k, r0, r1, c0, c1);
  std::string first;
  CHECK(mismatches(d, ref, k, first) == 0);
}
