#ifndef TYPEFLOW_IO_ONNX_HPP
#define TYPEFLOW_IO_ONNX_HPP

// A frozen GraphDef as an ONNX model (onnx.proto, field numbers in TF-FORMATS.md 5.2), for
// onnxruntime and the other ONNX runtimes:
//
//   tf::onnx::export_graph(frozen, {"y"}, "model.onnx");   // opset 17, IR 8
//
// Only the nodes the outputs are computed from are exported, in topological order:
//   Placeholder -> a graph input of its dtype and shape (-1 dims symbolic: "N" for the first
//                  dim, the batch, shared by every input; "<input>_<k>" for the others)
//   Const       -> an initializer (raw_data)
//   ops         -> ONNX nodes as exporter::emit maps them (MatMul with a transpose flag becomes
//                  Gemm, Square Mul(x, x), Mean/Sum ReduceMean/ReduceSum, BiasAdd Add, ...); an
//                  op with no mapping, or an attr the mapping cannot express, is a
//                  typeflow::error naming the op and the node.
// Outputs are named as the fetches given ("y" or "y:0"). Inputs that ONNX takes as
// attributes or int64 tensors (axes, shapes, ArgMax's axis) must come from Const nodes, as in
// a frozen graph.

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "../core/error.hpp"
#include "attr_value.hpp"
#include "data_type.hpp"
#include "file_transaction.hpp"
#include "graph_def.hpp"
#include "protobuf.hpp"

namespace typeflow::onnx {

struct export_options {
  /// ai.onnx opset, 13 to 26 (onnxruntime 1.30 reads up to 26). 17 with IR 8: what runtimes of
  /// the last years read (TF-FORMATS.md 5.1). ReduceMean takes its axes as an attribute before
  /// opset 18 and as an input from 18 on; both are written as the opset asks.
  int opset = 17;
  int ir_version = 8;
  std::string producer_name = "typeflow";
};

/// ONNX's TensorProto.DataType of a TensorFlow DataType; 0 where ONNX has none.
inline std::int32_t onnx_type_of(io::data_type t) {
  switch (t) {
    case io::DT_FLOAT: return 1;
    case io::DT_UINT8: return 2;
    case io::DT_INT8: return 3;
    case io::DT_UINT16: return 4;
    case io::DT_INT16: return 5;
    case io::DT_INT32: return 6;
    case io::DT_INT64: return 7;
    case io::DT_STRING: return 8;
    case io::DT_BOOL: return 9;
    case io::DT_HALF: return 10;
    case io::DT_DOUBLE: return 11;
    case io::DT_UINT32: return 12;
    case io::DT_UINT64: return 13;
    case io::DT_COMPLEX64: return 14;
    case io::DT_COMPLEX128: return 15;
    case io::DT_BFLOAT16: return 16;
    default: return 0;
  }
}

namespace detail {

namespace protobuf = io::protobuf;

/// An ONNX TensorProto: dims, data_type, name, raw_data (or string_data).
inline std::string tensor_proto(const std::string& name, const io::tensor_value& t, const std::string& where) {
  const std::int32_t type = onnx_type_of(t.dtype);
  if (type == 0) throw error(where + ": dtype " + io::data_type_name(t.dtype) + " has no ONNX type");
  protobuf::writer p;
  for (const auto d : t.dims) p.int64_field(1, d);
  p.int32_field(2, type);
  if (t.dtype == io::DT_STRING)
    for (const auto& s : t.strings) p.bytes_field(6, s);
  p.string_field(8, name);
  if (t.dtype != io::DT_STRING) p.bytes_field(9, t.bytes);
  return p.release();
}

/// An int64 tensor of shape [n] (axes, shapes).
inline std::string int64_tensor(const std::string& name, const std::vector<std::int64_t>& values) {
  io::tensor_value t;
  t.dtype = io::DT_INT64;
  t.dims = {static_cast<std::int64_t>(values.size())};
  t.bytes.assign(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(std::int64_t));
  return tensor_proto(name, t, name);
}

/// What the export knows of a value: its dtype and, when its rank is known, its dims, each a
/// number, a symbol ("N") or "" (unknown).
struct value_type {
  io::data_type dtype = io::DT_INVALID;
  std::optional<std::vector<std::string>> dims;
};

inline bool is_number(const std::string& d) { return !d.empty() && d[0] >= '0' && d[0] <= '9'; }

/// ValueInfoProto: a name, an element type and the dims known (ONNX's checker wants a shape
/// on every graph input and output: a value of unknown rank has none).
inline std::string value_info(const std::string& name, const value_type& t) {
  protobuf::writer tensor;
  tensor.int32_field(1, onnx_type_of(t.dtype));
  if (t.dims) {
    protobuf::writer shape;
    for (const auto& d : *t.dims) {
      protobuf::writer dim;  // dim_value, dim_param, or neither: unknown
      if (is_number(d)) dim.int64_field(1, std::stoll(d));
      else if (!d.empty()) dim.string_field(2, d);
      shape.message_field(1, dim);
    }
    tensor.message_field(2, shape);
  }
  protobuf::writer type;
  type.message_field(1, tensor);
  protobuf::writer v;
  v.string_field(1, name);
  v.message_field(2, type);
  return v.release();
}

/// numpy broadcasting of two shapes (dims aligned on the right; a 1 stretches).
inline std::optional<std::vector<std::string>> broadcast(const std::optional<std::vector<std::string>>& a,
                                                         const std::optional<std::vector<std::string>>& b) {
  if (!a || !b) return std::nullopt;
  const std::size_t n = std::max(a->size(), b->size());
  std::vector<std::string> out(n);
  for (std::size_t i = 0; i < n; ++i) {
    const std::string x = i < n - a->size() ? "1" : (*a)[i - (n - a->size())];
    const std::string y = i < n - b->size() ? "1" : (*b)[i - (n - b->size())];
    out[i] = x == "1" ? y : y == "1" || x == y ? x : is_number(x) ? x : is_number(y) ? y : "";
  }
  return out;
}

/// One ONNX node being written: inputs, outputs, name, op_type, attributes.
struct onnx_node {
  std::string op_type, name;
  std::vector<std::string> inputs, outputs;
  protobuf::writer attributes;  // serialized AttributeProtos, in order

  void attr_int(std::string_view key, std::int64_t v) {
    protobuf::writer a;
    a.string_field(1, key);
    a.int64_field(3, v);
    a.int32_field(20, 2);  // INT
    attributes.message_field(5, a);
  }
  void attr_float(std::string_view key, float v) {
    protobuf::writer a;
    a.string_field(1, key);
    a.float_field(2, v);
    a.int32_field(20, 1);  // FLOAT
    attributes.message_field(5, a);
  }
  void attr_ints(std::string_view key, const std::vector<std::int64_t>& v) {
    protobuf::writer a;
    a.string_field(1, key);
    for (const auto x : v) a.int64_field(8, x);
    a.int32_field(20, 7);  // INTS
    attributes.message_field(5, a);
  }
  std::string serialize() const {
    protobuf::writer n;
    for (const auto& i : inputs) n.string_field(1, i);
    for (const auto& o : outputs) n.string_field(2, o);
    n.string_field(3, name);
    n.string_field(4, op_type);
    return n.release() + attributes.bytes();
  }
};

/// The GraphDef -> GraphProto translation: a depth-first walk from the outputs that writes
/// each node after its inputs.
class exporter {
 public:
  exporter(const GraphDef& g, const export_options& o) : m_options(o) {
    if (o.opset < 13 || o.opset > 26)
      throw error("tf::onnx::export_graph: opset " + std::to_string(o.opset) +
                  " is not supported (13 to 26: Softmax over the last axis and ReduceSum's axes input "
                  "need 13)");
    for (const auto& n : g.node) m_nodes.emplace(n.name, &n);
  }

  std::string model(std::span<const std::string> fetches) {
    protobuf::writer graph;
    std::vector<std::string> outputs;
    for (const auto& f : fetches) {
      const std::string v = value(f);
      if (v != f) {  // "y:0" fetched: an Identity gives the value the fetch's name
        onnx_node id{"Identity", f + "/onnx_output", {v}, {f}, {}};
        m_graph_nodes.push_back(id.serialize());
      }
      outputs.push_back(value_info(f, m_types.at(v)));
    }
    for (const auto& n : m_graph_nodes) graph.bytes_field(1, n);
    graph.string_field(2, "typeflow");
    for (const auto& t : m_initializers) graph.bytes_field(5, t);
    for (const auto& i : m_inputs) graph.bytes_field(11, i);
    for (const auto& o : outputs) graph.bytes_field(12, o);

    protobuf::writer model;
    model.int64_field(1, m_options.ir_version);
    model.string_field(2, m_options.producer_name);
    model.bytes_field(7, graph.bytes());
    protobuf::writer opset;
    opset.int64_field(2, m_options.opset);  // domain "" (ai.onnx), omitted
    model.message_field(8, opset);
    return model.release();
  }

 private:
  [[noreturn]] static void fail(const io::node_def& n, const std::string& why) {
    throw error("tf::onnx::export_graph: node '" + n.name + "' (op " + n.op + "): " + why);
  }

  static io::attr_value attr(const io::node_def& n, std::string_view key) {
    const std::string* a = n.find_attr(key);
    if (!a) fail(n, "has no attr '" + std::string(key) + "'");
    return io::parse_attr_value(*a, n.name + "." + std::string(key));
  }
  static bool attr_bool(const io::node_def& n, std::string_view key, bool fallback) {
    return n.find_attr(key) ? attr(n, key).b : fallback;
  }
  static io::data_type attr_type(const io::node_def& n, std::string_view key, io::data_type fallback) {
    return n.find_attr(key) ? attr(n, key).type : fallback;
  }

  /// The values of a Const input as int64s (axes, shapes, ArgMax's dimension).
  std::vector<std::int64_t> const_ints(const io::node_def& user, const std::string& input) {
    const std::string name = split(input).first;
    const auto it = m_nodes.find(name);
    if (it == m_nodes.end() || it->second->op != "Const")
      fail(user, "input '" + input + "' must be a Const (freeze the graph first): ONNX takes it as a constant");
    const io::tensor_value t = io::parse_tensor(attr(*it->second, "value").tensor, name + ".value");
    std::vector<std::int64_t> out;
    for (std::size_t i = 0; i < t.num_elements(); ++i) {
      if (t.dtype == io::DT_INT32) out.push_back(t.at<std::int32_t>(i));
      else if (t.dtype == io::DT_INT64) out.push_back(t.at<std::int64_t>(i));
      else fail(user, "input '" + input + "' must be int32 or int64, got " + io::data_type_name(t.dtype));
    }
    return out;
  }

  /// "node:k" as (node, k); "node" is output 0.
  static std::pair<std::string, int> split(const std::string& input) {
    const auto colon = input.rfind(':');
    if (colon == std::string::npos || colon + 1 == input.size() || input.size() - colon > 6 ||
        input.find_first_not_of("0123456789", colon + 1) != std::string::npos)
      return {input, 0};
    return {input.substr(0, colon), std::stoi(input.substr(colon + 1))};
  }

  /// The ONNX value of a TF tensor name ("node" or "node:0"), writing its node first.
  std::string value(const std::string& input) {
    if (!input.empty() && input[0] == '^') throw error("tf::onnx::export_graph: '" + input + "' is a control input");
    const auto [name, index] = split(input);
    const auto it = m_nodes.find(name);
    if (it == m_nodes.end()) throw error("tf::onnx::export_graph: no node named '" + name + "' in the graph");
    if (index != 0) fail(*it->second, "output " + std::to_string(index) + " is read; only output 0 is exported");
    if (!m_done.count(name)) {
      if (!m_visiting.insert(name).second) fail(*it->second, "is in a cycle");
      emit(*it->second);
      m_visiting.erase(name);
      m_done.insert(name);
    }
    return name;
  }

  void emit(const io::node_def& n) {
    const std::string& op = n.op;
    if (op == "Placeholder") return placeholder(n);
    if (op == "Const") {
      const io::tensor_value t = io::parse_tensor(attr(n, "value").tensor, n.name + ".value");
      m_initializers.push_back(tensor_proto(n.name, t, "tf::onnx::export_graph: node '" + n.name + "'"));
      std::vector<std::string> dims;
      for (const auto d : t.dims) dims.push_back(std::to_string(d));
      m_types[n.name] = {t.dtype, dims};
      return;
    }
    onnx_node o{"", n.name, {}, {n.name}, {}};
    io::data_type out = attr_type(n, "T", io::DT_INVALID);
    std::optional<std::vector<std::string>> dims;  // the result's, set by each mapping below
    auto dims_of = [&](std::size_t input) { return m_types.at(o.inputs.at(input)).dims; };
    auto data_inputs = [&](std::size_t count) {
      std::size_t seen = 0;
      for (const auto& in : n.inputs)
        if (in.empty() || in[0] != '^') ++seen;
      if (seen != count) fail(n, "expected " + std::to_string(count) + " inputs, got " + std::to_string(seen));
      for (std::size_t i = 0; i < count; ++i) o.inputs.push_back(value(n.inputs[i]));
    };
    static const std::map<std::string_view, std::string_view> same = {
        {"Add", "Add"},     {"AddV2", "Add"},   {"Sub", "Sub"},         {"Mul", "Mul"},   {"RealDiv", "Div"},
        {"Maximum", "Max"}, {"Minimum", "Min"}, {"Neg", "Neg"},         {"Sqrt", "Sqrt"}, {"Exp", "Exp"},
        {"Log", "Log"},     {"Tanh", "Tanh"},   {"Sigmoid", "Sigmoid"}, {"Relu", "Relu"}, {"Identity", "Identity"}};
    const bool binary = op == "Add" || op == "AddV2" || op == "Sub" || op == "Mul" || op == "RealDiv" ||
                        op == "Maximum" || op == "Minimum";
    if (const auto s = same.find(op); s != same.end()) {
      o.op_type = s->second;
      data_inputs(binary ? 2 : 1);
      dims = binary ? broadcast(dims_of(0), dims_of(1)) : dims_of(0);
    } else if (op == "BiasAdd") {  // bias along the last axis: numpy broadcasting of a 1-D bias
      if (n.find_attr("data_format") && attr(n, "data_format").s != "NHWC")
        fail(n, "data_format " + attr(n, "data_format").s + " is not exported (only NHWC)");
      o.op_type = "Add";
      data_inputs(2);
      dims = dims_of(0);
    } else if (op == "Square") {  // x * x
      o.op_type = "Mul";
      data_inputs(1);
      o.inputs.push_back(o.inputs[0]);
      dims = dims_of(0);
    } else if (op == "Softmax") {
      o.op_type = "Softmax";
      data_inputs(1);
      o.attr_int("axis", -1);  // TF's axis; opset 13's default, written for readers of older ones
      dims = dims_of(0);
    } else if (op == "MatMul") {
      data_inputs(2);
      const bool ta = attr_bool(n, "transpose_a", false), tb = attr_bool(n, "transpose_b", false);
      o.op_type = ta || tb ? "Gemm" : "MatMul";  // Gemm: C is optional since opset 11
      if (ta) o.attr_int("transA", 1);
      if (tb) o.attr_int("transB", 1);
      const auto a = dims_of(0), b = dims_of(1);
      if (a && b && a->size() == 2 && b->size() == 2) dims = {{(*a)[ta ? 1 : 0], (*b)[tb ? 0 : 1]}};
    } else if (op == "Mean" || op == "Sum") {
      if (n.inputs.size() < 2) fail(n, "expected 2 inputs (input, reduction_indices)");
      std::vector<std::int64_t> axes = const_ints(n, n.inputs[1]);
      o.inputs.push_back(value(n.inputs[0]));
      const bool keep = attr_bool(n, "keep_dims", false);
      dims = dims_of(0);
      if (dims) {  // axes made non-negative, sorted, checked; the reduced dims dropped (or 1)
        const auto rank = static_cast<std::int64_t>(dims->size());
        for (auto& a : axes) {
          if (a < -rank || a >= rank)
            fail(n, "axis " + std::to_string(a) + " is out of range for rank " + std::to_string(rank));
          a = a < 0 ? a + rank : a;
        }
        std::sort(axes.begin(), axes.end());
        axes.erase(std::unique(axes.begin(), axes.end()), axes.end());
        std::vector<std::string> kept;
        for (std::int64_t i = 0; i < rank; ++i) {
          const bool reduced = std::binary_search(axes.begin(), axes.end(), i);
          if (!reduced) kept.push_back((*dims)[static_cast<std::size_t>(i)]);
          else if (keep) kept.push_back("1");
        }
        dims = kept;
      }
      if (axes.empty()) {
        o.op_type = "Identity";  // TF reduces over no axis; ONNX would reduce over all
      } else {
        o.op_type = op == "Mean" ? "ReduceMean" : "ReduceSum";
        o.attr_int("keepdims", keep);  // ONNX's default is 1
        if (op == "Mean" && m_options.opset < 18) {
          o.attr_ints("axes", axes);
        } else {
          o.inputs.push_back(n.name + "/onnx_axes");
          m_initializers.push_back(int64_tensor(o.inputs.back(), axes));
        }
      }
    } else if (op == "Reshape") {
      if (n.inputs.size() < 2) fail(n, "expected 2 inputs (tensor, shape)");
      o.op_type = "Reshape";
      o.inputs.push_back(value(n.inputs[0]));
      const std::vector<std::int64_t> shape = const_ints(n, n.inputs[1]);
      if (std::find(shape.begin(), shape.end(), 0) != shape.end()) {  // ONNX's 0 copies a dim; TF's is 0
        if (m_options.opset < 14) fail(n, "a 0 in the shape needs opset 14 (Reshape's allowzero)");
        o.attr_int("allowzero", 1);
      }
      o.inputs.push_back(n.name + "/onnx_shape");
      m_initializers.push_back(int64_tensor(o.inputs.back(), shape));
      dims.emplace();
      for (const auto d : shape) dims->push_back(d < 0 ? "" : std::to_string(d));
    } else if (op == "Cast") {
      o.op_type = "Cast";
      data_inputs(1);
      out = attr_type(n, "DstT", io::DT_INVALID);
      if (onnx_type_of(out) == 0) fail(n, "DstT " + io::data_type_name(out) + " has no ONNX type");
      o.attr_int("to", onnx_type_of(out));
      dims = dims_of(0);
    } else if (op == "ArgMax") {
      if (n.inputs.size() < 2) fail(n, "expected 2 inputs (input, dimension)");
      const std::vector<std::int64_t> axis = const_ints(n, n.inputs[1]);
      if (axis.size() != 1) fail(n, "dimension must hold one axis, got " + std::to_string(axis.size()));
      o.op_type = "ArgMax";
      o.inputs.push_back(value(n.inputs[0]));
      o.attr_int("axis", axis[0]);
      o.attr_int("keepdims", 0);
      dims = dims_of(0);
      if (dims) {
        const auto rank = static_cast<std::int64_t>(dims->size());
        if (axis[0] < -rank || axis[0] >= rank)
          fail(n, "axis " + std::to_string(axis[0]) + " is out of range for rank " + std::to_string(rank));
        dims->erase(dims->begin() + (axis[0] < 0 ? axis[0] + rank : axis[0]));
      }
      out = attr_type(n, "output_type", io::DT_INT64);
      if (out != io::DT_INT64) {  // ONNX's ArgMax gives int64: cast to TF's output_type
        if (out != io::DT_INT32) fail(n, "output_type " + io::data_type_name(out) + " is not int32 or int64");
        o.outputs[0] = n.name + "/onnx_argmax";
        onnx_node cast{"Cast", n.name + "/onnx_cast", {o.outputs[0]}, {n.name}, {}};
        cast.attr_int("to", onnx_type_of(out));
        m_graph_nodes.push_back(o.serialize());
        m_graph_nodes.push_back(cast.serialize());
        m_types[n.name] = {out, dims};
        return;
      }
    } else {
      fail(n, "no ONNX mapping for op '" + op +
                  "' (exported: Placeholder, Const, MatMul, Add, AddV2, BiasAdd, Sub, Mul, RealDiv, Neg, "
                  "Square, Sqrt, Exp, Log, Tanh, Sigmoid, Relu, Softmax, Mean, Sum, Identity, Reshape, "
                  "ArgMax, Cast, Maximum, Minimum)");
    }
    if (out == io::DT_INVALID) out = m_types.at(o.inputs.at(0)).dtype;  // no attr T: the input's dtype
    m_types[n.name] = {out, dims};
    m_graph_nodes.push_back(o.serialize());
  }

  void placeholder(const io::node_def& n) {
    value_type t{attr(n, "dtype").type, std::nullopt};
    if (onnx_type_of(t.dtype) == 0) fail(n, "dtype " + io::data_type_name(t.dtype) + " has no ONNX type");
    const io::tensor_shape s =
        n.find_attr("shape") ? attr(n, "shape").shape : io::tensor_shape{{}, true};  // TF's default: any shape
    if (!s.unknown_rank) {
      t.dims.emplace();
      for (std::size_t k = 0; k < s.dims.size(); ++k)
        t.dims->push_back(s.dims[k] >= 0 ? std::to_string(s.dims[k]) : k == 0 ? "N" : n.name + "_" + std::to_string(k));
    }
    m_inputs.push_back(value_info(n.name, t));
    m_types[n.name] = t;
  }

  export_options m_options;
  std::map<std::string, const io::node_def*, std::less<>> m_nodes;
  std::set<std::string> m_done, m_visiting;
  std::map<std::string, value_type> m_types;  // of each value written
  std::vector<std::string> m_graph_nodes, m_initializers, m_inputs;
};

}  // namespace detail

/// The serialized ModelProto of the subgraph of `graph_def` that computes `outputs`.
inline std::string to_onnx(const GraphDef& graph_def, std::span<const std::string> outputs,
                           const export_options& options = {}) {
  if (outputs.empty()) throw error("tf::onnx::export_graph: no outputs named");
  return detail::exporter(graph_def, options).model(outputs);
}

/// Writes the ONNX model of `graph_def`'s `outputs` to `path` (atomically).
inline void export_graph(const GraphDef& graph_def, const std::vector<std::string>& outputs, const std::string& path,
                         const export_options& options = {}) {
  const std::string model = to_onnx(graph_def, outputs, options);
  io::file_transaction t;
  t.write(path, model, true);
  t.commit();
}

}  // namespace typeflow::onnx

#endif
