#ifndef TYPEFLOW_EVAL_VARIABLE_STORE_HPP
#define TYPEFLOW_EVAL_VARIABLE_STORE_HPP

#include <array>
#include <atomic>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "../core/error.hpp"
#include "../graph/variable.hpp"
#include "xtensor.hpp"

namespace typeflow::eval {

/// The value of one variable in one Session.
template <class T, std::size_t R>
struct variable_value {
  xt::xtensor<T, R> value;
  bool initialized = false;
  std::mutex lock;  // held by updates with use_locking (op::locking_operation)
};

namespace detail {
inline std::size_t next_variable_slot() {
  static std::atomic<std::size_t> next{0};
  return next++;
}
}  // namespace detail

/// A variable's value seen as raw bytes, for code that handles variables by name rather than
/// by type (tf::train::Saver); runs never use it.
struct variable_bytes {
  std::byte* data;
  std::size_t size;  // in bytes
  bool* initialized;
};

/// A dense index per variable type, so that a Session finds a value without a name lookup.
template <class V>
inline const std::size_t variable_slot = detail::next_variable_slot();

/// The values of a Session's variables, indexed by variable_slot.
class variable_store {
 public:
  template <class Name, class T, class S>
  variable_value<T, S::rank>& get(graph::variable<Name, T, S>) {
    const std::size_t slot = variable_slot<graph::variable<Name, T, S>>;
    std::lock_guard lock(m_mutex);  // executors of concurrent runs look variables up while being built
    if (slot >= m_values.size()) m_values.resize(slot + 1);
    if (!m_values[slot]) m_values[slot] = std::make_shared<variable_value<T, S::rank>>();
    return *std::static_pointer_cast<variable_value<T, S::rank>>(m_values[slot]);
  }

  /// The value of a variable as bytes, allocated to its static shape if it has no value yet.
  template <class Name, class T, class S>
  variable_bytes bytes(graph::variable<Name, T, S> v) {
    auto& value = get(v);
    if (value.value.size() != static_cast<std::size_t>(static_size_v<S>)) {
      std::array<std::size_t, S::rank> dims{};
      for (std::size_t i = 0; i < S::rank; ++i) dims[i] = static_cast<std::size_t>(S::dims[i]);
      value.value.resize(dims);
    }
    return {reinterpret_cast<std::byte*>(value.value.data()), value.value.size() * sizeof(T), &value.initialized};
  }

 private:
  std::mutex m_mutex;  // guards m_values, not the values: a value's address never changes
  std::vector<std::shared_ptr<void>> m_values;
};

/// TensorFlow's message for reading a variable before it was initialised.
template <class Name>
[[noreturn]] void throw_uninitialized() {
  throw error("FailedPrecondition: attempting to use uninitialized value " + std::string(Name::view()) +
              " (run tf::global_variables_initializer() first)");
}

}  // namespace typeflow::eval

#endif
