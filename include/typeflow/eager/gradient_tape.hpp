#ifndef TYPEFLOW_EAGER_GRADIENT_TAPE_HPP
#define TYPEFLOW_EAGER_GRADIENT_TAPE_HPP

// tfe::GradientTape, with TF's rules: it records while it lives (a scope stands for Python's
// `with`); trainable variables read meanwhile are watched, other tensors by watch(t);
// gradient(target, sources...) runs the recorded ops' vjps backwards from ones of the
// target's shape (so a non-scalar target is summed, as TF's); a source that the target does
// not depend on gets std::nullopt (TF's None). A tape that is not persistent gives one
// gradient. Nested tapes record each other's gradient computations: second derivatives.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "../core/error.hpp"
#include "../ops/elementwise.hpp"
#include "execute.hpp"
#include "recording.hpp"
#include "tensor.hpp"
#include "variable.hpp"

namespace typeflow::eager {

/// The argument of GradientTape(persistent): a tape that gives any number of gradients.
struct persistent_t {};
inline constexpr persistent_t persistent{};

class GradientTape {
 public:
  GradientTape() { detail::tape_stack().push_back(&m_state); }
  explicit GradientTape(persistent_t) : GradientTape() { m_state.persistent = true; }
  GradientTape(const GradientTape&) = delete;
  GradientTape& operator=(const GradientTape&) = delete;
  ~GradientTape() {
    auto& stack = detail::tape_stack();
    std::erase(stack, &m_state);
  }

  /// Records operations on t from now on (a tensor is not watched by default; variables are).
  template <dtype T>
  void watch(const Tensor<T>& t) {
    m_state.tracked.insert(t.id());
  }
  template <dtype T>
  void watch(const Variable<T>& v) {
    m_state.tracked.insert(v.id());
  }

  /// Pauses recording while the returned guard lives (TF's `with tape.stop_recording():`).
  class recording_pause {
   public:
    explicit recording_pause(detail::tape_state& s) : m_state(s), m_was(s.recording) { s.recording = false; }
    recording_pause(const recording_pause&) = delete;
    recording_pause& operator=(const recording_pause&) = delete;
    ~recording_pause() { m_state.recording = m_was; }

   private:
    detail::tape_state& m_state;
    bool m_was;
  };
  [[nodiscard]] recording_pause stop_recording() { return recording_pause(m_state); }

  /// Forgets everything recorded (TF's reset()).
  void reset() {
    m_state.entries.clear();
    m_state.tracked.clear();
    m_state.used = false;
  }

  /// d(sum of target)/d(source) for one source (a tensor or a variable), or a tuple of them
  /// for several: `auto [dw, db] = tape.gradient(loss, w, b);`. Each is std::nullopt where
  /// the target does not depend on the source.
  template <dtype T, class... S>
  auto gradient(const Tensor<T>& target, const S&... sources) {
    static_assert(sizeof...(S) > 0, "tfe::GradientTape::gradient(target, sources...): name at least one source");
    static_assert(std::is_floating_point_v<T>,
                  "tfe::GradientTape::gradient: the target must be floating point (TF has no integer gradients)");
    if (m_state.used)
      throw error("tfe::GradientTape::gradient can only be called once on a non-persistent tape "
                  "(make it persistent: tfe::GradientTape tape(tfe::persistent))");
    const std::array<std::uint64_t, sizeof...(S)> ids{sources.id()...};
    const auto grads = backprop(target, ids);
    if (!m_state.persistent) {
      m_state.used = true;
      m_state.entries.clear();  // frees what the tape held alive
    }
    auto result = [&]<std::size_t... I>(std::index_sequence<I...>) {
      return std::tuple{result_of<S>(grads, ids[I])...};
    }
    (std::index_sequence_for<S...>{});
    if constexpr (sizeof...(S) == 1) return std::get<0>(std::move(result));
    else return result;
  }

 private:
  template <class S>
  using gradient_t = std::optional<Tensor<typename S::value_type>>;

  template <class S>
  static gradient_t<S> result_of(const std::unordered_map<std::uint64_t, detail::body_ptr>& grads, std::uint64_t id) {
    const auto it = grads.find(id);
    if (it == grads.end()) return std::nullopt;
    return Tensor<typename S::value_type>(it->second);
  }

  /// Reverse accumulation over the entries (recorded in an order their dependencies allow).
  template <class T, std::size_t K>
  std::unordered_map<std::uint64_t, detail::body_ptr> backprop(const Tensor<T>& target,
                                                               const std::array<std::uint64_t, K>& sources) {
    // This tape does not record its own gradient computation; outer tapes do.
    const recording_pause pause(m_state);
    std::unordered_map<std::uint64_t, detail::body_ptr> grads;
    if (m_state.tracked.count(target.id())) grads[target.id()] = ones<T>(target.shape()).body();
    std::vector<detail::body_ptr> input_grads;
    std::vector<char> wanted;
    for (auto it = m_state.entries.rbegin(); it != m_state.entries.rend(); ++it) {
      const detail::tape_entry& e = **it;
      const auto g = grads.find(e.output);
      if (g == grads.end()) continue;
      input_grads.assign(e.inputs.size(), nullptr);
      wanted.assign(e.inputs.size(), 0);
      for (std::size_t i = 0; i < e.inputs.size(); ++i)
        wanted[i] = e.inputs[i] != 0 && m_state.tracked.count(e.inputs[i]);
      e.backward(g->second, wanted, input_grads);
      for (std::size_t i = 0; i < e.inputs.size(); ++i) {
        if (!input_grads[i] || !wanted[i]) continue;
        auto [slot, fresh] = grads.try_emplace(e.inputs[i], input_grads[i]);
        if (!fresh) slot->second = add_gradients(slot->second, input_grads[i]);
      }
    }
    // The target itself as a source: d(target)/d(target) is ones even when nothing was recorded.
    for (const auto id : sources)
      if (id == target.id() && !grads.count(id)) grads[id] = ones<T>(target.shape()).body();
    return grads;
  }

  /// a + b for two gradients of one tensor (float or double).
  static detail::body_ptr add_gradients(const detail::body_ptr& a, const detail::body_ptr& b) {
    if (a->dtype == io::DT_DOUBLE)
      return detail::execute_elementwise(op::add{}, Tensor<double>(a), Tensor<double>(b)).body();
    return detail::execute_elementwise(op::add{}, Tensor<float>(a), Tensor<float>(b)).body();
  }

  detail::tape_state m_state;
};

}  // namespace typeflow::eager

#endif
