#ifndef TYPEFLOW_IO_FILE_HPP
#define TYPEFLOW_IO_FILE_HPP

// A POSIX file descriptor with the few operations checkpoints need, each error a
// typeflow::error naming the file and the system's reason.

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>

#include "../core/error.hpp"

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

  bool is_open() const { return m_fd >= 0; }
  const std::string& path() const { return m_path; }

  std::uint64_t size() const {
    struct stat st;
    if (::fstat(m_fd, &st) != 0) fail("cannot stat");
    return static_cast<std::uint64_t>(st.st_size);
  }

  void write(const void* data, std::size_t n) {
    const auto* p = static_cast<const char*>(data);
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
    if (::fsync(m_fd) != 0) fail("cannot sync");
  }

  void close() {
    if (m_fd >= 0 && ::close(std::exchange(m_fd, -1)) != 0) fail("cannot close");
  }

 private:
  file(std::string path, int flags) : m_path(std::move(path)) {
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
  if (std::rename(from.c_str(), to.c_str()) != 0)
    throw error("cannot rename " + from + " to " + to + ": " + std::strerror(errno));
}

}  // namespace typeflow::io

#endif
