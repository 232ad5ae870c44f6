#ifndef TYPEFLOW_TESTS_INTEROP_JSON_HPP
#define TYPEFLOW_TESTS_INTEROP_JSON_HPP

// The JSON that the interop executables print for their Python scripts (tests/saver/tf_interop.py,
// tests/pb/tf_runs_pb.py): a tensor is {"dtype": ..., "shape": [...], "values": [...]}, its
// values flattened row-major and written so that they read back exactly.

#include <cstdio>
#include <sstream>
#include <string>
#include <string_view>
#include <type_traits>
#include <typeflow/core/dtype.hpp>

namespace test {

namespace tf = typeflow;

template <class T>
std::string json_value(T v) {
  char buf[40];
  if constexpr (std::is_same_v<T, float>) std::snprintf(buf, sizeof buf, "%.9g", static_cast<double>(v));
  else if constexpr (std::is_same_v<T, double>) std::snprintf(buf, sizeof buf, "%.17g", v);
  else std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(v));
  std::string s = buf;
  // JSON's "-0" is the integer 0: "-0.0" keeps a float's sign ('n': inf and nan are left as they are).
  if (std::is_floating_point_v<T> && s.find_first_of(".en") == std::string::npos) s += ".0";
  return s;
}

/// A string tensor's element: its bytes as a JSON string of hex digits.
std::string json_value(const std::string& v) {
  std::string s = "\"";
  char buf[3];
  for (const unsigned char c : v) {
    std::snprintf(buf, sizeof buf, "%02x", c);
    s += buf;
  }
  return s + "\"";
}

/// {"dtype": ..., "shape": [...], "values": [...]} of an xtensor, values flattened row-major.
template <class E>
std::string json(const E& a, std::string_view dtype = tf::dtype_name<typename E::value_type>()) {
  using T = typename E::value_type;
  std::ostringstream s;
  s << "{\"dtype\": \"" << dtype << "\", \"shape\": [";
  for (std::size_t i = 0; i < a.dimension(); ++i) s << (i ? ", " : "") << a.shape()[i];
  s << "], \"values\": [";
  std::size_t i = 0;
  for (const T& v : a) s << (i++ ? ", " : "") << json_value(v);
  s << "]}";
  return s.str();
}

}  // namespace test

#endif
