#include <doctest/doctest.h>
#include <typeflow/typeflow.hpp>
