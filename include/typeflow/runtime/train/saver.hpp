#ifndef TYPEFLOW_RUNTIME_TRAIN_SAVER_HPP
#define TYPEFLOW_RUNTIME_TRAIN_SAVER_HPP

// tf.train.Saver (TF 1.x) and tf.train.latest_checkpoint, with TensorFlow's files:
//
//   tf::train::Saver saver({.max_to_keep = 5, .outputs = {{"y", y}}});
//   saver.save(sess, "ckpt/model", 1000);   // ckpt/model-1000.{index,data-00000-of-00001,meta}
//   saver.restore(sess, tf::train::latest_checkpoint("ckpt"));
//
// A save writes the V2 bundle (.index, .data-00000-of-00001), the MetaGraphDef (.meta) and
// the new `checkpoint` under temporary names, fsyncs them, then renames them into place as
// one io::file_transaction, `checkpoint` last: a process killed at any point leaves
// `checkpoint` naming a complete checkpoint, and a save that fails (a full disk, a read-only
// directory) throws an error naming the file and leaves every file as it was, the previous
// checkpoint of the same name included. Only then are old checkpoints deleted, by TF's
// max_to_keep / keep_checkpoint_every_n_hours rules.
// A restore reads and checks every tensor before it assigns any: all or nothing.

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <system_error>
#include <type_traits>
#include <utility>
#include <vector>

#include "../../core/error.hpp"
#include "../../core/shape.hpp"
#include "../../io/bundle_reader.hpp"
#include "../../io/bundle_writer.hpp"
#include "../../io/checkpoint_state.hpp"
#include "../../io/data_type.hpp"
#include "../../io/file.hpp"
#include "../../io/file_transaction.hpp"
#include "../../io/graph_def.hpp"
#include "../../io/meta_graph.hpp"
#include "../../io/path.hpp"
#include "../graph.hpp"
#include "../session.hpp"
#include "gradient_descent.hpp"

namespace typeflow::train {

/// A model output named in the .meta, so that TensorFlow can fetch it by that name:
/// `.outputs = {{"y", y}}` makes the node computing y `y` (fetched as "y:0").
class named_output {
 public:
  template <tensor_node N>
  named_output(std::string name, const N& node)
      : m_name(std::move(name)),
        m_placeholders(io::placeholder_names(node)),
        m_export([node](io::graph_exporter& g, const std::string& name) { g.add_output(name, node); }) {}

  const std::string& name() const { return m_name; }
  const std::vector<std::string>& placeholders() const { return m_placeholders; }
  void export_to(io::graph_exporter& g) const { m_export(g, m_name); }

 private:
  std::string m_name;
  std::vector<std::string> m_placeholders;
  std::function<void(io::graph_exporter&, const std::string&)> m_export;
};

/// The variables a Saver saves and restores: `tf::var_list(W, b)` or their names; empty
/// (the default) means every variable declared so far, as TF's global variables.
class saver_var_list {
 public:
  saver_var_list() = default;
  template <class... V>
  saver_var_list(var_list_t<V...>) : m_names(std::vector<std::string>{std::string(V::name_type::view())...}) {}
  saver_var_list(std::vector<std::string> names) : m_names(std::move(names)) {}
  saver_var_list(std::initializer_list<std::string> names) : m_names(names) {}

  const std::optional<std::vector<std::string>>& names() const { return m_names; }

 private:
  std::optional<std::vector<std::string>> m_names;
};

/// The arguments of tf.train.Saver(...), with TF's defaults, plus the outputs named in the .meta.
struct saver_options {
  saver_var_list var_list{};
  int max_to_keep = 5;                             // 0: keep every checkpoint
  double keep_checkpoint_every_n_hours = 10000.0;  // also keep one checkpoint per this many hours
  std::vector<named_output> outputs{};             // model outputs TensorFlow can fetch by name
  std::function<double()> clock{};                 // seconds since the epoch (tests replace it)
};

/// The optional arguments of Saver::save, as TF's.
struct save_options {
  bool write_meta_graph = true;
  bool write_state = true;  // update the `checkpoint` file (and delete old checkpoints)
  std::string latest_filename = "checkpoint";
};

namespace saver_detail {

inline double now_seconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

inline bool exists(const std::string& path) {
  std::error_code ec;
  return std::filesystem::exists(path, ec);
}

/// Files a killed save left behind in dir: `<base>...tempstate<n>` (and the state file's).
inline void remove_stale_temporaries(const std::string& dir, const std::string& base, const std::string& state_name) {
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir.empty() ? "." : dir, ec)) {
    const std::string name = e.path().filename().string();
    if (name.find(".tempstate") == std::string::npos) continue;
    if (name.starts_with(base + ".") || name.starts_with(base + "-") || name.starts_with(state_name + "."))
      std::filesystem::remove(e.path(), ec);
  }
}

/// TF's remove_checkpoint for V2: prefix.meta, prefix.index and prefix.data-?????-of-?????.
inline void remove_checkpoint(const std::string& prefix, const std::string& meta_suffix = "meta") {
  std::error_code ec;
  std::filesystem::remove(prefix + "." + meta_suffix, ec);
  std::filesystem::remove(prefix + ".index", ec);
  const std::string dir = io::path::dirname(prefix);
  const std::string data = io::path::basename(prefix) + ".data-";
  for (const auto& e : std::filesystem::directory_iterator(dir.empty() ? "." : dir, ec)) {
    const std::string name = e.path().filename().string();
    // ?????-of-?????: 5 characters, "-of-", 5 characters
    if (name.size() == data.size() + 14 && name.starts_with(data) && name.compare(data.size() + 5, 4, "-of-") == 0)
      std::filesystem::remove(e.path(), ec);
  }
}

}  // namespace saver_detail

/// tf.train.get_checkpoint_state(dir): the `checkpoint` file's content, with relative paths
/// joined to dir; nullopt when there is no such file. A malformed file is an error (TF logs it).
inline std::optional<io::checkpoint_state> get_checkpoint_state(const std::string& checkpoint_dir,
                                                                const std::string& latest_filename = "checkpoint") {
  const std::string file = io::path::join(checkpoint_dir, latest_filename);
  if (!saver_detail::exists(file)) return std::nullopt;
  io::checkpoint_state s;
  try {
    s = io::parse_checkpoint_state(io::read_file(file));
  } catch (const error& e) {
    throw error(file + ": " + e.what());
  }
  if (s.model_checkpoint_path.empty()) throw error("Invalid checkpoint state loaded from " + checkpoint_dir);
  s.model_checkpoint_path = io::path::join(checkpoint_dir, s.model_checkpoint_path);
  for (auto& p : s.all_model_checkpoint_paths) p = io::path::join(checkpoint_dir, p);
  return s;
}

/// tf.train.latest_checkpoint(dir): the newest checkpoint's prefix, or nullopt when the
/// directory has no `checkpoint` file or the checkpoint it names does not exist.
inline std::optional<std::string> latest_checkpoint(const std::string& checkpoint_dir,
                                                    const std::string& latest_filename = "checkpoint") {
  const auto state = get_checkpoint_state(checkpoint_dir, latest_filename);
  if (!state) return std::nullopt;
  const std::string& p = state->model_checkpoint_path;
  if (saver_detail::exists(p + ".index") || saver_detail::exists(p)) return p;
  return std::nullopt;
}

/// tf.train.Saver: saves and restores variables in TensorFlow's V2 checkpoint format.
class Saver {
 public:
  explicit Saver(saver_options options = {}) : m_options(std::move(options)) {
    if (!m_options.clock) m_options.clock = saver_detail::now_seconds;
    if (m_options.max_to_keep < 0) throw error("tf::train::Saver: max_to_keep must be >= 0");
    const auto& all = get_default_graph().variables();
    if (const auto& names = m_options.var_list.names()) {
      for (const auto& name : *names) {
        const auto it = std::find_if(all.begin(), all.end(), [&](const auto& r) { return r.name == name; });
        if (it == all.end()) throw error("tf::train::Saver: no variable named '" + name + "' has been declared");
        if (std::any_of(m_vars.begin(), m_vars.end(), [&](const auto& r) { return r.name == name; }))
          throw error("tf::train::Saver: variable '" + name + "' is in var_list twice");
        m_vars.push_back(*it);
      }
    } else {
      m_vars = all;
    }
    if (m_vars.empty()) throw error("tf::train::Saver: no variables to save");
    std::sort(m_vars.begin(), m_vars.end(), [](const auto& a, const auto& b) { return a.name.compare(b.name) < 0; });
    m_next_checkpoint_time = m_options.clock() + m_options.keep_checkpoint_every_n_hours * 3600;
    m_meta_graph = build_meta_graph();
  }

  /// A Saver of eager variables (tfe::Saver, eager/saver.hpp makes the records): each record
  /// reads and writes its variable's own values, whatever store it is given. It writes no
  /// .meta, as TF's eager Saver writes none: an eager program has no graph to store.
  struct eager_variables_t {};
  Saver(std::vector<variable_record> variables, saver_options options, eager_variables_t)
      : m_options(std::move(options)), m_vars(std::move(variables)), m_eager(true) {
    if (!m_options.clock) m_options.clock = saver_detail::now_seconds;
    if (m_options.max_to_keep < 0) throw error("tf::train::Saver: max_to_keep must be >= 0");
    if (m_vars.empty()) throw error("tf::train::Saver: no variables to save");
    std::sort(m_vars.begin(), m_vars.end(), [](const auto& a, const auto& b) { return a.name.compare(b.name) < 0; });
    for (std::size_t i = 1; i < m_vars.size(); ++i)
      if (m_vars[i].name == m_vars[i - 1].name)
        throw error("tf::train::Saver: two variables are named '" + m_vars[i].name + "'");
    m_next_checkpoint_time = m_options.clock() + m_options.keep_checkpoint_every_n_hours * 3600;
  }

  /// Saves the variables to `save_path-global_step` (or `save_path`), writes the .meta and
  /// updates `checkpoint`; returns the checkpoint's prefix.
  std::string save(Session& sess, const std::string& save_path, std::optional<std::int64_t> global_step = std::nullopt,
                   const save_options& options = {}) {
    return save_from(sess.variable_values(), save_path, global_step, options);
  }
  /// An eager Saver's save (its variables hold their values; there is no Session).
  std::string save(const std::string& save_path, std::optional<std::int64_t> global_step = std::nullopt,
                   const save_options& options = {}) {
    return save_from(eager_store(), save_path, global_step, options);
  }

 private:
  std::string save_from(eval::variable_store& store, const std::string& save_path,
                        std::optional<std::int64_t> global_step, const save_options& options) {
    const std::string prefix = global_step ? save_path + "-" + std::to_string(*global_step) : save_path;
    const std::string dir = io::path::dirname(save_path);
    if (options.latest_filename.empty() || options.latest_filename.find('/') != std::string::npos)
      throw error("tf::train::Saver::save: latest_filename must be a file name, got '" + options.latest_filename + "'");
    if (options.write_state &&
        io::path::normpath(prefix) == io::path::normpath(io::path::join(dir, options.latest_filename)))
      throw error("tf::train::Saver::save: save path '" + prefix + "' conflicts with the checkpoint state file");
    if (!dir.empty() && !std::filesystem::is_directory(dir))
      throw error("Parent directory of " + save_path + " doesn't exist, can't save.");
    saver_detail::remove_stale_temporaries(dir, io::path::basename(save_path), options.latest_filename);

    io::file_transaction files = [&] {
      io::bundle_writer w(prefix, {.sync = true});
      for (const auto& v : m_vars) {  // sorted by name: data in key order, as TF's SaveV2
        const eval::variable_bytes b = v.value(store);
        if (!*b.initialized)
          throw error("FailedPrecondition: attempting to use uninitialized value " + v.name + " (saving " + prefix +
                      ")");
        w.add(v.name, io::data_type_from_name(v.dtype), v.shape, std::span<const std::byte>(b.data, b.size));
      }
      return w.finish_staged();
    }();
    if (options.write_meta_graph && !m_eager) files.write(prefix + ".meta", m_meta_graph, true);
    // The bookkeeping changes only once the files are in place: a failed save leaves the
    // Saver as it was, and deletes nothing.
    std::vector<recorded> last = m_last_checkpoints, to_delete = m_to_delete;
    if (options.write_state) {
      record_last_checkpoint(last, to_delete, prefix);
      files.write(io::path::join(dir, options.latest_filename), checkpoint_state_text(dir, prefix, last), true);
    }
    files.commit();
    io::sync_directory(dir);

    if (options.write_state) {
      m_last_checkpoints = std::move(last);
      m_to_delete = std::move(to_delete);
      maybe_delete_old_checkpoints();
    }
    return prefix;
  }

  /// The store an eager Saver's records are given (and ignore); a graph Saver has no use for
  /// a save without its Session.
  eval::variable_store& eager_store() const {
    if (!m_eager)
      throw error("tf::train::Saver: save and restore need the Session that holds the variables: "
                  "saver.save(sess, path), saver.restore(sess, prefix)");
    static eval::variable_store none;
    return none;
  }

 public:
  /// save(sess, path, global_step_variable): the step is the variable's value, as in TF.
  // clang-format off
  template <tensor_node V>
    requires(is_variable_v<V> && std::is_integral_v<value_t<V>> && rank_v<V> == 0)
  // clang-format on
  std::string save(Session& sess, const std::string& save_path, const V& global_step,
                   const save_options& options = {}) {
    return save(sess, save_path, static_cast<std::int64_t>(sess.run(global_step)()), options);
  }

  /// Restores every variable of the Saver from checkpoint `prefix`; a missing tensor, another
  /// dtype or shape is an error naming the tensor, and then no variable changes.
  void restore(Session& sess, const std::string& prefix) { restore_into(sess.variable_values(), prefix); }
  /// An eager Saver's restore.
  void restore(const std::string& prefix) { restore_into(eager_store(), prefix); }
  void restore(const char* prefix) { restore(std::string(prefix)); }
  void restore(const std::optional<std::string>& prefix) {
    if (!prefix) throw error("tf::train::Saver::restore: no checkpoint was found (latest_checkpoint returned none)");
    restore(*prefix);
  }

 private:
  void restore_into(eval::variable_store& store, const std::string& prefix) {
    if (!saver_detail::exists(io::index_filename(prefix)))
      throw error("tf::train::Saver::restore: the passed save_path is not a valid checkpoint: " + prefix);
    const io::bundle_reader reader(prefix);
    std::vector<std::unique_ptr<std::byte[]>> staged;
    for (const auto& v : m_vars) {
      // TF1 keys are variable names; TF2's object-based checkpoints (tf.train.Checkpoint) keep
      // a variable `a` under `a/.ATTRIBUTES/VARIABLE_VALUE`.
      std::string key = v.name;
      if (!reader.contains(key)) key += "/.ATTRIBUTES/VARIABLE_VALUE";
      if (!reader.contains(key)) throw error("NotFound: Key " + v.name + " not found in checkpoint " + prefix);
      const io::bundle_entry& e = reader.entry(key);
      const io::data_type want = io::data_type_from_name(v.dtype);
      if (e.dtype != want)
        throw error("InvalidArgument: tensor '" + v.name + "' in checkpoint " + prefix + " has dtype " +
                    io::dtype_name(e.dtype) + ", the variable is " + v.dtype);
      if (e.shape != v.shape)
        throw error("InvalidArgument: tensor '" + v.name + "' in checkpoint " + prefix + " has shape " +
                    shape_string(e.shape) + ", the variable " + shape_string(v.shape));
      reader.check_extent(key);  // before allocating what the index claims
      const auto size = static_cast<std::size_t>(e.size);
      staged.emplace_back(new std::byte[size == 0 ? 1 : size]);
      reader.read(key, std::span<std::byte>(staged.back().get(), size));
    }
    for (std::size_t i = 0; i < m_vars.size(); ++i) {
      const eval::variable_bytes b = m_vars[i].value(store);
      if (b.size) std::memcpy(b.data, staged[i].get(), b.size);  // an empty tensor may have no buffer
      *b.initialized = true;
    }
  }

 public:
  void restore(Session& sess, const char* prefix) { restore(sess, std::string(prefix)); }

  /// restore(sess, tf::train::latest_checkpoint(dir)): an empty optional is an error.
  void restore(Session& sess, const std::optional<std::string>& prefix) {
    if (!prefix) throw error("tf::train::Saver::restore: no checkpoint was found (latest_checkpoint returned none)");
    restore(sess, *prefix);
  }

  /// The checkpoints not yet deleted, oldest first (TF's Saver.last_checkpoints).
  std::vector<std::string> last_checkpoints() const {
    std::vector<std::string> out;
    for (const auto& c : m_last_checkpoints) out.push_back(c.path);
    return out;
  }

  /// The serialized MetaGraphDef written to each `.meta`.
  const std::string& meta_graph() const { return m_meta_graph; }

 private:
  struct recorded {
    std::string path;
    double time;
  };

  /// The default graph (its variables and named nodes), the outputs named in the options (but
  /// one that a named node already names: that node is exported under it) and the Saver's nodes.
  std::string build_meta_graph() const {
    const Graph& graph = get_default_graph();
    auto named = [&](const std::string& name) {
      for (const auto& n : graph.named_nodes())
        if (n.name == name) return true;
      return false;
    };
    io::graph_exporter g;
    for (const auto& o : m_options.outputs) {
      g.reserve_name(o.name());
      for (const auto& p : o.placeholders()) g.reserve_name(p);
    }
    export_graph(graph, g);
    for (const auto& o : m_options.outputs)
      if (!named(o.name())) o.export_to(g);
    std::vector<io::variable_info> saved;
    for (const auto& r : m_vars) saved.push_back(variable_info_of(r));
    const std::string saver_def = io::add_saver_nodes(
        g, saved, {m_options.max_to_keep, static_cast<float>(m_options.keep_checkpoint_every_n_hours)});
    return io::serialize_meta_graph(g, saver_def);
  }

  // TF's Saver._RecordLastCheckpoint and _MaybeDeleteOldCheckpoints (TF-FORMATS.md 2.3),
  // the first on copies of the lists, which a save keeps once its files are in place.
  void record_last_checkpoint(std::vector<recorded>& last, std::vector<recorded>& to_delete,
                              const std::string& path) const {
    if (m_options.max_to_keep == 0) return;
    std::erase_if(last, [&](const recorded& c) { return c.path == path; });
    last.push_back({path, m_options.clock()});
    if (last.size() > static_cast<std::size_t>(m_options.max_to_keep)) {
      to_delete.push_back(last.front());
      last.erase(last.begin());
    }
  }

  void maybe_delete_old_checkpoints() {
    if (m_to_delete.empty()) return;
    const recorded c = m_to_delete.front();
    m_to_delete.erase(m_to_delete.begin());
    if (c.time > m_next_checkpoint_time) {  // preserved: one every keep_checkpoint_every_n_hours
      m_next_checkpoint_time += m_options.keep_checkpoint_every_n_hours * 3600;
      return;
    }
    saver_detail::remove_checkpoint(c.path);
  }

  /// The `checkpoint` file as TF's update_checkpoint_state_internal writes it with
  /// save_relative_paths=False: paths as given, but relative to the save directory when that
  /// directory is relative.
  static std::string checkpoint_state_text(const std::string& dir, const std::string& prefix,
                                           const std::vector<recorded>& last) {
    io::checkpoint_state s;
    s.model_checkpoint_path = prefix;
    for (const auto& c : last) s.all_model_checkpoint_paths.push_back(c.path);
    if (s.all_model_checkpoint_paths.empty() || s.all_model_checkpoint_paths.back() != prefix)
      s.all_model_checkpoint_paths.push_back(prefix);
    if (!io::path::is_absolute(dir)) {
      auto rel = [&](std::string& p) {
        if (!io::path::is_absolute(p)) p = io::path::relpath(p, dir);
      };
      rel(s.model_checkpoint_path);
      for (auto& p : s.all_model_checkpoint_paths) rel(p);
    }
    return io::to_text(s);
  }

  saver_options m_options;
  std::vector<variable_record> m_vars;  // sorted by name
  std::vector<recorded> m_last_checkpoints;
  std::vector<recorded> m_to_delete;
  double m_next_checkpoint_time = 0;
  std::string m_meta_graph;
  bool m_eager = false;
};

}  // namespace typeflow::train

#endif
