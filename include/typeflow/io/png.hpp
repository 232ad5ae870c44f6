#ifndef TYPEFLOW_IO_PNG_HPP
#define TYPEFLOW_IO_PNG_HPP

// A PNG encoder for image summaries, by hand: 8-bit grey, RGB or RGBA, no filtering, the zlib
// stream made of stored (uncompressed) deflate blocks. Summary images are small (TensorBoard
// shows a few per step), so a compressor would cost more code than it saves bytes; every PNG
// reader decodes stored blocks. Chunk CRCs are the CRC-32 of zlib (not the crc32c of TFRecord).

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "../core/error.hpp"

namespace typeflow::io::png {

namespace detail {

inline constexpr std::array<std::uint32_t, 256> crc_table = [] {
  std::array<std::uint32_t, 256> t{};
  for (std::uint32_t n = 0; n < 256; ++n) {
    std::uint32_t c = n;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
    t[n] = c;
  }
  return t;
}();

inline std::uint32_t crc32(std::string_view bytes) {
  std::uint32_t c = 0xffffffffu;
  for (const char b : bytes) c = crc_table[(c ^ static_cast<std::uint8_t>(b)) & 0xff] ^ (c >> 8);
  return c ^ 0xffffffffu;
}

inline void put_be32(std::string& out, std::uint32_t v) {
  for (int s = 24; s >= 0; s -= 8) out.push_back(static_cast<char>((v >> s) & 0xff));
}

/// A chunk: length, type, data, CRC-32 of type and data.
inline void chunk(std::string& out, std::string_view type, std::string_view data) {
  put_be32(out, static_cast<std::uint32_t>(data.size()));
  const std::size_t start = out.size();
  out.append(type);
  out.append(data);
  put_be32(out, crc32(std::string_view(out).substr(start)));
}

}  // namespace detail

/// The PNG of an 8-bit image of height x width pixels with `channels` (1 grey, 2 grey+alpha,
/// 3 RGB, 4 RGBA) interleaved samples per pixel, rows top to bottom.
inline std::string encode(std::span<const std::uint8_t> pixels, std::size_t height, std::size_t width,
                          std::size_t channels) {
  if (channels < 1 || channels > 4)
    throw error("png::encode: an image has 1 to 4 channels, not " + std::to_string(channels));
  if (pixels.size() != height * width * channels)
    throw error("png::encode: " + std::to_string(height) + "x" + std::to_string(width) + "x" +
                std::to_string(channels) + " pixels expected, got " + std::to_string(pixels.size()));
  if (height == 0 || width == 0 || height > 0x7fffffff || width > 0x7fffffff)
    throw error("png::encode: image dims " + std::to_string(height) + "x" + std::to_string(width) +
                " are outside PNG's 1 to 2^31-1");
  static constexpr std::uint8_t color_type[] = {0, 0, 4, 2, 6};
  std::string out = "\x89PNG\r\n\x1a\n";
  std::string ihdr;
  detail::put_be32(ihdr, static_cast<std::uint32_t>(width));
  detail::put_be32(ihdr, static_cast<std::uint32_t>(height));
  ihdr += {8, static_cast<char>(color_type[channels]), 0, 0, 0};  // depth, colour, deflate, filter, no interlace
  detail::chunk(out, "IHDR", ihdr);

  // The raw scanlines (each led by filter type 0), as a zlib stream of stored blocks.
  const std::size_t row = width * channels;
  std::string raw;
  raw.reserve(height * (row + 1));
  for (std::size_t y = 0; y < height; ++y) {
    raw.push_back(0);
    raw.append(reinterpret_cast<const char*>(pixels.data()) + y * row, row);
  }
  std::string z = "\x78\x01";  // deflate, 32 KiB window, no dictionary, check bits
  std::uint32_t a = 1, b = 0;  // Adler-32
  for (const char c : raw) {
    a = (a + static_cast<std::uint8_t>(c)) % 65521;
    b = (b + a) % 65521;
  }
  for (std::size_t pos = 0;;) {
    const std::size_t n = std::min<std::size_t>(raw.size() - pos, 65535);
    const bool last = pos + n == raw.size();
    z.push_back(last ? 1 : 0);  // BFINAL, BTYPE 00 (stored)
    z.push_back(static_cast<char>(n & 0xff));
    z.push_back(static_cast<char>(n >> 8));
    z.push_back(static_cast<char>(~n & 0xff));
    z.push_back(static_cast<char>((~n >> 8) & 0xff));
    z.append(raw, pos, n);
    pos += n;
    if (last) break;
  }
  detail::put_be32(z, (b << 16) | a);
  detail::chunk(out, "IDAT", z);
  detail::chunk(out, "IEND", {});
  return out;
}

}  // namespace typeflow::io::png

#endif
