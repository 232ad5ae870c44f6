#ifndef TYPEFLOW_IO_FAULT_POINT_HPP
#define TYPEFLOW_IO_FAULT_POINT_HPP

// A test-only seam: each file system operation of io/ passes a fault point first. Where a
// program defines TYPEFLOW_IO_FAULT_INJECTION (in every translation unit, or none: the
// definitions differ), io::fault_hook may make the operation fail with an errno, as a full
// disk, a read-only directory or a failing device would; tests/saver/test_saver_faults.cpp
// fails each operation of a save in turn. Without the macro a fault point is a constant
// `false`: no cost.

#include <cerrno>
#include <string>

#ifdef TYPEFLOW_IO_FAULT_INJECTION
#include <functional>
#endif

namespace typeflow::io {

/// The file system operations that pass a fault point.
enum class file_op { open_read, create, read, write, sync, close, rename, link, remove, sync_directory };

#ifdef TYPEFLOW_IO_FAULT_INJECTION
/// Called before each operation with its kind and path: 0 lets it run, an errno fails it.
inline std::function<int(file_op, const std::string&)> fault_hook;

/// True (with errno set) when the hook fails this operation.
inline bool fault_point(file_op op, const std::string& path) {
  if (!fault_hook) return false;
  const int e = fault_hook(op, path);
  if (e != 0) errno = e;
  return e != 0;
}
#else
constexpr bool fault_point(file_op, const std::string&) { return false; }
#endif

}  // namespace typeflow::io

#endif
