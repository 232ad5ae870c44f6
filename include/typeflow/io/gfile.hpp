#ifndef TYPEFLOW_IO_GFILE_HPP
#define TYPEFLOW_IO_GFILE_HPP

// tf.gfile.FastGFile, the TF1 idiom for reading and writing a whole file (a frozen `.pb`):
//
//   tf::gfile::FastGFile("frozen.pb", "wb").write(graph_def.SerializeToString());
//   graph_def.ParseFromString(tf::gfile::FastGFile("frozen.pb", "rb").read());
//
// Writes are atomic and immediate: each write() replaces the file (io::file_transaction) with
// everything written through this object so far, so an error is thrown by the write that
// caused it (a destructor could not report it) and no reader ever sees a partial file. Many
// small writes therefore cost one file each: join them first.

#include <string>
#include <string_view>

#include "../core/error.hpp"
#include "file.hpp"
#include "file_transaction.hpp"

namespace typeflow::gfile {

class FastGFile {
 public:
  /// mode: "r" / "rb" to read, "w" / "wb" to write (creating or truncating the file at once).
  FastGFile(std::string name, std::string_view mode) : m_name(std::move(name)) {
    if (mode == "r" || mode == "rb") {
      m_writing = false;
    } else if (mode == "w" || mode == "wb") {
      m_writing = true;
      commit();  // TensorFlow truncates on open: an empty file even if nothing is written
    } else {
      throw error("tf::gfile::FastGFile(" + m_name + "): mode must be \"r\", \"rb\", \"w\" or \"wb\", got \"" +
                  std::string(mode) + "\"");
    }
  }

  const std::string& name() const { return m_name; }
  std::string_view mode() const { return m_writing ? "wb" : "rb"; }

  /// The whole file (what remains after earlier reads: none, as each read takes it all).
  std::string read() {
    if (m_writing) throw error("tf::gfile::FastGFile(" + m_name + "): read() on a file opened for writing");
    if (m_read) return {};
    m_read = true;
    return io::read_file(m_name);
  }

  /// Appends `bytes` to what this object wrote, and replaces the file with it, atomically.
  void write(std::string_view bytes) {
    if (!m_writing) throw error("tf::gfile::FastGFile(" + m_name + "): write() on a file opened for reading");
    m_content.append(bytes);
    commit();
  }

  /// Nothing left to do: writes are already on disk. Kept for `with`-style code.
  void close() {}

 private:
  void commit() {
    io::file_transaction t;
    t.write(m_name, m_content, false);
    t.commit();
  }

  std::string m_name;
  std::string m_content;
  bool m_writing = false;
  bool m_read = false;
};

}  // namespace typeflow::gfile

#endif
