#ifndef TYPEFLOW_IO_PROTOBUF_HPP
#define TYPEFLOW_IO_PROTOBUF_HPP

// The protobuf wire format, by hand: enough to write and read TensorFlow's messages
// (BundleHeaderProto, BundleEntryProto, MetaGraphDef, ...) without libprotobuf.
//
// Writing: fields go out in the order the calls make them. Proto3 omits fields at their
// default (0, "", false); `writer` writes what it is told, so skip defaults at the call
// site where byte-identity with TensorFlow matters (TF writes fields in field-number order).
//
//   protobuf::writer shape;                       // TensorShapeProto
//   for (auto d : dims) {
//     protobuf::writer dim;                       // TensorShapeProto.Dim
//     dim.int64_field(1, d);
//     shape.message_field(2, dim);
//   }
//   protobuf::writer entry;                       // BundleEntryProto
//   entry.enum_field(1, 1);                       // dtype: DT_FLOAT
//   entry.message_field(2, shape);
//   entry.fixed32_field(6, masked_crc);
//   std::string bytes = entry.release();
//
// Reading: every read checks the bytes left; malformed input throws typeflow::error naming
// the message (and field) being parsed. A reader is a cursor over fields:
//
//   protobuf::reader r(bytes, "BundleEntryProto");
//   while (r.next()) {
//     switch (r.field()) {
//       case 1: dtype = r.read_int32(); break;
//       case 2: parse_shape(r.read_message("shape")); break;   // a sub-reader
//       case 6: crc = r.read_fixed32(); break;
//       default: r.skip();                                     // unknown fields are skipped
//     }
//   }
//
// Each read_* checks the field's wire type. Repeated scalar fields accept both the packed
// and the unpacked encoding (read_repeated_*), as protobuf parsers must.

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "../core/error.hpp"

namespace typeflow::io::protobuf {

enum class wire_type : std::uint8_t { varint = 0, fixed64 = 1, len = 2, fixed32 = 5 };

inline constexpr std::size_t max_varint_length = 10;

/// Appends the base-128 varint of `v` to `out`.
inline void put_varint(std::string& out, std::uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>(static_cast<std::uint8_t>(v) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

inline std::size_t varint_length(std::uint64_t v) {
  std::size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

inline void put_fixed32(std::string& out, std::uint32_t v) {
  char b[4];
  for (int i = 0; i < 4; ++i) b[i] = static_cast<char>(v >> (8 * i));
  out.append(b, 4);
}

inline void put_fixed64(std::string& out, std::uint64_t v) {
  char b[8];
  for (int i = 0; i < 8; ++i) b[i] = static_cast<char>(v >> (8 * i));
  out.append(b, 8);
}

/// Builds one serialized message. Field numbers are 1 .. 2^29-1.
class writer {
 public:
  void tag(std::uint32_t field, wire_type t) {
    put_varint(m_buf, (std::uint64_t{field} << 3) | static_cast<std::uint8_t>(t));
  }

  void varint_field(std::uint32_t field, std::uint64_t v) {
    tag(field, wire_type::varint);
    put_varint(m_buf, v);
  }
  /// int32/int64/enum: negative values take 10 bytes (sign-extended), as protobuf writes them.
  void int64_field(std::uint32_t field, std::int64_t v) { varint_field(field, static_cast<std::uint64_t>(v)); }
  void int32_field(std::uint32_t field, std::int32_t v) { int64_field(field, v); }
  void enum_field(std::uint32_t field, std::int32_t v) { int64_field(field, v); }
  void bool_field(std::uint32_t field, bool v) { varint_field(field, v ? 1 : 0); }

  void fixed32_field(std::uint32_t field, std::uint32_t v) {
    tag(field, wire_type::fixed32);
    put_fixed32(m_buf, v);
  }
  void fixed64_field(std::uint32_t field, std::uint64_t v) {
    tag(field, wire_type::fixed64);
    put_fixed64(m_buf, v);
  }
  void float_field(std::uint32_t field, float v) { fixed32_field(field, std::bit_cast<std::uint32_t>(v)); }
  void double_field(std::uint32_t field, double v) { fixed64_field(field, std::bit_cast<std::uint64_t>(v)); }

  /// string, bytes, or an already serialized message.
  void bytes_field(std::uint32_t field, std::string_view v) {
    tag(field, wire_type::len);
    put_varint(m_buf, v.size());
    m_buf.append(v.data(), v.size());
  }
  void string_field(std::uint32_t field, std::string_view v) { bytes_field(field, v); }
  void message_field(std::uint32_t field, const writer& m) { bytes_field(field, m.bytes()); }

  /// Packed repeated scalars (proto3's default for repeated numeric fields).
  template <class Int>
  void packed_varint_field(std::uint32_t field, std::span<const Int> vs) {
    std::string body;
    for (Int v : vs) put_varint(body, static_cast<std::uint64_t>(static_cast<std::int64_t>(v)));
    bytes_field(field, body);
  }
  void packed_float_field(std::uint32_t field, std::span<const float> vs) {
    std::string body;
    for (float v : vs) put_fixed32(body, std::bit_cast<std::uint32_t>(v));
    bytes_field(field, body);
  }
  void packed_double_field(std::uint32_t field, std::span<const double> vs) {
    std::string body;
    for (double v : vs) put_fixed64(body, std::bit_cast<std::uint64_t>(v));
    bytes_field(field, body);
  }

  const std::string& bytes() const { return m_buf; }
  std::string release() { return std::move(m_buf); }
  std::size_t size() const { return m_buf.size(); }
  bool empty() const { return m_buf.empty(); }

 private:
  std::string m_buf;
};

/// Reads a varint from [p, end), advancing p. Throws (naming `what`) on truncation or on a
/// varint longer than 10 bytes / wider than 64 bits.
inline std::uint64_t get_varint(const std::uint8_t*& p, const std::uint8_t* end, std::string_view what) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < max_varint_length; ++i) {
    if (p == end) throw error(std::string(what) + ": truncated varint");
    const std::uint8_t b = *p++;
    if (i == 9 && b > 1) throw error(std::string(what) + ": varint wider than 64 bits");
    v |= std::uint64_t{b & 0x7fu} << (7 * i);
    if (b < 0x80) return v;
  }
  throw error(std::string(what) + ": varint longer than 10 bytes");
}

inline std::uint32_t get_fixed32(const std::uint8_t* p) {
  return std::uint32_t{p[0]} | std::uint32_t{p[1]} << 8 | std::uint32_t{p[2]} << 16 | std::uint32_t{p[3]} << 24;
}
inline std::uint64_t get_fixed64(const std::uint8_t* p) {
  return std::uint64_t{get_fixed32(p)} | std::uint64_t{get_fixed32(p + 4)} << 32;
}

/// A bounds-checked cursor over the fields of one serialized message. It views the bytes it
/// was given: they must outlive it (and the string_views read_bytes returns).
class reader {
 public:
  reader(std::string_view data, std::string what)
      : m_p(reinterpret_cast<const std::uint8_t*>(data.data())), m_end(m_p + data.size()), m_what(std::move(what)) {}
  /// A reader views its bytes: a temporary string would leave it dangling.
  reader(std::string&&, std::string) = delete;

  /// Moves to the next field; false at the end of the message. A field that was not read
  /// is skipped. Each field is read at most once.
  bool next() {
    if (m_pending) skip();
    if (m_p == m_end) return false;
    const std::uint64_t key = get_varint(m_p, m_end, m_what + ": field key");
    const auto t = static_cast<std::uint8_t>(key & 7);
    if (t != 0 && t != 1 && t != 2 && t != 5)
      throw error(m_what + ": unsupported wire type " + std::to_string(t) + " for field " + std::to_string(key >> 3));
    if ((key >> 3) == 0 || (key >> 3) > 0x1fffffff)
      throw error(m_what + ": invalid field number " + std::to_string(key >> 3));
    m_field = static_cast<std::uint32_t>(key >> 3);
    m_type = static_cast<wire_type>(t);
    m_pending = true;
    return true;
  }

  std::uint32_t field() const { return m_field; }
  wire_type type() const { return m_type; }
  const std::string& what() const { return m_what; }
  bool at_end() const { return m_p == m_end; }

  std::uint64_t read_varint() {
    expect(wire_type::varint);
    return get_varint(m_p, m_end, where());
  }
  std::int64_t read_int64() { return static_cast<std::int64_t>(read_varint()); }
  std::int32_t read_int32() { return static_cast<std::int32_t>(read_varint()); }
  std::uint32_t read_uint32() { return static_cast<std::uint32_t>(read_varint()); }
  bool read_bool() { return read_varint() != 0; }

  std::uint32_t read_fixed32() {
    expect(wire_type::fixed32);
    return get_fixed32(take(4));
  }
  std::uint64_t read_fixed64() {
    expect(wire_type::fixed64);
    return get_fixed64(take(8));
  }
  float read_float() { return std::bit_cast<float>(read_fixed32()); }
  double read_double() { return std::bit_cast<double>(read_fixed64()); }

  /// A length-delimited field's bytes (string, bytes, packed repeated, or a message).
  std::string_view read_bytes() {
    expect(wire_type::len);
    return raw_bytes();
  }
  std::string read_string() { return std::string(read_bytes()); }
  /// A sub-reader over an embedded message; `name` extends this reader's description.
  reader read_message(std::string_view name) { return reader(read_bytes(), m_what + "." + std::string(name)); }

  /// Repeated int32/int64/uint64/enum/bool field, packed or not: appends to `out`.
  template <class Int>
  void read_repeated_varint(std::vector<Int>& out) {
    if (m_type == wire_type::len) {
      const std::string_view body = read_bytes();
      auto p = reinterpret_cast<const std::uint8_t*>(body.data());
      const auto end = p + body.size();
      while (p != end) out.push_back(static_cast<Int>(get_varint(p, end, where() + " (packed)")));
    } else {
      out.push_back(static_cast<Int>(read_varint()));
    }
  }
  /// Repeated float (fixed32) field, packed or not.
  void read_repeated_float(std::vector<float>& out) {
    if (m_type == wire_type::len) {
      const std::string_view body = read_bytes();
      if (body.size() % 4)
        throw error(where() + ": packed float length " + std::to_string(body.size()) + " is not a multiple of 4");
      for (std::size_t i = 0; i < body.size(); i += 4)
        out.push_back(std::bit_cast<float>(get_fixed32(reinterpret_cast<const std::uint8_t*>(body.data()) + i)));
    } else {
      out.push_back(read_float());
    }
  }
  /// Repeated double (fixed64) field, packed or not.
  void read_repeated_double(std::vector<double>& out) {
    if (m_type == wire_type::len) {
      const std::string_view body = read_bytes();
      if (body.size() % 8)
        throw error(where() + ": packed double length " + std::to_string(body.size()) + " is not a multiple of 8");
      for (std::size_t i = 0; i < body.size(); i += 8)
        out.push_back(std::bit_cast<double>(get_fixed64(reinterpret_cast<const std::uint8_t*>(body.data()) + i)));
    } else {
      out.push_back(read_double());
    }
  }

  /// Skips the current field, whatever its type.
  void skip() {
    consume();
    switch (m_type) {
      case wire_type::varint: get_varint(m_p, m_end, where()); break;
      case wire_type::fixed64: take(8); break;
      case wire_type::len: raw_bytes(); break;
      case wire_type::fixed32: take(4); break;
    }
  }

 private:
  std::string where() const { return m_what + " field " + std::to_string(m_field); }

  std::string_view raw_bytes() {
    const std::uint64_t n = get_varint(m_p, m_end, where() + " length");
    if (n > static_cast<std::uint64_t>(m_end - m_p))
      throw error(where() + ": length " + std::to_string(n) + " exceeds the " + std::to_string(m_end - m_p) +
                  " bytes left");
    return {reinterpret_cast<const char*>(take(static_cast<std::size_t>(n))), static_cast<std::size_t>(n)};
  }

  void consume() {
    if (!m_pending) throw error(m_what + ": a field read twice, or read before next()");
    m_pending = false;
  }

  void expect(wire_type t) {
    consume();
    static constexpr const char* names[] = {"varint",      "fixed64",   "length-delimited",
                                            "group start", "group end", "fixed32"};
    if (m_type != t)
      throw error(where() + ": expected wire type " + names[static_cast<int>(t)] + ", got " +
                  names[static_cast<int>(m_type)]);
  }

  const std::uint8_t* take(std::size_t n) {
    if (n > static_cast<std::size_t>(m_end - m_p))
      throw error(where() + ": truncated (needs " + std::to_string(n) + " bytes, " + std::to_string(m_end - m_p) +
                  " left)");
    const std::uint8_t* p = m_p;
    m_p += n;
    return p;
  }

  const std::uint8_t* m_p;
  const std::uint8_t* m_end;
  std::string m_what;
  std::uint32_t m_field = 0;
  wire_type m_type = wire_type::varint;
  bool m_pending = false;
};

}  // namespace typeflow::io::protobuf

#endif
