#ifndef TYPEFLOW_IO_META_GRAPH_HPP
#define TYPEFLOW_IO_META_GRAPH_HPP

// A typeflow graph as TensorFlow's GraphDef, and the MetaGraphDef (.meta) a TF1 Saver writes
// next to a checkpoint, so that TensorFlow's `import_meta_graph(...)` + `restore(...)` load it.
//
// The nodes come from the graph's types, read by a walk from the outputs the user names:
//   placeholder    -> Placeholder {dtype, shape}
//   variable       -> VariableV2 {shape, dtype, container, shared_name}, with `W/initial_value`
//                     (Const), `W/Assign` and `W/read` (Identity) as TF1's tf.Variable makes
//                     them; users read `W/read`
//   scalar, integer, constant -> Const {dtype, value}
//   op node        -> the op tag's `tf_name`, attr T (the first operand's dtype), then the attrs
//                     and extra inputs the op tag's hook adds: `static void tf_attrs(auto& node)`
//                     (see op::matmul and op::reduce); `node` is a tf_node_attrs below.
// Op nodes are named after their op (`MatMul`, `MatMul_1`, ...), uniquified as TensorFlow
// does; a named output's node takes its name, so TensorFlow can fetch `y:0`.

#include <algorithm>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <typeindex>
#include <utility>
#include <vector>

#include "../core/error.hpp"
#include "../graph/constant.hpp"
#include "../graph/node.hpp"
#include "../graph/placeholder.hpp"
#include "../graph/traversal.hpp"
#include "../graph/variable.hpp"
#include "graph_def.hpp"
#include "protobuf.hpp"

namespace typeflow::io {

/// What an op tag's `tf_attrs` hook gets: a node being exported, to which it adds attrs and
/// constant inputs (TF ops that take an attribute as an input tensor, as a reduction's axes).
/// The exporter has set attr T to the first operand's dtype; a hook changes what TF's op wants
/// otherwise (Cast's SrcT, SelectV2's T of its second operand, no T for logical ops).
class tf_node_attrs {
 public:
  tf_node_attrs(node_def& node, std::vector<node_def>& extra, std::vector<data_type> input_dtypes,
                std::vector<std::size_t> input_ranks)
      : m_node(node), m_extra(extra), m_dtypes(std::move(input_dtypes)), m_ranks(std::move(input_ranks)) {}

  const std::string& name() const { return m_node.name; }
  const std::string& op() const { return m_node.op; }
  /// The data inputs so far (the operands, then the const inputs added).
  std::size_t input_count() const { return m_node.inputs.size(); }
  /// The dtype of operand i.
  data_type input_dtype(std::size_t i) const { return m_dtypes.at(i); }
  /// The rank of operand i.
  std::size_t input_rank(std::size_t i) const { return m_ranks.at(i); }

  void attr_bool(std::string_view key, bool v) { m_node.set_attr(key, attr::b(v)); }
  void attr_int(std::string_view key, std::int64_t v) { m_node.set_attr(key, attr::i(v)); }
  void attr_float(std::string_view key, float v) { m_node.set_attr(key, attr::f(v)); }
  void attr_string(std::string_view key, std::string_view v) { m_node.set_attr(key, attr::s(v)); }
  void attr_int_list(std::string_view key, std::span<const std::int64_t> v) { m_node.set_attr(key, attr::list_i(v)); }
  /// A type attr: `node.attr_type("Tidx", std::int32_t{})`.
  template <class T>
  void attr_type(std::string_view key, T) {
    m_node.set_attr(key, attr::type(data_type_of<T>));
  }
  void attr_dtype(std::string_view key, data_type t) { m_node.set_attr(key, attr::type(t)); }
  void remove_attr(std::string_view key) {
    std::erase_if(m_node.attrs, [&](const auto& a) { return a.first == key; });
  }
  /// Drops input i: typeflow's op reads at run time what TF's takes as an attr.
  void remove_input(std::size_t i) {
    m_node.inputs.erase(m_node.inputs.begin() + static_cast<std::ptrdiff_t>(i));
    m_dtypes.erase(m_dtypes.begin() + static_cast<std::ptrdiff_t>(i));
    m_ranks.erase(m_ranks.begin() + static_cast<std::ptrdiff_t>(i));
  }
  /// Exchanges operands i and j (and their dtypes): TF's op takes them in another order.
  void swap_inputs(std::size_t i, std::size_t j) {
    std::swap(m_node.inputs.at(i), m_node.inputs.at(j));
    std::swap(m_dtypes.at(i), m_dtypes.at(j));
    std::swap(m_ranks.at(i), m_ranks.at(j));
  }
  /// Appends an input: a rank-1 Const named `<node>/<input_name>` holding `values`.
  template <class T>
  void const_input(std::string_view input_name, const std::vector<T>& values) {
    const std::int64_t dims[] = {static_cast<std::int64_t>(values.size())};
    add_const(input_name, tensor_proto<T>(dims, values), data_type_of<T>);
  }
  /// Appends a scalar Const input (TF's ConcatV2 axis and ArgMax dimension must be scalars).
  template <class T>
  void scalar_input(std::string_view input_name, T value) {
    add_const(input_name, tensor_proto<T>({}, std::span<const T>(&value, 1)), data_type_of<T>);
  }

 private:
  void add_const(std::string_view input_name, std::string tensor, data_type dtype) {
    node_def c;
    c.name = m_node.name + "/" + std::string(input_name);
    c.op = "Const";
    c.set_attr("dtype", attr::type(dtype));
    c.set_attr("value", attr::tensor(tensor));
    m_node.inputs.push_back(c.name);
    m_extra.push_back(std::move(c));
  }

  node_def& m_node;
  std::vector<node_def>& m_extra;
  std::vector<data_type> m_dtypes;
  std::vector<std::size_t> m_ranks;
};

/// A variable of the default graph's registry, as the exporter needs it.
struct variable_info {
  std::string name;
  data_type dtype;
  std::vector<std::int64_t> shape;
  bool trainable = true;
};

/// Builds the GraphDef of a typeflow graph: every declared variable, then the nodes that the
/// named outputs are computed from. Equal nodes (same type and payload) are exported once.
class graph_exporter {
 public:
  /// Names that generated names must avoid (placeholders' and outputs'), known in advance.
  void reserve_name(const std::string& name) { m_reserved.insert(name); }

  /// A TF1 variable: VariableV2, its initial value (a zero fill: the .meta is for restoring;
  /// typeflow's initializers do not reproduce TensorFlow's random streams), Assign and read.
  void add_variable(const variable_info& v) {
    claim(v.name);
    m_variables.push_back(v);
    const std::vector<std::string> colocate{"loc:@" + v.name};
    node_def init = const_node(v.name + "/initial_value", v.dtype, v.shape);
    node_def var{v.name, "VariableV2", {}, {}};
    var.set_attr("shape", attr::shape(v.shape));
    var.set_attr("dtype", attr::type(v.dtype));
    var.set_attr("container", attr::s(""));
    var.set_attr("shared_name", attr::s(""));
    node_def assign{v.name + "/Assign", "Assign", {v.name, init.name}, {}};
    assign.set_attr("T", attr::type(v.dtype));
    assign.set_attr("use_locking", attr::b(true));
    assign.set_attr("validate_shape", attr::b(true));
    assign.set_attr("_class", attr::list_s(colocate));
    node_def read{v.name + "/read", "Identity", {v.name}, {}};
    read.set_attr("T", attr::type(v.dtype));
    read.set_attr("_class", attr::list_s(colocate));
    for (auto* n : {&init, &var, &assign, &read}) {
      m_used.insert(n->name);
      m_nodes.push_back(std::move(*n));
    }
  }

  /// Exports the graph of `node` and names its value `name` (TensorFlow fetches `name:0`):
  /// the node itself takes the name when it is an op or constant exported here for the first
  /// time, otherwise an Identity of that name reads it.
  template <tensor_node N>
  void add_output(const std::string& name, const N& node) {
    if (m_used.count(name)) throw error("meta graph: output name '" + name + "' is already a node's name");
    m_output_name = name;
    const std::string t = tensor(node);
    if (!std::exchange(m_output_name, {}).empty()) {  // no new node took the name: an Identity does
      claim(name);
      node_def id{name, "Identity", {t}, {}};
      id.set_attr("T", attr::type(data_type_of<value_t<N>>));
      m_nodes.push_back(std::move(id));
    }
  }

  const std::vector<node_def>& nodes() const { return m_nodes; }
  std::vector<node_def>& nodes() { return m_nodes; }
  const std::vector<variable_info>& variables() const { return m_variables; }

  /// A fresh name: `base`, else `base_1`, `base_2`, ... (TensorFlow's unique_name).
  std::string unique_name(const std::string& base) {
    std::string name = base;
    for (int i = 1; m_used.count(name) || m_reserved.count(name); ++i) name = base + "_" + std::to_string(i);
    m_used.insert(name);
    return name;
  }

  /// Registers an exact name; two nodes of one name are an error.
  void claim(const std::string& name) {
    if (!m_used.insert(name).second) throw error("meta graph: two nodes are named '" + name + "'");
  }

  static node_def const_node(std::string name, data_type dtype, const std::vector<std::int64_t>& shape) {
    node_def c{std::move(name), "Const", {}, {}};
    c.set_attr("dtype", attr::type(dtype));
    std::string value;
    auto zero = [&]<class T>(T z) { value = tensor_proto<T>(shape, std::span<const T>(&z, 1)); };
    switch (dtype) {  // one zero, filling the shape
      case DT_FLOAT: zero(0.0f); break;
      case DT_DOUBLE: zero(0.0); break;
      case DT_INT32: zero(std::int32_t{0}); break;
      case DT_INT64: zero(std::int64_t{0}); break;
      case DT_BOOL: zero(false); break;
      default: throw error("meta graph: no zero value for a variable of this dtype");
    }
    c.set_attr("value", attr::tensor(value));
    return c;
  }

 private:
  /// The name of node n's value in the GraphDef ("name", i.e. output 0), exporting it first.
  template <class N>
  std::string tensor(const N& n) {
    if constexpr (is_variable_v<N>) {
      const std::string name(N::name_type::view());
      if (!std::any_of(m_variables.begin(), m_variables.end(), [&](const auto& v) { return v.name == name; }))
        throw error("meta graph: variable '" + name + "' is not among the graph's variables");
      return name + "/read";
    } else {
      auto& seen = seen_of<N>();
      for (const auto& [node, name] : seen)
        if (node == n) return name;
      std::string name = emit(n);
      seen.emplace_back(n, name);
      return name;
    }
  }

  /// A fresh node's name: the pending output's name if there is one (it is taken once), else
  /// `base` made unique.
  std::string take_name(const std::string& base) {
    std::string name = std::exchange(m_output_name, {});
    if (name.empty()) return unique_name(base);
    claim(name);
    return name;
  }

  template <class N>
  std::string emit(const N& n) {
    using T = value_t<N>;
    if constexpr (is_placeholder_v<N>) {
      node_def p{std::string(N::name_type::view()), "Placeholder", {}, {}};
      claim(p.name);
      p.set_attr("dtype", attr::type(data_type_of<T>));
      p.set_attr("shape", attr::shape(shape_of_t<N>::dims));
      m_nodes.push_back(std::move(p));
      return m_nodes.back().name;
    } else if constexpr (is_scalar_v<N> || is_static_scalar_v<N> || is_constant_v<N>) {
      std::string value;
      if constexpr (is_scalar_v<N>) value = tensor_proto<T>({}, std::span<const T>(&n.m_value, 1));
      else if constexpr (is_static_scalar_v<N>) value = tensor_proto<T>({}, std::span<const T>(&N::value, 1));
      else {
        std::vector<std::int64_t> dims(n.m_shape.begin(), n.m_shape.end());
        value = tensor_proto<T>(dims, std::span<const T>(*n.m_data));
      }
      node_def c{take_name("Const"), "Const", {}, {}};
      c.set_attr("dtype", attr::type(data_type_of<T>));
      c.set_attr("value", attr::tensor(value));
      m_nodes.push_back(std::move(c));
      return m_nodes.back().name;
    } else {
      static_assert(is_op_node_v<N>, "typeflow meta graph: unknown node kind");
      using Op = typename N::op_type;
      static_assert(!is_operation_v<N>, "typeflow meta graph: an operation (train op, group) cannot be a model output");
      static_assert(
          !requires { Op::shape_operand; },
          "typeflow meta graph: gradient nodes are not exported; name forward outputs only");
      if constexpr (!op::traits<Op>::tf_op)
        throw error("GraphDef export: " + std::string(Op::tf_name) +
                    " is typeflow's op, not TensorFlow's: TensorFlow could not run the graph (name a node that "
                    "does not read it)");
      std::string pending = std::exchange(m_output_name, {});  // the operands are not the output
      node_def node;
      node.op = std::string(Op::tf_name);
      std::vector<data_type> dtypes;
      std::vector<std::size_t> ranks;
      n.with_args([&](const auto&... a) {
        (node.inputs.push_back(tensor(a)), ...);
        dtypes = {data_type_of<value_t<std::remove_cvref_t<decltype(a)>>>...};
        ranks = {rank_v<std::remove_cvref_t<decltype(a)>>...};
      });
      m_output_name = std::move(pending);
      node.name = take_name(node.op);
      using A0 = std::remove_cvref_t<std::tuple_element_t<0, typename N::args_type>>;
      node.set_attr("T", attr::type(data_type_of<value_t<A0>>));
      std::vector<node_def> extra;
      if constexpr (requires(tf_node_attrs & a) { n.op().tf_attrs(a); }) {
        tf_node_attrs hook(node, extra, std::move(dtypes), std::move(ranks));
        n.op().tf_attrs(hook);
      }
      for (auto& e : extra) claim(e.name), m_nodes.push_back(std::move(e));
      m_nodes.push_back(std::move(node));
      return m_nodes.back().name;
    }
  }

  template <class N>
  std::vector<std::pair<N, std::string>>& seen_of() {
    auto& p = m_seen[std::type_index(typeid(N))];
    if (!p) p = std::make_shared<std::vector<std::pair<N, std::string>>>();
    return *std::static_pointer_cast<std::vector<std::pair<N, std::string>>>(p);
  }

  std::vector<node_def> m_nodes;
  std::vector<variable_info> m_variables;
  std::set<std::string> m_used, m_reserved;
  std::map<std::type_index, std::shared_ptr<void>> m_seen;
  std::string m_output_name;  // the name the output being exported gives its root node
};

/// The names of the placeholders a node reads (to keep generated names off them).
template <tensor_node N>
std::vector<std::string> placeholder_names(const N&) {
  std::vector<std::string> names;
  for_each_type(topo_order_t<N>{}, [&]<class M>() {
    if constexpr (is_placeholder_v<M>) names.emplace_back(M::name_type::view());
  });
  return names;
}

/// A TF1 SaverDef and the save/restore subgraph it names (TF-FORMATS.md 3.6, non-sharded V2).
struct saver_def_options {
  int max_to_keep = 5;
  float keep_checkpoint_every_n_hours = 10000.0f;
};

/// Adds the `save/...` nodes for the variables `saved` (sorted by name, as TF's Saver) and the
/// `init` NoOp; returns the serialized SaverDef.
inline std::string add_saver_nodes(graph_exporter& g, std::vector<variable_info> saved, const saver_def_options& o) {
  std::sort(saved.begin(), saved.end(), [](const auto& a, const auto& b) { return a.name.compare(b.name) < 0; });
  auto& nodes = g.nodes();
  auto push = [&](node_def n) {
    g.claim(n.name);
    nodes.push_back(std::move(n));
  };
  {
    node_def init{"init", "NoOp", {}, {}};
    for (const auto& v : g.variables()) init.inputs.push_back("^" + v.name + "/Assign");
    push(std::move(init));
  }
  std::vector<std::string> names, slices;
  std::vector<data_type> dtypes;
  for (const auto& v : saved) {
    names.push_back(v.name);
    slices.emplace_back();
    dtypes.push_back(v.dtype);
  }
  const std::int64_t n_dims[] = {static_cast<std::int64_t>(saved.size())};
  auto string_const = [&](std::string name, std::span<const std::int64_t> dims, std::span<const std::string> values) {
    node_def c{std::move(name), "Const", {}, {}};
    c.set_attr("dtype", attr::type(DT_STRING));
    c.set_attr("value", attr::tensor(string_tensor_proto(dims, values)));
    return c;
  };
  const std::string model = "model";
  push(string_const("save/Const", {}, std::span<const std::string>(&model, 1)));
  push(string_const("save/SaveV2/tensor_names", n_dims, names));
  push(string_const("save/SaveV2/shape_and_slices", n_dims, slices));
  node_def save{
      "save/SaveV2", "SaveV2", {"save/Const", "save/SaveV2/tensor_names", "save/SaveV2/shape_and_slices"}, {}};
  for (const auto& v : saved) save.inputs.push_back(v.name);
  save.set_attr("dtypes", attr::list_type(dtypes));
  push(std::move(save));
  node_def dep{"save/control_dependency", "Identity", {"save/Const", "^save/SaveV2"}, {}};
  dep.set_attr("T", attr::type(DT_STRING));
  dep.set_attr("_class", attr::list_s(std::vector<std::string>{"loc:@save/Const"}));
  push(std::move(dep));
  push(string_const("save/RestoreV2/tensor_names", n_dims, names));
  push(string_const("save/RestoreV2/shape_and_slices", n_dims, slices));
  node_def restore{"save/RestoreV2",
                   "RestoreV2",
                   {"save/Const", "save/RestoreV2/tensor_names", "save/RestoreV2/shape_and_slices"},
                   {}};
  restore.set_attr("dtypes", attr::list_type(dtypes));
  push(std::move(restore));
  node_def restore_all{"save/restore_all", "NoOp", {}, {}};
  for (std::size_t k = 0; k < saved.size(); ++k) {
    const std::string name = k == 0 ? "save/Assign" : "save/Assign_" + std::to_string(k);
    node_def a{name, "Assign", {saved[k].name, k == 0 ? "save/RestoreV2" : "save/RestoreV2:" + std::to_string(k)}, {}};
    a.set_attr("T", attr::type(saved[k].dtype));
    a.set_attr("use_locking", attr::b(true));
    a.set_attr("validate_shape", attr::b(true));
    a.set_attr("_class", attr::list_s(std::vector<std::string>{"loc:@" + saved[k].name}));
    push(std::move(a));
    restore_all.inputs.push_back("^" + name);
  }
  push(std::move(restore_all));

  protobuf::writer def;
  def.string_field(1, "save/Const:0");
  def.string_field(2, "save/control_dependency:0");
  def.string_field(3, "save/restore_all");
  if (o.max_to_keep != 0) def.int32_field(4, o.max_to_keep);
  if (o.keep_checkpoint_every_n_hours != 0) def.float_field(6, o.keep_checkpoint_every_n_hours);
  def.enum_field(7, 2);  // V2
  return def.release();
}

/// VariableDef (variable.proto) of a TF1 variable exported by graph_exporter::add_variable.
inline std::string variable_def(const variable_info& v) {
  protobuf::writer d;
  d.string_field(1, v.name + ":0");
  d.string_field(2, v.name + "/Assign");
  d.string_field(3, v.name + "/read:0");
  d.string_field(6, v.name + "/initial_value:0");
  if (v.trainable) d.bool_field(7, true);
  return d.release();
}

/// The MetaGraphDef: graph_def, saver_def and the `variables` / `trainable_variables` collections.
inline std::string serialize_meta_graph(const graph_exporter& g, const std::string& saver_def) {
  protobuf::writer meta;  // no meta_info_def: every field of it is optional
  meta.bytes_field(2, serialize_graph_def(g.nodes()));
  meta.bytes_field(3, saver_def);
  auto collection = [&](const std::string& key, bool trainable_only) {
    protobuf::writer list;
    for (const auto& v : g.variables())
      if (!trainable_only || v.trainable) list.bytes_field(1, variable_def(v));
    protobuf::writer def;
    def.message_field(2, list);  // bytes_list
    protobuf::writer entry;
    entry.string_field(1, key);
    entry.message_field(2, def);
    meta.message_field(4, entry);
  };
  collection("trainable_variables", true);
  collection("variables", false);
  return meta.release();
}

}  // namespace typeflow::io

#endif
