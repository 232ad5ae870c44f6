#ifndef TYPEFLOW_IO_EVENT_FILE_HPP
#define TYPEFLOW_IO_EVENT_FILE_HPP

// TensorBoard's event files: `<logdir>/events.out.tfevents.<10-digit seconds>.<hostname>`, a
// sequence of TFRecords (little-endian uint64 length, masked crc32c of those 8 bytes, the
// data, masked crc32c of the data), each an Event (tensorflow/core/util/event.proto):
//   wall_time=1 (double seconds), step=2 (int64), and one of file_version=3 (the first event:
//   "brain.Event:2"), graph_def=4 (a serialized GraphDef), summary=5 (a Summary).
// A record is written whole or not at all from TensorBoard's point of view: it reads up to
// the last complete record and skips a torn one (a writer that crashed or is mid-write).

#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "../core/error.hpp"
#include "crc32c.hpp"
#include "file.hpp"
#include "protobuf.hpp"

namespace typeflow::io::events {

/// Event's oneof members that typeflow writes (and reads back).
enum class event_field : std::uint32_t { file_version = 3, graph_def = 4, summary = 5 };

/// One TFRecord holding `data`, appended to out.
inline void append_record(std::string& out, std::string_view data) {
  std::string len;
  protobuf::put_fixed64(len, data.size());
  out += len;
  protobuf::put_fixed32(out, crc32c::mask(crc32c::value(len)));
  out.append(data);
  protobuf::put_fixed32(out, crc32c::mask(crc32c::value(data)));
}

/// Event{wall_time, step, <field>: payload} as one record, appended to out.
inline void append_event(std::string& out, double wall_time, std::int64_t step, event_field field,
                         std::string_view payload) {
  protobuf::writer e;
  e.double_field(1, wall_time);
  if (step != 0) e.int64_field(2, step);
  e.bytes_field(static_cast<std::uint32_t>(field), payload);
  append_record(out, e.bytes());
}

/// Seconds since the epoch, as TF's wall_time.
inline double wall_time_now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

/// An event as read back (tf.compat.v1.train.summary_iterator's Event, the fields typeflow writes).
struct event {
  double wall_time = 0;
  std::int64_t step = 0;
  std::string file_version;
  std::string graph_def;  // serialized GraphDef
  std::string summary;    // serialized Summary
};

/// The events of file `path`, in order. A torn last record (shorter than its header says, or
/// a header cut short) ends the list, as TensorBoard reads a file still being written; a
/// checksum that does not match, in a complete record, is an error naming the record.
inline std::vector<event> read_events(const std::string& path) {
  const std::string bytes = read_file(path);
  std::vector<event> out;
  std::size_t pos = 0;
  while (pos + 12 <= bytes.size()) {
    const auto* p = reinterpret_cast<const std::uint8_t*>(bytes.data() + pos);
    const std::uint64_t len = protobuf::get_fixed64(p);
    const std::string where = path + ": record " + std::to_string(out.size()) + " (byte " + std::to_string(pos) + ")";
    if (crc32c::unmask(protobuf::get_fixed32(p + 8)) != crc32c::value(p, 8))
      throw error(where + ": the length's checksum does not match (not an event file, or corrupted)");
    if (len > bytes.size() - pos - 12 || bytes.size() - pos - 12 - len < 4) break;  // torn
    const std::string_view data(bytes.data() + pos + 12, len);
    if (crc32c::unmask(protobuf::get_fixed32(p + 12 + len)) != crc32c::value(data))
      throw error(where + ": the data's checksum does not match (corrupted)");
    event e;
    protobuf::reader r(data, where);
    while (r.next()) {
      switch (r.field()) {
        case 1: e.wall_time = r.read_double(); break;
        case 2: e.step = r.read_int64(); break;
        case 3: e.file_version = r.read_string(); break;
        case 4: e.graph_def = r.read_string(); break;
        case 5: e.summary = r.read_string(); break;
        default: r.skip();
      }
    }
    out.push_back(std::move(e));
    pos += 12 + len + 4;
  }
  return out;
}

/// The machine's name, as TF puts it in event file names.
inline std::string hostname() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0 || name[0] == '\0') return "localhost";
  return name;
}

/// Writes one event file (TF's EventsWriter): the file_version event first, then appended
/// events, buffered in memory and written to the file when `max_pending` events or 1 MiB are
/// waiting, `flush_secs` have passed, or on flush(). flush() also fsyncs, as TF's does. Safe
/// to call from several threads (TF's writer is), each call under one lock.
class event_file_writer {
 public:
  struct options {
    std::size_t max_pending = 10;  // TF1 FileWriter's max_queue
    double flush_secs = 120;
    std::string filename_suffix = {};
  };

  /// Creates the directory if needed and a new event file in it. Two writers started in one
  /// second in one directory would share TF's name: the second gets `.1`, `.2`, ... after it.
  event_file_writer(const std::string& logdir, options opts) : m_options(std::move(opts)) {
    if (logdir.empty()) throw error("tf::summary::FileWriter: the logdir is empty");
    std::error_code ec;
    std::filesystem::create_directories(logdir, ec);
    if (ec) throw error("tf::summary::FileWriter: cannot create directory " + logdir + ": " + ec.message());
    char secs[32];
    std::snprintf(secs, sizeof secs, "%010lld", static_cast<long long>(std::time(nullptr)));
    const std::string base =
        (std::filesystem::path(logdir) / ("events.out.tfevents." + std::string(secs) + "." + hostname())).string();
    for (int k = 0; !m_file.is_open(); ++k) {
      // Appended piece by piece: "." + std::to_string(k) meets g++ 12's false -Wrestrict at -O3.
      m_path = base;
      if (k > 0) m_path.append(".").append(std::to_string(k));
      m_path += m_options.filename_suffix;
      if (auto f = file::create_new(m_path)) m_file = std::move(*f);
      else if (k > 1000) throw error("tf::summary::FileWriter: no free event file name like " + base);
    }
    append_event(m_buffer, wall_time_now(), 0, event_field::file_version, "brain.Event:2");
    write_out();  // the file is an event file from the start
    m_last_write = std::chrono::steady_clock::now();
  }

  event_file_writer(const event_file_writer&) = delete;
  event_file_writer& operator=(const event_file_writer&) = delete;
  ~event_file_writer() {
    try {
      close();
    } catch (...) {  // a destructor cannot report it; flush() and close() do
    }
  }

  const std::string& path() const { return m_path; }

  void add(double wall_time, std::int64_t step, event_field field, std::string_view payload) {
    const std::lock_guard lock(m_mutex);
    if (!m_file.is_open()) throw error("tf::summary::FileWriter: event added after close() (" + m_path + ")");
    append_event(m_buffer, wall_time, step, field, payload);
    const auto now = std::chrono::steady_clock::now();
    if (++m_pending >= m_options.max_pending || m_buffer.size() >= (std::size_t{1} << 20) ||
        std::chrono::duration<double>(now - m_last_write).count() >= m_options.flush_secs) {
      write_out();
      m_last_write = now;
    }
  }

  /// Writes what is buffered and syncs it to the disk.
  void flush() {
    const std::lock_guard lock(m_mutex);
    flush_unlocked();
  }

  void close() {
    const std::lock_guard lock(m_mutex);
    if (!m_file.is_open()) return;
    flush_unlocked();
    m_file.close();
  }

 private:
  void flush_unlocked() {
    if (!m_file.is_open()) return;
    write_out();
    m_file.sync();
  }

  void write_out() {
    if (!m_buffer.empty()) m_file.write(m_buffer);
    m_buffer.clear();
    m_pending = 0;
  }

  options m_options;
  std::string m_path;
  file m_file;
  std::string m_buffer;
  std::size_t m_pending = 0;
  std::chrono::steady_clock::time_point m_last_write;
  std::mutex m_mutex;
};

}  // namespace typeflow::io::events

#endif
