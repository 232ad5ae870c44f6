#include <doctest/doctest.h>

#include <typeflow/autodiff/gradients.hpp>
#include <typeflow/graph/placeholder.hpp>
#include <typeflow/ops/elementwise.hpp>
