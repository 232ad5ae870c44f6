// Atomic saves: a child process saves in a loop and is killed (SIGKILL) at random points;
// after each kill, latest_checkpoint must name a complete checkpoint whose every variable
// holds the values of one step, and never an older step than before.

#include <doctest/doctest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <random>
#include <string>
#include <thread>
#include <typeflow/runtime/train/saver.hpp>
#include <typeflow/typeflow.hpp>

#include "temp_dir.hpp"

namespace tf = typeflow;

namespace {

template <class Big, class Small, class Step>
void set_values(tf::Session& sess, const Big& big, const Small& small, const Step& step_var, std::int64_t step) {
  auto& store = sess.variable_values();
  auto& b = store.get(big).value;
  b.fill(static_cast<float>(step));
  b(0, 0) = -static_cast<float>(step);
  auto& s = store.get(small).value;
  for (std::size_t k = 0; k < s.size(); ++k) s(k) = static_cast<double>(step) + static_cast<double>(k) / 8;
  store.get(step_var).value() = step;
}

}  // namespace

TEST_CASE("train.saver: a save killed at random points leaves latest_checkpoint complete, earlier or newer") {
  tf::reset_default_graph();
  temp_dir dir;
  auto big = tf::Variable<"big", float, 256, 256>(tf::constant(0.0f));  // 256 KiB: kills land inside writes
  auto small = tf::Variable<"layer/small", double, 7>(tf::constant(0.0));
  auto step_var = tf::Variable<"global_step", std::int64_t>(tf::constant(std::int64_t{0}));
  const std::string save_path = dir / "model";

  std::mt19937 rng(2024);
  const int kills = 60;
  std::int64_t last_step = -1;  // the step latest_checkpoint restored last
  int restored = 0, stale_seen = 0;
  for (int kill = 0; kill < kills; ++kill) {
    const std::int64_t start = last_step + 1;
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      try {
        tf::Session sess;
        sess.run(tf::global_variables_initializer());
        tf::train::Saver saver({.max_to_keep = 3});
        for (std::int64_t step = start;; ++step) {
          set_values(sess, big, small, step_var, step);
          saver.save(sess, save_path, step);
        }
      } catch (...) {
        ::_exit(3);
      }
    }
    // Up to 150 ms: before the first save ends, or after one or a few (a save fsyncs four
    // files and the directory: 30 to 60 ms on the development machine's disk).
    std::this_thread::sleep_for(std::chrono::microseconds(rng() % 150000));
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    REQUIRE_MESSAGE((WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL), "the saving child stopped by itself (status ",
                    status, ")");

    for (const auto& name : dir.files()) stale_seen += name.find(".tempstate") != std::string::npos;
    const auto latest = tf::train::latest_checkpoint(dir.path);
    if (!latest) {
      REQUIRE(last_step == -1);  // nothing saved yet: the first kill came before the first save ended
      continue;
    }
    tf::Session check;
    tf::train::Saver reader;
    reader.restore(check, latest);
    const std::int64_t step = check.run(step_var)();
    CAPTURE(kill);
    CAPTURE(step);
    REQUIRE(*latest == save_path + "-" + std::to_string(step));
    REQUIRE(step >= last_step);
    const auto b = check.run(big);
    REQUIRE(b(0, 0) == -static_cast<float>(step));
    REQUIRE(b(255, 255) == static_cast<float>(step));
    bool all = true;
    for (std::size_t i = 1; i < b.size(); ++i) all = all && b.data()[i] == static_cast<float>(step);
    REQUIRE(all);
    const auto s = check.run(small);
    for (std::size_t k = 0; k < s.size(); ++k) REQUIRE(s(k) == static_cast<double>(step) + static_cast<double>(k) / 8);
    last_step = step;
    ++restored;
  }
  MESSAGE(kills << " kills, " << restored << " restores checked, last step " << last_step << ", " << stale_seen
                << " temporary files seen after kills");
  CHECK(restored > kills / 2);
  CHECK(last_step > 5);

  // A save that completes removes what killed saves left behind.
  tf::Session sess;
  sess.run(tf::global_variables_initializer());
  tf::train::Saver saver;
  set_values(sess, big, small, step_var, last_step + 1);
  saver.save(sess, save_path, last_step + 1);
  for (const auto& name : dir.files()) CHECK_MESSAGE(name.find(".tempstate") == std::string::npos, name);
  CHECK(tf::train::latest_checkpoint(dir.path) == save_path + "-" + std::to_string(last_step + 1));
}
