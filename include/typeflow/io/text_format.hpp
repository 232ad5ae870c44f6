#ifndef TYPEFLOW_IO_TEXT_FORMAT_HPP
#define TYPEFLOW_IO_TEXT_FORMAT_HPP

// protobuf's text format for TensorFlow's graph messages, both ways, as Python's
// text_format.MessageToString writes it and text_format.Parse reads it:
//
//   node {
//     name: "x"
//     op: "Placeholder"
//     attr {
//       key: "dtype"
//       value {
//         type: DT_FLOAT
//       }
//     }
//   }
//   versions {
//     producer: 26
//   }
//
// One schema table (message -> field name, number, type, nested message) drives one converter
// per direction, so a message is described once: to_text(binary) and to_binary(text). Printing
// follows Python's: fields in field-number order, map entries sorted by key, a repeated scalar
// one line per value, proto3 scalars at their default left out unless they are a oneof's
// member (AttrValue's `b: false`), strings and bytes C-escaped, enums by name, floats as the
// shortest text that reads back. Parsing accepts what text_format.Parse accepts for these
// messages (any field order, `:` optional before a message, `<...>` for `{...}`, list syntax
// `[a, b]` for repeated fields, comments, enum numbers) and rejects what it rejects: an unknown
// field, a bad enum name, a singular field given twice, each an error with the line and column.

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "../core/error.hpp"
#include "protobuf.hpp"
#include "text_scanner.hpp"

namespace typeflow::io::text_format {

enum class field_type {
  int32,
  int64,
  uint32,
  uint64,
  boolean,
  float32,
  float64,
  string,
  bytes,
  message,
  data_type,
  full_type_id  // enums: printed by name
};
enum class label { singular, oneof, repeated };  // oneof: a proto3 member printed even at its default

struct message_schema;

struct enum_value {
  std::string_view name;
  std::int32_t number;
};

// clang-format off
/// types.proto's DataType (the `_REF` variants, +100, appear in OpDefs only: they print as numbers).
inline constexpr enum_value data_type_values[] = {
    {"DT_INVALID", 0}, {"DT_FLOAT", 1}, {"DT_DOUBLE", 2}, {"DT_INT32", 3}, {"DT_UINT8", 4}, {"DT_INT16", 5},
    {"DT_INT8", 6}, {"DT_STRING", 7}, {"DT_COMPLEX64", 8}, {"DT_INT64", 9}, {"DT_BOOL", 10}, {"DT_QINT8", 11},
    {"DT_QUINT8", 12}, {"DT_QINT32", 13}, {"DT_BFLOAT16", 14}, {"DT_QINT16", 15}, {"DT_QUINT16", 16},
    {"DT_UINT16", 17}, {"DT_COMPLEX128", 18}, {"DT_HALF", 19}, {"DT_RESOURCE", 20}, {"DT_VARIANT", 21},
    {"DT_UINT32", 22}, {"DT_UINT64", 23}, {"DT_FLOAT8_E5M2", 24}, {"DT_FLOAT8_E4M3FN", 25},
    {"DT_FLOAT8_E4M3FNUZ", 26}, {"DT_FLOAT8_E4M3B11FNUZ", 27}, {"DT_FLOAT8_E5M2FNUZ", 28}, {"DT_INT4", 29},
    {"DT_UINT4", 30}, {"DT_INT2", 31}, {"DT_UINT2", 32}, {"DT_FLOAT4_E2M1FN", 33}};
/// full_type.proto's FullTypeId (NodeDef.experimental_type, which TensorFlow 2 adds to some nodes).
inline constexpr enum_value full_type_id_values[] = {
    {"TFT_UNSET", 0}, {"TFT_VAR", 1}, {"TFT_ANY", 2}, {"TFT_PRODUCT", 3}, {"TFT_NAMED", 4},
    {"TFT_FOR_EACH", 20}, {"TFT_CALLABLE", 100}, {"TFT_BOOL", 200}, {"TFT_UINT8", 201}, {"TFT_UINT16", 202},
    {"TFT_UINT32", 203}, {"TFT_UINT64", 204}, {"TFT_INT8", 205}, {"TFT_INT16", 206}, {"TFT_INT32", 207},
    {"TFT_INT64", 208}, {"TFT_HALF", 209}, {"TFT_FLOAT", 210}, {"TFT_DOUBLE", 211}, {"TFT_COMPLEX64", 212},
    {"TFT_COMPLEX128", 213}, {"TFT_STRING", 214}, {"TFT_BFLOAT16", 215}, {"TFT_TENSOR", 1000},
    {"TFT_ARRAY", 1001}, {"TFT_OPTIONAL", 1002}, {"TFT_LITERAL", 1003}, {"TFT_ENCODED", 1004},
    {"TFT_SHAPE_TENSOR", 1005}, {"TFT_DATASET", 10102}, {"TFT_RAGGED", 10103}, {"TFT_ITERATOR", 10104},
    {"TFT_MUTEX_LOCK", 10202}, {"TFT_LEGACY_VARIANT", 10203}};
// clang-format on

/// The enum of an enum field type, and its name for errors.
inline std::span<const enum_value> enum_values(field_type t) {
  if (t == field_type::data_type) return data_type_values;
  return full_type_id_values;
}
inline std::string_view enum_name(field_type t) { return t == field_type::data_type ? "DataType" : "FullTypeId"; }

struct field_schema {
  std::string_view name;
  std::uint32_t number;
  field_type type;
  label lbl = label::singular;
  const message_schema* message = nullptr;  // for field_type::message
  bool map_entry = false;                   // a map<string, V> field: entries printed sorted by key
};

struct message_schema {
  std::string_view name;
  std::span<const field_schema> fields;

  const field_schema* by_number(std::uint32_t n) const {
    for (const auto& f : fields)
      if (f.number == n) return &f;
    return nullptr;
  }
  const field_schema* by_name(std::string_view n) const {
    for (const auto& f : fields)
      if (f.name == n) return &f;
    return nullptr;
  }
};

// The schema of GraphDef and the messages it holds (tensorflow/core/framework/*.proto). Fields
// TensorFlow 1.x graphs do not use (GraphDef's functions and debug_info, TensorProto's
// resource and variant values) are left out: converting a message that holds one is an error
// naming it, never a silent loss.
namespace schema {
using enum field_type;
constexpr label rep = label::repeated, one = label::oneof;
extern const message_schema attr_value, name_attr_list;  // defined below: the messages nest
inline constexpr field_schema dim_fields[] = {{"size", 1, int64}, {"name", 2, string}};
inline constexpr message_schema dim{"TensorShapeProto.Dim", dim_fields};
inline constexpr field_schema shape_fields[] = {{"dim", 2, message, rep, &dim}, {"unknown_rank", 3, boolean}};
inline constexpr message_schema tensor_shape{"TensorShapeProto", shape_fields};
inline constexpr field_schema tensor_fields[] = {{"dtype", 1, data_type},
                                                 {"tensor_shape", 2, message, label::singular, &tensor_shape},
                                                 {"version_number", 3, int32},
                                                 {"tensor_content", 4, bytes},
                                                 {"half_val", 13, int32, rep},
                                                 {"float_val", 5, float32, rep},
                                                 {"double_val", 6, float64, rep},
                                                 {"int_val", 7, int32, rep},
                                                 {"string_val", 8, bytes, rep},
                                                 {"scomplex_val", 9, float32, rep},
                                                 {"int64_val", 10, int64, rep},
                                                 {"bool_val", 11, boolean, rep},
                                                 {"dcomplex_val", 12, float64, rep},
                                                 {"uint32_val", 16, uint32, rep},
                                                 {"uint64_val", 17, uint64, rep},
                                                 {"float8_val", 18, bytes}};
inline constexpr message_schema tensor_proto{"TensorProto", tensor_fields};
inline constexpr field_schema list_fields[] = {{"s", 2, bytes, rep},
                                               {"i", 3, int64, rep},
                                               {"f", 4, float32, rep},
                                               {"b", 5, boolean, rep},
                                               {"type", 6, data_type, rep},
                                               {"shape", 7, message, rep, &tensor_shape},
                                               {"tensor", 8, message, rep, &tensor_proto},
                                               {"func", 9, message, rep, &name_attr_list}};
inline constexpr message_schema list_value{"AttrValue.ListValue", list_fields};
inline constexpr field_schema attr_fields[] = {{"list", 1, message, one, &list_value},
                                               {"s", 2, bytes, one},
                                               {"i", 3, int64, one},
                                               {"f", 4, float32, one},
                                               {"b", 5, boolean, one},
                                               {"type", 6, data_type, one},
                                               {"shape", 7, message, one, &tensor_shape},
                                               {"tensor", 8, message, one, &tensor_proto},
                                               {"placeholder", 9, string, one},
                                               {"func", 10, message, one, &name_attr_list}};
inline constexpr message_schema attr_value{"AttrValue", attr_fields};
inline constexpr field_schema attr_entry_fields[] = {{"key", 1, string},
                                                     {"value", 2, message, label::singular, &attr_value}};
inline constexpr message_schema attr_entry{"AttrEntry", attr_entry_fields};
inline constexpr field_schema name_attr_list_fields[] = {{"name", 1, string},
                                                         {"attr", 2, message, rep, &attr_entry, true}};
inline constexpr message_schema name_attr_list{"NameAttrList", name_attr_list_fields};
inline constexpr field_schema debug_info_fields[] = {{"original_node_names", 1, string, rep},
                                                     {"original_func_names", 2, string, rep}};
inline constexpr message_schema debug_info{"NodeDef.ExperimentalDebugInfo", debug_info_fields};
extern const message_schema full_type_def;
inline constexpr field_schema full_type_fields[] = {{"type_id", 1, full_type_id},
                                                    {"args", 2, message, rep, &full_type_def},
                                                    {"s", 3, string, one},
                                                    {"i", 4, int64, one}};
inline constexpr message_schema full_type_def{"FullTypeDef", full_type_fields};
inline constexpr field_schema node_fields[] = {{"name", 1, string},
                                               {"op", 2, string},
                                               {"input", 3, string, rep},
                                               {"device", 4, string},
                                               {"attr", 5, message, rep, &attr_entry, true},
                                               {"experimental_debug_info", 6, message, label::singular, &debug_info},
                                               {"experimental_type", 7, message, label::singular, &full_type_def}};
inline constexpr message_schema node_def{"NodeDef", node_fields};
inline constexpr field_schema versions_fields[] = {
    {"producer", 1, int32}, {"min_consumer", 2, int32}, {"bad_consumers", 3, int32, rep}};
inline constexpr message_schema version_def{"VersionDef", versions_fields};
// Functions (FunctionDef) are not in the schema: only an empty library converts.
inline constexpr message_schema function_def_library{"FunctionDefLibrary", {}};
inline constexpr field_schema graph_fields[] = {{"node", 1, message, rep, &node_def},
                                                {"library", 2, message, label::singular, &function_def_library},
                                                {"version", 3, int32},
                                                {"versions", 4, message, label::singular, &version_def}};
inline constexpr message_schema graph_def{"GraphDef", graph_fields};
}  // namespace schema

namespace detail {

inline bool is_packable(field_type t) {
  return t != field_type::string && t != field_type::bytes && t != field_type::message;
}

/// One field's value: the bits of a scalar (varint, fixed32 or fixed64 as on the wire) or the
/// bytes of a string, bytes or message field.
struct field_value {
  const field_schema* field;
  std::uint64_t bits = 0;
  std::string bytes;
};

inline bool is_default(const field_value& v) {
  return v.field->type == field_type::string || v.field->type == field_type::bytes ? v.bytes.empty() : v.bits == 0;
}

/// The key of a map entry (field 1 of its message; the last one, as parsers keep it).
inline std::string map_key(const field_value& v) {
  std::string key;
  protobuf::reader r(v.bytes, std::string(v.field->name));
  while (r.next())
    if (r.field() == 1 && r.type() == protobuf::wire_type::len) key = r.read_string();
  return key;
}

/// The fields of a serialized message, checked against its schema, in field-number order
/// (stable: repeated values keep their order), maps sorted by key, a singular scalar given
/// twice reduced to its last value and a singular message given twice merged, as parsers do.
inline std::vector<field_value> decode(std::string_view bytes, const message_schema& m, const std::string& what) {
  std::vector<field_value> out;
  protobuf::reader r(bytes, what);
  using protobuf::wire_type;
  while (r.next()) {
    const field_schema* f = m.by_number(r.field());
    if (!f)
      throw error(what + ": field " + std::to_string(r.field()) + " of " + std::string(m.name) +
                  " is not in typeflow's text-format schema");
    auto push = [&](std::uint64_t bits, std::string b) {
      if (f->lbl != label::repeated) {
        for (auto& v : out)
          if (v.field == f) {
            if (f->type == field_type::message) v.bytes += b;  // concatenated messages merge
            else v.bits = bits, v.bytes = std::move(b);
            return;
          }
      }
      out.push_back({f, bits, std::move(b)});
    };
    const bool fixed32 = f->type == field_type::float32, fixed64 = f->type == field_type::float64;
    if (!is_packable(f->type)) {
      push(0, r.read_string());
    } else if (f->lbl == label::repeated && r.type() == wire_type::len) {  // packed
      const std::string_view body = r.read_bytes();
      auto p = reinterpret_cast<const std::uint8_t*>(body.data());
      const auto end = p + body.size();
      const std::size_t width = fixed32 ? 4 : fixed64 ? 8 : 0;
      if (width && body.size() % width)
        throw error(what + "." + std::string(f->name) + ": packed length " + std::to_string(body.size()) +
                    " is not a multiple of " + std::to_string(width));
      while (p != end) {
        if (width == 4) push(protobuf::get_fixed32(p), {}), p += 4;
        else if (width == 8) push(protobuf::get_fixed64(p), {}), p += 8;
        else push(protobuf::get_varint(p, end, what + "." + std::string(f->name)), {});
      }
    } else {
      push(fixed32 ? r.read_fixed32() : fixed64 ? r.read_fixed64() : r.read_varint(), {});
    }
  }
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    if (a.field->number != b.field->number) return a.field->number < b.field->number;
    return a.field->map_entry && map_key(a) < map_key(b);
  });
  return out;
}

inline std::string scalar_text(const field_value& v) {
  switch (v.field->type) {
    case field_type::int32: return std::to_string(static_cast<std::int32_t>(v.bits));
    case field_type::int64: return std::to_string(static_cast<std::int64_t>(v.bits));
    case field_type::uint32: return std::to_string(static_cast<std::uint32_t>(v.bits));
    case field_type::uint64: return std::to_string(v.bits);
    case field_type::boolean: return v.bits ? "true" : "false";
    case field_type::float32: return format_float(std::bit_cast<float>(static_cast<std::uint32_t>(v.bits)));
    case field_type::float64: return format_double(std::bit_cast<double>(v.bits));
    case field_type::data_type:
    case field_type::full_type_id:
      for (const auto& e : enum_values(v.field->type))
        if (e.number == static_cast<std::int32_t>(v.bits)) return std::string(e.name);
      return std::to_string(static_cast<std::int32_t>(v.bits));
    default: return "\"" + c_escape(v.bytes) + "\"";
  }
}

inline void print(std::string& out, std::string_view bytes, const message_schema& m, const std::string& what,
                  int indent) {
  const std::string pad(static_cast<std::size_t>(indent), ' ');
  for (const auto& v : decode(bytes, m, what)) {
    if (v.field->lbl == label::singular && v.field->type != field_type::message && is_default(v)) continue;
    out += pad;
    out += v.field->name;
    if (v.field->type == field_type::message) {
      out += " {\n";
      print(out, v.bytes, *v.field->message, what + "." + std::string(v.field->name), indent + 2);
      out += pad + "}\n";
    } else {
      out += ": " + scalar_text(v) + "\n";
    }
  }
}

/// A scalar field's value as its wire bits, range-checked against the field's type.
inline std::uint64_t scalar_bits(text_scanner& in, const field_schema& f) {
  const std::size_t at = in.pos();
  const std::string_view token = in.scalar_token();
  const std::string name(f.name);
  auto bad = [&](const std::string& expected) {
    return "field '" + name + "': expected " + expected + ", got '" + std::string(token) + "'";
  };
  switch (f.type) {
    case field_type::boolean:
      if (token == "true" || token == "True" || token == "t" || token == "1") return 1;
      if (token == "false" || token == "False" || token == "f" || token == "0") return 0;
      in.fail_at(at, bad("true or false"));
    case field_type::float32:
    case field_type::float64: {
      double d = 0;
      if (!text_scanner::parse_double(token, d)) in.fail_at(at, bad("a number"));
      if (f.type == field_type::float64) return std::bit_cast<std::uint64_t>(d);
      // Rounded to the nearest float as a conversion would round it; done by hand past float's
      // range, where the conversion is undefined: up to max + half an ulp is max, beyond is inf.
      constexpr float max = std::numeric_limits<float>::max(), inf = std::numeric_limits<float>::infinity();
      const float v = !(std::fabs(d) > max)            ? static_cast<float>(d)
                      : std::fabs(d) < 0x1.ffffffp+127 ? (d > 0 ? max : -max)
                                                       : (d > 0 ? inf : -inf);
      return std::bit_cast<std::uint32_t>(v);
    }
    case field_type::data_type:
    case field_type::full_type_id: {
      for (const auto& e : enum_values(f.type))
        if (e.name == token) return static_cast<std::uint64_t>(static_cast<std::int64_t>(e.number));
      if (token.empty() || (token[0] != '-' && (token[0] < '0' || token[0] > '9')))
        in.fail_at(at, bad("a " + std::string(enum_name(f.type)) + " name"));
      [[fallthrough]];  // an enum's number, as text_format.Parse accepts it
    }
    default: {
      const bool is_signed = f.type != field_type::uint32 && f.type != field_type::uint64;
      const std::string s(token);
      const bool negative = !s.empty() && s[0] == '-';
      errno = 0;
      char* end = nullptr;
      // base 0: decimal, 0x hex and 0 octal, as the text format allows
      const std::uint64_t magnitude = std::strtoull(s.c_str() + negative, &end, 0);
      if (s.size() == std::size_t(negative) || end != s.c_str() + s.size() || errno == ERANGE ||
          (!s.empty() && (s[negative] == '-' || s[negative] == '+')))
        in.fail_at(at, bad("an integer"));
      const bool wide = f.type == field_type::int64 || f.type == field_type::uint64;
      if (!is_signed) {
        if (negative || (!wide && magnitude > std::numeric_limits<std::uint32_t>::max()))
          in.fail_at(at, bad("an unsigned integer in range"));
        return magnitude;
      }
      const std::uint64_t limit = wide ? std::uint64_t{1} << 63 : std::uint64_t{1} << 31;
      if (magnitude > limit - (negative ? 0 : 1)) in.fail_at(at, bad(wide ? "an int64" : "an int32"));
      // int32 and enums go on the wire sign-extended to 64 bits, as protobuf writes them
      return negative ? ~magnitude + 1 : magnitude;
    }
  }
}

/// Parses the fields of one message up to `close` ('\0': the end of the input) and encodes
/// them, in field-number order, repeated scalars packed (as SerializeToString writes them).
inline std::string parse(text_scanner& in, const message_schema& m, char close) {
  std::vector<field_value> fields;
  while (close ? !in.try_consume(close) : !in.at_end()) {
    if (close && in.at_end()) in.fail(std::string("expected '") + close + "' to close " + std::string(m.name));
    const std::size_t at = in.pos();
    const std::string_view name = in.identifier();
    const field_schema* f = m.by_name(name);
    if (!f) in.fail_at(at, "no field named '" + std::string(name) + "' in " + std::string(m.name));
    if (f->lbl != label::repeated)
      for (const auto& v : fields)
        if (v.field == f)
          in.fail_at(at, "field '" + std::string(name) + "' of " + std::string(m.name) + " is given twice");
    auto one_value = [&] {
      field_value v{f, 0, {}};
      if (f->type == field_type::message) {
        const char c = in.peek();
        if (c != '{' && c != '<')
          in.fail("expected '{' to open " + std::string(f->message->name) + ", got " + in.describe_next());
        in.try_consume(c);
        v.bytes = parse(in, *f->message, c == '{' ? '}' : '>');
      } else if (f->type == field_type::string || f->type == field_type::bytes) {
        v.bytes = in.string_value();
      } else {
        v.bits = scalar_bits(in, *f);
      }
      fields.push_back(std::move(v));
    };
    if (f->type == field_type::message) in.try_consume(':');
    else in.expect(':', "after '" + std::string(name) + "'");
    if (f->lbl == label::repeated) in.list(one_value);
    else one_value();
    if (!in.try_consume(',')) in.try_consume(';');
  }
  std::stable_sort(fields.begin(), fields.end(),
                   [](const auto& a, const auto& b) { return a.field->number < b.field->number; });
  protobuf::writer w;
  for (std::size_t i = 0; i < fields.size();) {
    const field_schema& f = *fields[i].field;
    std::size_t j = i;
    while (j < fields.size() && fields[j].field == &f) ++j;
    if (f.lbl == label::repeated && is_packable(f.type)) {
      std::string body;
      for (std::size_t k = i; k < j; ++k) {
        if (f.type == field_type::float32) protobuf::put_fixed32(body, static_cast<std::uint32_t>(fields[k].bits));
        else if (f.type == field_type::float64) protobuf::put_fixed64(body, fields[k].bits);
        else protobuf::put_varint(body, fields[k].bits);
      }
      w.bytes_field(f.number, body);
    } else {
      for (std::size_t k = i; k < j; ++k) {
        const field_value& v = fields[k];
        if (f.lbl == label::singular && f.type != field_type::message && is_default(v)) continue;  // proto3
        if (!is_packable(f.type)) w.bytes_field(f.number, v.bytes);
        else if (f.type == field_type::float32) w.fixed32_field(f.number, static_cast<std::uint32_t>(v.bits));
        else if (f.type == field_type::float64) w.fixed64_field(f.number, v.bits);
        else w.varint_field(f.number, v.bits);
      }
    }
    i = j;
  }
  return w.release();
}

}  // namespace detail

/// The text format of a serialized message (`bytes`) of schema `m`: Python's
/// text_format.MessageToString. `what` names the input in errors (a file's path).
inline std::string to_text(std::string_view bytes, const message_schema& m, const std::string& what) {
  std::string out;
  detail::print(out, bytes, m, what, 0);
  return out;
}

/// Checks that `bytes` is a message of schema `m` (every field known, with its wire type),
/// recursively; throws what to_text would.
inline void check(std::string_view bytes, const message_schema& m, const std::string& what) {
  for (const auto& v : detail::decode(bytes, m, what))
    if (v.field->type == field_type::message)
      check(v.bytes, *v.field->message, what + "." + std::string(v.field->name));
}

/// The binary encoding of the text of a message of schema `m`: text_format.Parse then
/// SerializeToString. Errors name `what`, the line and the column.
inline std::string to_binary(std::string_view text, const message_schema& m, const std::string& what) {
  text_scanner in(text, what);
  in.skip_space();
  return detail::parse(in, m, '\0');
}

}  // namespace typeflow::io::text_format

#endif
