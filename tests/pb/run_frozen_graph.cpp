// Runs a frozen graph through tf::ImportedGraph and compares its fetches with TensorFlow's:
//
//   run_frozen_graph GRAPH.pb CASE.txt
//
// CASE.txt holds the feeds and TensorFlow's values (case_file.hpp). Exit status 0 when every
// value agrees (rtol 1e-5), 1 otherwise, with the mismatches or the error on stderr.

#include <iostream>

#include "case_file.hpp"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: run_frozen_graph GRAPH.pb CASE.txt\n";
    return 2;
  }
  try {
    const typeflow::ImportedGraph model(typeflow::GraphDef::parse(pb_test::read_file(argv[1]), argv[1]));
    const std::string report = pb_test::compare_case(model, pb_test::read_case(argv[2]));
    if (!report.empty()) {
      std::cerr << argv[1] << ": values differ from TensorFlow's:\n" << report;
      return 1;
    }
  } catch (const std::exception& e) {
    std::cerr << e.what() << "\n";
    return 1;
  }
  std::cout << argv[1] << ": every fetch agrees with TensorFlow\n";
  return 0;
}
