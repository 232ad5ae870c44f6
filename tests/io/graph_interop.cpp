// The typeflow side of tests/io/tf_graph_io.py and tests/io/onnx_check.py:
//
//   graph_interop roundtrip GRAPH_FILE OUT_DIR   reads a GraphDef file of either format with
//       tf::io::read_graph_def and writes it back with tf::io::write_graph, as OUT_DIR/graph.pbtxt
//       (text) and OUT_DIR/graph.pb (binary).

#include <exception>
#include <iostream>
#include <string>
#include <typeflow/io/graph_io.hpp>

namespace tf = typeflow;

namespace {

int roundtrip(const std::string& in, const std::string& out_dir) {
  const tf::GraphDef g = tf::io::read_graph_def(in);
  tf::io::write_graph(g, out_dir, "graph.pbtxt");
  tf::io::write_graph(g, out_dir, "graph.pb", false);
  std::cout << g.node.size() << " nodes\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const std::string command = argc > 1 ? argv[1] : "";
    if (command == "roundtrip" && argc == 4) return roundtrip(argv[2], argv[3]);
    std::cerr << "usage: graph_interop roundtrip GRAPH_FILE OUT_DIR\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "graph_interop: " << e.what() << "\n";
    return 1;
  }
}
