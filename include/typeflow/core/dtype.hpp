#ifndef TYPEFLOW_CORE_DTYPE_HPP
#define TYPEFLOW_CORE_DTYPE_HPP

#include <bit>
#include <concepts>
#include <cstdint>
#include <string_view>
#include <type_traits>

namespace typeflow {

/// The element types a tensor may hold, with TensorFlow's names for them. `bool` is what
/// comparisons yield and tf::where reads; no gradient flows through it.
template <class T>
inline constexpr bool is_dtype_v =
    std::is_same_v<T, float> || std::is_same_v<T, double> || std::is_same_v<T, std::int32_t> ||
    std::is_same_v<T, std::int64_t> || std::is_same_v<T, bool>;

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

/// Whether two payload values (a literal, an op's attribute) make the same node: bit for bit
/// for floating point, so that a NaN literal is its own node (a plan finds a node's buffer by
/// comparing payloads) and a -0.0 literal is not the node of 0.0.
template <class T>
constexpr bool same_payload(T a, T b) {
  if constexpr (std::is_same_v<T, float>) return std::bit_cast<std::uint32_t>(a) == std::bit_cast<std::uint32_t>(b);
  else if constexpr (std::is_same_v<T, double>)
    return std::bit_cast<std::uint64_t>(a) == std::bit_cast<std::uint64_t>(b);
  else return a == b;
}

}  // namespace typeflow

#endif
