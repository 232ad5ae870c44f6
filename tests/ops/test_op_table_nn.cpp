// The rows of op_table.hpp, forward (forward_check.hpp): rounding, trigonometry and clipping,
// the activations and the logical ops (the others are in test_op_table.cpp).

#include <doctest/doctest.h>

#include "forward_check.hpp"

namespace ot = test::op_table;

TEST_CASE("ops.table.rounding: forward values against the reference, at every length and at hard inputs") {
  test::forward::check_family(ot::rounding_trigonometry_clipping());
}
TEST_CASE("ops.table.activations: forward values against the reference, at every length and at hard inputs") {
  test::forward::check_family(ot::activations());
}
TEST_CASE("ops.table.logical: forward values against the reference, at every length") {
  test::forward::check_family(ot::logical());
}
