// Writes the frozen graphs of bench_pb (pb_models.hpp) into DIR: mlp.pb, regression.pb, chain.pb,
// and each as ONNX (mlp.onnx, ...) for benchmarks/compare/pb_compare.py's onnxruntime.
//
//   pb_models DIR

#include <iostream>
#include <string>
#include <typeflow/io/onnx.hpp>

#include "pb_models.hpp"

namespace {

template <class Model>
void freeze(Model model, const std::string& dir, const std::string& name) {
  namespace tf = typeflow;
  tf::reset_default_graph();
  (void)model();
  tf::Session sess;
  sess.run(tf::global_variables_initializer());
  const tf::GraphDef frozen = tf::graph_util::convert_variables_to_constants(sess, sess.graph_def(), {"op_to_store"});
  tf::gfile::FastGFile(dir + "/" + name + ".pb", "wb").write(frozen.SerializeToString());
  tf::onnx::export_graph(frozen, {"op_to_store"}, dir + "/" + name + ".onnx");
}

}  // namespace

int main(int argc, char** argv) try {
  if (argc != 2) {
    std::cerr << "usage: pb_models DIR\n";
    return 2;
  }
  const std::string dir = argv[1];
  freeze(pb_models::mlp, dir, "mlp");
  freeze(pb_models::regression, dir, "regression");
  freeze(pb_models::chain, dir, "chain");
} catch (const std::exception& e) {
  std::cerr << "pb_models: " << e.what() << "\n";
  return 1;
}
