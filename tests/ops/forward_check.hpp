#ifndef TYPEFLOW_TESTS_OPS_FORWARD_CHECK_HPP
#define TYPEFLOW_TESTS_OPS_FORWARD_CHECK_HPP

// The forward test of the rows of op_table.hpp (test_op_table*.cpp): each op against its
// reference (computed in double from the same inputs) at every length around the SIMD width,
// in each of its dtypes (integers from [-9, 9]), and at its hard inputs in float and double;
// and the fused loop runs it on xsimd batches unless the row says otherwise.

#include <doctest/doctest.h>

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <random>
#include <sstream>
#include <string>
#include <tuple>
#include <type_traits>
#include <typeflow/typeflow.hpp>
#include <utility>

#include "op_table.hpp"

namespace test::forward {

namespace tf = typeflow;
namespace ot = test::op_table;

// The sizes around the SIMD width: xsimd batches of float are 4, 8 or 16 lanes.
inline constexpr std::size_t sizes[] = {1, 7, 8, 15, 16, 17, 33};

template <std::size_t I, class T>
auto operand() {
  if constexpr (I == 0) return tf::placeholder<"a", T, tf::none>();
  else if constexpr (I == 1) return tf::placeholder<"b", T, tf::none>();
  else return tf::placeholder<"c", T, tf::none>();
}

template <class T>
const ot::bound& bound_for(const ot::tolerance& tol) {
  if constexpr (std::is_same_v<T, float>) return tol.f32;
  else return tol.f64;
}

/// Whether got matches ref within b: NaN and infinite references exactly, finite ones closely.
inline bool close(double got, double ref, const ot::bound& b) {
  if (std::isnan(ref)) return std::isnan(got);
  if (!std::isfinite(ref)) return got == ref;
  return std::isfinite(got) && std::abs(got - ref) <= b.atol + b.rtol * std::abs(ref);
}

/// Whether the fused loop runs the expression's top op on batches of T.
template <class T, class Y>
constexpr bool top_op_simd() {
  namespace fused = tf::eval::fused;
  return []<class... A>(std::tuple<A...>*) {
    return fused::simd_v<T, fused::apply<typename Y::op_type, fused::leaf<tf::value_t<A>, 1>...>>;
  }(static_cast<typename Y::args_type*>(nullptr));
}

template <class T, class Row>
void check_row(const Row& row) {
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    const auto xs = std::tuple{operand<I, T>()...};
    const auto y = row.fn(std::get<I>(xs)...);
    using Y = std::remove_cvref_t<decltype(y)>;
    if constexpr (std::is_floating_point_v<T>) {
      constexpr bool simd = top_op_simd<T, Y>();
      const bool expected =
          row.simd == ot::simd_form::all || (row.simd == ot::simd_form::float_only && std::is_same_v<T, float>);
      CHECK_MESSAGE(simd == expected, row.name << ": the fused loop " << (simd ? "runs" : "does not run")
                                               << " it on xsimd batches of " << (sizeof(T) == 4 ? "float" : "double")
                                               << "; the row says otherwise");
    }
    tf::Session sess;
    const auto check = [&](const std::array<xt::xtensor<T, 1>, sizeof...(I)>& in, const char* what) {
      const auto got = sess.run(y, tf::feed(std::get<I>(xs), in[I])...);
      REQUIRE(got.size() == in[0].size());
      for (std::size_t k = 0; k < got.size(); ++k) {
        // The reference rounded to T: a result beyond T's range is its inf, a tiny one its subnormal.
        const double ref = static_cast<double>(static_cast<T>(row.ref(static_cast<double>(in[I](k))...)));
        std::ostringstream where;
        where.precision(17);
        where << row.name << "(";
        ((where << (I ? ", " : "") << static_cast<double>(in[I](k))), ...);
        where << ") " << what << " of " << got.size() << ": " << static_cast<double>(got(k)) << ", reference " << ref;
        CHECK_MESSAGE(close(static_cast<double>(got(k)), ref, bound_for<T>(row.tol)), where.str());
      }
    };
    std::mt19937_64 rng(test::seed_of(row.name));
    const auto domain = [&](std::size_t i) {
      return std::is_integral_v<T> && !Row::boolean ? test::grid(-9, 9) : row.domain.at(i);
    };
    for (std::size_t n : sizes) check({test::draw<T>(domain(I), std::array<std::size_t, 1>{n}, rng)...}, "at a length");
    if constexpr (std::is_integral_v<T>) return;
    const auto& hard = std::is_same_v<T, double> && !row.hard_f64.empty() ? row.hard_f64 : row.hard;
    if (!hard.empty()) {
      REQUIRE(hard.size() == sizeof...(I));
      const std::size_t n = hard[0].values.size();
      check({test::draw<T>(hard.at(I), std::array<std::size_t, 1>{n}, rng)...}, "at a hard input");
    }
  }
  (std::make_index_sequence<Row::arity>{});
}

/// Checks each row of a family, in a subcase named after the row.
template <class Family>
void check_family(const Family& fam) {
  ot::for_each_row(fam, [](const auto& row) {
    SUBCASE(std::string(row.name).c_str()) {
      REQUIRE(row.domain.size() == row.arity);
      if constexpr (std::remove_cvref_t<decltype(row)>::boolean) {
        check_row<bool>(row);
      } else {
        check_row<float>(row);
        check_row<double>(row);
        if constexpr (std::remove_cvref_t<decltype(row)>::types == ot::dtypes::numeric) {
          check_row<std::int32_t>(row);
          check_row<std::int64_t>(row);
        }
      }
    }
  });
}

}  // namespace test::forward

#endif
