#ifndef TYPEFLOW_IO_FILE_TRANSACTION_HPP
#define TYPEFLOW_IO_FILE_TRANSACTION_HPP

// Files replaced together, all or none: each is written under a temporary name
// (`<final>.tempstate<random>`), then commit() renames them into place in the order they were
// created. A file a rename would replace is first kept under a second name (a hard link), so
// that a failed commit puts back every file it had replaced and removes every file it had
// added; a transaction destroyed uncommitted removes its temporary files. Only a process
// killed inside commit() leaves a mix (then `.tempstate` files remain, which the next save
// removes): put the file that makes the others visible (a checkpoint's `checkpoint`) last.
//
//   io::file_transaction t;
//   io::file f = t.create("dir/model.index");   // writes dir/model.index.tempstate123
//   f.write(bytes);
//   f.sync();
//   f.close();
//   t.commit();                                  // dir/model.index, or an error and no change

#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "file.hpp"

namespace typeflow::io {

class file_transaction {
 public:
  file_transaction() : m_tag(".tempstate" + std::to_string(random_tag())) {}
  file_transaction(file_transaction&& o) noexcept
      : m_tag(std::move(o.m_tag)), m_files(std::exchange(o.m_files, {})), m_committed(o.m_committed) {}
  file_transaction& operator=(file_transaction&&) = delete;
  file_transaction(const file_transaction&) = delete;
  ~file_transaction() {
    if (!m_committed)
      for (const auto& f : m_files) remove_file(f.temp);
  }

  /// A new temporary file that commit() renames to `final_path`.
  file create(const std::string& final_path) {
    if (m_committed) throw error("io::file_transaction: create(" + final_path + ") after commit()");
    m_files.push_back({final_path + m_tag, final_path, {}});
    return file::create(m_files.back().temp);
  }

  /// create(final_path), write `bytes`, fsync if asked, close.
  void write(const std::string& final_path, std::string_view bytes, bool sync) {
    file f = create(final_path);
    f.write(bytes);
    if (sync) f.sync();
    f.close();
  }

  /// The temporary name of the n-th file created.
  const std::string& temp_path(std::size_t n) const { return m_files.at(n).temp; }

  /// Renames every file into place, in order; on an error, restores the files as they were
  /// and throws the error (which names the file).
  void commit() {
    if (m_committed) throw error("io::file_transaction: commit() called twice");
    std::size_t renamed = 0;
    try {
      for (auto& f : m_files) keep_previous(f);
      for (; renamed < m_files.size(); ++renamed) rename_file(m_files[renamed].temp, m_files[renamed].final);
    } catch (...) {
      roll_back(renamed);
      throw;
    }
    m_committed = true;
    for (const auto& f : m_files)
      if (!f.kept.empty()) remove_file(f.kept);  // left behind on an error: the next save removes it
  }

 private:
  struct entry {
    std::string temp, final, kept;  // kept: the second name of the file `final` replaces
  };

  static std::uint64_t random_tag() {
    static thread_local std::mt19937_64 rng{std::random_device{}() ^ static_cast<std::uint64_t>(::getpid())};
    return rng();
  }

  /// A second name for the file that `f` replaces, if there is one.
  void keep_previous(entry& f) {
    if (::access(f.final.c_str(), F_OK) != 0) return;
    const std::string kept = f.temp + ".old";
    // Without hard links, move it away: a kill before its replacement lands then leaves no file.
    if (!link_file(f.final, kept)) rename_file(f.final, kept);
    f.kept = kept;
  }

  /// Undoes the first `renamed` renames and removes every other name this transaction made.
  void roll_back(std::size_t renamed) noexcept {
    for (std::size_t i = 0; i < m_files.size(); ++i) {
      const entry& f = m_files[i];
      if (i >= renamed) remove_file(f.temp);
      if (f.kept.empty()) {
        if (i < renamed) remove_file(f.final);  // added by this commit
      } else if (i < renamed || ::access(f.final.c_str(), F_OK) != 0) {
        // Replaced (or moved away): put the previous file back. Should that fail too, its
        // second name stays, a `.tempstate` file, rather than lose it here.
        if (!fault_point(file_op::rename, f.kept)) (void)std::rename(f.kept.c_str(), f.final.c_str());
      } else {
        remove_file(f.kept);  // a second name of a file still in place
      }
    }
  }

  std::string m_tag;
  std::vector<entry> m_files;
  bool m_committed = false;
};

}  // namespace typeflow::io

#endif
