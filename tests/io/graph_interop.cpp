// The typeflow side of tests/io/tf_graph_io.py and tests/io/onnx_check.py:
//
//   graph_interop roundtrip GRAPH_FILE OUT_DIR   reads a GraphDef file of either format with
//       tf::io::read_graph_def and writes it back with tf::io::write_graph, as OUT_DIR/graph.pbtxt
//       (text) and OUT_DIR/graph.pb (binary).
//   graph_interop onnx OUT_DIR   builds typeflow graphs (a linear regression, an MLP 784-128-10,
//       a graph of every op the ONNX export maps), freezes each into a GraphDef (variables as
//       Consts of their values), exports OUT_DIR/<model>.onnx with tf::onnx::export_graph and
//       writes OUT_DIR/<model>.json: the inputs fed and the outputs Session::run computed.

#include <cstdint>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <typeflow/io/graph_io.hpp>
#include <typeflow/io/meta_graph.hpp>
#include <typeflow/io/onnx.hpp>
#include <typeflow/typeflow.hpp>
#include <utility>
#include <vector>

namespace tf = typeflow;
namespace io = typeflow::io;

namespace {

int roundtrip(const std::string& in, const std::string& out_dir) {
  const tf::GraphDef g = tf::io::read_graph_def(in);
  tf::io::write_graph(g, out_dir, "graph.pbtxt");
  tf::io::write_graph(g, out_dir, "graph.pb", false);
  std::cout << g.node.size() << " nodes\n";
  return 0;
}

/// {"dtype": ..., "shape": [...], "values": [...]}: values with 9 (float) or 17 (double) digits.
template <class E>
std::string json(const E& a) {
  using T = typename E::value_type;
  std::ostringstream s;
  s << "{\"dtype\": \"" << tf::dtype_name<T>() << "\", \"shape\": [";
  for (std::size_t i = 0; i < a.dimension(); ++i) s << (i ? ", " : "") << a.shape()[i];
  s << "], \"values\": [";
  std::size_t i = 0;
  char buf[40];
  for (const T& v : a) {
    if constexpr (std::is_same_v<T, float>) std::snprintf(buf, sizeof buf, "%.9g", static_cast<double>(v));
    else if constexpr (std::is_same_v<T, double>) std::snprintf(buf, sizeof buf, "%.17g", v);
    else std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(v));
    s << (i++ ? ", " : "") << buf;
  }
  s << "]}";
  return s.str();
}

/// A frozen GraphDef, the way convert_variables_to_constants makes one: each variable's
/// VariableV2 node replaced by a Const of its value in `sess` (the exporter's `W/read`
/// Identity then reads the Const). Kept here, apart from the export, until
/// tf::graph_util::convert_variables_to_constants replaces it.
class freezer {
 public:
  template <class... Outputs>
  explicit freezer(const std::pair<std::string, Outputs>&... outputs) : m_outputs{outputs.first...} {
    for (const auto& r : tf::get_default_graph().variables())
      m_exporter.add_variable({r.name, io::data_type_from_name(r.dtype), r.shape, true});
    (m_exporter.add_output(outputs.first, outputs.second), ...);
  }

  /// Freezes variable V at its value in sess.
  template <class V>
  void freeze(tf::Session& sess, const V& variable) {
    const auto value = sess.run(variable);
    using T = typename decltype(value)::value_type;
    const std::string name(V::name_type::view());
    std::vector<std::int64_t> dims(value.shape().begin(), value.shape().end());
    for (auto& n : m_exporter.nodes()) {
      if (n.name != name) continue;
      n = io::node_def{name, "Const", {}, {}};
      n.set_attr("dtype", io::attr::type(io::data_type_of<T>));
      n.set_attr("value", io::attr::tensor(io::tensor_proto<T>(dims, std::span<const T>(value.data(), value.size()))));
    }
  }

  /// The nodes the outputs are computed from (extract_sub_graph: Assign and the initial
  /// values go), in their order.
  tf::GraphDef graph_def() const {
    std::set<std::string> keep;
    std::vector<std::string> todo = m_outputs;
    while (!todo.empty()) {
      std::string name = todo.back();
      todo.pop_back();
      if (name[0] == '^') name.erase(0, 1);
      name = name.substr(0, name.find(':'));
      if (!keep.insert(name).second) continue;
      for (const auto& n : m_exporter.nodes())
        if (n.name == name) todo.insert(todo.end(), n.inputs.begin(), n.inputs.end());
    }
    tf::GraphDef g;
    for (const auto& n : m_exporter.nodes())
      if (keep.count(n.name)) g.node.push_back(n);
    return g;
  }

 private:
  std::vector<std::string> m_outputs;
  io::graph_exporter m_exporter;
};

/// Writes dir/name.onnx (opset 17), dir/name.opset21.onnx (ReduceMean's axes an input),
/// dir/name.pbtxt (the frozen graph) and dir/name.json ({"inputs": {...}, "outputs": {...}}).
void write_model(const std::string& dir, const std::string& name, const tf::GraphDef& g,
                 const std::vector<std::string>& outputs, const std::string& inputs_json,
                 const std::string& outputs_json) {
  tf::onnx::export_graph(g, outputs, dir + "/" + name + ".onnx");
  tf::onnx::export_graph(g, outputs, dir + "/" + name + ".opset21.onnx", {.opset = 21, .ir_version = 10});
  tf::io::write_graph(g, dir, name + ".pbtxt");
  std::ofstream(dir + "/" + name + ".json")
      << "{\"inputs\": {" << inputs_json << "}, \"outputs\": {" << outputs_json << "}}\n";
}

/// Deterministic inputs in [-1, 1).
template <std::size_t R>
xt::xtensor<float, R> input(const std::array<std::size_t, R>& shape, std::uint64_t seed) {
  xt::xtensor<float, R> a(shape);
  std::uint64_t s = seed * 6364136223846793005ULL + 1442695040888963407ULL;
  for (auto& v : a) {
    s = s * 6364136223846793005ULL + 1442695040888963407ULL;
    v = static_cast<float>(static_cast<double>(s >> 40) / static_cast<double>(1ULL << 24) * 2.0 - 1.0);
  }
  return a;
}

void linear_regression(const std::string& dir) {
  tf::reset_default_graph();
  auto x = tf::placeholder<"x", float, tf::none, 3>();
  auto t = tf::placeholder<"t", float, tf::none, 1>();
  auto W = tf::Variable<"W", float, 3, 1>(tf::random_normal(0.0, 1.0, 1));
  auto b = tf::Variable<"b", float, 1>(tf::random_normal(0.0, 1.0, 2));
  auto pred = tf::matmul(x, W) + b;
  auto loss = tf::reduce_mean(tf::square(pred - t));
  tf::Session sess;
  sess.run(tf::global_variables_initializer());
  freezer f(std::pair{std::string("pred"), pred}, std::pair{std::string("loss"), loss});
  f.freeze(sess, W);
  f.freeze(sess, b);
  const auto X = input<2>({7, 3}, 1);
  const auto T = input<2>({7, 1}, 2);
  write_model(dir, "linear_regression", f.graph_def(), {"pred", "loss"}, "\"x\": " + json(X) + ", \"t\": " + json(T),
              "\"pred\": " + json(sess.run(pred, tf::feed(x, X))) +
                  ", \"loss\": " + json(sess.run(loss, tf::feed(x, X), tf::feed(t, T))));
}

void mlp(const std::string& dir) {
  tf::reset_default_graph();
  auto x = tf::placeholder<"x", float, tf::none, 784>();
  auto W1 = tf::Variable<"W1", float, 784, 128>(tf::truncated_normal(0.0, 0.1, 3));
  auto b1 = tf::Variable<"b1", float, 128>(tf::random_normal(0.0, 0.1, 4));
  auto W2 = tf::Variable<"W2", float, 128, 10>(tf::truncated_normal(0.0, 0.1, 5));
  auto b2 = tf::Variable<"b2", float, 10>(tf::random_normal(0.0, 0.1, 6));
  auto hidden = tf::nn::relu(tf::matmul(x, W1) + b1);
  auto probs = tf::nn::softmax(tf::matmul(hidden, W2) + b2);
  auto classes = tf::argmax(probs, tf::axis<1>);
  tf::Session sess;
  sess.run(tf::global_variables_initializer());
  freezer f(std::pair{std::string("probs"), probs}, std::pair{std::string("classes"), classes});
  f.freeze(sess, W1);
  f.freeze(sess, b1);
  f.freeze(sess, W2);
  f.freeze(sess, b2);
  const auto X = input<2>({16, 784}, 3);
  write_model(dir, "mlp", f.graph_def(), {"probs", "classes"}, "\"x\": " + json(X),
              "\"probs\": " + json(sess.run(probs, tf::feed(x, X))) +
                  ", \"classes\": " + json(sess.run(classes, tf::feed(x, X))));
}

/// Every op the export maps, typeflow's spelling of each.
void all_ops(const std::string& dir) {
  tf::reset_default_graph();
  auto x = tf::placeholder<"x", float, tf::none, 4>();
  auto z = tf::placeholder<"z", float, tf::none, 3>();
  auto V = tf::Variable<"V", float, 3, 4>(tf::random_normal(0.0, 0.5, 7));
  auto c = tf::Variable<"c", float, 3>(tf::random_normal(0.0, 0.5, 8));
  auto a = tf::nn::bias_add(tf::matmul(x, V, tf::transpose_b), c);        // Gemm(transB), BiasAdd
  auto d = tf::sqrt(tf::exp(a * 0.5f)) - tf::log(tf::sigmoid(a) + 1.0f);  // Mul, Sqrt, Exp, Sub, Log
  auto e = tf::tanh(-d) / (tf::square(d) + z);                            // Tanh, Neg, RealDiv, Square, AddV2
  auto m = tf::maximum(e, z) + tf::minimum(e, z) + tf::nn::relu(d);       // Maximum, Minimum, Relu
  auto r = tf::reshape<-1, 3, 1>(tf::nn::softmax(tf::identity(m)));       // Identity, Softmax, Reshape
  auto s = tf::reduce_sum(r, tf::axis<1, 2>);                             // Sum over two axes
  auto k = tf::reduce_mean(r, tf::axis<0>, tf::keep_dims);                // Mean, keep_dims
  auto xz = tf::matmul(x, z, tf::transpose_a);                            // Gemm(transA), over the batch
  auto i = tf::cast<double>(tf::argmax(m, tf::axis<1>));                  // ArgMax, Cast
  tf::Session sess;
  sess.run(tf::global_variables_initializer());
  freezer f(std::pair{std::string("s"), s}, std::pair{std::string("k"), k}, std::pair{std::string("xz"), xz},
            std::pair{std::string("i"), i}, std::pair{std::string("m"), m});
  f.freeze(sess, V);
  f.freeze(sess, c);
  const auto X = input<2>({5, 4}, 9);
  auto Z = input<2>({5, 3}, 10);
  for (auto& v : Z) v = v * 0.5f + 2.0f;  // the divisor stays away from 0
  const auto fx = tf::feed(x, X);
  const auto fz = tf::feed(z, Z);
  write_model(dir, "all_ops", f.graph_def(), {"s", "k", "xz", "i", "m"}, "\"x\": " + json(X) + ", \"z\": " + json(Z),
              "\"s\": " + json(sess.run(s, fx, fz)) + ", \"k\": " + json(sess.run(k, fx, fz)) +
                  ", \"xz\": " + json(sess.run(xz, fx, fz)) + ", \"i\": " + json(sess.run(i, fx, fz)) +
                  ", \"m\": " + json(sess.run(m, fx, fz)));
}

int onnx(const std::string& dir) {
  std::filesystem::create_directories(dir);
  linear_regression(dir);
  mlp(dir);
  all_ops(dir);
  std::cout << "3 models\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const std::string command = argc > 1 ? argv[1] : "";
    if (command == "roundtrip" && argc == 4) return roundtrip(argv[2], argv[3]);
    if (command == "onnx" && argc == 3) return onnx(argv[2]);
    std::cerr << "usage: graph_interop roundtrip GRAPH_FILE OUT_DIR | graph_interop onnx OUT_DIR\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "graph_interop: " << e.what() << "\n";
    return 1;
  }
}
