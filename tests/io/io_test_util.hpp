#ifndef TYPEFLOW_TESTS_IO_IO_TEST_UTIL_HPP
#define TYPEFLOW_TESTS_IO_IO_TEST_UTIL_HPP

// What the io tests share: a temporary directory removed at the end of the test, whole-file
// reads and writes, the fixture paths, and the message of an error.

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <typeflow/core/error.hpp>

#include "../error_of.hpp"

namespace io_test {

using test::error_of;

inline const std::string fixtures = TYPEFLOW_IO_FIXTURES;
inline const std::string counter_prefix = fixtures + "/counter_tf1.5/variables";
inline const std::string half_plus_two_prefix = fixtures + "/half_plus_two_tf1.14/variables";

struct temp_dir {
  std::filesystem::path path;
  temp_dir() {
    std::string templ = (std::filesystem::temp_directory_path() / "typeflow-io-XXXXXX").string();
    if (!::mkdtemp(templ.data())) throw std::runtime_error("mkdtemp failed");
    path = templ;
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
  ~temp_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  std::string operator/(const std::string& name) const { return (path / name).string(); }
};

inline std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline void spit(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error("cannot write " + path);
}

}  // namespace io_test

#endif
