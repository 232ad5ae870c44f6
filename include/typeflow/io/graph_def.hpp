#ifndef TYPEFLOW_IO_GRAPH_DEF_HPP
#define TYPEFLOW_IO_GRAPH_DEF_HPP

// TensorFlow's graph messages, encoded and decoded by hand (field numbers from
// tensorflow/core/framework: graph.proto, node_def.proto, attr_value.proto, tensor.proto,
// tensor_shape.proto, types.proto): a GraphDef is a list of node_def, each with its op name,
// inputs ("node", "node:k", "^node") and attrs, an attr being a serialized AttrValue built by
// the functions of namespace attr (and read by attr_value.hpp). Attrs stay serialized in a
// node_def, so a GraphDef read from a file is written back with every attr as it was.

#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "../core/error.hpp"
#include "data_type.hpp"
#include "protobuf.hpp"

namespace typeflow::io {

/// The DataType of typeflow's dtype names ("float32", as in runtime/graph.hpp's records).
inline data_type data_type_from_name(std::string_view name) {
  for (int t = 1; t < detail::data_type_count; ++t)
    if (detail::data_types[t].python_name == name) return static_cast<data_type>(t);
  throw error("no TensorFlow DataType for dtype '" + std::string(name) + "'");
}

/// TensorShapeProto: `dim { size }` per dimension (-1: unknown); a scalar is an empty message.
inline std::string tensor_shape_proto(std::span<const std::int64_t> dims) {
  protobuf::writer shape;
  for (const std::int64_t d : dims) {
    protobuf::writer dim;
    if (d != 0) dim.int64_field(1, d);
    shape.message_field(2, dim);
  }
  return shape.release();
}

/// TensorProto of n values, as Python's make_tensor_proto writes it: raw bytes in
/// tensor_content for more than one value, the typed `*_val` field for one. With one value
/// and a larger shape, TensorFlow fills the tensor with it (a compact constant fill).
template <class T>
  requires(data_type_of<T> != DT_INVALID && data_type_of<T> != DT_STRING)
std::string tensor_proto(std::span<const std::int64_t> dims, std::span<const T> values) {
  protobuf::writer t;
  t.enum_field(1, data_type_of<T>);
  t.bytes_field(2, tensor_shape_proto(dims));
  if (values.size() > 1) {
    t.bytes_field(4, std::string_view(reinterpret_cast<const char*>(values.data()), values.size_bytes()));
  } else if (values.size() == 1) {
    if constexpr (std::is_same_v<T, float>) t.packed_float_field(5, values);
    else if constexpr (std::is_same_v<T, double>) t.packed_double_field(6, values);
    else if constexpr (std::is_same_v<T, std::int64_t>) t.packed_varint_field<std::int64_t>(10, values);
    else if constexpr (std::is_same_v<T, bool>) t.packed_varint_field<bool>(11, values);
    else t.packed_varint_field<T>(7, values);  // int32 (and the narrower ints)
  }
  return t.release();
}

/// A DT_STRING TensorProto (always `string_val`, one per element).
inline std::string string_tensor_proto(std::span<const std::int64_t> dims, std::span<const std::string> values) {
  protobuf::writer t;
  t.enum_field(1, DT_STRING);
  t.bytes_field(2, tensor_shape_proto(dims));
  for (const auto& v : values) t.bytes_field(8, v);
  return t.release();
}

/// AttrValue encodings; proto3 always writes the member of a oneof, even at its default.
namespace attr {
inline std::string s(std::string_view v) {
  protobuf::writer a;
  a.bytes_field(2, v);
  return a.release();
}
inline std::string i(std::int64_t v) {
  protobuf::writer a;
  a.int64_field(3, v);
  return a.release();
}
inline std::string f(float v) {
  protobuf::writer a;
  a.float_field(4, v);
  return a.release();
}
inline std::string b(bool v) {
  protobuf::writer a;
  a.bool_field(5, v);
  return a.release();
}
inline std::string type(data_type v) {
  protobuf::writer a;
  a.enum_field(6, v);
  return a.release();
}
inline std::string shape(std::span<const std::int64_t> dims) {
  protobuf::writer a;
  a.bytes_field(7, tensor_shape_proto(dims));
  return a.release();
}
inline std::string tensor(std::string_view tensor_proto_bytes) {
  protobuf::writer a;
  a.bytes_field(8, tensor_proto_bytes);
  return a.release();
}
inline std::string list_s(std::span<const std::string> values) {
  protobuf::writer list;
  for (const auto& v : values) list.bytes_field(2, v);
  protobuf::writer a;
  a.message_field(1, list);
  return a.release();
}
inline std::string list_i(std::span<const std::int64_t> values) {
  protobuf::writer list;
  if (!values.empty()) list.packed_varint_field<std::int64_t>(3, values);
  protobuf::writer a;
  a.message_field(1, list);
  return a.release();
}
inline std::string list_type(std::span<const data_type> values) {
  const std::vector<std::int32_t> ints(values.begin(), values.end());
  protobuf::writer list;
  if (!ints.empty()) list.packed_varint_field<std::int32_t>(6, ints);
  protobuf::writer a;
  a.message_field(1, list);
  return a.release();
}
}  // namespace attr

/// One NodeDef: name, op, inputs (data inputs first, then "^control" ones) and attrs.
struct node_def {
  std::string name;
  std::string op;
  std::vector<std::string> inputs;
  std::vector<std::pair<std::string, std::string>> attrs;  // name, serialized AttrValue
  /// The fields typeflow does not interpret (device, experimental_debug_info,
  /// experimental_type), serialized as read: a graph read from a file is written back whole.
  std::string other_fields = {};

  /// Sets an attr, replacing one of that name.
  void set_attr(std::string_view key, std::string value) {
    for (auto& [k, v] : attrs)
      if (k == key) {
        v = std::move(value);
        return;
      }
    attrs.emplace_back(std::string(key), std::move(value));
  }

  /// The serialized AttrValue of `key`; nullptr when the node has none.
  const std::string* find_attr(std::string_view key) const {
    for (const auto& [k, v] : attrs)
      if (k == key) return &v;
    return nullptr;
  }

  std::string serialize() const {
    protobuf::writer n;
    n.string_field(1, name);
    n.string_field(2, op);
    for (const auto& in : inputs) n.string_field(3, in);
    for (const auto& [k, v] : attrs) {  // map<string, AttrValue>: one entry message per attr
      protobuf::writer entry;
      entry.string_field(1, k);
      entry.bytes_field(2, v);
      n.message_field(5, entry);
    }
    return n.release() + other_fields;
  }

  /// Reads one serialized NodeDef (its device and debug info are kept in other_fields: typeflow
  /// runs on devices it places itself).
  static node_def parse(std::string_view bytes, const std::string& what) {
    node_def n;
    protobuf::writer other;
    protobuf::reader r(bytes, what);
    while (r.next()) {
      switch (r.field()) {
        case 1: n.name = r.read_string(); break;
        case 2: n.op = r.read_string(); break;
        case 3: n.inputs.push_back(r.read_string()); break;
        case 5: {
          auto entry = r.read_message("attr");
          std::string key, value;
          while (entry.next()) {
            if (entry.field() == 1) key = entry.read_string();
            else if (entry.field() == 2) value = entry.read_string();
          }
          n.set_attr(key, std::move(value));
          break;
        }
        case 4:
        case 6:
        case 7: other.bytes_field(r.field(), r.read_bytes()); break;
        default: r.skip();
      }
    }
    n.other_fields = other.release();
    return n;
  }
};

/// GraphDef producer version written: TF 1.5 to 1.10 wrote 26, which every later TensorFlow reads.
inline constexpr std::int32_t graph_def_producer = 26;

inline std::string serialize_graph_def(std::span<const node_def> nodes) {
  protobuf::writer g;
  for (const auto& n : nodes) g.bytes_field(1, n.serialize());
  protobuf::writer versions;
  versions.int32_field(1, graph_def_producer);
  g.message_field(4, versions);
  return g.release();
}

}  // namespace typeflow::io

namespace typeflow {

/// tensorflow::GraphDef: a graph's nodes, as `sess.graph_def()` returns it, as
/// `graph_util::convert_variables_to_constants` freezes it and as a `.pb` file stores it.
/// `node` holds the NodeDefs in order (Python's `graph_def.node`); the function library of a
/// TensorFlow file is kept as bytes and written back unchanged.
struct GraphDef {
  std::vector<io::node_def> node;
  std::int32_t producer = io::graph_def_producer;  // versions { producer min_consumer }
  std::int32_t min_consumer = 0;
  std::string library;       // a serialized FunctionDefLibrary, or empty
  bool has_library = false;  // `library {}` present though empty (TensorFlow's frozen graphs)

  /// The node named `name`; nullptr when there is none.
  const io::node_def* find(std::string_view name) const {
    for (const auto& n : node)
      if (n.name == name) return &n;
    return nullptr;
  }

  /// The binary protocol-buffer encoding, as Python's SerializeToString.
  std::string SerializeToString() const {
    io::protobuf::writer g;
    for (const auto& n : node) g.bytes_field(1, n.serialize());
    if (has_library || !library.empty()) g.bytes_field(2, library);
    io::protobuf::writer versions;
    if (producer != 0) versions.int32_field(1, producer);
    if (min_consumer != 0) versions.int32_field(2, min_consumer);
    g.message_field(4, versions);
    return g.release();
  }

  /// Replaces this graph with the one encoded in `bytes` (a `.pb` file's content). A
  /// malformed encoding is a typeflow::error saying where it broke, and leaves this unchanged.
  void ParseFromString(std::string_view bytes) { *this = parse(bytes, "GraphDef"); }

  /// The GraphDef encoded in `bytes`; `what` names it in errors (a file's path).
  static GraphDef parse(std::string_view bytes, const std::string& what) {
    GraphDef g;
    g.producer = 0;
    io::protobuf::reader r(bytes, what);
    while (r.next()) {
      switch (r.field()) {
        case 1:
          g.node.push_back(io::node_def::parse(r.read_bytes(), what + ".node[" + std::to_string(g.node.size()) + "]"));
          break;
        case 2:
          g.library = r.read_string();
          g.has_library = true;
          break;
        case 4: {
          auto v = r.read_message("versions");
          while (v.next()) {
            if (v.field() == 1) g.producer = v.read_int32();
            else if (v.field() == 2) g.min_consumer = v.read_int32();
          }
          break;
        }
        default: r.skip();
      }
    }
    return g;
  }
};

}  // namespace typeflow

#endif
