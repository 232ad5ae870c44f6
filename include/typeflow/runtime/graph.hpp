#ifndef TYPEFLOW_RUNTIME_GRAPH_HPP
#define TYPEFLOW_RUNTIME_GRAPH_HPP

// The default graph's registry of variables and named nodes: what global_variables_initializer,
// the Saver and the exporters need to know about them at run time (the rest is in types).

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <typeindex>
#include <vector>

#include "../core/error.hpp"
#include "../core/shape.hpp"
#include "../eval/variable_store.hpp"

namespace typeflow {

/// What the graph knows of one variable: TF's name, dtype and shape, and how to initialise it.
struct variable_record {
  std::string name;
  std::string dtype;
  std::vector<std::int64_t> shape;
  std::function<void(eval::variable_store&)> initialize;
  /// Its value in a Session's store, as bytes (for the Saver).
  std::function<eval::variable_bytes(eval::variable_store&)> value;
};

namespace io {
class graph_exporter;
}

/// A node the program named (tf::identity<"y">(x), tf::named<"y">(x)): a copy of it, and how
/// to export it by that name (runtime/named_nodes.hpp makes these).
struct named_node_record {
  std::string name;
  std::type_index type;
  std::shared_ptr<const void> node;            // a copy of the node, of that type
  bool (*same)(const void* a, const void* b);  // whether two nodes of that type are equal
  std::function<void(io::graph_exporter&)> export_to;
  std::vector<std::string> placeholders;  // the placeholders it reads (their names are taken)
};

/// TensorFlow's default graph, reduced to what typeflow keeps at run time (the rest is in types).
class Graph {
 public:
  /// Records a variable; declaring the same name again replaces its initializer, but a
  /// different dtype or shape under one name is an error.
  void add_variable(variable_record record) {
    for (const auto& n : m_named)
      if (n.name == record.name) throw error("Variable '" + record.name + "': a named node has that name");
    for (auto& r : m_variables) {
      if (r.name != record.name) continue;
      if (r.dtype != record.dtype || r.shape != record.shape)
        throw error("Variable '" + r.name + "' is already declared as " + r.dtype + " " + shape_string(r.shape) +
                    ", not " + record.dtype + " " + shape_string(record.shape));
      r = std::move(record);
      return;
    }
    m_variables.push_back(std::move(record));
  }

  const std::vector<variable_record>& variables() const { return m_variables; }

  /// Records a named node. Naming the same node again (a declaration that runs twice) changes
  /// nothing; a different node under a taken name is an error, where TensorFlow would rename
  /// it `name_1`: typeflow's users fetch and export by name, so a name is one node.
  void add_named_node(named_node_record record) {
    for (const auto& v : m_variables)
      if (v.name == record.name) throw error("a node cannot be named '" + record.name + "': a variable has that name");
    for (const auto& n : m_named) {
      if (n.name != record.name) continue;
      if (n.type == record.type && n.same(n.node.get(), record.node.get())) return;
      throw error("two different nodes are named '" + record.name +
                  "' (TensorFlow would rename the second; in typeflow a name is one node: choose another)");
    }
    m_named.push_back(std::move(record));
  }

  const std::vector<named_node_record>& named_nodes() const { return m_named; }

  /// TF's name for an op of this graph named `base`: base itself if no variable has it, else
  /// the first free of base_1, base_2, ...
  std::string unique_name(const std::string& base) const {
    for (std::size_t k = 0;; ++k) {
      std::string n = k == 0 ? base : base + "_" + std::to_string(k);
      bool taken = false;
      for (const auto& r : m_variables) taken = taken || r.name == n;
      for (const auto& r : m_named) taken = taken || r.name == n;
      if (!taken) return n;
    }
  }

  /// Tells this graph from those before it (a reset makes a new one): unnamed variables are
  /// named anew in each.
  std::uint64_t id() const { return m_id; }

 private:
  static std::uint64_t next_id() {
    static std::atomic<std::uint64_t> n{0};
    return ++n;
  }
  std::vector<variable_record> m_variables;
  std::vector<named_node_record> m_named;
  std::uint64_t m_id = next_id();
};

inline Graph& get_default_graph() {
  static Graph graph;
  return graph;
}

/// tf.reset_default_graph(): forgets every declared variable and named node.
inline void reset_default_graph() { get_default_graph() = Graph{}; }

}  // namespace typeflow

#endif
