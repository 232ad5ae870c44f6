#ifndef TYPEFLOW_EAGER_RECORDING_HPP
#define TYPEFLOW_EAGER_RECORDING_HPP

// What a GradientTape records, and where: each thread has a stack of live tapes; an eager op
// whose differentiable operand a recording tape tracks (a watched tensor, a trainable
// variable's value, or the result of an op that tape recorded) is added to that tape as one
// entry, shared by every tape that records it (nested tapes: the outer one records the inner
// one's gradient computation too, which gives second derivatives).

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <unordered_set>
#include <vector>

#include "tensor.hpp"

namespace typeflow::eager::detail {

/// One recorded op: its operands' ids and how their gradients follow from its result's.
struct tape_entry {
  std::uint64_t output = 0;
  std::vector<std::uint64_t> inputs;  // 0 where the operand takes no gradient

  virtual ~tape_entry() = default;
  /// The gradients of the operands marked in `wanted` (the others stay null) given g, the
  /// result's gradient: a tape asks only for those it tracks (no gradient for a matmul's data).
  virtual void backward(const body_ptr& g, std::span<const char> wanted, std::span<body_ptr> input_grads) const = 0;
};

/// A tape's state (GradientTape holds one).
struct tape_state {
  bool persistent = false;
  bool recording = true;
  bool used = false;                          // a non-persistent tape's gradient was taken
  std::unordered_set<std::uint64_t> tracked;  // watched tensors and recorded results
  std::vector<std::shared_ptr<const tape_entry>> entries;
};

/// This thread's live tapes, innermost last.
inline std::vector<tape_state*>& tape_stack() {
  thread_local std::vector<tape_state*> stack;
  return stack;
}

/// Whether any tape of this thread records now (the hot path of an op without tapes).
inline bool any_recording() {
  for (const tape_state* t : tape_stack())
    if (t->recording) return true;
  return false;
}

/// Whether a recording tape tracks tensor `id`.
inline bool tracked_by_any(std::uint64_t id) {
  for (const tape_state* t : tape_stack())
    if (t->recording && t->tracked.count(id)) return true;
  return false;
}

/// Adds the entry that `make()` creates (once) to every recording tape that tracks an input.
template <class Make>
void record(std::span<const std::uint64_t> inputs, std::uint64_t output, Make&& make) {
  std::shared_ptr<const tape_entry> entry;
  for (tape_state* t : tape_stack()) {
    if (!t->recording) continue;
    bool tracks = false;
    for (const auto id : inputs) tracks = tracks || (id != 0 && t->tracked.count(id));
    if (!tracks) continue;
    if (!entry) entry = make();
    t->entries.push_back(entry);
    t->tracked.insert(output);
  }
}

/// A trainable variable's value was read: recording tapes watch it, as TF's do.
inline void variable_read(std::uint64_t id) {
  for (tape_state* t : tape_stack())
    if (t->recording) t->tracked.insert(id);
}

}  // namespace typeflow::eager::detail

#endif
