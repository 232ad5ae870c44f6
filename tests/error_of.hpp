#ifndef TYPEFLOW_TESTS_ERROR_OF_HPP
#define TYPEFLOW_TESTS_ERROR_OF_HPP

// The tests' way to check an error's message: CHECK(test::error_of([&] { ... }) == "...").

#include <string>
#include <typeflow/core/error.hpp>

namespace test {

/// The message of the typeflow::error f throws; "" when it throws none.
template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const typeflow::error& e) {
    return e.what();
  }
  return "";
}

}  // namespace test

#endif
