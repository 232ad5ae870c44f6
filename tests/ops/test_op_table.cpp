// The rows of op_table.hpp, forward (forward_check.hpp): the arithmetic and math families.
// The other families are in test_op_table_nn.cpp, so that the two compile in parallel.
//
//   build/tests/test_ops -tc='ops.table*' -sc=erf    (one row)

#include <doctest/doctest.h>

#include "forward_check.hpp"

namespace ot = test::op_table;

TEST_CASE("ops.table.arithmetic: forward values against the reference, at every length and at hard inputs") {
  test::forward::check_family(ot::arithmetic());
}
TEST_CASE("ops.table.math: forward values against the reference, at every length and at hard inputs") {
  test::forward::check_family(ot::math());
}
