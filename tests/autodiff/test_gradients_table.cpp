// The rows of ops/op_table.hpp, backward: the gradients of sum(op(...) * w) (w random) with
// respect to each operand the op has a gradient for, against central differences
// (gradient_check.hpp: check_gradients), in double, at inputs drawn from the row's domain.
// Operand 0 is [2, 3] and the others [3], broadcast over its rows, so a binary op's second
// gradient is also summed back to its shape.
//
//   build/tests/test_autodiff -tc='autodiff.table*' -sc=erf    (one row)

#include <doctest/doctest.h>

#include <array>
#include <cstddef>
#include <random>
#include <string>
#include <tuple>
#include <type_traits>
#include <typeflow/typeflow.hpp>
#include <utility>

#include "../ops/op_table.hpp"
#include "gradient_check.hpp"

namespace {

namespace ot = test::op_table;

template <std::size_t I>
auto operand() {
  if constexpr (I == 0) return tf::placeholder<"a", double, 2, 3>();
  else if constexpr (I == 1) return tf::placeholder<"b", double, 3>();
  else return tf::placeholder<"c", double, 3>();
}

template <std::size_t I>
constexpr auto operand_shape() {
  if constexpr (I == 0) return std::array<std::size_t, 2>{2, 3};
  else return std::array<std::size_t, 1>{3};
}

template <class Row>
void check_row(const Row& row) {
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    const auto xs = std::tuple{operand<I>()...};
    auto w = tf::placeholder<"w", double, 2, 3>();
    const auto y = row.fn(std::get<I>(xs)...);
    using Y = std::remove_cvref_t<decltype(y)>;
    std::mt19937_64 rng(test::seed_of(row.name));
    auto values = std::tuple{test::draw<double>(row.domain.at(I), operand_shape<I>(), rng)...};
    const auto fw = tf::feed(w, test::draw<double>(test::uniform(-1.5, 1.5), std::array<std::size_t, 2>{2, 3}, rng));
    // The operands y has a gradient for, with their values: none for a flat op (floor, sign).
    const auto pick = [&]<std::size_t K>(auto& from) {
      if constexpr (tf::depends_on_v<Y, std::remove_cvref_t<decltype(std::get<K>(xs))>>)
        return std::tuple{std::get<K>(from)};
      else return std::tuple{};
    };
    const auto differentiated = std::tuple_cat(pick.template operator()<I>(xs)...);
    if constexpr (std::tuple_size_v < decltype(differentiated) >> 0) {
      INFO(row.name);
      // The operands without a gradient are fed as they are.
      const auto fixed = std::tuple_cat([&]<std::size_t K>() {
        if constexpr (tf::depends_on_v<Y, std::remove_cvref_t<decltype(std::get<K>(xs))>>) return std::tuple{};
        else return std::tuple{tf::feed(std::get<K>(xs), std::get<K>(values))};
      }.template operator()<I>()...);
      std::apply(
          [&](const auto&... f) {
            test::check_gradients(tf::reduce_sum(y * w), differentiated,
                                  std::tuple_cat(pick.template operator()<I>(values)...), f..., fw);
          },
          fixed);
    }
  }
  (std::make_index_sequence<Row::arity>{});
}

template <class Family>
void check_family(const Family& fam) {
  ot::for_each_row(fam, [](const auto& row) {
    if constexpr (!std::remove_cvref_t<decltype(row)>::boolean) {
      SUBCASE(std::string(row.name).c_str()) {
        REQUIRE(row.domain.size() == row.arity);
        check_row(row);
      }
    }
  });
}

}  // namespace

TEST_CASE("autodiff.table.arithmetic: each gradient against central differences") { check_family(ot::arithmetic()); }
TEST_CASE("autodiff.table.math: each gradient against central differences") { check_family(ot::math()); }
TEST_CASE("autodiff.table.rounding: each gradient against central differences") {
  check_family(ot::rounding_trigonometry_clipping());
}
TEST_CASE("autodiff.table.activations: each gradient against central differences") { check_family(ot::activations()); }
