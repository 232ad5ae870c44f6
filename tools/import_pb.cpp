// typeflow-import-pb: a frozen GraphDef (.pb) compiled into typed C++, as tfcompile does for
// TensorFlow, without Bazel or XLA.
//
//   typeflow-import-pb model.pb --output model.hpp [--namespace model] [--outputs op_to_store,...]
//
// The header declares the graph as typeflow types: its placeholders with the file's static dims
// (-1 becomes tf::none), its constants with the file's values (exact float literals) and the
// nodes the outputs need, each the typeflow op of its TensorFlow op. Its use:
//
//   #include "model.hpp"
//   auto g = model::make_graph();              // a struct: one member per placeholder and output
//   tf::Session sess;
//   auto y = sess.run(g.op_to_store, tf::feed(g.x, X));
//
// so a model trained anywhere becomes a compile-time-checked, fused typeflow graph. Outputs are
// the nodes named with --outputs, else the nodes no other node reads. An op the generator has
// no typeflow op for is an error naming the op and the node (exit 1); so is an attribute value
// typeflow cannot express (a data_format other than NHWC, a placeholder of unknown rank).

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <typeflow/core/error.hpp>
#include <typeflow/io/attr_value.hpp>
#include <typeflow/io/graph_def.hpp>
#include <vector>

namespace tf = typeflow;
namespace io = typeflow::io;

namespace {

/// A C++ identifier for a TF node name ("h1/weights" -> h1_weights), unique in the header.
class identifiers {
 public:
  std::string of(const std::string& node) {
    if (auto it = m_ids.find(node); it != m_ids.end()) return it->second;
    std::string id;
    for (const char c : node) id += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
    if (id.empty() || std::isdigit(static_cast<unsigned char>(id[0]))) id = "n_" + id;
    std::string unique = id;
    for (int k = 1; !m_taken.insert(unique).second; ++k) unique = id + "_" + std::to_string(k);
    return m_ids[node] = unique;
  }

 private:
  std::map<std::string, std::string> m_ids;
  std::set<std::string> m_taken{"make_graph", "graph", "tf", "detail", "xt"};
};

std::string input_node(std::string_view input) {
  if (input.starts_with('^')) input.remove_prefix(1);
  const auto colon = input.rfind(':');
  if (colon != std::string_view::npos && input.substr(colon + 1) != "0")
    throw tf::error("input '" + std::string(input) + "': only a node's first output is supported");
  return std::string(colon == std::string_view::npos ? input : input.substr(0, colon));
}

std::string cpp_type(io::data_type t, const std::string& node) {
  switch (t) {
    case io::DT_FLOAT: return "float";
    case io::DT_DOUBLE: return "double";
    case io::DT_INT32: return "std::int32_t";
    case io::DT_INT64: return "std::int64_t";
    case io::DT_BOOL: return "bool";
    default: throw tf::error("node '" + node + "': dtype " + io::data_type_name(t) + " has no typeflow dtype");
  }
}

std::string literal(const io::tensor_value& t, std::size_t i) {
  char buf[48];
  switch (t.dtype) {
    case io::DT_FLOAT: std::snprintf(buf, sizeof buf, "%.9gf", static_cast<double>(t.at<float>(i))); break;
    case io::DT_DOUBLE: std::snprintf(buf, sizeof buf, "%.17g", t.at<double>(i)); break;
    case io::DT_INT32: std::snprintf(buf, sizeof buf, "%d", t.at<std::int32_t>(i)); break;
    case io::DT_INT64: std::snprintf(buf, sizeof buf, "%lldLL", static_cast<long long>(t.at<std::int64_t>(i))); break;
    case io::DT_BOOL: return t.at<bool>(i) ? "true" : "false";
    default: throw tf::error("a constant of dtype " + io::data_type_name(t.dtype) + " cannot be written");
  }
  std::string s = buf;
  if (t.dtype == io::DT_FLOAT || t.dtype == io::DT_DOUBLE) {
    if (s.find_first_of("0123456789") == std::string::npos || s.find("inf") != std::string::npos ||
        s.find("nan") != std::string::npos)
      throw tf::error("a constant holds " + s + ", which the header cannot spell as a literal");
    if (s.find_first_of(".e") == std::string::npos) s.insert(s.size() - (t.dtype == io::DT_FLOAT), ".0");
  }
  return s;
}

std::string join(const std::vector<std::int64_t>& v) {
  std::string s;
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + std::to_string(v[i]);
  return s;
}

/// The translation: nodes in dependency order, each a line of the make_graph function.
class generator {
 public:
  generator(const tf::GraphDef& g, std::string source) : m_graph(g), m_source(std::move(source)) {
    for (const auto& n : g.node)
      if (!m_nodes.emplace(n.name, &n).second) throw tf::error("two nodes are named '" + n.name + "'");
  }

  std::string header(const std::string& ns, std::vector<std::string> outputs) {
    if (outputs.empty()) outputs = sinks();
    for (const auto& o : outputs) emit(input_node(o), {});
    std::ostringstream h;
    std::string guard = "TYPEFLOW_GENERATED_" + ns + "_HPP";
    std::transform(guard.begin(), guard.end(), guard.begin(), [](unsigned char c) { return std::toupper(c); });
    h << "// Generated by typeflow-import-pb from " << m_source << " (" << m_graph.node.size()
      << " nodes): do not edit.\n// The frozen graph as typeflow types: `auto g = " << ns
      << "::make_graph();` gives its placeholders and outputs.\n#ifndef " << guard << "\n#define " << guard
      << "\n\n#include <algorithm>\n#include <array>\n#include <cstdint>\n#include "
         "<typeflow/typeflow.hpp>\n\nnamespace "
      << ns << " {\n\nnamespace detail {\n\n"
      << "/// A constant of static dims D... from the values of the file.\n"
      << "template <std::int64_t... D, class T, std::size_t N>\n"
      << "auto constant_of(const T (&values)[N]) {\n"
      << "  xt::xtensor<T, sizeof...(D)> a(std::array<std::size_t, sizeof...(D)>{static_cast<std::size_t>(D)...});\n"
      << "  std::copy(values, values + N, a.begin());\n"
      << "  return typeflow::constant<D...>(a);\n}\n\n"
      << m_data.str() << "}  // namespace detail\n\n"
      << "/// The graph's placeholders and outputs, as typeflow nodes.\ninline auto make_graph() {\n"
      << "  namespace tf = typeflow;\n"
      << m_body.str();
    std::vector<std::pair<std::string, std::string>> members;  // (placeholder or output, its type's alias)
    auto member = [&](const std::string& name) {
      const std::string id = m_ids.of(name);
      for (const auto& m : members)
        if (m.first == id) return;
      members.emplace_back(id, m_ids.of(name + "/type"));
    };
    for (const auto& p : m_placeholders) member(p);
    for (const auto& o : outputs) member(input_node(o));
    // A member cannot be declared as decltype(itself): the types get names first.
    for (const auto& [m, type] : members) h << "  using " << type << " = decltype(" << m << ");\n";
    h << "  struct graph {\n";
    for (const auto& [m, type] : members) h << "    " << type << " " << m << ";\n";
    h << "  };\n  return graph{";
    for (std::size_t i = 0; i < members.size(); ++i) h << (i ? ", " : "") << members[i].first;
    h << "};\n}\n\n}  // namespace " << ns << "\n\n#endif\n";
    return h.str();
  }

 private:
  /// The nodes no other node reads (the graph's outputs when none are named).
  std::vector<std::string> sinks() const {
    std::set<std::string> read;
    for (const auto& n : m_graph.node)
      for (const auto& in : n.inputs) read.insert(input_node(in));
    std::vector<std::string> out;
    for (const auto& n : m_graph.node)
      if (!read.count(n.name) && n.op != "NoOp") out.push_back(n.name);
    return out;
  }

  const io::node_def& node(const std::string& name, const std::string& reader) const {
    const auto it = m_nodes.find(name);
    if (it == m_nodes.end())
      throw tf::error(reader.empty() ? "output '" + name + "' is not in the graph"
                                     : "node '" + reader + "' reads '" + name + "', which is not in the graph");
    return *it->second;
  }

  io::attr_value attr(const io::node_def& n, std::string_view key) const {
    const std::string* a = n.find_attr(key);
    if (!a) throw tf::error("node '" + n.name + "' (" + n.op + ") has no attr '" + std::string(key) + "'");
    return io::parse_attr_value(*a, "node '" + n.name + "' attr " + std::string(key));
  }
  bool attr_bool(const io::node_def& n, std::string_view key) const {
    return n.find_attr(key) ? attr(n, key).b : false;
  }

  /// The values of a Const input (axes, shapes, permutations) as integers.
  std::vector<std::int64_t> const_ints(const io::node_def& n, std::size_t input) {
    const io::node_def& c = node(input_node(n.inputs.at(input)), n.name);
    if (c.op != "Const")
      throw tf::error("node '" + n.name + "' (" + n.op + "): input " + std::to_string(input) +
                      " must be a constant for a static graph, got a " + c.op + " node");
    const io::tensor_value t = io::parse_tensor(attr(c, "value").tensor, "node '" + c.name + "' value");
    std::vector<std::int64_t> v;
    for (std::size_t i = 0; i < t.num_elements(); ++i) {
      if (t.dtype == io::DT_INT32) v.push_back(t.at<std::int32_t>(i));
      else if (t.dtype == io::DT_INT64) v.push_back(t.at<std::int64_t>(i));
      else throw tf::error("node '" + c.name + "': expected int32 or int64 values");
    }
    return v;
  }

  /// The C++ expression of data input i of n (emitting it first).
  std::string arg(const io::node_def& n, std::size_t i) {
    if (i >= n.inputs.size() || n.inputs[i].starts_with('^'))
      throw tf::error("node '" + n.name + "' (" + n.op + ") has no input " + std::to_string(i));
    return emit(input_node(n.inputs[i]), n.name);
  }

  std::string emit(const std::string& name, const std::string& reader) {
    if (const auto it = m_done.find(name); it != m_done.end()) {
      if (it->second.empty()) throw tf::error("the graph has a cycle through node '" + name + "'");
      return it->second;
    }
    const io::node_def& n = node(name, reader);
    m_done[name] = "";  // in progress: a second visit is a cycle
    const std::string expr = translate(n);
    const std::string id = m_ids.of(n.name);
    m_body << "  auto " << id << " = " << expr << ";  // " << n.name << " (" << n.op << ")\n";
    return m_done[name] = id;
  }

  std::string translate(const io::node_def& n) {
    const std::string& op = n.op;
    static const std::map<std::string, std::string, std::less<>> unary = {{"Relu", "tf::nn::relu"},
                                                                          {"Relu6", "tf::nn::relu6"},
                                                                          {"Elu", "tf::nn::elu"},
                                                                          {"Softplus", "tf::nn::softplus"},
                                                                          {"Sigmoid", "tf::sigmoid"},
                                                                          {"Tanh", "tf::tanh"},
                                                                          {"Exp", "tf::exp"},
                                                                          {"Log", "tf::log"},
                                                                          {"Sqrt", "tf::sqrt"},
                                                                          {"Rsqrt", "tf::rsqrt"},
                                                                          {"Square", "tf::square"},
                                                                          {"Abs", "tf::abs"},
                                                                          {"Softmax", "tf::nn::softmax"},
                                                                          {"LogSoftmax", "tf::nn::log_softmax"},
                                                                          {"Neg", "-"},
                                                                          {"StopGradient", "tf::stop_gradient"}};
    static const std::map<std::string, std::string, std::less<>> binary = {{"Add", "+"},
                                                                           {"AddV2", "+"},
                                                                           {"Sub", "-"},
                                                                           {"Mul", "*"},
                                                                           {"RealDiv", "/"},
                                                                           {"Maximum", "tf::maximum"},
                                                                           {"Minimum", "tf::minimum"},
                                                                           {"Pow", "tf::pow"}};
    static const std::map<std::string, std::string, std::less<>> reductions = {{"Sum", "tf::reduce_sum"},
                                                                               {"Mean", "tf::reduce_mean"},
                                                                               {"Max", "tf::reduce_max"},
                                                                               {"Min", "tf::reduce_min"},
                                                                               {"Prod", "tf::reduce_prod"}};

    if (op == "Placeholder") {
      const io::attr_value shape = attr(n, "shape");
      if (shape.shape.unknown_rank) throw tf::error("placeholder '" + n.name + "' has an unknown rank");
      std::string dims;
      for (const auto d : shape.shape.dims) dims += ", " + (d < 0 ? std::string("tf::none") : std::to_string(d));
      m_placeholders.push_back(n.name);
      return "tf::placeholder<\"" + n.name + "\", " + cpp_type(attr(n, "dtype").type, n.name) + dims + ">()";
    }
    if (op == "Const") {
      const io::tensor_value t = io::parse_tensor(attr(n, "value").tensor, "node '" + n.name + "' value");
      const std::string type = cpp_type(t.dtype, n.name);
      if (t.dims.empty()) return "tf::constant(" + type + "{" + literal(t, 0) + "})";
      const std::string data = m_ids.of(n.name) + "_values";
      m_data << "// " << n.name << " " << tf::shape_string(t.dims) << "\ninline constexpr " << type << " " << data
             << "[] = {";
      for (std::size_t i = 0; i < t.num_elements(); ++i)
        m_data << (i % 8 ? ", " : (i ? ",\n    " : "\n    ")) << literal(t, i);
      m_data << "};\n\n";
      if (t.num_elements() == 0) throw tf::error("constant '" + n.name + "' is empty");
      return "detail::constant_of<" + join(t.dims) + ">(detail::" + data + ")";
    }
    if (op == "Identity" || op == "Snapshot") return arg(n, 0);  // the same node: no copy
    if (auto it = unary.find(op); it != unary.end()) return it->second + "(" + arg(n, 0) + ")";
    if (auto it = binary.find(op); it != binary.end()) {
      const std::string a = arg(n, 0), b = arg(n, 1);
      return it->second.size() == 1 ? a + " " + it->second + " " + b : it->second + "(" + a + ", " + b + ")";
    }
    if (op == "MatMul" || op == "BatchMatMulV2" || op == "BatchMatMul") {
      const bool ta = attr_bool(n, op == "MatMul" ? "transpose_a" : "adj_x");
      const bool tb = attr_bool(n, op == "MatMul" ? "transpose_b" : "adj_y");
      return "tf::matmul(" + arg(n, 0) + ", " + arg(n, 1) + (ta ? ", tf::transpose_a" : "") +
             (tb ? ", tf::transpose_b" : "") + ")";
    }
    if (op == "BiasAdd") {
      if (n.find_attr("data_format") && attr(n, "data_format").s != "NHWC")
        throw tf::error("node '" + n.name + "' (BiasAdd): data_format " + attr(n, "data_format").s +
                        " is not supported (NHWC only)");
      return "tf::nn::bias_add(" + arg(n, 0) + ", " + arg(n, 1) + ")";
    }
    if (op == "LeakyRelu") {
      char alpha[32];
      std::snprintf(alpha, sizeof alpha, "%.9g", static_cast<double>(n.find_attr("alpha") ? attr(n, "alpha").f : 0.2f));
      return "tf::nn::leaky_relu(" + arg(n, 0) + ", " + alpha + ")";
    }
    if (auto it = reductions.find(op); it != reductions.end()) {
      const std::string x = arg(n, 0);
      const bool keep = attr_bool(n, "keep_dims");
      return it->second + "(" + x + ", tf::axis<" + join(const_ints(n, 1)) + ">" + (keep ? ", tf::keep_dims" : "") +
             ")";
    }
    if (op == "ArgMax") {
      if (n.find_attr("output_type") && attr(n, "output_type").type != io::DT_INT64)
        throw tf::error("node '" + n.name + "' (ArgMax): only output_type int64 is supported");
      const std::string x = arg(n, 0);
      return "tf::argmax(" + x + ", tf::axis<" + join(const_ints(n, 1)) + ">)";
    }
    if (op == "Reshape") return "tf::reshape<" + join(const_ints(n, 1)) + ">(" + arg(n, 0) + ")";
    if (op == "Transpose") return "tf::transpose<" + join(const_ints(n, 1)) + ">(" + arg(n, 0) + ")";
    if (op == "ExpandDims") return "tf::expand_dims<" + join(const_ints(n, 1)) + ">(" + arg(n, 0) + ")";
    if (op == "Squeeze") return "tf::squeeze<" + join(attr(n, "squeeze_dims").list.i) + ">(" + arg(n, 0) + ")";
    if (op == "Cast") return "tf::cast<" + cpp_type(attr(n, "DstT").type, n.name) + ">(" + arg(n, 0) + ")";
    if (op == "ConcatV2") {
      const std::size_t count = static_cast<std::size_t>(attr(n, "N").i);
      std::string parts;
      for (std::size_t i = 0; i < count; ++i) parts += (i ? ", " : "") + arg(n, i);
      return "tf::concat<" + join(const_ints(n, count)) + ">(" + parts + ")";
    }
    throw tf::error("node '" + n.name + "': op " + op + " has no typeflow op in typeflow-import-pb");
  }

  const tf::GraphDef& m_graph;
  std::string m_source;
  std::map<std::string, const io::node_def*> m_nodes;
  std::map<std::string, std::string> m_done;
  std::vector<std::string> m_placeholders;
  identifiers m_ids;
  std::ostringstream m_body, m_data;
};

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  for (std::string part; std::getline(in, part, ',');)
    if (!part.empty()) out.push_back(part);
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  std::string input, output, ns = "model";
  std::vector<std::string> outputs;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::cerr << "typeflow-import-pb: " << a << " needs a value\n";
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--output") output = value();
    else if (a == "--namespace") ns = value();
    else if (a == "--outputs") outputs = split(value());
    else if (!a.starts_with("--") && input.empty()) input = a;
    else {
      std::cerr << "usage: typeflow-import-pb MODEL.pb --output MODEL.hpp [--namespace NS] [--outputs a,b]\n";
      return 2;
    }
  }
  if (input.empty() || output.empty()) {
    std::cerr << "usage: typeflow-import-pb MODEL.pb --output MODEL.hpp [--namespace NS] [--outputs a,b]\n";
    return 2;
  }
  try {
    std::ifstream in(input, std::ios::binary);
    if (!in) throw tf::error("cannot open " + input);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const tf::GraphDef graph = tf::GraphDef::parse(bytes, input);
    const std::string header = generator(graph, input.substr(input.find_last_of('/') + 1)).header(ns, outputs);
    std::ofstream out(output, std::ios::binary);
    out << header;
    if (!out.flush()) throw tf::error("cannot write " + output);
  } catch (const std::exception& e) {
    std::cerr << "typeflow-import-pb: " << input << ": " << e.what() << "\n";
    return 1;
  }
  return 0;
}
