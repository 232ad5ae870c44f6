// typeflow-import-pb: the header it generated from fixtures/tf_mlp.pb (a TF1 MLP trained and
// frozen by TensorFlow, fixtures/make_fixtures.py) compiles, and its graph computes what
// TensorFlow computed for the input recorded in fixtures/tf_mlp.json, and what
// tf::ImportedGraph computes from the same file.

#include <doctest/doctest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <typeflow/io/graph_io.hpp>
#include <typeflow/runtime/imported_graph.hpp>

#include "tf_mlp.hpp"

namespace {

/// A file of fixtures/ (appended piece by piece: g++ 12 at -O1 reports `std::string(literal) +
/// "..."` as an out-of-bounds memcpy, a false positive of -Warray-bounds).
std::string fixture(const char* file) {
  std::string path = TYPEFLOW_PB_FIXTURES;
  path += '/';
  path += file;
  return path;
}

/// The numbers of `"key": {"shape": [...], "values": [...]}` in the fixture's JSON.
std::vector<double> numbers(const std::string& json, const std::string& key, const std::string& field) {
  std::size_t at = json.find("\"" + key + "\"");
  REQUIRE(at != std::string::npos);
  at = json.find("\"" + field + "\": [", at);
  REQUIRE(at != std::string::npos);
  std::istringstream in(json.substr(at + field.size() + 5, json.find(']', at) - at - field.size() - 5));
  std::vector<double> v;
  for (std::string item; std::getline(in, item, ',');) v.push_back(std::stod(item));
  return v;
}

}  // namespace

TEST_CASE("pb.import: the header generated from TensorFlow's frozen MLP computes TensorFlow's outputs") {
  namespace tf = typeflow;
  std::ifstream file(fixture("tf_mlp.json"));
  REQUIRE(file);
  std::stringstream json;
  json << file.rdbuf();
  const auto shape = numbers(json.str(), "x", "shape");
  const auto xs = numbers(json.str(), "x", "values");
  const auto expected = numbers(json.str(), "op_to_store", "values");
  REQUIRE(shape.size() == 2);
  xt::xtensor<float, 2> X(
      std::array<std::size_t, 2>{static_cast<std::size_t>(shape[0]), static_cast<std::size_t>(shape[1])});
  std::copy(xs.begin(), xs.end(), X.begin());

  auto g = tf_mlp::make_graph();
  static_assert(std::is_same_v<tf::shape_of_t<decltype(g.x)>, tf::shape<tf::none, 64>>);
  static_assert(std::is_same_v<tf::shape_of_t<decltype(g.op_to_store)>, tf::shape<tf::none, 10>>);
  tf::Session sess;
  const xt::xtensor<float, 2> y = sess.run(g.op_to_store, tf::feed(g.x, X));
  REQUIRE(y.size() == expected.size());
  double worst = 0;
  for (std::size_t i = 0; i < y.size(); ++i) worst = std::max(worst, std::abs(y.flat(i) - expected[i]));
  MESSAGE("max |typeflow - TensorFlow| over " << y.size() << " probabilities: " << worst);
  CHECK(worst < 1e-6);

  // tf::ImportedGraph on the same file, at run time.
  const tf::ImportedGraph model(tf::io::read_graph_def(fixture("tf_mlp.pb")));
  const xt::xtensor<float, 2> z = model.run({"op_to_store"}, {{"x", tf::Tensor(X)}})[0].tensor<float, 2>();
  REQUIRE(z.shape() == y.shape());
  double apart = 0;
  for (std::size_t i = 0; i < y.size(); ++i) apart = std::max(apart, double(std::abs(y.flat(i) - z.flat(i))));
  MESSAGE("max |generated header - ImportedGraph|: " << apart);
  CHECK(apart < 1e-6);
}
