#ifndef TYPEFLOW_TESTS_PB_CASE_FILE_HPP
#define TYPEFLOW_TESTS_PB_CASE_FILE_HPP

// A frozen graph's test case as frozen_graphs.py writes it beside the `.pb`: its feeds and
// the values TensorFlow fetched, as text. Each tensor is a line
// `feed|fetch NAME DTYPE RANK DIMS...` and a line of its values, row-major (%.9g: exact for
// float32; bools as 0/1).

#include <cmath>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <typeflow/io/graph_def.hpp>
#include <typeflow/runtime/imported_graph.hpp>

namespace pb_test {

struct graph_case {
  std::vector<std::pair<std::string, typeflow::Tensor>> feeds, fetches;
};

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline graph_case read_case(const std::string& path) {
  std::istringstream in(read_file(path));
  graph_case c;
  std::string kind, name, dtype;
  std::size_t rank = 0;
  while (in >> kind >> name >> dtype >> rank) {
    std::vector<std::size_t> dims(rank);
    for (auto& d : dims) in >> d;
    typeflow::Tensor t(typeflow::io::data_type_from_name(dtype), dims);
    typeflow::visit_dtype(t.dtype(), path, [&]<class T>() {
      for (auto& v : t.data<T>()) {
        double x = 0;
        in >> x;
        v = static_cast<T>(x);
      }
    });
    if (!in) throw std::runtime_error(path + ": malformed values of " + name);
    (kind == "feed" ? c.feeds : c.fetches).emplace_back(name, std::move(t));
  }
  return c;
}

/// Runs the case through `model`; the mismatches, one line each (empty: all values agree).
inline std::string compare_case(const typeflow::ImportedGraph& model, const graph_case& c, double rtol = 1e-5,
                                double atol = 1e-6) {
  std::vector<std::string> names;
  for (const auto& f : c.fetches) names.push_back(f.first);
  const auto got = model.run(names, c.feeds);
  std::ostringstream report;
  for (std::size_t k = 0; k < got.size(); ++k) {
    const auto& want = c.fetches[k].second;
    if (got[k].dtype() != want.dtype() || got[k].shape() != want.shape()) {
      report << names[k] << ": got " << typeflow::io::dtype_name(got[k].dtype()) << " "
             << typeflow::shape_string(got[k].shape()) << ", expected " << typeflow::io::dtype_name(want.dtype()) << " "
             << typeflow::shape_string(want.shape()) << "\n";
      continue;
    }
    typeflow::visit_dtype(want.dtype(), names[k], [&]<class T>() {
      const auto g = got[k].data<T>(), w = want.data<T>();
      for (std::size_t i = 0; i < w.size(); ++i) {
        const double a = static_cast<double>(g[i]), b = static_cast<double>(w[i]);
        const bool ok = std::isnan(b) ? std::isnan(a) : std::abs(a - b) <= atol + rtol * std::abs(b);
        if (!ok) report << names[k] << "[" << i << "]: got " << a << ", expected " << b << "\n";
      }
    });
  }
  return report.str();
}

}  // namespace pb_test

#endif
