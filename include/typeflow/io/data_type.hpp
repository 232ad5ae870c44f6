#ifndef TYPEFLOW_IO_DATA_TYPE_HPP
#define TYPEFLOW_IO_DATA_TYPE_HPP

// TensorFlow's DataType enum (tensorflow/core/framework/types.proto), with its proto names
// ("DT_FLOAT"), its Python names ("float32") and the element sizes of the fixed-size types.

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <string>
#include <string_view>
#include <type_traits>

namespace typeflow::io {

// clang-format off
enum data_type : std::int32_t {
  DT_INVALID = 0, DT_FLOAT = 1, DT_DOUBLE = 2, DT_INT32 = 3, DT_UINT8 = 4, DT_INT16 = 5, DT_INT8 = 6,
  DT_STRING = 7, DT_COMPLEX64 = 8, DT_INT64 = 9, DT_BOOL = 10, DT_QINT8 = 11, DT_QUINT8 = 12, DT_QINT32 = 13,
  DT_BFLOAT16 = 14, DT_QINT16 = 15, DT_QUINT16 = 16, DT_UINT16 = 17, DT_COMPLEX128 = 18, DT_HALF = 19,
  DT_RESOURCE = 20, DT_VARIANT = 21, DT_UINT32 = 22, DT_UINT64 = 23,
};
// clang-format on

namespace detail {
struct data_type_info {
  std::string_view proto_name;
  std::string_view python_name;
  std::size_t size;  // bytes per element; 0 for types that are not plain bytes
};
// clang-format off
inline constexpr data_type_info data_types[] = {
    {"DT_INVALID", "invalid", 0}, {"DT_FLOAT", "float32", 4},      {"DT_DOUBLE", "float64", 8},
    {"DT_INT32", "int32", 4},     {"DT_UINT8", "uint8", 1},        {"DT_INT16", "int16", 2},
    {"DT_INT8", "int8", 1},       {"DT_STRING", "string", 0},      {"DT_COMPLEX64", "complex64", 8},
    {"DT_INT64", "int64", 8},     {"DT_BOOL", "bool", 1},          {"DT_QINT8", "qint8", 1},
    {"DT_QUINT8", "quint8", 1},   {"DT_QINT32", "qint32", 4},      {"DT_BFLOAT16", "bfloat16", 2},
    {"DT_QINT16", "qint16", 2},   {"DT_QUINT16", "quint16", 2},    {"DT_UINT16", "uint16", 2},
    {"DT_COMPLEX128", "complex128", 16}, {"DT_HALF", "float16", 2}, {"DT_RESOURCE", "resource", 0},
    {"DT_VARIANT", "variant", 0}, {"DT_UINT32", "uint32", 4},      {"DT_UINT64", "uint64", 8},
};
// clang-format on
inline constexpr int data_type_count = static_cast<int>(std::size(data_types));
}  // namespace detail

constexpr bool is_known(data_type t) { return t > DT_INVALID && t < detail::data_type_count; }

/// "DT_FLOAT", as DataType_Name prints it; "DT_<number>" for values this table lacks.
inline std::string data_type_name(data_type t) {
  if (t >= 0 && t < detail::data_type_count) return std::string(detail::data_types[t].proto_name);
  return "DT_" + std::to_string(static_cast<std::int32_t>(t));
}

/// "float32", as tf.DType.name prints it.
inline std::string dtype_name(data_type t) {
  if (t >= 0 && t < detail::data_type_count) return std::string(detail::data_types[t].python_name);
  return "unknown dtype " + std::to_string(static_cast<std::int32_t>(t));
}

/// Bytes per element of a fixed-size type; 0 for DT_STRING, DT_VARIANT, DT_RESOURCE and unknown types.
constexpr std::size_t data_type_size(data_type t) {
  return t > DT_INVALID && t < detail::data_type_count ? detail::data_types[t].size : 0;
}

/// The DataType of a C++ element type (DT_INVALID when there is none).
template <class T>
inline constexpr data_type data_type_of = std::is_same_v<T, float>           ? DT_FLOAT
                                          : std::is_same_v<T, double>        ? DT_DOUBLE
                                          : std::is_same_v<T, std::int32_t>  ? DT_INT32
                                          : std::is_same_v<T, std::int64_t>  ? DT_INT64
                                          : std::is_same_v<T, std::uint8_t>  ? DT_UINT8
                                          : std::is_same_v<T, std::int8_t>   ? DT_INT8
                                          : std::is_same_v<T, std::int16_t>  ? DT_INT16
                                          : std::is_same_v<T, std::uint16_t> ? DT_UINT16
                                          : std::is_same_v<T, std::uint32_t> ? DT_UINT32
                                          : std::is_same_v<T, std::uint64_t> ? DT_UINT64
                                          : std::is_same_v<T, bool>          ? DT_BOOL
                                          : std::is_same_v<T, std::string>   ? DT_STRING
                                                                             : DT_INVALID;

}  // namespace typeflow::io

#endif
