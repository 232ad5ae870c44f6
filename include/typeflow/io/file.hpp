#ifndef TYPEFLOW_IO_FILE_HPP
#define TYPEFLOW_IO_FILE_HPP

// A POSIX file descriptor with the few operations checkpoints need, each error a
// typeflow::error naming the file and the system's reason; and the directory operations
// (rename, link, remove, fsync of a directory) that make a save atomic. Each operation passes
// a fault point (fault_point.hpp) first.

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "../core/error.hpp"
#include "fault_point.hpp"

namespace typeflow::io {

class file {
 public:
  file() = default;
  file(const file&) = delete;
  file& operator=(const file&) = delete;
  file(file&& o) noexcept : m_fd(std::exchange(o.m_fd, -1)), m_path(std::move(o.m_path)) {}
  file& operator=(file&& o) noexcept {
    if (this != &o) {
      close_quietly();
      m_fd = std::exchange(o.m_fd, -1);
      m_path = std::move(o.m_path);
    }
    return *this;
  }
  ~file() { close_quietly(); }

  static file open_read(std::string path) { return file(std::move(path), O_RDONLY); }
  /// Creates or truncates.
  static file create(std::string path) { return file(std::move(path), O_WRONLY | O_CREAT | O_TRUNC); }
  /// Creates a file that does not exist yet, for appending; nullopt where one has that name.
  static std::optional<file> create_new(std::string path) {
    file f;
    f.m_path = std::move(path);
    if (fault_point(file_op::create, f.m_path)) f.fail("cannot create");
    do f.m_fd = ::open(f.m_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0666);
    while (f.m_fd < 0 && errno == EINTR);
    if (f.m_fd < 0 && errno == EEXIST) return std::nullopt;
    if (f.m_fd < 0) f.fail("cannot create");
    return f;
  }

  bool is_open() const { return m_fd >= 0; }
  const std::string& path() const { return m_path; }

  std::uint64_t size() const {
    struct stat st;
    if (fault_point(file_op::read, m_path) || ::fstat(m_fd, &st) != 0) fail("cannot stat");
    return static_cast<std::uint64_t>(st.st_size);
  }

  void write(const void* data, std::size_t n) {
    const auto* p = static_cast<const char*>(data);
    if (fault_point(file_op::write, m_path)) fail("cannot write to");
    while (n > 0) {
      const ::ssize_t w = ::write(m_fd, p, n > (std::size_t{1} << 30) ? (std::size_t{1} << 30) : n);
      if (w < 0) {
        if (errno == EINTR) continue;
        fail("cannot write to");
      }
      p += w;
      n -= static_cast<std::size_t>(w);
    }
  }
  void write(std::string_view s) { write(s.data(), s.size()); }

  /// Reads exactly n bytes at `offset`; a short file is an error.
  void read_at(void* data, std::size_t n, std::uint64_t offset) const {
    auto* p = static_cast<char*>(data);
    if (fault_point(file_op::read, m_path)) fail("cannot read");
    while (n > 0) {
      const ::ssize_t r =
          ::pread(m_fd, p, n > (std::size_t{1} << 30) ? (std::size_t{1} << 30) : n, static_cast<::off_t>(offset));
      if (r < 0) {
        if (errno == EINTR) continue;
        fail("cannot read");
      }
      if (r == 0) throw error("unexpected end of file in " + m_path);
      p += r;
      n -= static_cast<std::size_t>(r);
      offset += static_cast<std::uint64_t>(r);
    }
  }

  /// fsync: the data is on the disk when this returns.
  void sync() {
    if (fault_point(file_op::sync, m_path) || ::fsync(m_fd) != 0) fail("cannot sync");
  }

  /// Closes; an error here can be a write that failed late (NFS, a full quota).
  void close() {
    if (m_fd < 0) return;
    if (fault_point(file_op::close, m_path)) {
      close_quietly();
      fail("cannot close");
    }
    if (::close(std::exchange(m_fd, -1)) != 0) fail("cannot close");
  }

 private:
  file(std::string path, int flags) : m_path(std::move(path)) {
    if (fault_point(flags & O_CREAT ? file_op::create : file_op::open_read, m_path)) fail("cannot open");
    do m_fd = ::open(m_path.c_str(), flags | O_CLOEXEC, 0666);
    while (m_fd < 0 && errno == EINTR);
    if (m_fd < 0) fail("cannot open");
  }

  [[noreturn]] void fail(const char* doing) const {
    throw error(std::string(doing) + " " + m_path + ": " + std::strerror(errno));
  }

  void close_quietly() noexcept {
    if (m_fd >= 0) ::close(std::exchange(m_fd, -1));
  }

  int m_fd = -1;
  std::string m_path;
};

/// The whole content of a (small) file.
inline std::string read_file(const std::string& path) {
  file f = file::open_read(path);
  const std::uint64_t n = f.size();
  std::string s(static_cast<std::size_t>(n), '\0');
  f.read_at(s.data(), s.size(), 0);
  return s;
}

/// Renames, replacing `to` atomically (POSIX rename).
inline void rename_file(const std::string& from, const std::string& to) {
  if (fault_point(file_op::rename, from) || std::rename(from.c_str(), to.c_str()) != 0)
    throw error("cannot rename " + from + " to " + to + ": " + std::strerror(errno));
}

/// Gives file `from` a second name `to` (a hard link); false where the file system has no
/// hard links, an error otherwise.
inline bool link_file(const std::string& from, const std::string& to) {
  if (fault_point(file_op::link, from) || ::link(from.c_str(), to.c_str()) != 0) {
    if (errno == EPERM || errno == EOPNOTSUPP || errno == EXDEV || errno == EMLINK || errno == ENOSYS) return false;
    throw error("cannot link " + from + " to " + to + ": " + std::strerror(errno));
  }
  return true;
}

/// Removes a file; false (errno set) if it could not. Callers clean up with it, where a
/// file left behind is not an error of its own.
inline bool remove_file(const std::string& path) noexcept {
  return !fault_point(file_op::remove, path) && ::unlink(path.c_str()) == 0;
}

/// fsync of a directory, so that renames into it survive a crash of the machine; best effort:
/// some file systems do not open or sync directories.
inline void sync_directory(const std::string& dir) noexcept {
  const std::string d = dir.empty() ? "." : dir;
  if (fault_point(file_op::sync_directory, d)) return;
  const int fd = ::open(d.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

}  // namespace typeflow::io

#endif
