#ifndef TYPEFLOW_RUNTIME_IMPORTED_NODE_ATTRS_HPP
#define TYPEFLOW_RUNTIME_IMPORTED_NODE_ATTRS_HPP

// The attributes of an imported node that its op reads, decoded once when the graph is
// imported: attrs proper (alpha, transpose_a, keep_dims, DstT, ...) and the constant inputs TF
// passes instead of attrs (a reduction's axes, a reshape's shape, a transpose's perm, a concat's
// axis). Attributes an op does not read are ignored: TF's defaults are meant.

#include <cstdint>
#include <string>
#include <vector>

#include "../../core/error.hpp"
#include "../../io/attr_value.hpp"
#include "../../io/graph_def.hpp"

namespace typeflow::imported {

struct node_attrs {
  bool transpose_a = false, transpose_b = false;  // MatMul; BatchMatMulV2's adj_x, adj_y
  bool keep_dims = false;                         // reductions
  float alpha = 0.2f;                             // LeakyRelu (TF's default)
  io::data_type to = io::DT_INVALID;              // Cast's DstT; ArgMax's output_type
  std::vector<std::int64_t> ints;                 // axes, shape, perm or squeeze_dims
  bool has_ints = false;                          // Squeeze: squeeze_dims given (else every 1)
};

/// Reads node attrs by name, naming the node in errors.
class attr_reader {
 public:
  explicit attr_reader(const io::node_def& n) : m_node(n) {}

  const io::attr_value* find(const std::string& key) {
    const std::string* bytes = m_node.find_attr(key);
    if (!bytes) return nullptr;
    m_value = io::parse_attr_value(*bytes, where(key));
    return &m_value;
  }
  bool get_bool(const std::string& key, bool fallback) {
    const auto* a = find(key);
    return a ? a->b : fallback;
  }
  float get_float(const std::string& key, float fallback) {
    const auto* a = find(key);
    return a ? a->f : fallback;
  }
  io::data_type get_type(const std::string& key, io::data_type fallback) {
    const auto* a = find(key);
    if (!a) return fallback;
    if (a->k != io::attr_value::kind::type) throw error(where(key) + ": expected a type attr (AttrValue.type)");
    return a->type;
  }
  /// A type attr that must be present.
  io::data_type require_type(const std::string& key) {
    const auto* a = find(key);
    if (!a || a->k != io::attr_value::kind::type) throw error(where(key) + ": the node has no type attr '" + key + "'");
    return a->type;
  }
  std::string where(const std::string& key) const {
    return "node '" + m_node.name + "' (" + m_node.op + ") attr '" + key + "'";
  }

 private:
  const io::node_def& m_node;
  io::attr_value m_value;
};

}  // namespace typeflow::imported

#endif
