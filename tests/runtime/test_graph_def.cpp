// PB mode's C++ side: named nodes, sess.graph_def(), extract_sub_graph and
// convert_variables_to_constants, and the GraphDef's bytes read back. That TensorFlow runs the
// frozen files is tests/pb's (tf_runs_typeflow_pb) and the op parity suite's.

#include <doctest/doctest.h>

#include <cstring>
#include <string>
#include <typeflow/io/attr_value.hpp>
#include <typeflow/typeflow.hpp>
#include <vector>

#include "../error_of.hpp"

namespace tf = typeflow;

namespace {

std::vector<std::string> names_of(const tf::GraphDef& g) {
  std::vector<std::string> names;
  for (const auto& n : g.node) names.push_back(n.name + ":" + n.op);
  return names;
}

const tf::io::node_def& node(const tf::GraphDef& g, std::string_view name) {
  const tf::io::node_def* n = g.find(name);
  REQUIRE_MESSAGE(n, "no node " << name);
  return *n;
}

tf::io::attr_value attr(const tf::io::node_def& n, std::string_view key) {
  const std::string* a = n.find_attr(key);
  REQUIRE_MESSAGE(a, n.name << " has no attr " << key);
  return tf::io::parse_attr_value(*a, n.name + "." + std::string(key));
}

using test::error_of;

}  // namespace

TEST_CASE("pb.graph_def: named nodes, the variables as TF1 makes them, and the bytes read back") {
  tf::reset_default_graph();
  auto x = tf::placeholder<"x", float, tf::none, 3>();
  auto W = tf::Variable<"W", float, 3, 1>(tf::constant(0.5f));
  auto b = tf::Variable<"b", float, 1>(tf::constant(0.25f));
  auto logits = tf::named<"logits">(tf::matmul(x, W) + b);
  auto y = tf::identity<"op_to_store">(tf::nn::sigmoid(logits));
  (void)tf::identity<"op_to_store">(tf::nn::sigmoid(logits));  // the same declaration again: one node

  tf::Session sess;
  const tf::GraphDef g = sess.graph_def();
  CHECK(names_of(g) == std::vector<std::string>{"W/initial_value:Const", "W:VariableV2", "W/Assign:Assign",
                                                "W/read:Identity", "b/initial_value:Const", "b:VariableV2",
                                                "b/Assign:Assign", "b/read:Identity", "x:Placeholder", "MatMul:MatMul",
                                                "logits:AddV2", "Sigmoid:Sigmoid", "op_to_store:Identity"});
  CHECK(node(g, "MatMul").inputs == std::vector<std::string>{"x", "W/read"});
  CHECK(node(g, "logits").inputs == std::vector<std::string>{"MatMul", "b/read"});
  CHECK(node(g, "op_to_store").inputs == std::vector<std::string>{"Sigmoid"});
  CHECK(attr(node(g, "x"), "shape").shape.dims == std::vector<std::int64_t>{-1, 3});
  CHECK(attr(node(g, "op_to_store"), "T").type == tf::io::DT_FLOAT);

  // The binary encoding reads back node for node, attrs byte for byte.
  const std::string bytes = g.SerializeToString();
  tf::GraphDef back;
  back.ParseFromString(bytes);
  CHECK(back.SerializeToString() == bytes);
  CHECK(back.producer == tf::io::graph_def_producer);
  CHECK(names_of(back) == names_of(g));
  (void)y;
}

TEST_CASE("pb.graph_def: a name is one node; names that variables or other nodes hold are errors") {
  tf::reset_default_graph();
  auto x = tf::placeholder<"x", float, 2>();
  auto W = tf::Variable<"W", float, 2>(tf::zeros());
  (void)tf::identity<"y">(x * 2.0f);
  CHECK(error_of([&] { (void)tf::identity<"y">(x * 3.0f); }) ==
        "two different nodes are named 'y' (TensorFlow would rename the second; in typeflow a name is one node: "
        "choose another)");
  CHECK(error_of([&] { (void)tf::named<"W">(x + W); }) == "a node cannot be named 'W': a variable has that name");
  CHECK(error_of([&] { (void)tf::Variable<"y", float, 2>(tf::zeros()); }) ==
        "Variable 'y': a named node has that name");
  // Unnamed variables skip the names that nodes took (TF's unique names).
  (void)tf::named<"Variable">(x + 1.0f);
  tf::Session sess;
  auto v = tf::Variable(tf::zeros<2>());
  CHECK(sess.graph_def().find("Variable_1") != nullptr);
  (void)v;
}

TEST_CASE("pb.graph_util: convert_variables_to_constants freezes what the outputs need, with the session's values") {
  tf::reset_default_graph();
  auto x = tf::placeholder<"x", float, tf::none, 2>();
  auto y_true = tf::placeholder<"y", float, tf::none, 1>();
  auto W = tf::Variable<"W", float, 2, 1>(tf::constant(0.0f));
  auto b = tf::Variable<"b", float, 1>(tf::constant(0.0f));
  auto counter = tf::Variable<"counter", std::int32_t>(0);  // not read by the output: left out
  auto pred = tf::identity<"op_to_store">(tf::matmul(x, W) + b);
  auto loss = tf::named<"loss">(tf::reduce_mean(tf::square(pred - y_true)));
  auto train = tf::train::GradientDescentOptimizer(0.1).minimize(loss);
  tf::Session sess;

  CHECK(error_of([&] { tf::graph_util::convert_variables_to_constants(sess, sess.graph_def(), {"op_to_store"}); }) ==
        "convert_variables_to_constants: attempting to use uninitialized value W (run "
        "tf::global_variables_initializer() or restore a checkpoint first)");
  sess.run(tf::global_variables_initializer());
  const xt::xtensor<float, 2> X = {{1, 2}, {3, 4}, {-1, 0.5}}, Y = {{1}, {2}, {0}};
  for (int i = 0; i < 5; ++i) sess.run(train, tf::feed(x, X), tf::feed(y_true, Y));
  const auto Wv = sess.run(W);
  const auto bv = sess.run(b);

  const tf::GraphDef frozen = tf::graph_util::convert_variables_to_constants(sess, sess.graph_def(), {"op_to_store"});
  CHECK(names_of(frozen) == std::vector<std::string>{"W:Const", "W/read:Identity", "b:Const", "b/read:Identity",
                                                     "x:Placeholder", "MatMul:MatMul", "AddV2:AddV2",
                                                     "op_to_store:Identity"});
  // A variable's Const has exactly TF's two attrs, and the session's current value.
  const auto& w = node(frozen, "W");
  CHECK(w.attrs.size() == 2);
  CHECK(attr(w, "dtype").type == tf::io::DT_FLOAT);
  const tf::io::tensor_value wt = tf::io::parse_tensor(attr(w, "value").tensor, "W.value");
  CHECK(wt.dims == std::vector<std::int64_t>{2, 1});
  CHECK(wt.at<float>(0) == Wv(0, 0));
  CHECK(wt.at<float>(1) == Wv(1, 0));
  CHECK(wt.at<float>(0) != 0.0f);  // trained
  const tf::io::tensor_value bt = tf::io::parse_tensor(attr(node(frozen, "b"), "value").tensor, "b.value");
  CHECK(bt.at<float>(0) == bv(0));
  CHECK(frozen.find("counter") == nullptr);
  CHECK(frozen.find("y") == nullptr);  // the loss's placeholder is not needed by the output

  // "x:0" names node x; several outputs; control inputs are followed.
  const tf::GraphDef both =
      tf::graph_util::convert_variables_to_constants(sess, sess.graph_def(), {"op_to_store:0", "loss"});
  CHECK(both.find("y") != nullptr);
  CHECK(both.find("loss") != nullptr);
  tf::GraphDef with_control = sess.graph_def();
  with_control.node.push_back({"after", "NoOp", {"^counter/Assign"}, {}});
  const tf::GraphDef c = tf::graph_util::extract_sub_graph(with_control, {"after"});
  CHECK(names_of(c) == std::vector<std::string>{"counter/initial_value:Const", "counter:VariableV2",
                                                "counter/Assign:Assign", "after:NoOp"});

  CHECK(error_of([&] { tf::graph_util::convert_variables_to_constants(sess, sess.graph_def(), {"op_to_sotre"}); }) ==
        "extract_sub_graph: 'op_to_sotre' is not in graph");
  tf::GraphDef broken = sess.graph_def();
  broken.node.push_back({"z", "Identity", {"nowhere:0"}, {}});
  CHECK(error_of([&] { tf::graph_util::extract_sub_graph(broken, {"z"}); }) ==
        "extract_sub_graph: node 'z' reads 'nowhere:0', which is not in graph");
  (void)counter;
}

TEST_CASE("pb.graph_def: ops export their TensorFlow attrs and const inputs") {
  tf::reset_default_graph();
  auto x = tf::placeholder<"x", float, 2, 3>();
  auto c = tf::placeholder<"c", bool, 2, 3>();
  (void)tf::identity<"cast">(tf::cast<std::int32_t>(x));
  (void)tf::identity<"select">(tf::where(c, x, -x));
  (void)tf::identity<"concat">(tf::concat<1>(x, x));
  (void)tf::identity<"reshape">(tf::reshape<3, -1>(x));
  (void)tf::identity<"transpose">(tf::transpose<1, 0>(x));
  (void)tf::identity<"argmax">(tf::argmax(x, tf::axis<1>));
  (void)tf::identity<"logical">(tf::logical_not(c));
  const tf::GraphDef g = tf::Session().graph_def();

  const auto& cast = node(g, "Cast");
  CHECK(cast.find_attr("T") == nullptr);
  CHECK(attr(cast, "SrcT").type == tf::io::DT_FLOAT);
  CHECK(attr(cast, "DstT").type == tf::io::DT_INT32);
  CHECK(attr(node(g, "SelectV2"), "T").type == tf::io::DT_FLOAT);  // x's dtype, not the condition's
  const auto& concat = node(g, "ConcatV2");
  CHECK(concat.inputs == std::vector<std::string>{"x", "x", "ConcatV2/axis"});
  CHECK(attr(concat, "N").i == 2);
  const tf::io::tensor_value axis =
      tf::io::parse_tensor(attr(node(g, "ConcatV2/axis"), "value").tensor, "ConcatV2/axis");
  CHECK(axis.dims.empty());  // a scalar, as TF's ConcatV2 requires
  CHECK(axis.at<std::int32_t>(0) == 1);
  const tf::io::tensor_value shape =
      tf::io::parse_tensor(attr(node(g, "Reshape/shape"), "value").tensor, "Reshape/shape");
  CHECK(shape.at<std::int32_t>(0) == 3);
  CHECK(shape.at<std::int32_t>(1) == -1);
  CHECK(node(g, "Transpose").inputs == std::vector<std::string>{"x", "Transpose/perm"});
  CHECK(attr(node(g, "ArgMax"), "output_type").type == tf::io::DT_INT64);
  CHECK(node(g, "LogicalNot").find_attr("T") == nullptr);
}

TEST_CASE("pb.graph_def: an op TensorFlow has no op for cannot be exported, and says so") {
  tf::reset_default_graph();
  auto z = tf::placeholder<"z", float, 4>();
  auto x = tf::placeholder<"x", float, 4>();
  (void)tf::identity<"loss">(tf::nn::sigmoid_cross_entropy_with_logits(tf::labels = z, tf::logits = x));
  tf::Session sess;
  CHECK(error_of([&] {
          (void)sess.graph_def();
        }).starts_with("GraphDef export: SigmoidCrossEntropyWithLogits is typeflow's op, not TensorFlow's"));
}
