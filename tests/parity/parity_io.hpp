#ifndef TYPEFLOW_TESTS_PARITY_PARITY_IO_HPP
#define TYPEFLOW_TESTS_PARITY_PARITY_IO_HPP

// Files and JSON of the program parity tests (tf_parity.py, tf1_programs.py): each tensor
// file's first line holds the dims, separated by spaces; the values follow in row-major order,
// separated by whitespace, each written with 9 significant digits so that it reads back as the
// exact float32 that TensorFlow was given.

#include <array>
#include <cmath>
#include <cstddef>
#include <fstream>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <string>
#include <typeflow/typeflow.hpp>
#include <vector>

namespace parity {

namespace tf = typeflow;

template <std::size_t R>
xt::xtensor<float, R> read_tensor(const std::string& path, const std::array<std::size_t, R>& expected,
                                  bool any_rows = false) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open " + path);
  std::string header;
  std::getline(in, header);
  std::istringstream hs(header);
  std::vector<std::size_t> dims;
  for (std::size_t d; hs >> d;) dims.push_back(d);
  if (!hs.eof()) throw std::runtime_error(path + ": bad header line '" + header + "'");
  bool ok = dims.size() == R;
  for (std::size_t i = 0; ok && i < R; ++i) ok = dims[i] == expected[i] || (i == 0 && any_rows);
  if (!ok)
    throw std::runtime_error(path + ": expected shape " + tf::shape_string(expected) + ", got " +
                             tf::shape_string(dims));

  std::array<std::size_t, R> shape{};
  std::copy(dims.begin(), dims.end(), shape.begin());
  xt::xtensor<float, R> t = xt::xtensor<float, R>::from_shape(shape);
  for (auto& v : t)
    if (!(in >> v)) throw std::runtime_error(path + ": fewer values than the header's " + tf::shape_string(dims));
  std::string rest;
  if (in >> rest) throw std::runtime_error(path + ": unexpected '" + rest + "' after the values");
  return t;
}

// A float as a JSON number that reads back to the same float (NaN and infinities as Python's
// json module writes them, so that a diverged run is reported as a mismatch, not a parse error).
inline std::string json_number(float v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
  std::ostringstream s;
  s.precision(std::numeric_limits<float>::max_digits10);
  s << v;
  return s.str();
}

template <class E>
std::string json_array(const E& values) {
  std::string s = "[";
  for (auto v : values) s += (s.size() > 1 ? ", " : "") + json_number(v);
  return s + "]";
}

}  // namespace parity

#endif
