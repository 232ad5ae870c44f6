// A fresh directory under $TMPDIR (or /tmp), removed with its content at the end of a test.
#ifndef TYPEFLOW_TESTS_SAVER_TEMP_DIR_HPP
#define TYPEFLOW_TESTS_SAVER_TEMP_DIR_HPP

#include <cstdlib>
#include <filesystem>
#include <set>
#include <stdexcept>
#include <string>

struct temp_dir {
  std::string path;
  temp_dir() {
    const char* base = std::getenv("TMPDIR");
    std::string pattern = std::string(base && *base ? base : "/tmp") + "/typeflow-saver-XXXXXX";
    if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
    path = pattern;
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
  ~temp_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  std::string operator/(const std::string& name) const { return path + "/" + name; }

  /// The names of the files in the directory.
  std::set<std::string> files() const {
    std::set<std::string> names;
    for (const auto& e : std::filesystem::directory_iterator(path)) names.insert(e.path().filename().string());
    return names;
  }
};

#endif
