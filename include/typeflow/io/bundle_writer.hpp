#ifndef TYPEFLOW_IO_BUNDLE_WRITER_HPP
#define TYPEFLOW_IO_BUNDLE_WRITER_HPP

// Writes a V2 checkpoint (tensor bundle) as TensorFlow's BundleWriter does:
// `<prefix>.data-00000-of-00001` holds the tensors' bytes, packed in the order they were
// added; `<prefix>.index` maps each name (sorted) to its BundleEntryProto.
//
//   io::bundle_writer w("dir/model-100");
//   w.add("W", io::DT_FLOAT, {3, 1}, std::as_bytes(std::span(values)));
//   w.add<float>("b", {1}, values_of_b);   // typed form
//   w.finish();
//
// Both files are written under temporary names (`...tempstate<random>`) and renamed into
// place by finish(), data first, as one io::file_transaction: a reader never sees a partial
// file, and a failed finish() leaves the files of the same prefix as they were. With
// options.sync they are also fsync'ed before the rename. A writer destroyed before finish()
// removes its temporary files. finish_staged() leaves the renames to the caller, who commits
// them with other files (a Saver's .meta and `checkpoint`).

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <initializer_list>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "../core/error.hpp"
#include "bundle_proto.hpp"
#include "crc32c.hpp"
#include "data_type.hpp"
#include "file.hpp"
#include "file_transaction.hpp"
#include "table.hpp"

namespace typeflow::io {

/// DataFilename of naming.cc: `<prefix>.data-%05d-of-%05d`.
inline std::string data_filename(std::string_view prefix, int shard, int num_shards) {
  char suffix[40];
  std::snprintf(suffix, sizeof suffix, ".data-%05d-of-%05d", shard, num_shards);
  return std::string(prefix) + suffix;
}
inline std::string index_filename(std::string_view prefix) { return std::string(prefix) + ".index"; }

class bundle_writer {
 public:
  struct options {
    bool sync = false;  // fsync both files before renaming them into place
  };

  explicit bundle_writer(std::string prefix) : bundle_writer(std::move(prefix), options{}) {}
  bundle_writer(std::string prefix, options opts)
      : m_prefix(std::move(prefix)), m_options(opts), m_data(m_files.create(data_filename(m_prefix, 0, 1))) {}
  bundle_writer(const bundle_writer&) = delete;
  bundle_writer& operator=(const bundle_writer&) = delete;

  const std::string& prefix() const { return m_prefix; }

  /// Adds a tensor of a fixed-size dtype: `bytes` is its row-major little-endian buffer.
  void add(std::string_view key, data_type dtype, std::span<const std::int64_t> dims,
           std::span<const std::byte> bytes) {
    const std::string what = "tensor '" + std::string(key) + "'";
    if (data_type_size(dtype) == 0)
      throw error("bundle_writer: " + what + " has dtype " + data_type_name(dtype) +
                  ", which is not a plain-bytes type");
    const std::int64_t n = num_elements(dims, what);
    if (static_cast<std::uint64_t>(n) * data_type_size(dtype) != bytes.size())
      throw error("bundle_writer: " + what + " of shape " + shape_string(dims) + " and dtype " + dtype_name(dtype) +
                  " needs " + std::to_string(static_cast<std::uint64_t>(n) * data_type_size(dtype)) + " bytes, got " +
                  std::to_string(bytes.size()));
    bundle_entry& e = new_entry(key, dtype, dims);
    e.crc32c = crc32c::mask(append_with_crc32c(bytes.data(), bytes.size()));
    e.size = static_cast<std::int64_t>(bytes.size());
  }
  void add(std::string_view key, data_type dtype, std::initializer_list<std::int64_t> dims,
           std::span<const std::byte> bytes) {
    add(key, dtype, std::span<const std::int64_t>(dims.begin(), dims.size()), bytes);
  }

  /// Typed form: dtype from T.
  template <class T>
    requires(data_type_of<T> != DT_INVALID && data_type_of<T> != DT_STRING)
  void add(std::string_view key, std::span<const std::int64_t> dims, std::span<const T> values) {
    add(key, data_type_of<T>, dims, std::as_bytes(values));
  }
  template <class T>
    requires(data_type_of<T> != DT_INVALID && data_type_of<T> != DT_STRING)
  void add(std::string_view key, std::initializer_list<std::int64_t> dims, std::span<const T> values) {
    add(key, data_type_of<T>, std::span<const std::int64_t>(dims.begin(), dims.size()), std::as_bytes(values));
  }

  /// Adds a DT_STRING tensor, framed as WriteStringTensor does: varint64 lengths, their
  /// masked crc32c, then the bytes.
  void add_strings(std::string_view key, std::span<const std::int64_t> dims, std::span<const std::string> values) {
    const std::string what = "tensor '" + std::string(key) + "'";
    if (static_cast<std::uint64_t>(num_elements(dims, what)) != values.size())
      throw error("bundle_writer: " + what + " of shape " + shape_string(dims) + " needs " +
                  std::to_string(num_elements(dims, what)) + " strings, got " + std::to_string(values.size()));
    bundle_entry& e = new_entry(key, DT_STRING, dims);
    std::string head;
    std::uint32_t crc = 0;
    for (const std::string& s : values) {
      protobuf::put_varint(head, s.size());
      crc = extend_length(crc, s.size());
    }
    std::string masked;
    protobuf::put_fixed32(masked, crc32c::mask(crc));
    crc = crc32c::extend(crc, masked);
    head += masked;
    append(head.data(), head.size());
    std::size_t total = head.size();
    for (const std::string& s : values) {
      crc = crc32c::extend(crc, s);
      append(s.data(), s.size());
      total += s.size();
    }
    e.size = static_cast<std::int64_t>(total);
    e.crc32c = crc32c::mask(crc);
  }

  /// Writes the index and renames both files into place. The writer is done afterwards.
  void finish() { finish_staged().commit(); }

  /// Writes the index and returns both files still under their temporary names: committing
  /// the transaction renames them into place. The writer is done afterwards.
  file_transaction finish_staged() {
    if (m_finished) throw error("bundle_writer: finish() called twice for " + m_prefix);
    m_finished = true;
    flush_buffer();
    if (m_options.sync) m_data.sync();
    m_data.close();

    table::table_writer t;
    t.add("", encode(bundle_header{}));
    for (const auto& [key, e] : m_entries) t.add(key, encode(e));
    m_files.write(index_filename(m_prefix), t.finish(), m_options.sync);
    return std::move(m_files);
  }

  /// The entries added so far, by name.
  const std::map<std::string, bundle_entry, std::less<>>& entries() const { return m_entries; }

 private:
  static std::string shape_string(std::span<const std::int64_t> dims) {
    std::string s = "[";
    for (std::size_t i = 0; i < dims.size(); ++i) {
      if (i) s += ", ";
      s += std::to_string(dims[i]);
    }
    return s += ']';
  }

  /// The crc of the lengths covers each as a uint32 (a uint64 when it does not fit), LE.
  static std::uint32_t extend_length(std::uint32_t crc, std::uint64_t n) {
    std::string b;
    if (n <= 0xffffffffu) protobuf::put_fixed32(b, static_cast<std::uint32_t>(n));
    else protobuf::put_fixed64(b, n);
    return crc32c::extend(crc, b);
  }

  bundle_entry& new_entry(std::string_view key, data_type dtype, std::span<const std::int64_t> dims) {
    if (m_finished) throw error("bundle_writer: add() after finish() for " + m_prefix);
    if (key.empty()) throw error("bundle_writer: the empty key is reserved for the bundle header");
    if (m_entries.contains(key)) throw error("bundle_writer: tensor '" + std::string(key) + "' added twice");
    num_elements(dims, "bundle_writer: tensor '" + std::string(key) + "'");
    bundle_entry& e = m_entries[std::string(key)];
    e.dtype = dtype;
    e.shape.assign(dims.begin(), dims.end());
    e.offset = static_cast<std::int64_t>(m_size);
    return e;
  }

  /// Small tensors are gathered in a buffer; large ones go straight to the file.
  void append(const void* data, std::size_t n) {
    constexpr std::size_t buffer_limit = std::size_t{1} << 20;
    if (m_buffer.size() + n > buffer_limit) flush_buffer();
    if (n >= buffer_limit) m_data.write(data, n);
    else m_buffer.append(static_cast<const char*>(data), n);
    m_size += n;
  }
  /// append() that also returns the bytes' crc32c. A large tensor goes out in chunks that
  /// stay in cache between their checksum and their write(): one pass over memory, not two.
  std::uint32_t append_with_crc32c(const void* data, std::size_t n) {
    constexpr std::size_t chunk = std::size_t{1} << 18;
    if (n < 4 * chunk) {
      append(data, n);
      return crc32c::value(data, n);
    }
    flush_buffer();
    const auto* p = static_cast<const char*>(data);
    std::uint32_t crc = 0;
    for (std::size_t done = 0; done < n; done += chunk) {
      const std::size_t k = n - done < chunk ? n - done : chunk;
      crc = crc32c::extend(crc, p + done, k);
      m_data.write(p + done, k);
    }
    m_size += n;
    return crc;
  }

  void flush_buffer() {
    m_data.write(m_buffer);
    m_buffer.clear();
  }

  std::string m_prefix;
  options m_options;
  file_transaction m_files;  // before m_data: the file is closed before its removal
  file m_data;
  std::string m_buffer;
  std::uint64_t m_size = 0;
  std::map<std::string, bundle_entry, std::less<>> m_entries;
  bool m_finished = false;
};

}  // namespace typeflow::io

#endif
