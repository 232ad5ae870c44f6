#ifndef TYPEFLOW_TESTS_ALLOCATION_COUNTER_HPP
#define TYPEFLOW_TESTS_ALLOCATION_COUNTER_HPP

#include <functional>

namespace test {
/// Heap allocations made while f runs (the test executable replaces the global operator new).
long allocations_of(const std::function<void()>& f);
}  // namespace test

#endif
