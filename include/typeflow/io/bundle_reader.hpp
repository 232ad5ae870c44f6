#ifndef TYPEFLOW_IO_BUNDLE_READER_HPP
#define TYPEFLOW_IO_BUNDLE_READER_HPP

// Reads a V2 checkpoint (tensor bundle) as TensorFlow's BundleReader does: the `.index`
// table (validated whole, snappy blocks included) gives every entry; tensors are read from
// the data shard each entry names, at its offset (any order), and checked against its size,
// the data file's length and its crc32c.
//
//   io::bundle_reader r("dir/model-100");
//   for (const auto& [name, e] : r.entries()) ...   // e.dtype, e.shape
//   std::vector<float> w(n);
//   r.read("W", std::as_writable_bytes(std::span(w)));
//   std::vector<std::string> s = r.read_strings("_CHECKPOINTABLE_OBJECT_GRAPH");

#include <cstddef>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "../core/error.hpp"
#include "bundle_proto.hpp"
#include "bundle_writer.hpp"
#include "crc32c.hpp"
#include "data_type.hpp"
#include "file.hpp"
#include "table.hpp"

namespace typeflow::io {

/// The elements of a DT_STRING tensor from its bytes in the data file (WriteStringTensor's
/// framing: n varint64 lengths, their masked crc32c, the bytes), checking both checksums
/// against `masked_crc32c`, the entry's.
inline std::vector<std::string> decode_strings(std::string_view bytes, std::uint64_t n, std::uint32_t masked_crc32c,
                                               const std::string& what) {
  if (n > bytes.size())
    throw error(what + ": " + std::to_string(bytes.size()) + " bytes cannot hold " + std::to_string(n) + " strings");
  const auto* p = reinterpret_cast<const std::uint8_t*>(bytes.data());
  const auto* end = p + bytes.size();
  std::vector<std::uint64_t> lengths(static_cast<std::size_t>(n));
  std::uint32_t crc = 0;
  std::uint64_t total = 0;
  for (auto& len : lengths) {
    len = protobuf::get_varint(p, end, what + ": string length");
    unsigned char b[8];
    for (int i = 0; i < 8; ++i) b[i] = static_cast<unsigned char>(len >> (8 * i));
    crc = crc32c::extend(crc, b, len <= 0xffffffffu ? 4 : 8);
    total += len;
    if (total > bytes.size())
      throw error(what + ": string lengths exceed the entry's " + std::to_string(bytes.size()) + " bytes");
  }
  if (end - p < 4) throw error(what + ": truncated string-length checksum");
  if (crc32c::unmask(protobuf::get_fixed32(p)) != crc)
    throw error(what + ": string-length checksum does not match (the data file is corrupted)");
  crc = crc32c::extend(crc, p, 4);
  p += 4;
  if (static_cast<std::uint64_t>(end - p) != total)
    throw error(what + ": the entry has " + std::to_string(end - p) + " string bytes, the lengths sum to " +
                std::to_string(total));
  crc = crc32c::extend(crc, p, static_cast<std::size_t>(total));
  if (crc != crc32c::unmask(masked_crc32c))
    throw error(what + ": checksum does not match (the data file is corrupted)");
  std::vector<std::string> out;
  out.reserve(lengths.size());
  for (std::uint64_t len : lengths) {
    out.emplace_back(reinterpret_cast<const char*>(p), static_cast<std::size_t>(len));
    p += len;
  }
  return out;
}

class bundle_reader {
 public:
  explicit bundle_reader(std::string prefix) : m_prefix(std::move(prefix)) {
    const std::string index_path = index_filename(m_prefix);
    parse_index(read_file(index_path), index_path);
  }

  /// Parses an `.index` held in memory (the data files are still looked up under `prefix`).
  bundle_reader(std::string prefix, std::string_view index_bytes) : m_prefix(std::move(prefix)) {
    parse_index(index_bytes, index_filename(m_prefix));
  }

  const std::string& prefix() const { return m_prefix; }
  const bundle_header& header() const { return m_header; }
  const std::map<std::string, bundle_entry, std::less<>>& entries() const { return m_entries; }
  bool contains(std::string_view key) const { return m_entries.find(key) != m_entries.end(); }

  const bundle_entry& entry(std::string_view key) const {
    const auto it = m_entries.find(key);
    if (it == m_entries.end()) throw error("checkpoint " + m_prefix + ": no tensor '" + std::string(key) + "'");
    return it->second;
  }

  /// Checks, before anything is allocated, that the tensor's entry is consistent (its size
  /// matches shape and dtype) and lies inside its data file. read() and read_strings() call it.
  void check_extent(std::string_view key) const {
    const bundle_entry& e = entry(key);
    const std::string what = describe(key);
    if (e.sliced) throw error(what + ": a partitioned variable (saved in slices), which typeflow does not read");
    const auto n = static_cast<std::uint64_t>(num_elements(e.shape, what));
    if (e.dtype == DT_STRING) {
      if (static_cast<std::uint64_t>(e.size) < n + 4)
        throw error(what + ": " + std::to_string(e.size) + " bytes cannot hold " + std::to_string(n) + " strings");
    } else {
      const std::size_t width = data_type_size(e.dtype);
      if (width == 0) throw error(what + ": dtype " + data_type_name(e.dtype) + " is not a plain-bytes type");
      if (n > UINT64_MAX / width) throw error(what + ": byte size overflows");
      if (static_cast<std::uint64_t>(e.size) != n * width)
        throw error(what + ": the index gives " + std::to_string(e.size) + " bytes, shape " + shape_string(e.shape) +
                    " of " + dtype_name(e.dtype) + " needs " + std::to_string(n * width));
    }
    const file& f = shard(e.shard_id);
    const std::uint64_t file_size = f.size();
    const auto offset = static_cast<std::uint64_t>(e.offset);
    const auto size = static_cast<std::uint64_t>(e.size);
    if (offset > file_size || size > file_size - offset)
      throw error(what + ": bytes [" + std::to_string(offset) + ", " + std::to_string(offset) + " + " +
                  std::to_string(size) + ") lie outside " + f.path() + " (" + std::to_string(file_size) + " bytes)");
  }

  /// Reads a fixed-size-dtype tensor into `out`, which must hold exactly its bytes.
  void read(std::string_view key, std::span<std::byte> out) const {
    check_extent(key);
    const bundle_entry& e = entry(key);
    const std::string what = describe(key);
    if (out.size() != static_cast<std::uint64_t>(e.size))
      throw error(what + ": destination holds " + std::to_string(out.size()) + " bytes, the tensor " +
                  std::to_string(e.size));
    read_raw(e, out.data());
    if (crc32c::value(out.data(), out.size()) != crc32c::unmask(e.crc32c))
      throw error(what + ": checksum does not match (the data file is corrupted)");
  }

  /// Reads a DT_STRING tensor (WriteStringTensor framing), checking both checksums.
  std::vector<std::string> read_strings(std::string_view key) const {
    const bundle_entry& e = entry(key);
    const std::string what = describe(key);
    if (e.dtype != DT_STRING) throw error(what + ": dtype is " + dtype_name(e.dtype) + ", not string");
    check_extent(key);
    const auto n = static_cast<std::uint64_t>(num_elements(e.shape, what));
    std::string bytes(static_cast<std::size_t>(e.size), '\0');
    read_raw(e, bytes.data());
    return decode_strings(bytes, n, e.crc32c, what);
  }

  static std::string shape_string(std::span<const std::int64_t> dims) {
    std::string s = "[";
    for (std::size_t i = 0; i < dims.size(); ++i) {
      if (i) s += ',';
      s += std::to_string(dims[i]);
    }
    return s += ']';
  }

 private:
  std::string describe(std::string_view key) const { return "tensor '" + std::string(key) + "' in " + m_prefix; }

  void parse_index(std::string_view bytes, const std::string& what) {
    const std::vector<table::entry> all = table::read_table(bytes, what);
    if (all.empty() || !all.front().key.empty()) throw error(what + ": no bundle header entry (key \"\")");
    m_header = decode_bundle_header(all.front().value, what);
    for (std::size_t i = 1; i < all.size(); ++i) {
      const std::string entry_what = what + ": tensor '" + all[i].key + "'";
      bundle_entry e = decode_bundle_entry(all[i].value, entry_what);
      if (e.shard_id >= m_header.num_shards)
        throw error(entry_what + ": shard " + std::to_string(e.shard_id) + " of " +
                    std::to_string(m_header.num_shards));
      m_entries.emplace(all[i].key, std::move(e));
    }
    m_shards.resize(static_cast<std::size_t>(m_header.num_shards));
  }

  const file& shard(std::int32_t id) const {
    file& f = m_shards[static_cast<std::size_t>(id)];
    if (!f.is_open()) f = file::open_read(data_filename(m_prefix, id, m_header.num_shards));
    return f;
  }

  void read_raw(const bundle_entry& e, void* out) const {
    shard(e.shard_id).read_at(out, static_cast<std::size_t>(e.size), static_cast<std::uint64_t>(e.offset));
  }

  std::string m_prefix;
  bundle_header m_header;
  std::map<std::string, bundle_entry, std::less<>> m_entries;
  mutable std::vector<file> m_shards;
};

}  // namespace typeflow::io

#endif
