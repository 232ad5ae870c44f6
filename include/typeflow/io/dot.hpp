#ifndef TYPEFLOW_IO_DOT_HPP
#define TYPEFLOW_IO_DOT_HPP

// A GraphDef as Graphviz DOT, a picture of a graph without TensorBoard:
//
//   tf::io::write_dot(sess.graph_def(), "graph.dot");   // then: dot -Tsvg graph.dot -o graph.svg
//
// One box per node: its name, op, dtype and shape where the GraphDef says them (a placeholder's
// or variable's shape attr, a constant's value; TensorFlow records no other shapes). Edges run
// from input to consumer, dashed for control inputs. Nodes of one name scope (`w/Assign`,
// `w/read`, ... under `w`) are drawn in a cluster of that name, as TensorBoard groups them.

#include <fstream>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "../core/error.hpp"
#include "attr_value.hpp"
#include "data_type.hpp"
#include "graph_def.hpp"

namespace typeflow::io {

namespace detail {

/// s quoted for DOT: backslashes and quotes escaped, a newline as DOT's line break `\n`.
inline std::string dot_quote(std::string_view s) {
  std::string q = "\"";
  for (const char c : s) {
    if (c == '\n') q += "\\n";
    else if (c == '"' || c == '\\') q += {'\\', c};
    else q += c;
  }
  return q + '"';
}

/// "[2,-1]"-style dims as TensorFlow prints them ("?" for an unknown dim, "<unknown>" rank).
inline std::string dims_text(const tensor_shape& s) {
  if (s.unknown_rank) return "<unknown>";
  std::string t = "[";
  for (std::size_t i = 0; i < s.dims.size(); ++i)
    t += (i ? "," : "") + (s.dims[i] < 0 ? std::string("?") : std::to_string(s.dims[i]));
  return t + "]";
}

/// The node's dtype and shape, as far as its attrs tell.
inline std::string node_type_text(const node_def& n) {
  std::string dtype, shape;
  for (const char* key : {"dtype", "T", "DstT"})
    if (const std::string* a = n.find_attr(key); a && dtype.empty()) {
      const attr_value v = parse_attr_value(*a, n.name + "." + key);
      if (v.k == attr_value::kind::type) dtype = dtype_name(v.type);
    }
  if (const std::string* a = n.find_attr("shape")) {
    const attr_value v = parse_attr_value(*a, n.name + ".shape");
    if (v.k == attr_value::kind::shape) shape = dims_text(v.shape);
  } else if (const std::string* a = n.find_attr("value")) {
    const attr_value v = parse_attr_value(*a, n.name + ".value");
    if (v.k == attr_value::kind::tensor) {
      for (protobuf::reader r(v.tensor, n.name + ".value"); r.next();) {
        if (r.field() == 2) shape = dims_text(parse_tensor_shape(r.read_bytes(), n.name + ".value.tensor_shape"));
        else r.skip();
      }
    }
  }
  return dtype + (dtype.empty() || shape.empty() ? "" : " ") + shape;
}

}  // namespace detail

/// The DOT text of a GraphDef (see this header's comment).
inline std::string to_dot(const GraphDef& graph, std::string_view title = "typeflow") {
  std::map<std::string, std::vector<const node_def*>> scopes;  // "" : nodes outside any scope
  for (const auto& n : graph.node) {
    const auto slash = n.name.find('/');
    scopes[slash == std::string::npos ? "" : n.name.substr(0, slash)].push_back(&n);
  }
  std::string out = "digraph " + detail::dot_quote(title) + " {\n  rankdir=BT;\n  node [shape=box, fontsize=10];\n";
  int cluster = 0;
  for (const auto& [scope, nodes] : scopes) {
    const bool boxed = !scope.empty();
    if (boxed)
      out += "  subgraph cluster_" + std::to_string(cluster++) + " {\n    label=" + detail::dot_quote(scope) +
             "; style=rounded; color=gray60;\n";
    for (const node_def* n : nodes) {
      const std::string type = detail::node_type_text(*n);
      out += std::string(boxed ? "    " : "  ") + detail::dot_quote(n->name) +
             " [label=" + detail::dot_quote(n->name + "\n" + n->op + (type.empty() ? "" : "\n" + type)) + "];\n";
    }
    if (boxed) out += "  }\n";
  }
  for (const auto& n : graph.node)
    for (const auto& in : n.inputs) {
      const bool control = !in.empty() && in[0] == '^';
      std::string from = control ? in.substr(1) : in;
      if (const auto colon = from.rfind(':'); colon != std::string::npos) from.resize(colon);
      out += "  " + detail::dot_quote(from) + " -> " + detail::dot_quote(n.name) + (control ? " [style=dashed]" : "") +
             ";\n";
    }
  return out + "}\n";
}

/// Writes to_dot(graph) to `path` (`dot -Tpng path -o graph.png` draws it).
inline void write_dot(const GraphDef& graph, const std::string& path) {
  std::ofstream f(path, std::ios::binary);
  f << to_dot(graph);
  f.close();
  if (!f) throw error("tf::io::write_dot: cannot write " + path);
}

}  // namespace typeflow::io

#endif
