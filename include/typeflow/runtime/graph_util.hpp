#ifndef TYPEFLOW_RUNTIME_GRAPH_UTIL_HPP
#define TYPEFLOW_RUNTIME_GRAPH_UTIL_HPP

// tf.compat.v1.graph_util: freezing a trained graph into one GraphDef of constants, as TF1's
// "PB mode" does before writing a .pb:
//
//   tf::GraphDef constant_graph =
//       tf::graph_util::convert_variables_to_constants(sess, sess.graph_def(), {"op_to_store"});
//
// Semantics as TensorFlow's graph_util_impl.py (TF-FORMATS.md 3.8): only the nodes the outputs
// need (through data and control inputs, in the graph's order); each variable they read becomes
// a Const of the same name holding the session's current value (attrs dtype and value only);
// every other node, `W/read` included, is copied as it is.

#include <cstddef>
#include <cstdint>
#include <map>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "../core/error.hpp"
#include "../io/graph_def.hpp"
#include "session.hpp"

namespace typeflow::graph_util {

namespace detail {

/// The node an input names: "x", "x:1" and "^x" all name x.
inline std::string_view input_node_name(std::string_view input) {
  if (input.starts_with('^')) input.remove_prefix(1);
  const auto colon = input.rfind(':');
  return colon == std::string_view::npos ? input : input.substr(0, colon);
}

/// A TensorProto of a variable's value, from its bytes.
inline std::string tensor_proto_of(const std::string& name, io::data_type dtype, std::span<const std::int64_t> dims,
                                   const eval::variable_bytes& v) {
  auto values = [&]<class T>(T) {
    return io::tensor_proto<T>(dims, std::span<const T>(reinterpret_cast<const T*>(v.data), v.size / sizeof(T)));
  };
  switch (dtype) {
    case io::DT_FLOAT: return values(float{});
    case io::DT_DOUBLE: return values(double{});
    case io::DT_INT32: return values(std::int32_t{});
    case io::DT_INT64: return values(std::int64_t{});
    case io::DT_BOOL: return values(bool{});
    default: throw error("convert_variables_to_constants: variable '" + name + "' has dtype " + io::dtype_name(dtype));
  }
}

}  // namespace detail

/// tf.compat.v1.graph_util.extract_sub_graph: the nodes that `dest_nodes` are computed from
/// (through data and control inputs), in the graph's order. A name that is not a node of the
/// graph is an error naming it.
inline GraphDef extract_sub_graph(const GraphDef& graph_def, const std::vector<std::string>& dest_nodes) {
  std::map<std::string_view, const io::node_def*> by_name;  // once: a lookup per input would be quadratic
  for (const auto& n : graph_def.node) by_name.emplace(n.name, &n);
  auto find = [&](std::string_view input) -> const io::node_def* {
    const auto it = by_name.find(detail::input_node_name(input));
    return it == by_name.end() ? nullptr : it->second;
  };
  std::set<std::string_view> keep;
  std::vector<const io::node_def*> pending;
  for (const auto& name : dest_nodes) {
    const io::node_def* n = find(name);
    if (!n) throw error("extract_sub_graph: '" + name + "' is not in graph");
    pending.push_back(n);
  }
  while (!pending.empty()) {
    const io::node_def* n = pending.back();
    pending.pop_back();
    if (!keep.insert(n->name).second) continue;
    for (const auto& input : n->inputs) {
      const io::node_def* in = find(input);
      if (!in) throw error("extract_sub_graph: node '" + n->name + "' reads '" + input + "', which is not in graph");
      pending.push_back(in);
    }
  }
  GraphDef out;
  out.producer = graph_def.producer;
  out.min_consumer = graph_def.min_consumer;
  out.library = graph_def.library;
  out.has_library = graph_def.has_library;
  for (const auto& n : graph_def.node)
    if (keep.count(n.name)) out.node.push_back(n);
  return out;
}

/// tf.compat.v1.graph_util.convert_variables_to_constants(sess, input_graph_def,
/// output_node_names): the subgraph the outputs need, each variable in it a Const holding its
/// value in `sess` (an uninitialized variable is an error, as running it is in TensorFlow).
inline GraphDef convert_variables_to_constants(Session& sess, const GraphDef& input_graph_def,
                                               const std::vector<std::string>& output_node_names) {
  GraphDef out = extract_sub_graph(input_graph_def, output_node_names);
  const auto& variables = get_default_graph().variables();
  for (auto& n : out.node) {
    if (n.op != "VariableV2" && n.op != "Variable") continue;
    const variable_record* record = nullptr;
    for (const auto& r : variables)
      if (r.name == n.name) record = &r;
    if (!record) throw error("convert_variables_to_constants: variable '" + n.name + "' is not in the default graph");
    const eval::variable_bytes value = record->value(sess.variable_values());
    if (!*value.initialized)
      throw error("convert_variables_to_constants: attempting to use uninitialized value " + n.name +
                  " (run tf::global_variables_initializer() or restore a checkpoint first)");
    const io::data_type dtype = io::data_type_from_name(record->dtype);
    io::node_def c{n.name, "Const", {}, {}};
    c.set_attr("dtype", io::attr::type(dtype));
    c.set_attr("value", io::attr::tensor(detail::tensor_proto_of(n.name, dtype, record->shape, value)));
    n = std::move(c);
  }
  return out;
}

}  // namespace typeflow::graph_util

#endif
