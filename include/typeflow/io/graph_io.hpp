#ifndef TYPEFLOW_IO_GRAPH_IO_HPP
#define TYPEFLOW_IO_GRAPH_IO_HPP

// GraphDef files, as tf.io.write_graph writes them (tensorflow/python/framework/graph_io.py):
// protobuf text (`.pbtxt`, the default) or binary (`.pb`), and read_graph_def, which reads
// either. Files are written atomically (io::file_transaction): a reader never sees half a graph.
//
//   tf::io::write_graph(graph_def, "logdir", "graph.pbtxt");            // text
//   tf::io::write_graph(frozen, "models", "frozen.pb", false);          // binary
//   tf::GraphDef g = tf::io::read_graph_def("models/frozen.pb");

#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>

#include "../core/error.hpp"
#include "file.hpp"
#include "file_transaction.hpp"
#include "graph_def.hpp"
#include "path.hpp"
#include "text_format.hpp"

namespace typeflow::io {

/// GraphDef text, as text_format.MessageToString(graph_def) prints it.
inline std::string graph_def_to_text(const GraphDef& g) {
  return text_format::to_text(g.SerializeToString(), text_format::schema::graph_def, "GraphDef");
}

/// The GraphDef of protobuf text; errors name `what` (a file), the line and the column.
inline GraphDef graph_def_from_text(std::string_view text, const std::string& what = "GraphDef text") {
  return GraphDef::parse(text_format::to_binary(text, text_format::schema::graph_def, what), what);
}

/// tf.io.write_graph: writes `graph_def` to `logdir/name` (creating logdir), as text by
/// default, else binary; returns the path written.
inline std::string write_graph(const GraphDef& graph_def, const std::string& logdir, const std::string& name,
                               bool as_text = true) {
  const std::string file = path::join(logdir, name);
  if (!logdir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(logdir, ec);
    if (ec) throw error("tf::io::write_graph: cannot create directory " + logdir + ": " + ec.message());
  }
  file_transaction t;
  t.write(file, as_text ? graph_def_to_text(graph_def) : graph_def.SerializeToString(), true);
  t.commit();
  return file;
}

namespace detail {
/// Whether bytes can be protobuf text: no control characters but whitespace (text-format
/// strings escape theirs), while a binary GraphDef starts with a tag and a length.
inline bool looks_like_text(std::string_view s) {
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != '\v' && c != '\f') return false;
  }
  return true;
}
}  // namespace detail

/// A GraphDef file of either format: binary if the bytes are a GraphDef of the text-format
/// schema, else text if they look like text, else binary read leniently (a function library
/// kept as bytes). Errors name the file and, for text, the line and column; for binary, the
/// message and field where it broke.
inline GraphDef read_graph_def(const std::string& file) {
  const std::string bytes = read_file(file);
  try {
    text_format::check(bytes, text_format::schema::graph_def, file);
    return GraphDef::parse(bytes, file);
  } catch (const error&) {
    if (!detail::looks_like_text(bytes)) return GraphDef::parse(bytes, file);
  }
  return graph_def_from_text(bytes, file);
}

}  // namespace typeflow::io

#endif
