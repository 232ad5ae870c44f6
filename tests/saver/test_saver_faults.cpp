// Saves and restores under faults. io's fault points (TYPEFLOW_IO_FAULT_INJECTION, defined for
// this whole executable) fail each file operation of a save in turn, with each errno a full
// disk, a read-only file system, a denied directory or a failing device gives, once or from
// then on; and a real limit on file sizes (RLIMIT_FSIZE) stops a save inside its data file.
// Every failed save must name a file and leave the directory byte for byte as it was (the
// previous checkpoints, `checkpoint`, no temporary file); every failed restore must leave
// every variable as it was.

#include <doctest/doctest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>
#include <string>
#include <typeflow/io/fault_point.hpp>
#include <typeflow/runtime/train/saver.hpp>
#include <typeflow/typeflow.hpp>
#include <vector>

#include "temp_dir.hpp"

#ifndef TYPEFLOW_IO_FAULT_INJECTION
#error "tests/saver/meson.build defines TYPEFLOW_IO_FAULT_INJECTION for every source of test_saver"
#endif

namespace tf = typeflow;
namespace io = typeflow::io;
using io::file_op;

namespace {

/// Which operations fail: the `at`-th one counted from the hook's installation (1-based),
/// and with `from_then_on`, every later one of the kinds `kinds` accepts.
struct fault_plan {
  int at = 0;  // 0: count only
  int errno_value = 0;
  bool from_then_on = false;
  bool (*kinds)(file_op) = [](file_op) { return true; };
  // What happened:
  int count = 0;
  std::string failed_path;  // the path and kind of the first failed operation
  file_op failed_op{};
  int renames = 0;  // renames that succeeded before it
};

fault_plan fails(int at, int errno_value) {
  fault_plan p;
  p.at = at;
  p.errno_value = errno_value;
  return p;
}

/// Installs the plan as io::fault_hook for its lifetime.
struct fault_injector {
  explicit fault_injector(fault_plan& plan) {
    io::fault_hook = [&plan](file_op op, const std::string& path) {
      const int n = ++plan.count;
      const bool fail = plan.at != 0 && (n == plan.at || (plan.from_then_on && n > plan.at && plan.kinds(op)));
      if (!fail) {
        plan.renames += plan.failed_path.empty() && op == file_op::rename;
        return 0;
      }
      if (plan.failed_path.empty()) {
        plan.failed_path = path;
        plan.failed_op = op;
      }
      return plan.errno_value;
    };
  }
  fault_injector(const fault_injector&) = delete;
  fault_injector& operator=(const fault_injector&) = delete;
  ~fault_injector() { io::fault_hook = nullptr; }
};

/// Every file of the directory and its bytes.
std::map<std::string, std::string> snapshot(const temp_dir& dir) {
  std::map<std::string, std::string> files;
  for (const auto& name : dir.files()) files[name] = io::read_file(dir / name);
  return files;
}

/// The files of `before` that are gone or changed in `after`.
int lost(const std::map<std::string, std::string>& before, const std::map<std::string, std::string>& after) {
  int n = 0;
  for (const auto& [name, bytes] : before) {
    const auto it = after.find(name);
    n += it == after.end() || it->second != bytes;
  }
  return n;
}

int temporaries(const temp_dir& dir) {
  int n = 0;
  for (const auto& name : dir.files()) n += name.find(".tempstate") != std::string::npos;
  return n;
}

/// True when every file of `before` is in `after`, under its name or, with its bytes, under a
/// temporary name that starts with it (a second name a commit made and could not undo).
bool all_bytes_kept(const std::map<std::string, std::string>& before, const std::map<std::string, std::string>& after) {
  for (const auto& [name, bytes] : before) {
    bool found = false;
    for (const auto& [other, other_bytes] : after)
      found = found || (other_bytes == bytes && (other == name || other.starts_with(name + ".tempstate")));
    if (!found) return false;
  }
  return true;
}

/// Only temporary files were added, and files whose names start with `added` where it is not "".
bool only_added(const std::map<std::string, std::string>& before, const std::map<std::string, std::string>& after,
                const std::string& added) {
  for (const auto& [name, bytes] : after)
    if (!before.count(name) && name.find(".tempstate") == std::string::npos &&
        (added.empty() || !name.starts_with(added)))
      return false;
  return true;
}

}  // namespace

TEST_CASE("train.saver: a save failed at any file operation loses nothing and names the file") {
  tf::reset_default_graph();
  temp_dir dir;
  auto W = tf::Variable<"W", float, 16, 8>(tf::constant(0.0f));
  auto b = tf::Variable<"layer/b", double, 3>(tf::constant(0.0));
  tf::Session sess;
  sess.run(tf::global_variables_initializer());
  auto set_values = [&](float v) {
    sess.variable_values().get(W).value.fill(v);
    sess.variable_values().get(b).value.fill(2.0 * v);
  };
  auto check_values = [&](tf::Session& s, float v) {
    CHECK(s.run(W) == xt::xtensor<float, 2>(std::array<std::size_t, 2>{16, 8}, v));
    CHECK(s.run(b) == xt::xtensor<double, 1>{2.0 * v, 2.0 * v, 2.0 * v});
  };

  // The directory before each faulty save: model-1 and model-2, max_to_keep 2, so that the
  // save of model-3 deletes model-1 once it succeeds. The Saver is the one that wrote them: a
  // failed save must leave its list as it was too, which the later saves check.
  std::unique_ptr<tf::train::Saver> saver;
  std::map<std::string, std::string> baseline;
  auto make_baseline = [&] {
    for (const auto& name : dir.files()) std::remove((dir / name).c_str());
    saver = std::make_unique<tf::train::Saver>(tf::train::saver_options{.max_to_keep = 2});
    set_values(1);
    saver->save(sess, dir / "model", 1);
    set_values(2);
    saver->save(sess, dir / "model", 2);
    baseline = snapshot(dir);
    REQUIRE(baseline.size() == 7);  // 2 x (index, data, meta) and checkpoint
    set_values(3);
  };
  make_baseline();

  // Step 3 is a new checkpoint; step 2 replaces an existing one, which must survive whole.
  for (const int step : {3, 2}) {
    CAPTURE(step);
    const std::string prefix = dir / ("model-" + std::to_string(step));
    int operations = 0;
    {
      fault_plan count;
      fault_injector injector(count);
      temp_dir scratch;  // the same save elsewhere, only counted
      tf::train::Saver counter({.max_to_keep = 2});
      counter.save(sess, scratch / "model", 2);
      count.count = 0;
      counter.save(sess, scratch / "model", step);
      operations = count.count;
    }
    REQUIRE(operations >= 16);  // 4 files x (create, write, sync, close) and their renames

    int tried = 0, failed = 0, lost_files = 0, succeeded = 0, stuck = 0;
    struct mode {
      const char* name;
      int errno_value;
      bool from_then_on;
      bool (*kinds)(file_op);
    };
    const mode modes[] = {
        // One operation fails, with each errno in turn (they take the same paths: the cost of
        // a save is its fsyncs, so not every errno at every point).
        {"once", 0, false, nullptr},
        // A full disk: nothing more can be written or created; renames and removals still work.
        {"disk full from then on", ENOSPC, true,
         [](file_op op) {
           return op == file_op::create || op == file_op::write || op == file_op::sync || op == file_op::close ||
                  op == file_op::link;
         }},
        // A directory made read-only (say, between the data and the index file): no name can be
        // added, changed or removed any more; open files are still written.
        {"read-only directory from then on", EROFS, true,
         [](file_op op) {
           return op == file_op::create || op == file_op::rename || op == file_op::link || op == file_op::remove;
         }},
    };
    for (const mode& m : modes) {
      for (int k = 1; k <= operations; ++k) {
        CAPTURE(m.name);
        CAPTURE(k);
        const int errnos[] = {ENOSPC, EIO, EACCES, EROFS};
        const int errno_value = m.errno_value ? m.errno_value : errnos[k % 4];
        CAPTURE(errno_value);
        fault_plan plan = fails(k, errno_value);
        plan.from_then_on = m.from_then_on;
        if (m.kinds) plan.kinds = m.kinds;
        std::string what;
        bool threw = false;
        {
          fault_injector injector(plan);
          try {
            saver->save(sess, dir / "model", step);
          } catch (const tf::error& e) {
            threw = true;
            what = e.what();
          }
        }
        ++tried;
        const auto after = snapshot(dir);
        if (threw) {
          ++failed;
          CAPTURE(what);
          CHECK(what.find(plan.failed_path) != std::string::npos);
          CHECK(what.find(std::strerror(errno_value)) != std::string::npos);
          // The one case no rename can undo: a directory that turns read-only between two
          // renames of a commit. The previous files keep their bytes (under a second name where
          // they were being replaced), the new ones stay; the error says which file.
          const bool cannot_undo = m.from_then_on && m.errno_value == EROFS && plan.renames > 0;
          if (cannot_undo) {
            ++stuck;
            CHECK(all_bytes_kept(baseline, after));
            CHECK(only_added(baseline, after, "model-" + std::to_string(step) + "."));
          } else {
            lost_files += lost(baseline, after);
            CHECK(lost(baseline, after) == 0);
          }
          if (!m.from_then_on || m.errno_value == ENOSPC) {
            CHECK(after.size() == baseline.size());  // nothing added: no temporary file
          } else {
            // A read-only directory keeps the temporaries it holds; the next save removes them.
            if (!cannot_undo) CHECK(only_added(baseline, after, ""));
            if (after.size() != baseline.size()) {
              tf::train::Saver other({.max_to_keep = 0});
              other.save(sess, dir / "model", 9);
              CHECK(temporaries(dir) == 0);
              make_baseline();
            }
          }
        } else {
          // The fault hit an operation after the files were in place (removing the previous
          // file's second name, syncing the directory): the save stands.
          ++succeeded;
          CHECK((plan.failed_op == file_op::remove || plan.failed_op == file_op::sync_directory));
          CHECK(tf::train::latest_checkpoint(dir.path) == prefix);
          tf::Session check;
          saver->restore(check, prefix);
          check_values(check, 3);
          make_baseline();
        }
      }
    }
    MESSAGE("model-" << step << ": " << operations << " file operations, " << tried << " saves with a fault, " << failed
                     << " failed, " << succeeded << " succeeded; files lost: " << lost_files
                     << "; read-only between two renames of the commit: " << stuck);
    CHECK(failed > succeeded);
    CHECK(lost_files == 0);
  }

  // After all those failures the same Saver saves and restores, and deletes as TF's does.
  saver->save(sess, dir / "model", 3);
  CHECK(tf::train::get_checkpoint_state(dir.path)->all_model_checkpoint_paths ==
        std::vector<std::string>{dir / "model-2", dir / "model-3"});
  CHECK(saver->last_checkpoints() == std::vector<std::string>{dir / "model-2", dir / "model-3"});
  CHECK(dir.files().count("model-1.index") == 0);
  CHECK(temporaries(dir) == 0);
  tf::Session fresh;
  saver->restore(fresh, tf::train::latest_checkpoint(dir.path));
  check_values(fresh, 3);
  saver->restore(fresh, dir / "model-2");
  check_values(fresh, 2);
}

TEST_CASE("train.saver: a restore failed at any file operation changes no variable") {
  tf::reset_default_graph();
  temp_dir dir;
  auto W = tf::Variable<"W", float, 4>(tf::constant(1.0f));
  auto b = tf::Variable<"b", std::int32_t, 2>(tf::constant(7));
  tf::Session sess;
  sess.run(tf::global_variables_initializer());
  tf::train::Saver saver;
  const std::string prefix = saver.save(sess, dir / "model");
  sess.variable_values().get(W).value.fill(5.0f);
  sess.variable_values().get(b).value.fill(6);

  fault_plan count;
  {
    fault_injector injector(count);
    tf::Session s;
    saver.restore(s, prefix);
  }
  REQUIRE(count.count >= 4);  // open and read the index and the data
  for (const int e : {EIO, EACCES, ENOENT}) {
    for (int k = 1; k <= count.count; ++k) {
      CAPTURE(k);
      fault_plan plan = fails(k, e);
      std::string what;
      {
        fault_injector injector(plan);
        try {
          saver.restore(sess, prefix);
        } catch (const tf::error& err) {
          what = err.what();
        }
      }
      CAPTURE(what);
      CHECK(what.find(plan.failed_path) != std::string::npos);
      CHECK(what.find(prefix) != std::string::npos);
      CHECK(sess.run(W) == xt::xtensor<float, 1>{5, 5, 5, 5});
      CHECK(sess.run(b) == xt::xtensor<std::int32_t, 1>{6, 6});
    }
  }
  MESSAGE("restore: " << count.count << " file operations, each failed with EIO, EACCES and ENOENT");

  // Damaged files (test_saver.cpp has a missing tensor, another dtype or shape, a flipped bit):
  // an error naming the file, and no variable changes.
  const std::string data_path = prefix + ".data-00000-of-00001", index_path = prefix + ".index";
  const std::string data = io::read_file(data_path), index = io::read_file(index_path);
  auto rewrite = [](const std::string& path, const std::string& bytes) {
    io::file f = io::file::create(path);
    f.write(bytes);
    f.close();
  };
  const struct {
    const char* name;
    std::string path, bytes;
    const char* error;
  } damaged[] = {
      {"a truncated data file", data_path, data.substr(0, data.size() - 3), "lie outside"},
      {"an empty data file", data_path, "", "lie outside"},
      {"a truncated index", index_path, index.substr(0, index.size() / 2), ".index"},
      {"an index of zeros", index_path, std::string(index.size(), '\0'), ".index"},
      {"a missing data file", data_path, "", "cannot open"},
  };
  for (const auto& d : damaged) {
    CAPTURE(d.name);
    rewrite(d.path, d.bytes);
    if (std::string(d.error) == "cannot open") std::remove(d.path.c_str());
    const std::string what = [&] {
      try {
        saver.restore(sess, prefix);
      } catch (const tf::error& e) {
        return std::string(e.what());
      }
      return std::string();
    }();
    CAPTURE(what);
    CHECK(what.find(d.error) != std::string::npos);
    CHECK(what.find(prefix) != std::string::npos);
    CHECK(sess.run(W) == xt::xtensor<float, 1>{5, 5, 5, 5});
    CHECK(sess.run(b) == xt::xtensor<std::int32_t, 1>{6, 6});
    rewrite(data_path, data);
    rewrite(index_path, index);
  }
  saver.restore(sess, prefix);
  CHECK(sess.run(W) == xt::xtensor<float, 1>{1, 1, 1, 1});
  CHECK(sess.run(b) == xt::xtensor<std::int32_t, 1>{7, 7});
}

TEST_CASE("train.saver: a save stopped by a real file size limit (RLIMIT_FSIZE) loses nothing") {
  tf::reset_default_graph();
  temp_dir dir;
  auto big = tf::Variable<"big", float, 128, 256>(tf::constant(1.0f));  // 128 KiB
  auto step = tf::Variable<"step", std::int64_t>(tf::constant(std::int64_t{1}));
  tf::Session sess;
  sess.run(tf::global_variables_initializer());
  tf::train::Saver saver;
  saver.save(sess, dir / "model", 1);
  saver.save(sess, dir / "model");  // the first save below replaces it
  const auto before = snapshot(dir);

  for (const char* name : {"model", "model-2"}) {
    CAPTURE(name);
    // In a child, whose file size limit is 64 KiB: the data file's write fails with EFBIG
    // (SIGXFSZ ignored), after a short write. Its Saver would delete nothing: its list is empty.
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      int code = 2;
      try {
        const rlimit limit{64 << 10, 64 << 10};
        ::signal(SIGXFSZ, SIG_IGN);
        if (::setrlimit(RLIMIT_FSIZE, &limit) != 0) ::_exit(4);
        tf::Session child;
        child.run(tf::global_variables_initializer());
        child.variable_values().get(big).value.fill(2.0f);
        tf::train::Saver again({.max_to_keep = 1});
        again.save(child, dir / name);
      } catch (const tf::error& e) {
        const std::string what = e.what();
        code = what.find(".data-00000-of-00001") != std::string::npos &&
                       what.find(std::strerror(EFBIG)) != std::string::npos
                   ? 0
                   : 3;
        if (code) std::fprintf(stderr, "unexpected error: %s\n", what.c_str());
      } catch (...) {
        code = 5;
      }
      ::_exit(code);
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
    const auto after = snapshot(dir);
    CHECK(lost(before, after) == 0);
    CHECK(after.size() == before.size());
  }
  (void)step;
}
