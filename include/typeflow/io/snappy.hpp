#ifndef TYPEFLOW_IO_SNAPPY_HPP
#define TYPEFLOW_IO_SNAPPY_HPP

// Snappy raw-block decompression (google/snappy format_description.txt), for the
// snappy-compressed blocks of `.index` tables that TF builds in the wild write. Every element
// is bounds-checked against both the input and the declared output length; a hostile input
// gives typeflow::error, never an overrun or a huge allocation.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "../core/error.hpp"

namespace typeflow::io::snappy {

/// The most output one input byte can describe: a 3-byte copy-2 element yields 64 bytes.
inline constexpr std::size_t max_expansion = 22;

inline std::string uncompress(std::string_view in, std::string_view what) {
  auto fail = [&](const std::string& m) { return error(std::string(what) + ": snappy: " + m); };
  const auto* p = reinterpret_cast<const std::uint8_t*>(in.data());
  const auto* end = p + in.size();

  std::uint64_t length = 0;
  for (int shift = 0;; shift += 7) {
    if (p == end) throw fail("truncated length");
    if (shift > 28) throw fail("length varint longer than 5 bytes");
    const std::uint8_t b = *p++;
    length |= std::uint64_t{b & 0x7fu} << shift;
    if (b < 0x80) break;
  }
  if (length > 0xffffffffu) throw fail("length " + std::to_string(length) + " exceeds 2^32-1");
  if (length > in.size() * max_expansion)
    throw fail("length " + std::to_string(length) + " cannot come from " + std::to_string(in.size()) + " bytes");

  std::string out;
  out.reserve(static_cast<std::size_t>(length));
  auto need = [&](std::size_t n) {
    if (n > static_cast<std::size_t>(end - p)) throw fail("truncated element");
  };
  auto le = [&](std::size_t n) {
    need(n);
    std::uint32_t v = 0;
    for (std::size_t i = 0; i < n; ++i) v |= std::uint32_t{p[i]} << (8 * i);
    p += n;
    return v;
  };
  while (p != end) {
    const std::uint8_t tag = *p++;
    std::size_t len = 0;
    std::size_t offset = 0;
    if ((tag & 3) == 0) {  // literal
      len = (tag >> 2) + 1u;
      if ((tag >> 2) >= 60) len = std::size_t{le((tag >> 2) - 59u)} + 1;
      need(len);
      if (len > length - out.size()) throw fail("literal runs past the declared length " + std::to_string(length));
      out.append(reinterpret_cast<const char*>(p), len);
      p += len;
      continue;
    }
    if ((tag & 3) == 1) {
      len = 4 + ((tag >> 2) & 7u);
      offset = (static_cast<std::size_t>(tag >> 5) << 8) | le(1);
    } else if ((tag & 3) == 2) {
      len = (tag >> 2) + 1u;
      offset = le(2);
    } else {
      len = (tag >> 2) + 1u;
      offset = le(4);
    }
    if (offset == 0 || offset > out.size())
      throw fail("copy offset " + std::to_string(offset) + " outside the " + std::to_string(out.size()) +
                 " bytes so far");
    if (len > length - out.size()) throw fail("copy runs past the declared length " + std::to_string(length));
    const std::size_t from = out.size() - offset;
    for (std::size_t i = 0; i < len; ++i) out.push_back(out[from + i]);  // may overlap itself
  }
  if (out.size() != length)
    throw fail("output is " + std::to_string(out.size()) + " bytes, the header says " + std::to_string(length));
  return out;
}

}  // namespace typeflow::io::snappy

#endif
