#ifndef TYPEFLOW_IO_CHECKPOINT_STATE_HPP
#define TYPEFLOW_IO_CHECKPOINT_STATE_HPP

// The `checkpoint` file of a checkpoint directory: a CheckpointState proto in protobuf's text
// format, as TensorFlow writes it (tensorflow/python/training/checkpoint_state.proto):
//
//   model_checkpoint_path: "model-200"
//   all_model_checkpoint_paths: "model-100"
//   all_model_checkpoint_paths: "model-200"
//
// The parser takes what protobuf's text format allows for these fields (any order, comments,
// `:` optional before a message, adjacent string literals joined, C escapes, numbers in any
// float syntax), skips nothing it does not know (an unknown field is an error, as in TF) and
// throws typeflow::error on any malformed input: it reads files others wrote.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "../core/error.hpp"
#include "text_scanner.hpp"

namespace typeflow::io {

struct checkpoint_state {
  std::string model_checkpoint_path;                    // field 1: the newest prefix
  std::vector<std::string> all_model_checkpoint_paths;  // field 2: kept prefixes, oldest first
  std::vector<double> all_model_checkpoint_timestamps;  // field 3 (tf.train.CheckpointManager only)
  double last_preserved_timestamp = 0;                  // field 4 (idem)
};

namespace detail {

/// The text format of CheckpointState, on io::text_scanner.
inline checkpoint_state parse_state(std::string_view text) {
  checkpoint_state s;
  text_scanner in(text, "checkpoint state");
  for (in.skip_space(); !in.at_end();) {
    const std::size_t at = in.pos();
    const std::string_view field = in.identifier();
    in.expect(':', "after '" + std::string(field) + "'");
    if (field == "model_checkpoint_path") {
      s.model_checkpoint_path = in.string_value();  // a repeated scalar: the last one wins
    } else if (field == "all_model_checkpoint_paths") {
      in.list([&] { s.all_model_checkpoint_paths.push_back(in.string_value()); });
    } else if (field == "all_model_checkpoint_timestamps") {
      in.list([&] { s.all_model_checkpoint_timestamps.push_back(in.number()); });
    } else if (field == "last_preserved_timestamp") {
      s.last_preserved_timestamp = in.number();
    } else {
      in.fail_at(at, "unknown field '" + std::string(field) + "'");
    }
    if (!in.try_consume(',')) in.try_consume(';');
  }
  return s;
}

}  // namespace detail

/// The text of a `checkpoint` file, as TensorFlow's text_format.MessageToString writes it.
inline std::string to_text(const checkpoint_state& s) {
  std::string out = "model_checkpoint_path: \"" + c_escape(s.model_checkpoint_path) + "\"\n";
  for (const auto& p : s.all_model_checkpoint_paths) out += "all_model_checkpoint_paths: \"" + c_escape(p) + "\"\n";
  for (double t : s.all_model_checkpoint_timestamps)
    out += "all_model_checkpoint_timestamps: " + format_double(t) + "\n";
  if (s.last_preserved_timestamp != 0)
    out += "last_preserved_timestamp: " + format_double(s.last_preserved_timestamp) + "\n";
  return out;
}

/// Parses the text of a `checkpoint` file; throws typeflow::error naming the line on bad input.
inline checkpoint_state parse_checkpoint_state(std::string_view text) { return detail::parse_state(text); }

}  // namespace typeflow::io

#endif
