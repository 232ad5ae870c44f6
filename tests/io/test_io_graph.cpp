// GraphDef files: protobuf text both ways (text_format.hpp), tf::io::write_graph and
// read_graph_def in either format, tf::gfile::FastGFile, the AttrValue / TensorProto decoders
// (attr_value.hpp), and the ONNX export's encoding (onnx.hpp; onnxruntime runs the models in
// tests/io/onnx_check.py). What TensorFlow itself writes and reads is checked by
// tests/io/tf_graph_io.py.

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>
#include <typeflow/io/attr_value.hpp>
#include <typeflow/io/gfile.hpp>
#include <typeflow/io/graph_io.hpp>
#include <typeflow/io/onnx.hpp>
#include <typeflow/io/text_format.hpp>
#include <vector>

#include "io_test_util.hpp"

namespace io = typeflow::io;
namespace tf = typeflow;
namespace tfmt = typeflow::io::text_format;

using io_test::error_of;

namespace {

// A graph as tf.io.write_graph prints it (TF 2.21; shortened): attrs sorted by key, an empty
// message as `{` `}`, strings octal-escaped, floats as Python prints them.
const std::string tf_text = R"(node {
  name: "x"
  op: "Placeholder"
  attr {
    key: "dtype"
    value {
      type: DT_FLOAT
    }
  }
  attr {
    key: "shape"
    value {
      shape {
        dim {
          size: -1
        }
        dim {
          size: 3
        }
      }
    }
  }
}
node {
  name: "c"
  op: "Const"
  attr {
    key: "value"
    value {
      tensor {
        dtype: DT_FLOAT
        tensor_shape {
          dim {
            size: 2
          }
        }
        tensor_content: "\000\000\300?\000\000\000@"
      }
    }
  }
}
node {
  name: "s"
  op: "Const"
  attr {
    key: "value"
    value {
      tensor {
        dtype: DT_STRING
        tensor_shape {
          dim {
            size: 2
          }
        }
        string_val: "a\n\"b\'\\"
        string_val: "\377\000"
      }
    }
  }
}
node {
  name: "MatMul"
  op: "MatMul"
  input: "x"
  input: "c"
  input: "^s"
  attr {
    key: "T"
    value {
      type: DT_FLOAT
    }
  }
  attr {
    key: "transpose_a"
    value {
      b: false
    }
  }
  attr {
    key: "z"
    value {
      list {
        i: 1
        i: -2
        f: 0.1
        type: DT_INT32
        type: DT_DOUBLE
      }
    }
  }
}
versions {
  producer: 26
}
)";

}  // namespace

TEST_CASE("text_format: floats and doubles print as Python's text_format prints them") {
  CHECK(io::format_float(0.1f) == "0.1");
  CHECK(io::format_float(1.0f) == "1.0");
  CHECK(io::format_float(0.0f) == "0.0");
  CHECK(io::format_float(-2.5f) == "-2.5");
  CHECK(io::format_float(1e-5f) == "1e-05");
  CHECK(io::format_float(1e-4f) == "0.0001");
  CHECK(io::format_float(123456789.0f) == "123456790.0");
  CHECK(io::format_float(1e20f) == "1e+20");
  CHECK(io::format_float(3.4028235e38f) == "3.4028235e+38");
  CHECK(io::format_float(1.17549435e-38f) == "1.1754944e-38");
  CHECK(io::format_double(0.1) == "0.1");
  CHECK(io::format_double(1e16) == "1e+16");
  CHECK(io::format_double(9999999999999998.0) == "9999999999999998.0");
  CHECK(io::format_double(1234.5) == "1234.5");
  CHECK(io::format_double(0.1f) == "0.10000000149011612");
  CHECK(io::format_double(-std::numeric_limits<double>::infinity()) == "-inf");
}

TEST_CASE("text_format: TensorFlow's text reads and prints back to the same text") {
  const std::string binary = tfmt::to_binary(tf_text, tfmt::schema::graph_def, "tf.pbtxt");
  CHECK(tfmt::to_text(binary, tfmt::schema::graph_def, "tf.pb") == tf_text);
  const tf::GraphDef g = io::graph_def_from_text(tf_text);
  REQUIRE(g.node.size() == 4);
  CHECK(g.producer == 26);
  CHECK(g.node[3].inputs == std::vector<std::string>{"x", "c", "^s"});
  const auto value = io::parse_attr_value(*g.node[2].find_attr("value"), "s.value");
  const auto strings = io::parse_tensor(value.tensor, "s.value.tensor").strings;
  CHECK(strings == std::vector<std::string>{"a\n\"b'\\", std::string("\xff\0", 2)});
  const auto c = io::parse_tensor(io::parse_attr_value(*g.node[1].find_attr("value"), "c").tensor, "c");
  CHECK(c.at<float>(0) == 1.5f);
  CHECK(c.at<float>(1) == 2.0f);
  const auto z = io::parse_attr_value(*g.node[3].find_attr("z"), "z");
  CHECK(z.list.i == std::vector<std::int64_t>{1, -2});
  CHECK(z.list.f == std::vector<float>{0.1f});
  CHECK(z.list.type == std::vector<io::data_type>{io::DT_INT32, io::DT_DOUBLE});
  // The GraphDef prints as it was read (its attrs, sorted here, stay in their order).
  CHECK(io::graph_def_to_text(g) == tf_text);
}

TEST_CASE("text_format: the syntax text_format.Parse accepts") {
  const std::string text =
      "# a comment\n"
      "node: { name: 'a' 'b' op: \"Const\"; attr < key: \"value\" value { tensor {\n"
      "  dtype: 1 tensor_shape { dim [{size: 0x3}, {size: 1}] } float_val: [1, -inf, 2.5f] } } > }\n"
      "node { name: \"i\" attr { key: \"b\" value { b: True } } attr { key: \"t\" value { type: DT_INT64 } } }\n"
      "versions { producer: 0 min_consumer: -3 bad_consumers: [4, 5] }";
  const std::string printed =
      tfmt::to_text(tfmt::to_binary(text, tfmt::schema::graph_def, "t"), tfmt::schema::graph_def, "t");
  CHECK(printed.find("name: \"ab\"\n  op: \"Const\"\n") != std::string::npos);
  CHECK(printed.find("dtype: DT_FLOAT\n") != std::string::npos);
  CHECK(printed.find("dim {\n            size: 3\n          }\n") != std::string::npos);
  CHECK(printed.find("float_val: 1.0\n        float_val: -inf\n        float_val: 2.5\n") != std::string::npos);
  CHECK(printed.find("b: true\n") != std::string::npos);
  CHECK(printed.find("type: DT_INT64\n") != std::string::npos);
  // proto3: producer 0 is not stored, so not printed; the repeated field packs and reads back.
  CHECK(printed.find("versions {\n  min_consumer: -3\n  bad_consumers: 4\n  bad_consumers: 5\n}\n") !=
        std::string::npos);
  const tf::GraphDef g = io::graph_def_from_text(text);
  CHECK(g.node[0].name == "ab");
  CHECK(g.min_consumer == -3);
  const auto t = io::parse_tensor(io::parse_attr_value(*g.node[0].find_attr("value"), "v").tensor, "t");
  CHECK(t.dims == std::vector<std::int64_t>{3, 1});
  CHECK(t.at<float>(1) == -std::numeric_limits<float>::infinity());
}

TEST_CASE("text_format: malformed text is an error naming the line, column and what was expected") {
  auto parse_error = [](const std::string& text) {
    return error_of([&] { io::graph_def_from_text(text, "g.pbtxt"); });
  };
  CHECK(parse_error("node {\n  name: \"x\n}") == "g.pbtxt: line 2, column 9: unterminated string");
  CHECK(parse_error("node {\n  name: \"x\"\n  colour: 3\n}") ==
        "g.pbtxt: line 3, column 3: no field named 'colour' in NodeDef");
  CHECK(parse_error("node { attr { key: \"T\" value {\n type: DT_FLOATY } } }") ==
        "g.pbtxt: line 2, column 8: field 'type': expected a DataType name, got 'DT_FLOATY'");
  CHECK(parse_error("node { name: \"a\" name: \"b\" }") ==
        "g.pbtxt: line 1, column 18: field 'name' of NodeDef is given twice");
  CHECK(parse_error("versions { producer: 2147483648 }") ==
        "g.pbtxt: line 1, column 22: field 'producer': expected an int32, got '2147483648'");
  CHECK(parse_error("versions { producer: 1.5 }") ==
        "g.pbtxt: line 1, column 22: field 'producer': expected an integer, got '1.5'");
  CHECK(parse_error("node { attr { key: \"b\" value { b: yes } } }") ==
        "g.pbtxt: line 1, column 35: field 'b': expected true or false, got 'yes'");
  CHECK(parse_error("node {\n name: \"x\"\n") == "g.pbtxt: line 3, column 1: expected '}' to close NodeDef");
  CHECK(parse_error("node { name \"x\" }") == "g.pbtxt: line 1, column 13: expected ':' after 'name', got '\"'");
  CHECK(parse_error("node { name: \"\\q\" }") == "g.pbtxt: line 1, column 17: invalid escape '\\q'");
  CHECK(parse_error("node 3") == "g.pbtxt: line 1, column 6: expected '{' to open NodeDef, got '3'");
}

TEST_CASE("text_format: a binary message outside the schema is an error, never dropped silently") {
  io::protobuf::writer function;
  function.bytes_field(1, "signature");
  io::protobuf::writer g;
  g.bytes_field(2, "");  // an empty library {} converts, a function does not
  CHECK(tfmt::to_text(g.bytes(), tfmt::schema::graph_def, "f.pb") == "library {\n}\n");
  g.message_field(2, function);
  CHECK(error_of([&] { tfmt::to_text(g.bytes(), tfmt::schema::graph_def, "f.pb"); }) ==
        "f.pb.library: field 1 of FunctionDefLibrary is not in typeflow's text-format schema");
  io::protobuf::writer v;
  v.fixed32_field(1, 7);  // VersionDef.producer with the wrong wire type
  io::protobuf::writer h;
  h.message_field(4, v);
  CHECK(error_of([&] { tfmt::to_text(h.bytes(), tfmt::schema::graph_def, "f.pb"); }) ==
        "f.pb.versions field 1: expected wire type varint, got fixed32");
}

TEST_CASE("text_format: map entries print sorted by the key a parser keeps (the last of two)") {
  io::protobuf::writer first, second, node, graph;
  first.string_field(1, "z");
  first.string_field(1, "a");  // the key is "a"
  first.bytes_field(2, io::attr::b(true));
  second.string_field(1, "b");
  second.bytes_field(2, io::attr::i(-1));
  node.message_field(5, second);
  node.message_field(5, first);
  graph.message_field(1, node);
  CHECK(tfmt::to_text(graph.bytes(), tfmt::schema::graph_def, "g") ==
        "node {\n  attr {\n    key: \"a\"\n    value {\n      b: true\n    }\n  }\n"
        "  attr {\n    key: \"b\"\n    value {\n      i: -1\n    }\n  }\n}\n");
}

TEST_CASE("tf::io::write_graph and read_graph_def: text and binary files, either read back") {
  io_test::temp_dir dir;
  const tf::GraphDef g = io::graph_def_from_text(tf_text);
  const std::string logdir = dir / "a/b";
  const std::string text_path = tf::io::write_graph(g, logdir, "graph.pbtxt");
  CHECK(text_path == logdir + "/graph.pbtxt");
  CHECK(io_test::slurp(text_path) == tf_text);
  const std::string pb_path = tf::io::write_graph(g, logdir, "graph.pb", false);
  CHECK(io_test::slurp(pb_path) == g.SerializeToString());
  for (const auto& p : {text_path, pb_path}) {
    const tf::GraphDef r = tf::io::read_graph_def(p);
    CHECK(r.SerializeToString() == g.SerializeToString());
  }
  CHECK(std::filesystem::directory_iterator(logdir) != std::filesystem::directory_iterator());
  std::size_t files = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(logdir)) ++files;
  CHECK(files == 2);  // no temporary file left behind

  io_test::spit(dir / "bad.pbtxt", "node {\n  name: \"x\"\n  op: Const\n}\n");
  CHECK(error_of([&] { tf::io::read_graph_def(dir / "bad.pbtxt"); }) ==
        dir / "bad.pbtxt" + ": line 3, column 7: expected a quoted string, got 'Const'");
  io_test::spit(dir / "bad.pb", std::string("\x0a\x05\x0a\x09", 4));  // a node whose name overruns
  CHECK(error_of([&] { tf::io::read_graph_def(dir / "bad.pb"); }).find(dir / "bad.pb") == 0);
  CHECK(error_of([&] { tf::io::read_graph_def(dir / "missing.pb"); }).find("missing.pb") != std::string::npos);
}

TEST_CASE("tf::gfile::FastGFile: whole-file writes, atomic and immediate, and reads") {
  io_test::temp_dir dir;
  const std::string p = dir / "frozen.pb";
  const std::string bytes("\x0a\x00\xff graph", 9);
  tf::gfile::FastGFile(p, "wb").write(bytes);
  CHECK(io_test::slurp(p) == bytes);
  {
    tf::gfile::FastGFile f(p, "wb");
    CHECK(io_test::slurp(p).empty());  // truncated on open, as TensorFlow does
    f.write("ab");
    f.write("cd");
    CHECK(io_test::slurp(p) == "abcd");
    f.close();
  }
  tf::gfile::FastGFile r(p, "rb");
  CHECK(r.read() == "abcd");
  CHECK(r.read().empty());
  CHECK(error_of([&] { tf::gfile::FastGFile(p, "a"); }) ==
        "tf::gfile::FastGFile(" + p + "): mode must be \"r\", \"rb\", \"w\" or \"wb\", got \"a\"");
  CHECK(error_of([&] { tf::gfile::FastGFile(p, "rb").write("x"); }) ==
        "tf::gfile::FastGFile(" + p + "): write() on a file opened for reading");
  CHECK(error_of([&] { tf::gfile::FastGFile(dir / "no/such/dir.pb", "wb"); }).find("no/such/dir.pb") !=
        std::string::npos);
}

TEST_CASE("attr_value: TensorProto values in each encoding, and the errors of a corrupt one") {
  auto tensor = [](const std::string& text) {
    return io::parse_tensor(tfmt::to_binary(text, tfmt::schema::tensor_proto, "t"), "t");
  };
  const auto fill = tensor("dtype: DT_FLOAT tensor_shape { dim { size: 2 } dim { size: 2 } } float_val: [1, 2]");
  CHECK(fill.num_elements() == 4);
  CHECK(fill.at<float>(1) == 2.0f);
  CHECK(fill.at<float>(3) == 2.0f);  // the last value fills the rest
  const auto i8 = tensor("dtype: DT_INT8 tensor_shape { dim { size: 3 } } int_val: [-1, 7, 127]");
  CHECK(i8.bytes == std::string("\xff\x07\x7f", 3));
  CHECK(tensor("dtype: DT_FLOAT float_val: -1e40").at<float>(0) == -std::numeric_limits<float>::infinity());
  CHECK(tensor("dtype: DT_FLOAT float_val: 3.4028235e+38").at<float>(0) == std::numeric_limits<float>::max());
  const auto i64 = tensor("int64_val: -5 dtype: DT_INT64");  // the dtype after the values
  CHECK(i64.at<std::int64_t>(0) == -5);
  const auto b = tensor("dtype: DT_BOOL tensor_shape { dim { size: 2 } } bool_val: [true, false]");
  CHECK(b.bytes == std::string("\x01\x00", 2));
  const auto empty = tensor("dtype: DT_DOUBLE tensor_shape { dim { size: 0 } }");
  CHECK(empty.bytes.empty());
  CHECK(error_of([&] { tensor("dtype: DT_INT32 float_val: 1.5"); }) ==
        "t: field 5 does not hold values of dtype DT_INT32");
  CHECK(error_of([&] { tensor("dtype: DT_FLOAT tensor_shape { dim { size: 3 } } tensor_content: \"abcd\""); }) ==
        "t: tensor_content holds 4 bytes, expected 3 elements of 4 bytes");
  CHECK(error_of([&] { tensor("dtype: DT_FLOAT tensor_shape { dim { size: -1 } }"); }) ==
        "t: a constant's shape has an unknown dimension");
  CHECK(error_of([&] { tensor("dtype: DT_FLOAT float_val: [1, 2]"); }) == "t: 2 values for 1 elements");
  CHECK(error_of([&] { tensor("dtype: DT_COMPLEX64 scomplex_val: [1, 2]"); }) ==
        "t: field 9 does not hold values of dtype DT_COMPLEX64 (give them as tensor_content)");
}

namespace {

/// An ONNX model's graph in brief: "op_type(in,in)->out [attr=...]" per node, then
/// "initializer name", "input name: elem_type [dims]", "output name: elem_type [dims]".
std::vector<std::string> onnx_summary(const std::string& model) {
  namespace pb = io::protobuf;
  auto value_info = [](std::string_view bytes) {
    std::string name, dims;
    std::int64_t elem = 0;
    for (pb::reader v(bytes, "value_info"); v.next();) {
      if (v.field() == 1) name = v.read_string();
      if (v.field() != 2) continue;
      for (auto type = v.read_message("type"); type.next();)
        for (auto tensor = type.read_message("tensor"); tensor.next();) {
          if (tensor.field() == 1) elem = tensor.read_int64();
          if (tensor.field() != 2) continue;
          dims = "[";
          for (auto shape = tensor.read_message("shape"); shape.next();) {
            std::string d = "?";
            for (auto dim = shape.read_message("dim"); dim.next();)
              d = dim.field() == 1 ? std::to_string(dim.read_int64()) : dim.read_string();
            dims += (dims.size() > 1 ? "," : "") + d;
          }
          dims += "]";
        }
    }
    return name + ": " + std::to_string(elem) + " " + dims;
  };
  std::vector<std::string> out;
  for (pb::reader m(model, "model"); m.next();) {
    if (m.field() != 7) continue;
    for (auto g = m.read_message("graph"); g.next();) {
      if (g.field() == 1) {
        std::vector<std::string> in, outs, attrs;
        std::string op;
        for (auto n = g.read_message("node"); n.next();) {
          if (n.field() == 1) in.push_back(n.read_string());
          else if (n.field() == 2) outs.push_back(n.read_string());
          else if (n.field() == 4) op = n.read_string();
          else if (n.field() == 5) {
            std::string name, value;
            for (auto a = n.read_message("attribute"); a.next();) {
              if (a.field() == 1) name = a.read_string();
              else if (a.field() == 3) value = std::to_string(a.read_int64());
              else if (a.field() == 8) value += (value.empty() ? "" : ",") + std::to_string(a.read_int64());
            }
            attrs.push_back(name + "=" + value);
          }
        }
        std::string line = op + "(";
        for (std::size_t i = 0; i < in.size(); ++i) line += (i ? "," : "") + in[i];
        line += ")->" + outs.at(0);
        for (const auto& a : attrs) line += " " + a;
        out.push_back(line);
      } else if (g.field() == 5) {
        for (auto t = g.read_message("initializer"); t.next();)
          if (t.field() == 8) out.push_back("initializer " + t.read_string());
      } else if (g.field() == 11 || g.field() == 12) {
        out.push_back((g.field() == 11 ? "input " : "output ") + value_info(g.read_bytes()));
      }
    }
  }
  return out;
}

const std::string onnx_graph = R"(
node { name: "x" op: "Placeholder" attr { key: "dtype" value { type: DT_FLOAT } }
       attr { key: "shape" value { shape { dim { size: -1 } dim { size: 2 } dim { size: -1 } } } } }
node { name: "W" op: "Const" attr { key: "dtype" value { type: DT_FLOAT } }
       attr { key: "value" value { tensor { dtype: DT_FLOAT tensor_shape { dim { size: 3 } dim { size: 2 } }
                                            float_val: 0.5 } } } }
node { name: "axes" op: "Const" attr { key: "value" value { tensor { dtype: DT_INT32 int_val: -1 } } } }
node { name: "shape" op: "Const" attr { key: "value" value { tensor { dtype: DT_INT64
         tensor_shape { dim { size: 3 } } int64_val: [-1, 2, 3] } } } }
node { name: "zero" op: "Const" attr { key: "value" value { tensor { dtype: DT_INT32
         tensor_shape { dim { size: 2 } } int_val: [0, 3] } } } }
node { name: "empty" op: "Reshape" input: "x" input: "zero" }
node { name: "r" op: "Reshape" input: "x" input: "shape" attr { key: "T" value { type: DT_FLOAT } } }
node { name: "mean" op: "Mean" input: "r" input: "axes" attr { key: "T" value { type: DT_FLOAT } }
       attr { key: "keep_dims" value { b: true } } }
node { name: "sum" op: "Sum" input: "r" input: "axes" input: "^W" attr { key: "T" value { type: DT_FLOAT } } }
node { name: "mm" op: "MatMul" input: "sum" input: "W" attr { key: "transpose_b" value { b: true } } }
node { name: "add" op: "Add" input: "mm:0" input: "mm" attr { key: "T" value { type: DT_FLOAT } } }
node { name: "am" op: "ArgMax" input: "add" input: "axes"
       attr { key: "output_type" value { type: DT_INT32 } } attr { key: "T" value { type: DT_FLOAT } } }
node { name: "odd" op: "Erf" input: "x" }
node { name: "fed" op: "Sum" input: "r" input: "x" }
)";

}  // namespace

TEST_CASE("tf::onnx::export_graph: the nodes, initializers, inputs and outputs it writes") {
  const tf::GraphDef g = io::graph_def_from_text(onnx_graph, "onnx_graph");
  const std::vector<std::string> fetches{"mean", "am", "add:0"};
  const std::vector<std::string> at17 = {
      "Reshape(x,r/onnx_shape)->r",
      "ReduceMean(r)->mean keepdims=1 axes=2",
      "ReduceSum(r,sum/onnx_axes)->sum keepdims=0",
      "Gemm(sum,W)->mm transB=1",
      "Add(mm,mm)->add",
      "ArgMax(add)->am/onnx_argmax axis=-1 keepdims=0",  // int64, cast to TF's output_type int32
      "Cast(am/onnx_argmax)->am to=6",
      "Identity(add)->add:0",
      "initializer W",
      "initializer r/onnx_shape",
      "initializer sum/onnx_axes",
      "input x: 1 [N,2,x_2]",
      "output mean: 1 [?,2,1]",
      "output am: 6 [?]",
      "output add:0: 1 [?,3]"};
  auto summary = onnx_summary(tf::onnx::to_onnx(g, fetches));
  std::sort(summary.begin() + 8, summary.begin() + 11);  // the initializers, in any order
  CHECK(summary == at17);
  // opset 18: ReduceMean's axes are an input too.
  CHECK(onnx_summary(tf::onnx::to_onnx(g, fetches, {.opset = 18}))[1] ==
        "ReduceMean(r,mean/onnx_axes)->mean keepdims=1");

  CHECK(error_of([&] { tf::onnx::to_onnx(g, std::vector<std::string>{"odd"}); }) ==
        "tf::onnx::export_graph: node 'odd' (op Erf): no ONNX mapping for op 'Erf' (exported: Placeholder, Const, "
        "MatMul, Add, AddV2, BiasAdd, Sub, Mul, RealDiv, Neg, Square, Sqrt, Exp, Log, Tanh, Sigmoid, Relu, Softmax, "
        "Mean, Sum, Identity, Reshape, ArgMax, Cast, Maximum, Minimum)");
  CHECK(error_of([&] { tf::onnx::to_onnx(g, std::vector<std::string>{"fed"}); }) ==
        "tf::onnx::export_graph: node 'fed' (op Sum): input 'x' must be a Const (freeze the graph first): ONNX "
        "takes it as a constant");
  CHECK(error_of([&] { tf::onnx::to_onnx(g, std::vector<std::string>{"nope:0"}); }) ==
        "tf::onnx::export_graph: no node named 'nope' in the graph");
  CHECK(error_of([&] { tf::onnx::to_onnx(g, std::vector<std::string>{"mm:1"}); }) ==
        "tf::onnx::export_graph: node 'mm' (op MatMul): output 1 is read; only output 0 is exported");
  CHECK(error_of([&] { tf::onnx::to_onnx(g, fetches, {.opset = 12}); }).find("opset 12 is not supported") !=
        std::string::npos);
  // TF's 0 in a shape is a dim of 0; ONNX's copies the input's dim unless allowzero.
  const std::vector<std::string> empty{"empty"};
  CHECK(onnx_summary(tf::onnx::to_onnx(g, empty))[0] == "Reshape(x,empty/onnx_shape)->empty allowzero=1");
  CHECK(error_of([&] { tf::onnx::to_onnx(g, empty, {.opset = 13}); }) ==
        "tf::onnx::export_graph: node 'empty' (op Reshape): a 0 in the shape needs opset 14 (Reshape's allowzero)");

  io_test::temp_dir dir;
  tf::onnx::export_graph(g, {"add"}, dir / "model.onnx");
  CHECK(io_test::slurp(dir / "model.onnx") == tf::onnx::to_onnx(g, std::vector<std::string>{"add"}));
}
