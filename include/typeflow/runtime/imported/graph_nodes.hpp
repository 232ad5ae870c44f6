#ifndef TYPEFLOW_RUNTIME_IMPORTED_GRAPH_NODES_HPP
#define TYPEFLOW_RUNTIME_IMPORTED_GRAPH_NODES_HPP

// A GraphDef checked and resolved once, when it is imported: every node's op found in the op
// tables, its inputs resolved to node indices (and checked: present, output 0, no cycle), its
// dtype inferred and accepted by its op, its constant attrs read. What a run then needs per
// node is here, immutable and shared by every run.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "../../core/element_count.hpp"
#include "../../core/error.hpp"
#include "../../io/attr_value.hpp"
#include "../../io/graph_def.hpp"
#include "../tensor.hpp"
#include "elementwise_ops.hpp"
#include "kernel_ops.hpp"
#include "node_attrs.hpp"

namespace typeflow::imported {

enum class node_kind { placeholder, constant, elementwise, kernel, noop };

/// One imported node.
struct graph_node {
  std::string name, op;
  node_kind kind = node_kind::noop;
  std::vector<std::size_t> inputs;  // operands (node indices), without a kernel's attr input
  io::data_type dtype = io::DT_INVALID;
  node_attrs attrs;
  block_fn fn = nullptr;                 // elementwise
  const kernel_entry* kernel = nullptr;  // kernel; forward null: an alias of inputs[0]
  Tensor value;                          // constant
  io::tensor_shape shape{{}, true};      // placeholder: the dims a feed must have
  bool has_default = false;              // PlaceholderWithDefault: inputs[0] when not fed

  std::string where() const { return "node '" + name + "' (" + op + ")"; }
};

/// The limits that keep a hostile file from exhausting memory.
struct import_limits {
  std::size_t max_tensor_bytes = std::size_t{1} << 34;  // per constant, feed or intermediate
};

namespace detail {

/// "name", "name:k" or "^name" split into (name, output k, control).
struct input_ref {
  std::string_view name;
  std::int64_t output = 0;
  bool control = false;
};

inline input_ref parse_input(std::string_view s, const std::string& where) {
  input_ref r;
  if (!s.empty() && s[0] == '^') {
    r.control = true;
    s.remove_prefix(1);
  }
  r.name = s;
  if (const auto colon = s.rfind(':'); colon != std::string_view::npos && !r.control) {
    const std::string_view k = s.substr(colon + 1);
    std::int64_t v = 0;
    bool digits = !k.empty() && k.size() < 10;
    for (const char c : k) {
      digits = digits && c >= '0' && c <= '9';
      v = v * 10 + (c - '0');
    }
    if (!digits) throw error(where + ": input '" + std::string(s) + "' is not of the form node or node:k");
    r.name = s.substr(0, colon);
    r.output = v;
  }
  return r;
}

/// The values of a constant attr input (axes, shape, perm), through Identity nodes.
inline std::vector<std::int64_t> const_ints(const std::vector<graph_node>& nodes, std::size_t i,
                                            const std::string& where, const char* what) {
  while (nodes[i].kind == node_kind::kernel && nodes[i].kernel && nodes[i].kernel->tf_name == "Identity")
    i = nodes[i].inputs[0];
  const auto& c = nodes[i];
  if (c.kind != node_kind::constant)
    throw error(where + ": its " + what + " input must be a Const node, got " + c.where());
  std::vector<std::int64_t> v;
  if (c.value.dtype() == io::DT_INT32) {
    for (const auto x : c.value.data<std::int32_t>()) v.push_back(x);
  } else if (c.value.dtype() == io::DT_INT64) {
    for (const auto x : c.value.data<std::int64_t>()) v.push_back(x);
  } else {
    throw error(where + ": its " + what + " input " + c.where() + " must be int32 or int64, got " +
                io::dtype_name(c.value.dtype()));
  }
  return v;
}

/// A Const's value, its size checked against the limit before the bytes are expanded.
inline Tensor read_constant(const io::node_def& n, const import_limits& limits) {
  const std::string where = "node '" + n.name + "' (Const)";
  const std::string* bytes = n.find_attr("value");
  if (!bytes) throw error(where + ": it has no attr 'value'");
  const io::attr_value a = io::parse_attr_value(*bytes, where + " attr 'value'");
  if (a.k != io::attr_value::kind::tensor) throw error(where + ": attr 'value' is not a tensor");
  {  // dims and dtype first: a typed `*_val` fill may describe far more values than it holds
    io::protobuf::reader r(a.tensor, where + " value");
    io::data_type dtype = io::DT_INVALID;
    std::vector<std::int64_t> dims;
    while (r.next()) {
      if (r.field() == 1) dtype = static_cast<io::data_type>(r.read_int32());
      else if (r.field() == 2) dims = io::parse_tensor_shape(r.read_bytes(), where + " value.tensor_shape").dims;
      else r.skip();
    }
    if (!is_supported_dtype(dtype)) visit_dtype(dtype, where, []<class>() {});
    for (const auto d : dims)
      if (d < 0) throw error(where + ": a constant's shape has an unknown dimension");
    const std::size_t size = io::data_type_size(dtype);
    if (checked_element_count(dims, size, where) * size > limits.max_tensor_bytes)
      throw error(where + ": its value of dims " + shape_string(dims) + " exceeds the limit of " +
                  std::to_string(limits.max_tensor_bytes) + " bytes");
  }
  const io::tensor_value v = io::parse_tensor(a.tensor, where + " value");
  Tensor t(v.dtype, std::vector<std::size_t>(v.dims.begin(), v.dims.end()));
  std::copy_n(reinterpret_cast<const std::byte*>(v.bytes.data()), v.bytes.size(), t.bytes());
  return t;
}

/// A placeholder's dims as TF prints them: unknown dims as None.
inline std::string placeholder_dims_string(const std::vector<std::int64_t>& dims) {
  std::string s = "[";
  for (std::size_t i = 0; i < dims.size(); ++i)
    s += (i ? ", " : "") + (dims[i] < 0 ? std::string("None") : std::to_string(dims[i]));
  return s + "]";
}

/// Node indices in an order where every node follows its inputs (data, attr and control);
/// a cycle is an error naming a node on it.
inline std::vector<std::size_t> topological_order(const std::vector<io::node_def>& defs,
                                                  const std::vector<std::vector<std::size_t>>& deps) {
  const std::size_t n = defs.size();
  std::vector<std::size_t> pending(n), order;
  std::vector<std::vector<std::size_t>> users(n);
  for (std::size_t i = 0; i < n; ++i) {
    pending[i] = deps[i].size();
    for (const auto d : deps[i]) users[d].push_back(i);
  }
  for (std::size_t i = 0; i < n; ++i)
    if (pending[i] == 0) order.push_back(i);
  for (std::size_t k = 0; k < order.size(); ++k)
    for (const auto u : users[order[k]])
      if (--pending[u] == 0) order.push_back(u);
  if (order.size() != n) {
    for (std::size_t i = 0; i < n; ++i)
      if (pending[i] != 0)
        throw error("tf::ImportedGraph: the graph has a cycle through node '" + defs[i].name + "' (" + defs[i].op +
                    ")");
  }
  return order;
}

inline bool is_known_op(std::string_view op) {
  return op == "Placeholder" || op == "PlaceholderWithDefault" || op == "Const" || op == "NoOp" ||
         find_elementwise(op) || find_kernel(op);
}

/// The Const node whose value node i is, through Identity-like aliases (a frozen variable's
/// read), or null.
inline const graph_node* constant_source(const std::vector<graph_node>& nodes, std::size_t i) {
  while (nodes[i].kind == node_kind::kernel && !nodes[i].kernel->forward) i = nodes[i].inputs[0];
  return nodes[i].kind == node_kind::constant ? &nodes[i] : nullptr;
}

/// A MatMul whose B is a constant matrix (a frozen layer's weights) gets B packed for the GEMM
/// now, as onnxruntime pre-packs its initializers; a B of one column takes the matrix-vector
/// path, which reads it in place.
inline void pack_constant_b(graph_node& g, const std::vector<graph_node>& nodes) {
  const graph_node* b = constant_source(nodes, g.inputs[1]);
  if (!b || b->value.rank() != 2) return;
  const bool tb = g.attrs.transpose_b;
  const std::size_t k = b->value.shape()[tb ? 1 : 0], n = b->value.shape()[tb ? 0 : 1];
  if (n < 2 || k == 0) return;
  const auto pack = [&]<class T>(std::shared_ptr<const kernels::gemm::packed_b<T>>& to) {
    const tensor_ref<const T, 2> ref{b->value.data<T>().data(), {b->value.shape()[0], b->value.shape()[1]}};
    to = std::make_shared<const kernels::gemm::packed_b<T>>(tb ? op::matmul<false, true>::pack_b(ref)
                                                               : op::matmul<false, false>::pack_b(ref));
  };
  if (b->dtype == io::DT_FLOAT) pack(g.attrs.packed_float);
  else if (b->dtype == io::DT_DOUBLE) pack(g.attrs.packed_double);
}

/// Resolves node n (its inputs already resolved): kind, dtype, attrs, kernel.
inline void resolve(graph_node& g, const io::node_def& def, std::vector<graph_node>& nodes,
                    const std::vector<std::size_t>& data_inputs, const import_limits& limits) {
  const std::string where = g.where();
  attr_reader attrs(def);
  auto dtype_of_input = [&](std::size_t k) { return nodes[g.inputs[k]].dtype; };
  auto expect_inputs = [&](std::size_t n, bool at_least = false) {
    if (at_least ? g.inputs.size() < n : g.inputs.size() != n)
      throw error(where + ": expected " + (at_least ? "at least " : "") + std::to_string(n) + " inputs, got " +
                  std::to_string(g.inputs.size()));
  };
  g.inputs = data_inputs;
  if (g.op == "Placeholder" || g.op == "PlaceholderWithDefault") {
    g.kind = node_kind::placeholder;
    g.dtype = attrs.require_type("dtype");
    if (!is_supported_dtype(g.dtype)) visit_dtype(g.dtype, where, []<class>() {});
    if (const auto* s = attrs.find("shape"); s && s->k == io::attr_value::kind::shape) g.shape = s->shape;
    g.has_default = g.op == "PlaceholderWithDefault";
    expect_inputs(g.has_default ? 1 : 0);
    if (g.has_default && dtype_of_input(0) != g.dtype)
      throw error(where + ": its default input has dtype " + io::dtype_name(dtype_of_input(0)) + ", expected " +
                  io::dtype_name(g.dtype));
  } else if (g.op == "Const") {
    g.kind = node_kind::constant;
    g.value = read_constant(def, limits);
    g.dtype = g.value.dtype();
    expect_inputs(0);
  } else if (g.op == "NoOp") {
    g.kind = node_kind::noop;
    expect_inputs(0);
  } else if (const auto* e = find_elementwise(g.op)) {
    g.kind = node_kind::elementwise;
    expect_inputs(e->arity);
    std::size_t first = 0;
    if (g.op == "SelectV2") {
      if (dtype_of_input(0) != io::DT_BOOL)
        throw error(where + ": its condition has dtype " + io::dtype_name(dtype_of_input(0)) + ", expected bool");
      first = 1;
    }
    for (std::size_t k = first + 1; k < g.inputs.size(); ++k)
      if (dtype_of_input(k) != dtype_of_input(first))
        throw error(where + ": its operands have dtypes " + io::dtype_name(dtype_of_input(first)) + " and " +
                    io::dtype_name(dtype_of_input(k)) + "; they must agree");
    if (g.op == "Cast") g.attrs.to = attrs.require_type("DstT");
    if (g.op == "LeakyRelu") g.attrs.alpha = attrs.get_float("alpha", 0.2f);
    if (g.op == "BiasAdd") {
      if (const auto* f = attrs.find("data_format"); f && f->s == "NCHW")
        throw error(where + ": data_format NCHW is not supported (NHWC is)");
    }
    const elementwise_kernel k = e->resolve(dtype_of_input(first), g.attrs);
    if (!k.fn) throw error(where + ": the op does not take operands of dtype " + io::dtype_name(dtype_of_input(first)));
    g.fn = k.fn;
    g.dtype = k.out;
  } else if (const auto* k = find_kernel(g.op)) {
    g.kind = node_kind::kernel;
    g.kernel = k;
    if (k->attr_input != -1) {
      expect_inputs(k->arity == 0 ? 2 : k->arity + 1, k->arity == 0);
      const std::size_t at = k->attr_input == -2 ? g.inputs.size() - 1 : static_cast<std::size_t>(k->attr_input);
      g.attrs.ints = const_ints(nodes, g.inputs[at], where, "attr");
      g.inputs.erase(g.inputs.begin() + static_cast<std::ptrdiff_t>(at));
    } else {
      expect_inputs(k->arity);
    }
    if (g.op == "MatMul") {
      g.attrs.transpose_a = attrs.get_bool("transpose_a", false);
      g.attrs.transpose_b = attrs.get_bool("transpose_b", false);
      pack_constant_b(g, nodes);
    } else if (g.op == "BatchMatMulV2" || g.op == "BatchMatMul") {
      g.attrs.transpose_a = attrs.get_bool("adj_x", false);
      g.attrs.transpose_b = attrs.get_bool("adj_y", false);
    } else if (g.op == "ArgMax" || g.op == "ArgMin") {
      g.attrs.to = attrs.get_type("output_type", io::DT_INT64);
    } else if (g.op == "Squeeze") {
      if (const auto* s = attrs.find("squeeze_dims")) g.attrs.ints = s->list.i;
    } else if (g.op == "Conv2D" || g.op == "MaxPool" || g.op == "AvgPool") {
      g.attrs.window = attrs.get_window(g.op != "Conv2D");
    } else if (g.op.starts_with("FusedBatchNorm")) {
      if (attrs.get_bool("is_training", true))
        throw error(where + ": is_training is true; a frozen graph runs batch normalisation in inference form");
      if (const auto* f = attrs.find("data_format"); f && f->s != "NHWC")
        throw error(where + ": data_format " + f->s + " is not supported (NHWC is)");
      g.attrs.epsilon = attrs.get_float("epsilon", 1e-4f);
    } else {
      g.attrs.keep_dims = attrs.get_bool("keep_dims", false);
    }
    std::vector<io::data_type> dtypes;
    for (std::size_t i = 0; i < g.inputs.size(); ++i) dtypes.push_back(dtype_of_input(i));
    g.dtype = k->result_dtype(dtypes, g.attrs);
    if (g.dtype == io::DT_INVALID) {
      std::string got;
      for (const auto t : dtypes) got += (got.empty() ? "" : ", ") + io::dtype_name(t);
      throw error(where + ": the op does not take operands of dtypes " + got);
    }
  }
}

/// Checks and resolves every node of a GraphDef.
inline std::vector<graph_node> import_nodes(const GraphDef& graph, const import_limits& limits) {
  const auto& defs = graph.node;
  std::unordered_map<std::string_view, std::size_t> index;
  for (std::size_t i = 0; i < defs.size(); ++i) {
    if (!is_known_op(defs[i].op))
      throw error("tf::ImportedGraph: node '" + defs[i].name + "' has op '" + defs[i].op +
                  "', which the imported-graph executor does not support");
    if (!index.emplace(defs[i].name, i).second)
      throw error("tf::ImportedGraph: two nodes are named '" + defs[i].name + "'");
  }
  std::vector<std::vector<std::size_t>> deps(defs.size()), data(defs.size());
  for (std::size_t i = 0; i < defs.size(); ++i) {
    const std::string where = "tf::ImportedGraph: node '" + defs[i].name + "' (" + defs[i].op + ")";
    for (const auto& in : defs[i].inputs) {
      const input_ref r = parse_input(in, where);
      const auto it = index.find(r.name);
      if (it == index.end())
        throw error(where + " reads '" + std::string(in) + "', but the graph has no node '" + std::string(r.name) +
                    "'");
      if (r.output != 0)
        throw error(where + " reads output " + std::to_string(r.output) + " of node '" + std::string(r.name) + "' (" +
                    defs[it->second].op + "), which has one output");
      deps[i].push_back(it->second);
      if (!r.control) data[i].push_back(it->second);
    }
  }
  std::vector<graph_node> nodes(defs.size());
  for (const std::size_t i : topological_order(defs, deps)) {
    nodes[i].name = defs[i].name;
    nodes[i].op = defs[i].op;
    try {
      resolve(nodes[i], defs[i], nodes, data[i], limits);
    } catch (const error& e) {
      const std::string what = e.what();
      throw error(what.rfind("tf::ImportedGraph", 0) == 0 ? what : "tf::ImportedGraph: " + what);
    }
  }
  return nodes;
}

}  // namespace detail
}  // namespace typeflow::imported

#endif
