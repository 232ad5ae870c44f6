#ifndef TYPEFLOW_IO_PATH_HPP
#define TYPEFLOW_IO_PATH_HPP

// POSIX path arithmetic as Python's os.path does it, lexically (no file system access), for
// the paths that TensorFlow's Saver and latest_checkpoint write and resolve.

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

namespace typeflow::io::path {

inline bool is_absolute(std::string_view p) { return !p.empty() && p.front() == '/'; }

/// os.path.join(a, b): b if it is absolute, else a and b with one '/' between them.
inline std::string join(std::string_view a, std::string_view b) {
  if (is_absolute(b) || a.empty()) return std::string(b);
  std::string r(a);
  if (r.back() != '/') r += '/';
  return r += b;
}

/// os.path.dirname: everything before the last '/', trailing slashes removed unless all slashes.
inline std::string dirname(std::string_view p) {
  const auto i = p.rfind('/');
  if (i == std::string_view::npos) return {};
  std::string_view head = p.substr(0, i + 1);
  if (head.find_first_not_of('/') != std::string_view::npos)
    while (head.size() > 1 && head.back() == '/') head.remove_suffix(1);
  return std::string(head);
}

/// os.path.basename: everything after the last '/'.
inline std::string basename(std::string_view p) {
  const auto i = p.rfind('/');
  return std::string(i == std::string_view::npos ? p : p.substr(i + 1));
}

namespace detail {
/// The components of a normalised path ("." and empty ones dropped, ".." folded where it can be).
inline std::vector<std::string> components(std::string_view p) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i <= p.size()) {
    const std::size_t j = std::min(p.find('/', i), p.size());
    const std::string_view c = p.substr(i, j - i);
    if (c == "..") {
      if (!out.empty() && out.back() != "..") out.pop_back();
      else if (!is_absolute(p)) out.emplace_back(c);  // "/.." is "/"
    } else if (!c.empty() && c != ".") {
      out.emplace_back(c);
    }
    i = j + 1;
  }
  return out;
}
}  // namespace detail

/// os.path.normpath.
inline std::string normpath(std::string_view p) {
  std::string r = is_absolute(p) ? "/" : "";
  bool first = true;
  for (const auto& c : detail::components(p)) {
    if (!first) r += '/';
    r += c;
    first = false;
  }
  return r.empty() ? "." : r;
}

/// os.path.relpath(p, start) for two paths relative to the same directory (or both absolute),
/// computed lexically; an empty start is the current directory.
inline std::string relpath(std::string_view p, std::string_view start) {
  const auto a = detail::components(p);
  const auto b = detail::components(start.empty() ? std::string_view(".") : start);
  std::size_t common = 0;
  while (common < a.size() && common < b.size() && a[common] == b[common]) ++common;
  std::string r;
  for (std::size_t i = common; i < b.size(); ++i) r += r.empty() ? ".." : "/..";
  for (std::size_t i = common; i < a.size(); ++i) (r += r.empty() ? "" : "/") += a[i];
  return r.empty() ? "." : r;
}

}  // namespace typeflow::io::path

#endif
