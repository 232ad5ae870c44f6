#ifndef TYPEFLOW_IO_ATTR_VALUE_HPP
#define TYPEFLOW_IO_ATTR_VALUE_HPP

// Reading TensorFlow's attribute messages (attr_value.proto, tensor.proto, tensor_shape.proto;
// field numbers in TF-FORMATS.md 3.3): what an importer of a GraphDef needs from a node's
// attrs. graph_def.hpp writes them; this header decodes them, checking every length and count
// so that a corrupt file is an error naming the node and attr, never an out-of-bounds read.

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "../core/element_count.hpp"
#include "../core/error.hpp"
#include "data_type.hpp"
#include "protobuf.hpp"

namespace typeflow::io {

/// A TensorShapeProto: its dims (-1 where unknown), or an unknown rank.
struct tensor_shape {
  std::vector<std::int64_t> dims;
  bool unknown_rank = false;
};

inline tensor_shape parse_tensor_shape(std::string_view bytes, const std::string& what) {
  tensor_shape shape;
  protobuf::reader r(bytes, what);
  while (r.next()) {
    if (r.field() == 2) {  // dim { size = 1; name = 2; }
      auto dim = r.read_message("dim");
      std::int64_t size = 0;
      while (dim.next())
        if (dim.field() == 1) size = dim.read_int64();
      if (size < -1) throw error(what + ": dimension " + std::to_string(size) + " is negative");
      shape.dims.push_back(size);
    } else if (r.field() == 3) {
      shape.unknown_rank = r.read_bool();
    }
  }
  return shape;
}

/// A TensorProto, decoded: its dtype and dims, and its values as little-endian bytes in
/// row-major order (`bytes`, for fixed-size dtypes) or one string per element (DT_STRING).
/// Typed `*_val` fields with fewer values than elements are filled with the last one, as
/// TensorFlow does (`tf.constant(0.0, shape=[3, 3])` stores one float).
struct tensor_value {
  data_type dtype = DT_INVALID;
  std::vector<std::int64_t> dims;
  std::string bytes;
  std::vector<std::string> strings;

  std::size_t num_elements() const {
    std::size_t n = 1;
    for (const auto d : dims) n *= static_cast<std::size_t>(d);
    return n;
  }
  /// Element i as T (T must be the dtype's C++ type; the caller checks dtype).
  template <class T>
  T at(std::size_t i) const {
    T v;
    std::memcpy(&v, bytes.data() + i * sizeof(T), sizeof(T));
    return v;
  }
};

namespace detail {

/// The TensorProto field that holds values of `dtype` (tensor.proto's comments); 0 for none.
inline std::uint32_t typed_field_of(data_type dtype) {
  switch (dtype) {
    case DT_FLOAT: return 5;
    case DT_DOUBLE: return 6;
    case DT_INT32:
    case DT_INT16:
    case DT_INT8:
    case DT_UINT8:
    case DT_UINT16:
    case DT_QINT8:
    case DT_QUINT8:
    case DT_QINT16:
    case DT_QUINT16:
    case DT_QINT32: return 7;
    case DT_STRING: return 8;
    case DT_INT64: return 10;
    case DT_BOOL: return 11;
    case DT_HALF:
    case DT_BFLOAT16: return 13;
    case DT_UINT32: return 16;
    case DT_UINT64: return 17;
    default: return 0;
  }
}

/// Appends the values of a typed repeated field as `dtype`'s bytes. A field that does not
/// hold `dtype`'s values is an error: its values would be reinterpreted as other bytes.
inline void append_typed_values(protobuf::reader& r, data_type dtype, std::vector<std::string>& strings,
                                std::string& out, std::size_t& count) {
  if (r.field() >= 5 && r.field() <= 18 && r.field() != 14 && r.field() != 15 && r.field() != typed_field_of(dtype))
    throw error(r.what() + ": field " + std::to_string(r.field()) + " does not hold values of dtype " +
                data_type_name(dtype) + (typed_field_of(dtype) ? "" : " (give them as tensor_content)"));
  auto put = [&](const auto& v) {
    out.append(reinterpret_cast<const char*>(&v), sizeof v);
    ++count;
  };
  auto as_ints = [&](auto tag) {
    using I = decltype(tag);
    std::vector<std::int64_t> v;
    r.read_repeated_varint(v);
    for (const auto x : v) put(static_cast<I>(x));
  };
  switch (r.field()) {
    case 5: {  // float_val
      std::vector<float> v;
      r.read_repeated_float(v);
      for (const auto x : v) put(x);
      break;
    }
    case 6: {  // double_val
      std::vector<double> v;
      r.read_repeated_double(v);
      for (const auto x : v) put(x);
      break;
    }
    case 7:  // int_val: int32 and the narrower ints
      if (dtype == DT_INT8) as_ints(std::int8_t{});
      else if (dtype == DT_UINT8) as_ints(std::uint8_t{});
      else if (dtype == DT_INT16) as_ints(std::int16_t{});
      else if (dtype == DT_UINT16) as_ints(std::uint16_t{});
      else as_ints(std::int32_t{});
      break;
    case 8: strings.push_back(r.read_string()); break;  // string_val
    case 10: as_ints(std::int64_t{}); break;            // int64_val
    case 11: as_ints(bool{}); break;                    // bool_val
    case 13: as_ints(std::uint16_t{}); break;           // half_val (the 16-bit patterns)
    case 16: as_ints(std::uint32_t{}); break;           // uint32_val
    case 17: as_ints(std::uint64_t{}); break;           // uint64_val
    default: r.skip();
  }
}

}  // namespace detail

inline tensor_value parse_tensor(std::string_view bytes, const std::string& what) {
  tensor_value t;
  std::string content, typed;
  bool has_content = false;
  std::size_t typed_count = 0;
  for (protobuf::reader d(bytes, what); d.next();)  // the dtype first: it decides how values read
    if (d.field() == 1) t.dtype = static_cast<data_type>(d.read_int32());
  protobuf::reader r(bytes, what);
  while (r.next()) {
    switch (r.field()) {
      case 1: r.skip(); break;
      case 2: {
        const tensor_shape shape = parse_tensor_shape(r.read_bytes(), what + ".tensor_shape");
        if (shape.unknown_rank) throw error(what + ": a constant's shape has an unknown rank");
        for (const auto d : shape.dims)
          if (d < 0) throw error(what + ": a constant's shape has an unknown dimension");
        t.dims = shape.dims;
        break;
      }
      case 4:
        content = r.read_string();
        has_content = true;
        break;
      default: detail::append_typed_values(r, t.dtype, t.strings, typed, typed_count);
    }
  }
  const std::size_t size = data_type_size(t.dtype);
  if (size == 0 && t.dtype != DT_STRING)
    throw error(what + ": constants of dtype " + data_type_name(t.dtype) + " are not supported");
  const std::size_t n = checked_element_count(t.dims, size ? size : sizeof(std::string), what);
  if (t.dtype == DT_STRING) {
    if (t.strings.size() > n)
      throw error(what + ": " + std::to_string(t.strings.size()) + " strings for " + std::to_string(n) + " elements");
    if (!t.strings.empty()) t.strings.resize(n, t.strings.back());
    else t.strings.resize(n);
    return t;
  }
  if (has_content) {
    if (content.size() / size != n || content.size() % size != 0)
      throw error(what + ": tensor_content holds " + std::to_string(content.size()) + " bytes, expected " +
                  std::to_string(n) + " elements of " + std::to_string(size) + " bytes");
    t.bytes = std::move(content);
    return t;
  }
  if (typed_count > n)
    throw error(what + ": " + std::to_string(typed_count) + " values for " + std::to_string(n) + " elements");
  if (typed.size() != typed_count * size)
    throw error(what + ": its typed values do not match dtype " + data_type_name(t.dtype));
  t.bytes.assign(n * size, '\0');
  if (typed_count > 0) {
    std::memcpy(t.bytes.data(), typed.data(), typed.size());
    for (std::size_t i = typed_count; i < n; ++i)  // the last value fills the rest
      std::memcpy(t.bytes.data() + i * size, typed.data() + typed.size() - size, size);
  }
  return t;
}

/// An AttrValue, decoded. Which member is set is `kind`; a tensor stays serialized (decode it
/// with parse_tensor: constants are the large attrs, read once by whoever needs the values).
struct attr_value {
  enum class kind { none, list, s, i, f, b, type, shape, tensor, placeholder, func };
  kind k = kind::none;
  std::string s;
  std::int64_t i = 0;
  float f = 0;
  bool b = false;
  data_type type = DT_INVALID;
  tensor_shape shape;
  std::string tensor;  // a serialized TensorProto
  struct list_value {
    std::vector<std::string> s;
    std::vector<std::int64_t> i;
    std::vector<float> f;
    std::vector<bool> b;
    std::vector<data_type> type;
    std::vector<tensor_shape> shape;
  } list;
};

inline attr_value parse_attr_value(std::string_view bytes, const std::string& what) {
  using kind = attr_value::kind;
  attr_value a;
  protobuf::reader r(bytes, what);
  while (r.next()) {
    switch (r.field()) {
      case 1: {
        a.k = kind::list;
        auto l = r.read_message("list");
        while (l.next()) {
          switch (l.field()) {
            case 2: a.list.s.push_back(l.read_string()); break;
            case 3: l.read_repeated_varint(a.list.i); break;
            case 4: l.read_repeated_float(a.list.f); break;
            case 5: {
              std::vector<std::int64_t> v;
              l.read_repeated_varint(v);
              for (const auto x : v) a.list.b.push_back(x != 0);
              break;
            }
            case 6: {
              std::vector<std::int32_t> v;
              l.read_repeated_varint(v);
              for (const auto x : v) a.list.type.push_back(static_cast<data_type>(x));
              break;
            }
            case 7: a.list.shape.push_back(parse_tensor_shape(l.read_bytes(), what + ".list.shape")); break;
            default: l.skip();
          }
        }
        break;
      }
      case 2: a.k = kind::s, a.s = r.read_string(); break;
      case 3: a.k = kind::i, a.i = r.read_int64(); break;
      case 4: a.k = kind::f, a.f = r.read_float(); break;
      case 5: a.k = kind::b, a.b = r.read_bool(); break;
      case 6: a.k = kind::type, a.type = static_cast<data_type>(r.read_int32()); break;
      case 7: a.k = kind::shape, a.shape = parse_tensor_shape(r.read_bytes(), what + ".shape"); break;
      case 8: a.k = kind::tensor, a.tensor = r.read_string(); break;
      case 9: a.k = kind::placeholder, a.s = r.read_string(); break;
      case 10: a.k = kind::func, r.skip(); break;
      default: r.skip();
    }
  }
  return a;
}

}  // namespace typeflow::io

#endif
