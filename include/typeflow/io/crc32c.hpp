#ifndef TYPEFLOW_IO_CRC32C_HPP
#define TYPEFLOW_IO_CRC32C_HPP

// CRC-32C (Castagnoli), as TensorFlow's tsl/lib/hash/crc32c.h: extend(crc, data) continues
// a CRC, value(data) = extend(0, data), and mask/unmask are what TF stores in block trailers
// and BundleEntryProto.crc32c. On x86-64 the SSE4.2 crc32 instruction is used when the CPU
// has it (checked once at run time, so a build without -msse4.2 still uses it), three
// independent streams at a time to hide its latency; elsewhere a slicing-by-8 table.

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define TYPEFLOW_CRC32C_X86 1
#include <nmmintrin.h>
#endif

namespace typeflow::io::crc32c {

inline constexpr std::uint32_t mask_delta = 0xa282ead8u;

/// The CRC TF stores: rotated and offset, so that a CRC of data holding CRCs stays useful.
constexpr std::uint32_t mask(std::uint32_t crc) { return ((crc >> 15) | (crc << 17)) + mask_delta; }
constexpr std::uint32_t unmask(std::uint32_t masked) {
  const std::uint32_t rot = masked - mask_delta;
  return (rot >> 17) | (rot << 15);
}

namespace detail {

inline constexpr std::uint32_t poly = 0x82f63b78u;  // reflected 0x1EDC6F41

using tables_t = std::array<std::array<std::uint32_t, 256>, 8>;

constexpr tables_t make_tables() {
  tables_t t{};
  for (std::uint32_t i = 0; i < 256; ++i) {
    std::uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c >> 1) ^ ((c & 1) ? poly : 0);
    t[0][i] = c;
  }
  for (std::size_t s = 1; s < 8; ++s)
    for (std::size_t i = 0; i < 256; ++i) t[s][i] = (t[s - 1][i] >> 8) ^ t[0][t[s - 1][i] & 0xff];
  return t;
}

inline constexpr tables_t tables = make_tables();

/// Slicing-by-8 on the raw (unfinalised) register.
inline std::uint32_t extend_portable(std::uint32_t c, const unsigned char* p, std::size_t n) {
  const auto& t = tables;
  while (n >= 8) {
    std::uint32_t lo, hi;
    std::memcpy(&lo, p, 4);
    std::memcpy(&hi, p + 4, 4);
    if constexpr (std::endian::native == std::endian::big) {
      lo = __builtin_bswap32(lo);
      hi = __builtin_bswap32(hi);
    }
    lo ^= c;
    c = t[7][lo & 0xff] ^ t[6][(lo >> 8) & 0xff] ^ t[5][(lo >> 16) & 0xff] ^ t[4][lo >> 24] ^ t[3][hi & 0xff] ^
        t[2][(hi >> 8) & 0xff] ^ t[1][(hi >> 16) & 0xff] ^ t[0][hi >> 24];
    p += 8;
    n -= 8;
  }
  while (n--) c = (c >> 8) ^ t[0][(c ^ *p++) & 0xff];
  return c;
}

/// Multiplication of two polynomials modulo P (reflected), for combining stream CRCs.
constexpr std::uint32_t gf2_multiply(std::uint32_t a, std::uint32_t b) {
  std::uint32_t product = 0;
  for (int i = 0; i < 32; ++i) {
    if (a & 0x80000000u) product ^= b;
    a <<= 1;
    b = (b >> 1) ^ ((b & 1) ? poly : 0);
  }
  return product;
}

/// x^(8n) mod P: the factor that shifts a CRC register over n zero bytes.
constexpr std::uint32_t shift_factor(std::uint64_t bytes) {
  std::uint32_t result = 0x80000000u;  // x^0
  std::uint32_t power = 0x00800000u;   // x^8
  for (; bytes; bytes >>= 1) {
    if (bytes & 1) result = gf2_multiply(result, power);
    power = gf2_multiply(power, power);
  }
  return result;
}

#ifdef TYPEFLOW_CRC32C_X86
__attribute__((target("sse4.2"))) inline std::uint32_t extend_sse42_serial(std::uint32_t c, const unsigned char* p,
                                                                           std::size_t n) {
  std::uint64_t c64 = c;
  while (n >= 8) {
    std::uint64_t v;
    std::memcpy(&v, p, 8);
    c64 = _mm_crc32_u64(c64, v);
    p += 8;
    n -= 8;
  }
  c = static_cast<std::uint32_t>(c64);
  while (n--) c = _mm_crc32_u8(c, *p++);
  return c;
}

/// The instruction has a latency of 3 and a throughput of 1 per cycle: three streams over
/// three thirds of a chunk run in parallel, then are combined by shifting the first two.
__attribute__((target("sse4.2"))) inline std::uint32_t extend_sse42(std::uint32_t c, const unsigned char* p,
                                                                    std::size_t n) {
  constexpr std::size_t stride = 8192;  // bytes per stream per chunk
  static constexpr std::uint32_t shift1 = shift_factor(stride);
  static constexpr std::uint32_t shift2 = shift_factor(2 * stride);
  while (n >= 3 * stride) {
    std::uint64_t a = c, b = 0, d = 0;
    for (std::size_t i = 0; i < stride; i += 8) {
      std::uint64_t va, vb, vd;
      std::memcpy(&va, p + i, 8);
      std::memcpy(&vb, p + stride + i, 8);
      std::memcpy(&vd, p + 2 * stride + i, 8);
      a = _mm_crc32_u64(a, va);
      b = _mm_crc32_u64(b, vb);
      d = _mm_crc32_u64(d, vd);
    }
    c = gf2_multiply(static_cast<std::uint32_t>(a), shift2) ^ gf2_multiply(static_cast<std::uint32_t>(b), shift1) ^
        static_cast<std::uint32_t>(d);
    p += 3 * stride;
    n -= 3 * stride;
  }
  return extend_sse42_serial(c, p, n);
}

inline bool cpu_has_sse42() {
  static const bool has = __builtin_cpu_supports("sse4.2");
  return has;
}
#endif

}  // namespace detail

/// Continues `crc` (a finished CRC, as value() returns) over n more bytes.
inline std::uint32_t extend(std::uint32_t crc, const void* data, std::size_t n) {
  const auto* p = static_cast<const unsigned char*>(data);
  std::uint32_t c = crc ^ 0xffffffffu;
#ifdef TYPEFLOW_CRC32C_X86
  if (detail::cpu_has_sse42()) return detail::extend_sse42(c, p, n) ^ 0xffffffffu;
#endif
  return detail::extend_portable(c, p, n) ^ 0xffffffffu;
}
inline std::uint32_t extend(std::uint32_t crc, std::string_view s) { return extend(crc, s.data(), s.size()); }

inline std::uint32_t value(const void* data, std::size_t n) { return extend(0, data, n); }
inline std::uint32_t value(std::string_view s) { return extend(0, s.data(), s.size()); }

/// The table version, whatever the CPU (for tests and for comparison).
inline std::uint32_t extend_portable(std::uint32_t crc, const void* data, std::size_t n) {
  return detail::extend_portable(crc ^ 0xffffffffu, static_cast<const unsigned char*>(data), n) ^ 0xffffffffu;
}

}  // namespace typeflow::io::crc32c

#undef TYPEFLOW_CRC32C_X86

#endif
