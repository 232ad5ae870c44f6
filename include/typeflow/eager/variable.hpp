#ifndef TYPEFLOW_EAGER_VARIABLE_HPP
#define TYPEFLOW_EAGER_VARIABLE_HPP

// tfe::Variable<T>: mutable state in eager mode (TF2's ResourceVariable). Copies share the
// variable, as Python references do. Reading gives a tensor that shares the values; an update
// writes in place when no tensor shares them, else it first copies (so a tensor read earlier
// keeps its values, as TF's reads do). A trainable variable read while a tape records is
// watched by it.

#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

#include "../core/error.hpp"
#include "recording.hpp"
#include "tensor.hpp"

namespace typeflow::eager {

template <dtype T>
class Variable {
 public:
  using value_type = T;
  static constexpr bool is_eager_variable = true;
  static constexpr bool is_keyword_operand = true;  // tf::labels = v

  /// An uninitialised variable: reading it is an error until it is assigned.
  Variable() : m_state(std::make_shared<state>()) {}

  /// TF's tf.Variable(initial_value, name=..., trainable=...).
  explicit Variable(const Tensor<T>& initial_value, std::string name = "Variable", bool trainable = true)
      : m_state(std::make_shared<state>()) {
    m_state->name = std::move(name);
    m_state->trainable = trainable;
    m_state->value = copy_of(initial_value);
    m_state->initialized = true;
  }
  explicit Variable(T initial_value, std::string name = "Variable", bool trainable = true)
      : Variable(Tensor<T>(initial_value), std::move(name), trainable) {}

  const std::string& name() const { return m_state->name; }
  bool trainable() const { return m_state->trainable; }
  static constexpr std::string_view dtype() { return dtype_name<T>(); }
  const TensorShape& shape() const { return checked().shape(); }

  /// The current value (TF's read_value()); a recording tape watches a trainable variable.
  Tensor<T> value() const {
    const Tensor<T>& v = checked();
    if (m_state->trainable && detail::any_recording()) detail::variable_read(v.id());
    return v;
  }
  Tensor<T> read_value() const { return value(); }
  operator Tensor<T>() const { return value(); }

  /// The identity a tape knows the variable's current value by.
  std::uint64_t id() const { return checked().id(); }

  /// Replaces the value; the shape must stay (TF's assign without validate_shape=False).
  void assign(const Tensor<T>& value) {
    if (m_state->initialized && !(value.shape() == m_state->value.shape()))
      throw error("tfe::Variable '" + name() + "'.assign: shape " + to_string(value.shape()) +
                  " differs from the variable's " + to_string(m_state->value.shape()));
    m_state->value = copy_of(value);
    m_state->initialized = true;
  }

  /// f(T* values, std::size_t count) writes the values in place (copying them first if a
  /// tensor shares them): what assign_add, assign_sub and the optimizers' updates use.
  template <class F>
  void update(F&& f) {
    f(mutable_values(), size());
  }
  /// The values to write in place (copied first if a tensor shares them).
  T* mutable_values() {
    const Tensor<T>& v = checked();
    if (v.body().use_count() != 1 || v.body()->buffer.use_count() != 1) m_state->value = copy_of(v);
    return m_state->value.body()->template data<T>();
  }
  std::size_t size() const { return checked().size(); }
  /// Whether two handles name one variable.
  bool is(const Variable& other) const { return m_state == other.m_state; }
  void assign_add(const Tensor<T>& delta) {
    elementwise_update(delta, "assign_add", [](T& v, T d) { v += d; });
  }
  void assign_sub(const Tensor<T>& delta) {
    elementwise_update(delta, "assign_sub", [](T& v, T d) { v -= d; });
  }

  /// The optimizers' slot variables of this variable ("W/Adam", "W/Momentum"), made on first use.
  Variable& slot(const std::string& slot_name, T initial_value) {
    std::lock_guard lock(m_state->slots_mutex);
    auto it = m_state->slots.find(slot_name);
    if (it == m_state->slots.end())
      it = m_state->slots.emplace(slot_name, Variable(fill<T>(shape(), initial_value), name() + "/" + slot_name, false))
               .first;
    return it->second;
  }

  friend std::ostream& operator<<(std::ostream& os, const Variable& v) {
    return os << "<tf.Variable '" << v.name() << ":0' shape=" << to_string(v.shape()) << " dtype=" << dtype()
              << ", numpy=" << v.checked().numpy_text() << ">";
  }

 private:
  struct state {
    std::string name = "Variable";
    bool trainable = true;
    bool initialized = false;
    Tensor<T> value;
    std::mutex slots_mutex;
    std::map<std::string, Variable> slots;
  };

  const Tensor<T>& checked() const {
    if (!m_state->initialized)
      throw error("tfe::Variable '" + m_state->name + "' is read before it was initialised (assign it a value first)");
    return m_state->value;
  }

  static Tensor<T> copy_of(const Tensor<T>& t) {
    auto body = detail::new_body<T>(t.shape());
    std::copy_n(t.data().data(), t.size(), body->template data<T>());
    return Tensor<T>(std::move(body));
  }

  template <class F>
  void elementwise_update(const Tensor<T>& delta, const char* what, F f) {
    if (!(delta.shape() == shape()))
      throw error("tfe::Variable '" + name() + "'." + what + ": shape " + to_string(delta.shape()) +
                  " differs from the variable's " + to_string(shape()));
    const auto d = delta.data();
    update([&](T* v, std::size_t n) {
      for (std::size_t i = 0; i < n; ++i) f(v[i], d[i]);
    });
  }

  std::shared_ptr<state> m_state;
};

}  // namespace typeflow::eager

#endif
