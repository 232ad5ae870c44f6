#ifndef TYPEFLOW_RUNTIME_SUMMARY_WRITER_HPP
#define TYPEFLOW_RUNTIME_SUMMARY_WRITER_HPP

// tf.summary.FileWriter (TF1): an event file in a log directory that TensorBoard reads
// (`tensorboard --logdir logs`), with the graph and the summaries a training loop fetches:
//
//   tf::summary::FileWriter writer("logs/train", sess.graph());
//   auto [s, _] = sess.run(tf::fetch(merged, train), feeds...);
//   writer.add_summary(s, step);
//
// Writes are buffered (io/event_file.hpp says when they reach the file); flush(), close() and
// the destructor write what is left. Each writer has its own file, so a program may keep
// several (a train and a test run, each in its own directory).

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "../io/event_file.hpp"
#include "graph.hpp"
#include "graph_export.hpp"

namespace typeflow::summary {

/// FileWriter's optional arguments, as TF1's keyword arguments: `{.flush_secs = 10}`.
struct FileWriterOptions {
  std::size_t max_queue = 10;  // events buffered before they are written to the file
  double flush_secs = 120;     // seconds after which buffered events are written
  std::string filename_suffix = {};
};

class FileWriter {
 public:
  explicit FileWriter(std::string logdir, FileWriterOptions options = {})
      : m_logdir(std::move(logdir)),
        m_file(m_logdir, {options.max_queue == 0 ? 1 : options.max_queue, options.flush_secs,
                          std::move(options.filename_suffix)}) {}

  /// FileWriter(logdir, sess.graph()): the graph shows in TensorBoard's graph dashboard.
  FileWriter(std::string logdir, const Graph& graph, FileWriterOptions options = {})
      : FileWriter(std::move(logdir), std::move(options)) {
    add_graph(graph);
  }

  /// A serialized Summary (a summary node's fetched value) at `step`.
  void add_summary(std::string_view summary, std::int64_t step = 0) {
    m_file.add(io::events::wall_time_now(), step, io::events::event_field::summary, summary);
  }

  /// The graph's GraphDef (runtime/graph_export.hpp: its variables and named nodes).
  void add_graph(const Graph& graph, std::int64_t step = 0) { add_graph(as_graph_def(graph), step); }
  void add_graph(const GraphDef& graph_def, std::int64_t step = 0) {
    m_file.add(io::events::wall_time_now(), step, io::events::event_field::graph_def, graph_def.SerializeToString());
    m_file.flush();  // as TF's: the graph is on disk before training starts
  }

  /// Writes buffered events to the file, and the file to the disk.
  void flush() { m_file.flush(); }
  /// Flushes and closes; later add_* calls are errors.
  void close() { m_file.close(); }

  const std::string& get_logdir() const { return m_logdir; }
  /// The event file's path.
  const std::string& path() const { return m_file.path(); }

 private:
  std::string m_logdir;
  io::events::event_file_writer m_file;
};

}  // namespace typeflow::summary

#endif
