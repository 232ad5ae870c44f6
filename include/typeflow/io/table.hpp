#ifndef TYPEFLOW_IO_TABLE_HPP
#define TYPEFLOW_IO_TABLE_HPP

// The LevelDB-style sorted table (SSTable) TensorFlow uses for a checkpoint's `.index`
// (tensorflow/core/lib/io/{block_builder,table_builder,format,table}.cc):
//
//   [data block][trailer] ... [metaindex block][trailer] [index block][trailer] [footer: 48 B]
//
// A block is prefix-compressed entries (varint32 shared | varint32 unshared | varint32 value
// length | key delta | value) followed by uint32 restart offsets and their count; a trailer
// is the compression type byte and the masked crc32c of block and type byte; the index block
// maps a separator key per data block to its handle (varint64 offset, varint64 size); the
// footer holds the metaindex and index handles, zero padding and TF's magic.
//
// table_writer reproduces TF's bytes exactly (uncompressed blocks, block size 256 KiB,
// restart interval 16; 1 in the index block). read_table validates everything it reads
// (bounds, CRCs, compression type, restart offsets, key order, footer magic) and accepts
// snappy-compressed blocks.

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "../core/error.hpp"
#include "crc32c.hpp"
#include "protobuf.hpp"
#include "snappy.hpp"

namespace typeflow::io::table {

inline constexpr std::uint64_t magic = 0xdb4775248b80fb57ull;
inline constexpr std::size_t footer_size = 48;
inline constexpr std::size_t trailer_size = 5;
inline constexpr std::size_t max_handle_length = 20;
inline constexpr std::size_t block_size = 262144;
inline constexpr int block_restart_interval = 16;
enum compression : std::uint8_t { no_compression = 0, snappy_compression = 1 };

struct block_handle {
  std::uint64_t offset = 0;
  std::uint64_t size = 0;  // without the trailer
};

inline void put_handle(std::string& out, block_handle h) {
  protobuf::put_varint(out, h.offset);
  protobuf::put_varint(out, h.size);
}

namespace detail {

inline void put_u32(std::string& out, std::uint32_t v) { protobuf::put_fixed32(out, v); }

/// BlockBuilder: prefix compression against the previous key, a restart every `interval`.
class block_builder {
 public:
  explicit block_builder(int interval) : m_interval(interval) {}

  void add(std::string_view key, std::string_view value) {
    std::size_t shared = 0;
    if (m_counter < m_interval) {
      const std::size_t n = std::min(m_last_key.size(), key.size());
      while (shared < n && m_last_key[shared] == key[shared]) ++shared;
    } else {
      m_restarts.push_back(static_cast<std::uint32_t>(m_buf.size()));
      m_counter = 0;
    }
    protobuf::put_varint(m_buf, shared);
    protobuf::put_varint(m_buf, key.size() - shared);
    protobuf::put_varint(m_buf, value.size());
    m_buf.append(key.substr(shared));
    m_buf.append(value);
    m_last_key.assign(key);
    ++m_counter;
    m_empty = false;
  }

  std::size_t size_estimate() const { return m_buf.size() + 4 * m_restarts.size() + 4; }
  bool empty() const { return m_empty; }

  /// The finished block; the builder is reset.
  std::string finish() {
    for (std::uint32_t r : m_restarts) put_u32(m_buf, r);
    put_u32(m_buf, static_cast<std::uint32_t>(m_restarts.size()));
    std::string out = std::move(m_buf);
    *this = block_builder(m_interval);
    return out;
  }

 private:
  int m_interval;
  std::string m_buf;
  std::vector<std::uint32_t> m_restarts{0};
  int m_counter = 0;
  std::string m_last_key;
  bool m_empty = true;
};

/// The shortest key k with start <= k < limit that TF would choose (BytewiseComparator).
inline void shortest_separator(std::string& start, std::string_view limit) {
  const std::size_t n = std::min(start.size(), limit.size());
  std::size_t i = 0;
  while (i < n && start[i] == limit[i]) ++i;
  if (i >= n) return;  // one is a prefix of the other
  const auto b = static_cast<std::uint8_t>(start[i]);
  if (b < 0xff && b + 1 < static_cast<std::uint8_t>(limit[i])) {
    start[i] = static_cast<char>(b + 1);
    start.resize(i + 1);
  }
}

/// The shortest key >= key that TF would choose.
inline void short_successor(std::string& key) {
  for (std::size_t i = 0; i < key.size(); ++i) {
    if (static_cast<std::uint8_t>(key[i]) != 0xff) {
      key[i] = static_cast<char>(static_cast<std::uint8_t>(key[i]) + 1);
      key.resize(i + 1);
      return;
    }
  }
}

}  // namespace detail

/// TableBuilder: add() keys in strictly increasing bytewise order, then finish() returns
/// the whole file.
class table_writer {
 public:
  void add(std::string_view key, std::string_view value) {
    if (m_entries > 0 && !(std::string_view(m_last_key) < key))
      throw error("table: key '" + std::string(key) + "' added after '" + m_last_key + "': keys must increase");
    if (key.size() + value.size() >= 2 * block_size && !m_data.empty()) flush();
    if (m_pending_index) {
      detail::shortest_separator(m_last_key, key);
      add_index_entry(m_last_key);
    }
    m_data.add(key, value);
    m_last_key.assign(key);
    ++m_entries;
    if (m_data.size_estimate() >= block_size) flush();
  }

  std::string finish() {
    flush();
    write_block(detail::block_builder(block_restart_interval).finish(), m_metaindex);
    if (m_pending_index) {
      detail::short_successor(m_last_key);
      add_index_entry(m_last_key);
    }
    block_handle index;
    write_block(m_index.finish(), index);
    std::string footer;
    put_handle(footer, m_metaindex);
    put_handle(footer, index);
    footer.resize(footer_size - 8, '\0');
    protobuf::put_fixed64(footer, magic);
    m_out += footer;
    return std::move(m_out);
  }

 private:
  void add_index_entry(std::string_view key) {
    std::string h;
    put_handle(h, m_pending_handle);
    m_index.add(key, h);
    m_pending_index = false;
  }

  void flush() {
    if (m_data.empty()) return;
    write_block(m_data.finish(), m_pending_handle);
    m_pending_index = true;
  }

  void write_block(const std::string& contents, block_handle& handle) {
    handle = {m_out.size(), contents.size()};
    m_out += contents;
    const char type = static_cast<char>(no_compression);
    m_out.push_back(type);
    protobuf::put_fixed32(m_out, crc32c::mask(crc32c::extend(crc32c::value(contents), &type, 1)));
  }

  std::string m_out;
  detail::block_builder m_data{block_restart_interval};
  detail::block_builder m_index{1};
  std::string m_last_key;
  std::size_t m_entries = 0;
  bool m_pending_index = false;
  block_handle m_pending_handle;
  block_handle m_metaindex;
};

struct entry {
  std::string key;
  std::string value;
};

namespace detail {

inline block_handle decode_handle(std::string_view bytes, const std::string& what) {
  const auto* p = reinterpret_cast<const std::uint8_t*>(bytes.data());
  const auto* end = p + bytes.size();
  block_handle h;
  h.offset = protobuf::get_varint(p, end, what + ": block handle offset");
  h.size = protobuf::get_varint(p, end, what + ": block handle size");
  if (p != end) throw error(what + ": " + std::to_string(end - p) + " stray bytes after a block handle");
  return h;
}

/// The checked contents of the block at `h` (decompressed if it was snappy-compressed).
inline std::string read_block(std::string_view file, block_handle h, const std::string& what) {
  if (h.offset > file.size() || h.size > file.size() - h.offset || file.size() - h.offset - h.size < trailer_size)
    throw error(what + ": block at offset " + std::to_string(h.offset) + " of size " + std::to_string(h.size) +
                " runs past the end of the " + std::to_string(file.size()) + "-byte file");
  const std::string_view contents = file.substr(h.offset, h.size + 1);  // with the type byte
  const auto type = static_cast<std::uint8_t>(contents.back());
  const std::uint32_t stored =
      protobuf::get_fixed32(reinterpret_cast<const std::uint8_t*>(contents.data() + h.size + 1));
  const std::uint32_t actual = crc32c::value(contents);
  if (crc32c::unmask(stored) != actual)
    throw error(what + ": block checksum mismatch at offset " + std::to_string(h.offset) + " (the file is corrupted)");
  if (type == no_compression) return std::string(contents.substr(0, h.size));
  if (type == snappy_compression) return snappy::uncompress(contents.substr(0, h.size), what);
  throw error(what + ": bad block type " + std::to_string(type) + " at offset " + std::to_string(h.offset));
}

/// Parses a block, checking restart offsets, entry bounds and key order; appends to `out`.
inline void parse_block(std::string_view block, const std::string& what, std::vector<entry>& out) {
  if (block.size() < 4)
    throw error(what + ": block of " + std::to_string(block.size()) + " bytes has no restart count");
  const auto* base = reinterpret_cast<const std::uint8_t*>(block.data());
  const std::uint32_t num_restarts = protobuf::get_fixed32(base + block.size() - 4);
  const std::size_t max_restarts = (block.size() - 4) / 4;
  if (num_restarts == 0 || num_restarts > max_restarts)
    throw error(what + ": block claims " + std::to_string(num_restarts) + " restart points, room for " +
                std::to_string(max_restarts));
  const std::size_t data_end = block.size() - 4 - 4 * std::size_t{num_restarts};
  std::vector<std::uint32_t> restarts(num_restarts);
  for (std::uint32_t i = 0; i < num_restarts; ++i) {
    restarts[i] = protobuf::get_fixed32(base + data_end + 4 * i);
    if (i > 0 ? restarts[i] <= restarts[i - 1] : restarts[i] != 0)
      throw error(what + ": restart points out of order (restart " + std::to_string(i) + " at " +
                  std::to_string(restarts[i]) + ")");
  }
  if (data_end == 0) {
    if (num_restarts != 1) throw error(what + ": empty block with " + std::to_string(num_restarts) + " restart points");
    return;
  }
  const auto* p = base;
  const auto* end = base + data_end;
  std::size_t next_restart = 0;
  std::string key;
  bool first = true;
  while (p != end) {
    const auto at = static_cast<std::size_t>(p - base);
    const bool is_restart = next_restart < restarts.size() && restarts[next_restart] == at;
    if (next_restart < restarts.size() && restarts[next_restart] < at)
      throw error(what + ": restart offset " + std::to_string(restarts[next_restart]) + " is not at an entry");
    const std::uint64_t shared = protobuf::get_varint(p, end, what + ": entry");
    const std::uint64_t unshared = protobuf::get_varint(p, end, what + ": entry");
    const std::uint64_t value_length = protobuf::get_varint(p, end, what + ": entry");
    if (is_restart && shared != 0)
      throw error(what + ": entry at restart offset " + std::to_string(at) + " shares a prefix");
    if (shared > key.size())
      throw error(what + ": entry at offset " + std::to_string(at) + " shares " + std::to_string(shared) +
                  " bytes of a " + std::to_string(key.size()) + "-byte key");
    const auto left = static_cast<std::uint64_t>(end - p);
    if (unshared > left || value_length > left - unshared)
      throw error(what + ": entry at offset " + std::to_string(at) + " runs past the end of its block");
    std::string next = key.substr(0, static_cast<std::size_t>(shared));
    next.append(reinterpret_cast<const char*>(p), static_cast<std::size_t>(unshared));
    p += unshared;
    if (!first && !(key < next)) throw error(what + ": keys out of order ('" + key + "' then '" + next + "')");
    key = std::move(next);
    out.push_back({key, std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(value_length))});
    p += value_length;
    first = false;
    if (is_restart) ++next_restart;
  }
  if (next_restart != restarts.size())
    throw error(what + ": restart offset " + std::to_string(restarts[next_restart]) + " is past the last entry");
}

}  // namespace detail

/// Every entry of a table file (the whole file in memory), validated, in key order.
/// `what` names the file in errors.
inline std::vector<entry> read_table(std::string_view file, const std::string& what) {
  if (file.size() < footer_size)
    throw error(what + ": " + std::to_string(file.size()) + " bytes is too short for a table (footer is 48 bytes)");
  const std::string_view footer = file.substr(file.size() - footer_size);
  if (protobuf::get_fixed64(reinterpret_cast<const std::uint8_t*>(footer.data() + 40)) != magic)
    throw error(what + ": not a TensorFlow table (bad magic number)");
  const auto* p = reinterpret_cast<const std::uint8_t*>(footer.data());
  const auto* end = p + 40;
  block_handle metaindex, index;
  metaindex.offset = protobuf::get_varint(p, end, what + ": footer");
  metaindex.size = protobuf::get_varint(p, end, what + ": footer");
  index.offset = protobuf::get_varint(p, end, what + ": footer");
  index.size = protobuf::get_varint(p, end, what + ": footer");
  const std::string_view body = file.substr(0, file.size() - footer_size);

  std::vector<entry> meta;
  detail::parse_block(detail::read_block(body, metaindex, what), what + " (metaindex block)", meta);

  std::vector<entry> index_entries;
  detail::parse_block(detail::read_block(body, index, what), what + " (index block)", index_entries);

  std::vector<entry> out;
  std::uint64_t expected_offset = 0;
  for (std::size_t b = 0; b < index_entries.size(); ++b) {
    const std::string block_what = what + " (data block " + std::to_string(b) + ")";
    const block_handle h = detail::decode_handle(index_entries[b].value, block_what);
    if (h.offset != expected_offset)
      throw error(block_what + ": at offset " + std::to_string(h.offset) + ", expected " +
                  std::to_string(expected_offset));
    const std::size_t first = out.size();
    detail::parse_block(detail::read_block(body, h, block_what), block_what, out);
    if (out.size() == first) throw error(block_what + ": empty data block");
    if (first > 0 && !(out[first - 1].key < out[first].key))
      throw error(block_what + ": keys out of order across blocks ('" + out[first - 1].key + "' then '" +
                  out[first].key + "')");
    if (index_entries[b].key < out.back().key)
      throw error(block_what + ": index key '" + index_entries[b].key + "' is below the block's last key '" +
                  out.back().key + "'");
    if (b > 0 && !(index_entries[b - 1].key < out[first].key))
      throw error(block_what + ": first key '" + out[first].key + "' is not above the previous index key");
    expected_offset = h.offset + h.size + trailer_size;
  }
  return out;
}

}  // namespace typeflow::io::table

#endif
