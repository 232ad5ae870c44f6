#ifndef TYPEFLOW_CORE_DTYPE_HPP
#define TYPEFLOW_CORE_DTYPE_HPP

#include <concepts>
#include <cstdint>
#include <string_view>
#include <type_traits>

namespace typeflow {

/// The element types a tensor may hold, with TensorFlow's names for them. `bool` is what
/// comparisons yield and tf::where reads; no gradient flows through it.
template <class T>
inline constexpr bool is_dtype_v = std::is_same_v<T, float> || std::is_same_v<T, double> ||
                                   std::is_same_v<T, std::int32_t> || std::is_same_v<T, std::int64_t> ||
                                   std::is_same_v<T, bool>;

template <class T>
concept dtype = is_dtype_v<T>;

template <dtype T>
constexpr std::string_view dtype_name() {
  if constexpr (std::is_same_v<T, float>) return "float32";
  else if constexpr (std::is_same_v<T, double>) return "float64";
  else if constexpr (std::is_same_v<T, std::int32_t>) return "int32";
  else if constexpr (std::is_same_v<T, std::int64_t>) return "int64";
  else return "bool";
}

}  // namespace typeflow

#endif
