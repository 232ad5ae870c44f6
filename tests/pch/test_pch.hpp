// Precompiled for the test executables: the two heaviest includes of every test TU.
#include <doctest/doctest.h>
#include <typeflow/eval/xtensor.hpp>
