#ifndef TYPEFLOW_EAGER_SAVER_HPP
#define TYPEFLOW_EAGER_SAVER_HPP

// tfe::Saver: checkpoints of eager variables (TF1's tfe.Saver, tf.compat.v1.train.Saver(var_list)
// in eager mode), in the files graph mode writes: the V2 bundle (.index, .data-00000-of-00001)
// and the `checkpoint` state, keyed by the variables' names, so that TensorFlow reads them
// (tf.train.load_checkpoint) and tf::train::latest_checkpoint finds them.
//
//   tfe::Saver saver(w, b);                        // or saver({w, b}) of one dtype
//   saver.save("ckpt/model", step);                // ckpt/model-<step>.*
//   saver.restore(tf::train::latest_checkpoint("ckpt"));
//
// It is tf::train::Saver with records that read and write the eager variables (so the files,
// max_to_keep and the atomic save are the same code).

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "../runtime/graph.hpp"
#include "../runtime/train/saver.hpp"
#include "variable.hpp"

namespace typeflow::eager {

class Saver {
 public:
  /// Saves and restores `variables` (of any dtypes), by their names.
  template <dtype... T>
  explicit Saver(const Variable<T>&... variables) : Saver(train::saver_options{}, variables...) {}
  template <dtype... T>
  explicit Saver(train::saver_options options, const Variable<T>&... variables)
      : m_saver({record_of(variables)...}, std::move(options), train::Saver::eager_variables_t{}) {}

  /// Writes `save_path-global_step` (or `save_path`) and updates `checkpoint`; returns the prefix.
  std::string save(const std::string& save_path, std::optional<std::int64_t> global_step = std::nullopt) {
    return m_saver.save(save_path, global_step);
  }
  /// Restores every variable; a missing tensor, another dtype or shape is an error naming it,
  /// and then no variable changes.
  void restore(const std::string& prefix) { m_saver.restore(prefix); }
  void restore(const char* prefix) { m_saver.restore(std::string(prefix)); }
  void restore(const std::optional<std::string>& prefix) { m_saver.restore(prefix); }

  /// The checkpoints not yet deleted, oldest first.
  std::vector<std::string> last_checkpoints() const { return m_saver.last_checkpoints(); }

 private:
  template <dtype T>
  static variable_record record_of(const Variable<T>& v) {
    variable_record r;
    r.name = v.name();
    r.dtype = std::string(dtype_name<T>());
    for (const auto d : v.shape()) r.shape.push_back(static_cast<std::int64_t>(d));
    // The store is graph mode's; an eager variable holds its own values.
    r.value = [v = Variable<T>(v)](eval::variable_store&) mutable {
      static bool initialized = true;  // an eager variable is initialised when it is made
      return eval::variable_bytes{reinterpret_cast<std::byte*>(v.mutable_values()), v.size() * sizeof(T), &initialized};
    };
    return r;
  }

  train::Saver m_saver;
};

}  // namespace typeflow::eager

#endif
