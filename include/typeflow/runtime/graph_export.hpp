#ifndef TYPEFLOW_RUNTIME_GRAPH_EXPORT_HPP
#define TYPEFLOW_RUNTIME_GRAPH_EXPORT_HPP

// A graph as TensorFlow's GraphDef (`sess.graph_def()`, `graph.as_graph_def()`): its variables
// as TF1's tf.Variable makes them (VariableV2, initial_value, Assign, read) and its named nodes
// (runtime/named_nodes.hpp) with what they are computed from. Unnamed nodes that no named node
// reads are not in it: a C++ expression no one named has nothing TensorFlow could fetch it by.

#include "../core/error.hpp"
#include "../io/graph_def.hpp"
#include "../io/meta_graph.hpp"
#include "graph.hpp"

namespace typeflow {

/// The variable as the GraphDef exporter needs it.
inline io::variable_info variable_info_of(const variable_record& r) {
  return {r.name, io::data_type_from_name(r.dtype), r.shape, true};
}

/// Adds the graph's variables and named nodes to an exporter (the Saver's .meta adds its own
/// nodes after these).
inline void export_graph(const Graph& graph, io::graph_exporter& g) {
  for (const auto& n : graph.named_nodes()) {
    g.reserve_name(n.name);
    for (const auto& p : n.placeholders) g.reserve_name(p);
  }
  for (const auto& v : graph.variables()) g.add_variable(variable_info_of(v));
  for (const auto& n : graph.named_nodes()) n.export_to(g);
}

/// tf.Graph.as_graph_def().
inline GraphDef as_graph_def(const Graph& graph) {
  io::graph_exporter g;
  export_graph(graph, g);
  GraphDef def;
  def.node = g.nodes();
  return def;
}

}  // namespace typeflow

#endif
