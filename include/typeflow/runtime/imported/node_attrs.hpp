#ifndef TYPEFLOW_RUNTIME_IMPORTED_NODE_ATTRS_HPP
#define TYPEFLOW_RUNTIME_IMPORTED_NODE_ATTRS_HPP

// The attributes of an imported node that its op reads, decoded once when the graph is
// imported: attrs proper (alpha, transpose_a, keep_dims, DstT, ...) and the constant inputs TF
// passes instead of attrs (a reduction's axes, a reshape's shape, a transpose's perm, a concat's
// axis). Attributes an op does not read are ignored: TF's defaults are meant.

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "../../core/error.hpp"
#include "../../io/attr_value.hpp"
#include "../../io/graph_def.hpp"
#include "../../kernels/gemm.hpp"
#include "../../ops/window.hpp"

namespace typeflow::imported {

struct node_attrs {
  bool transpose_a = false, transpose_b = false;  // MatMul; BatchMatMulV2's adj_x, adj_y
  bool keep_dims = false;                         // reductions
  float alpha = 0.2f;                             // LeakyRelu (TF's default)
  io::data_type to = io::DT_INVALID;              // Cast's DstT; ArgMax's output_type
  std::vector<std::int64_t> ints;                 // axes, shape, perm or squeeze_dims
  bool has_ints = false;                          // Squeeze: squeeze_dims given (else every 1)
  op::window_attrs window;                        // Conv2D, MaxPool, AvgPool
  float epsilon = 1e-4f;                          // FusedBatchNorm (TF's default)
  // MatMul of a Const B: B packed for the GEMM once, when the graph is imported (shared by
  // every run and thread; it costs the constant's size again in memory)
  std::shared_ptr<const kernels::gemm::packed_b<float>> packed_float;
  std::shared_ptr<const kernels::gemm::packed_b<double>> packed_double;
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
  /// A window op's strides, padding, and ksize (pooling) or dilations (Conv2D), as lists of
  /// four in NHWC; NCHW, EXPLICIT padding and strides over the batch or channels are errors.
  op::window_attrs get_window(bool pooling) {
    if (const auto* f = find("data_format"); f && f->s != "NHWC")
      throw error(where("data_format") + ": " + f->s + " is not supported (NHWC is)");
    const auto* p = find("padding");
    if (!p || (p->s != "SAME" && p->s != "VALID"))
      throw error(where("padding") + ": expected \"SAME\" or \"VALID\"" + (p ? ", got \"" + p->s + "\"" : ""));
    op::window_attrs w;
    w.same = p->s == "SAME";
    const auto pair = [&](const std::string& key, bool required) -> std::array<std::int64_t, 2> {
      const auto* a = find(key);
      if (!a && !required) return {1, 1};
      if (!a || a->list.i.size() != 4 || a->list.i[0] != 1 || a->list.i[3] != 1 || a->list.i[1] < 1 || a->list.i[2] < 1)
        throw error(where(key) + ": expected four values [1, h, w, 1] with h, w >= 1");
      return {a->list.i[1], a->list.i[2]};
    };
    const auto strides = pair("strides", true);
    w.stride_h = strides[0];
    w.stride_w = strides[1];
    const auto k = pooling ? pair("ksize", true) : pair("dilations", false);
    (pooling ? w.k_h : w.dilation_h) = k[0];
    (pooling ? w.k_w : w.dilation_w) = k[1];
    return w;
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
