// tf::train::Saver and latest_checkpoint: the files a save writes and their names, restores
// bit for bit, TF's retention rules, the `checkpoint` state file (text format, paths, bad
// input), all-or-nothing restores, and the .meta's graph, SaverDef and collections.

#include <doctest/doctest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <typeflow/io/checkpoint_state.hpp>
#include <typeflow/io/path.hpp>
#include <typeflow/runtime/train/saver.hpp>
#include <typeflow/typeflow.hpp>
#include <vector>

#include "../error_of.hpp"
#include "../io/meta_graph_decode.hpp"
#include "temp_dir.hpp"

namespace tf = typeflow;
namespace io = typeflow::io;

namespace {

std::string read_text(const std::string& path) { return io::read_file(path); }

void write_text(const std::string& path, const std::string& text) {
  io::file f = io::file::create(path);
  f.write(text);
  f.close();
}

/// The message of the tf::error that f throws ("" if none).
using test::error_of;

bool contains_all(const std::string& s, std::initializer_list<const char*> parts) {
  for (const char* p : parts)
    if (s.find(p) == std::string::npos) return false;
  return true;
}

template <class T, std::size_t R>
bool same_bits(const xt::xtensor<T, R>& a, const xt::xtensor<T, R>& b) {
  return a.shape() == b.shape() && std::memcmp(a.data(), b.data(), a.size() * sizeof(T)) == 0;
}

}  // namespace

TEST_CASE("io.path: join, dirname, basename, normpath and relpath as Python's os.path") {
  using io::path::dirname, io::path::join, io::path::normpath, io::path::relpath;
  CHECK(join("dir", "model-1") == "dir/model-1");
  CHECK(join("dir/", "model-1") == "dir/model-1");
  CHECK(join("", "model-1") == "model-1");
  CHECK(join("dir", "/abs/model") == "/abs/model");
  CHECK(dirname("dir/sub/model") == "dir/sub");
  CHECK(dirname("model") == "");
  CHECK(dirname("/model") == "/");
  CHECK(dirname("dir//model") == "dir");
  CHECK(io::path::basename("dir/sub/model") == "model");  // not glibc's basename
  CHECK(normpath("a/./b//c/../d") == "a/b/d");
  CHECK(normpath("../a/..") == "..");
  CHECK(normpath("/../a") == "/a");
  CHECK(normpath("") == ".");
  CHECK(relpath("dir/model-1", "dir") == "model-1");
  CHECK(relpath("./dir/model-1", "dir/") == "model-1");
  CHECK(relpath("model-1", "") == "model-1");
  CHECK(relpath("a/b", "a/c") == "../b");
  CHECK(relpath("a", "a") == ".");
  CHECK(relpath("/x/y/z", "/x") == "y/z");
}

TEST_CASE("io.checkpoint_state: TF's text format, written and read back") {
  io::checkpoint_state s;
  s.model_checkpoint_path = "model.ckpt-200";
  s.all_model_checkpoint_paths = {"model.ckpt-100", "model.ckpt-200"};
  CHECK(io::to_text(s) == "model_checkpoint_path: \"model.ckpt-200\"\n"
                          "all_model_checkpoint_paths: \"model.ckpt-100\"\n"
                          "all_model_checkpoint_paths: \"model.ckpt-200\"\n");

  SUBCASE("the TF 1.10 file (77 bytes)") {
    const std::string text = "model_checkpoint_path: \"model.ckpt\"\nall_model_checkpoint_paths: \"model.ckpt\"\n";
    CHECK(text.size() == 77);
    const auto r = io::parse_checkpoint_state(text);
    CHECK(r.model_checkpoint_path == "model.ckpt");
    CHECK(r.all_model_checkpoint_paths == std::vector<std::string>{"model.ckpt"});
  }
  SUBCASE("escapes: written as protobuf's CEscape, read back exactly") {
    io::checkpoint_state e;
    e.model_checkpoint_path = std::string("a\"b\\c\n\td'\x01\xff", 12);
    e.all_model_checkpoint_paths = {e.model_checkpoint_path};
    const std::string text = io::to_text(e);
    CHECK(text.starts_with("model_checkpoint_path: \"a\\\"b\\\\c\\n\\td\\'\\001\\377\\000\"\n"));
    const auto r = io::parse_checkpoint_state(text);
    CHECK(r.model_checkpoint_path == e.model_checkpoint_path);
    CHECK(r.all_model_checkpoint_paths == e.all_model_checkpoint_paths);
  }
  SUBCASE("what TF2's CheckpointManager adds: timestamps, in any float syntax") {
    const auto r = io::parse_checkpoint_state(
        "model_checkpoint_path: \"ckpt-3\"\n"
        "all_model_checkpoint_paths: \"ckpt-2\"\nall_model_checkpoint_paths: \"ckpt-3\"\n"
        "all_model_checkpoint_timestamps: 1784015298.994252\nall_model_checkpoint_timestamps: 1.7840153e9\n"
        "last_preserved_timestamp: 1784015297.175224\n");
    CHECK(r.all_model_checkpoint_timestamps.size() == 2);
    CHECK(r.all_model_checkpoint_timestamps[0] == 1784015298.994252);
    CHECK(r.all_model_checkpoint_timestamps[1] == 1.7840153e9);
    CHECK(r.last_preserved_timestamp == 1784015297.175224);
    io::checkpoint_state t = r;
    CHECK(io::parse_checkpoint_state(io::to_text(t)).all_model_checkpoint_timestamps ==
          r.all_model_checkpoint_timestamps);
  }
  SUBCASE("the rest of the text format: comments, list syntax, joined strings, single quotes, any order") {
    const auto r = io::parse_checkpoint_state(
        "# a comment\n  all_model_checkpoint_paths: ['a', \"b\" \"c\"]  \r\n"
        "model_checkpoint_path:'\\x41\\101'; all_model_checkpoint_timestamps: [1, -inf, 2.5f]");
    CHECK(r.model_checkpoint_path == "AA");
    CHECK(r.all_model_checkpoint_paths == std::vector<std::string>{"a", "bc"});
    CHECK(r.all_model_checkpoint_timestamps.size() == 3);
    CHECK(std::isinf(r.all_model_checkpoint_timestamps[1]));
    CHECK(r.all_model_checkpoint_timestamps[2] == 2.5);
  }
  SUBCASE("bad input is an error naming the line") {
    for (const char* bad : {"model_checkpoint_path: \"unterminated", "model_checkpoint_path \"x\"",
                            "model_checkpoint_path: x", "unknown_field: \"x\"", "model_checkpoint_path: \"\\q\"",
                            "model_checkpoint_path: \"\\400\"", "all_model_checkpoint_paths: [\"a\" \"b\"",
                            "all_model_checkpoint_timestamps: 1e", "all_model_checkpoint_timestamps: abc",
                            "\nmodel_checkpoint_path: \"a\nb\"", ":", "model_checkpoint_path: \"\\x\""}) {
      CAPTURE(bad);
      CHECK_THROWS_AS(io::parse_checkpoint_state(bad), tf::error);
    }
    CHECK_THROWS_WITH(io::parse_checkpoint_state("\n\nfoo: 1"), doctest::Contains("line 3"));
  }
  SUBCASE("random and mutated bytes: an error or a state, never a crash") {
    std::mt19937 rng(7);
    const std::string good = io::to_text(s);
    for (int i = 0; i < 20000; ++i) {
      std::string text = good;
      if (i % 2) {
        text.resize(rng() % 64);
        for (auto& c : text) c = static_cast<char>(rng());
      } else {
        for (int k = 0; k < 3; ++k) text[rng() % text.size()] = static_cast<char>(rng());
        text.resize(rng() % (text.size() + 1));
      }
      try {
        (void)io::parse_checkpoint_state(text);
      } catch (const tf::error&) {
      }
    }
  }
}

TEST_CASE("train.saver: save writes the three files and `checkpoint`; restore reads them back bit for bit") {
  tf::reset_default_graph();
  temp_dir dir;
  // float, double, int32, int64 of rank 0 to 4, an empty one, and bit patterns a conversion would change.
  auto a = tf::Variable<"a", float>(tf::constant(1.5f));
  auto b = tf::Variable<"scope/b", double, 3>(tf::random_normal(0.0, 1.0, 3));
  auto c = tf::Variable<"c", std::int32_t, 2, 3>(tf::random_uniform(-1000, 1000, 4));
  auto d = tf::Variable<"d", std::int64_t, 2, 1, 3>(tf::random_uniform(-1e15, 1e15, 5));
  auto e = tf::Variable<"e", float, 2, 3, 1, 2>(tf::random_normal(0.0, 1.0, 6));
  auto empty = tf::Variable<"empty", double, 2, 0>(tf::constant(0.0));
  tf::Session sess;
  sess.run(tf::global_variables_initializer());
  auto& store = sess.variable_values();
  store.get(e).value(0, 0, 0, 0) = std::numeric_limits<float>::quiet_NaN();
  store.get(e).value(0, 0, 0, 1) = -0.0f;
  store.get(e).value(1, 2, 0, 1) = std::numeric_limits<float>::denorm_min();
  store.get(d).value(0, 0, 0) = std::numeric_limits<std::int64_t>::min();

  const auto a0 = sess.run(a);
  const auto b0 = sess.run(b);
  const auto c0 = sess.run(c);
  const auto d0 = sess.run(d);
  const auto e0 = sess.run(e);

  tf::train::Saver saver;
  CHECK(saver.save(sess, dir / "model", 100) == dir / "model-100");
  CHECK(dir.files() ==
        std::set<std::string>{"checkpoint", "model-100.data-00000-of-00001", "model-100.index", "model-100.meta"});
  // Paths as TF1's Saver writes them: absolute, since the directory is absolute.
  CHECK(read_text(dir / "checkpoint") == "model_checkpoint_path: \"" + dir / "model-100" +
                                             "\"\nall_model_checkpoint_paths: \"" + dir / "model-100" + "\"\n");
  CHECK(tf::train::latest_checkpoint(dir.path) == dir / "model-100");

  // The data file is the tensors' bytes in key order, packed: a c d e empty scope/b.
  const auto data = read_text(dir / "model-100.data-00000-of-00001");
  CHECK(data.size() == 4 + 6 * 4 + 6 * 8 + 12 * 4 + 0 + 3 * 8);
  CHECK(std::memcmp(data.data() + 4, c0.data(), 24) == 0);

  // The reader sees names, dtypes and shapes.
  io::bundle_reader reader(dir / "model-100");
  CHECK(reader.entry("scope/b").dtype == io::DT_DOUBLE);
  CHECK(reader.entry("d").shape == std::vector<std::int64_t>{2, 1, 3});
  CHECK(reader.entry("empty").shape == std::vector<std::int64_t>{2, 0});
  CHECK(reader.entry("a").shape.empty());

  sess.run(tf::global_variables_initializer());
  store.get(a).value() = 9.0f;
  tf::Session fresh;  // restore initialises variables: no initializer run needed
  for (tf::Session* s : {&sess, &fresh}) {
    saver.restore(*s, tf::train::latest_checkpoint(dir.path));
    CHECK(same_bits(s->run(a), a0));
    CHECK(same_bits(s->run(b), b0));
    CHECK(same_bits(s->run(c), c0));
    CHECK(same_bits(s->run(d), d0));
    CHECK(same_bits(s->run(e), e0));
    CHECK(s->run(empty).size() == 0);
  }
  CHECK(std::isnan(fresh.run(e)(0, 0, 0, 0)));
  CHECK(std::signbit(fresh.run(e)(0, 0, 0, 1)));
}

TEST_CASE("train.saver: names without a step, relative directories, var_list, and the state file's paths") {
  tf::reset_default_graph();
  temp_dir dir;
  auto W = tf::Variable<"W", float, 2>(tf::constant(2.0f));
  auto b = tf::Variable<"b", float, 2>(tf::constant(3.0f));
  tf::Session sess;
  sess.run(tf::global_variables_initializer());

  SUBCASE("no global_step: the prefix is save_path") {
    tf::train::Saver saver;
    CHECK(saver.save(sess, dir / "model") == dir / "model");
    CHECK(dir.files().count("model.index") == 1);
    CHECK(dir.files().count("model.meta") == 1);
  }
  SUBCASE("a global-step variable: the suffix is its value, as TF's save(sess, path, global_step)") {
    auto step = tf::train::get_or_create_global_step();
    sess.run(tf::global_variables_initializer());
    sess.variable_values().get(step).value() = 1234;
    tf::train::Saver saver;
    CHECK(saver.save(sess, dir / "model", step) == dir / "model-1234");
    CHECK(dir.files().count("model-1234.index") == 1);
    CHECK(tf::train::latest_checkpoint(dir.path) == dir / "model-1234");
  }
  SUBCASE("a relative directory: TF writes the paths relative to it") {
    const auto cwd = std::filesystem::current_path();
    std::filesystem::current_path(dir.path);
    std::filesystem::create_directory("ckpt");
    tf::train::Saver saver({.max_to_keep = 2});
    saver.save(sess, "ckpt/./model", 1);
    saver.save(sess, "ckpt/./model", 2);
    const std::string state = read_text("ckpt/checkpoint");
    CHECK(tf::train::latest_checkpoint("ckpt") == "ckpt/model-2");
    CHECK(tf::train::latest_checkpoint("ckpt/") == "ckpt/model-2");
    saver.save(sess, "model", 3);  // no directory: the current one
    const std::string state_here = read_text("checkpoint");
    std::filesystem::current_path(cwd);
    CHECK(state == "model_checkpoint_path: \"model-2\"\nall_model_checkpoint_paths: \"model-1\"\n"
                   "all_model_checkpoint_paths: \"model-2\"\n");
    // The Saver's list still holds the other directory's checkpoints, relative to "".
    CHECK(state_here == "model_checkpoint_path: \"model-3\"\nall_model_checkpoint_paths: \"ckpt/model-2\"\n"
                        "all_model_checkpoint_paths: \"model-3\"\n");
  }
  SUBCASE("var_list: only those variables are saved and restored") {
    tf::train::Saver saver({.var_list = tf::var_list(W)});
    saver.save(sess, dir / "w");
    io::bundle_reader reader(dir / "w");
    CHECK(reader.contains("W"));
    CHECK(!reader.contains("b"));
    tf::train::Saver by_name({.var_list = {"b"}});
    by_name.save(sess, dir / "b");
    CHECK(io::bundle_reader(dir / "b").contains("b"));
    CHECK_THROWS_WITH(tf::train::Saver({.var_list = {"nope"}}), doctest::Contains("'nope'"));
    CHECK_THROWS_WITH(tf::train::Saver({.var_list = {"b", "b"}}), doctest::Contains("twice"));
  }
  SUBCASE("errors: uninitialized variables, a missing directory, a path that is the state file") {
    tf::train::Saver saver;
    tf::Session uninit;
    CHECK_THROWS_WITH(saver.save(uninit, dir / "m"), doctest::Contains("uninitialized value W"));
    CHECK(dir.files().empty());  // no temporary left behind
    CHECK_THROWS_WITH(saver.save(sess, dir / "no/such/dir/m"), doctest::Contains("doesn't exist"));
    CHECK_THROWS_WITH(saver.save(sess, dir / "checkpoint"), doctest::Contains("conflicts"));
    CHECK_THROWS_WITH(saver.save(sess, dir / "m", 1, {.latest_filename = "a/b"}), doctest::Contains("file name"));
    CHECK(!tf::train::latest_checkpoint(dir.path));
  }
  (void)b;
}

TEST_CASE("train.saver: max_to_keep and keep_checkpoint_every_n_hours delete as TF's Saver does") {
  tf::reset_default_graph();
  temp_dir dir;
  auto v = tf::Variable<"v", float, 1>(tf::constant(0.0f));
  tf::Session sess;
  sess.run(tf::global_variables_initializer());
  auto exists = [&](int step) { return dir.files().count("model-" + std::to_string(step) + ".index") == 1; };
  auto listed = [&] {
    auto s = tf::train::get_checkpoint_state(dir.path);
    REQUIRE(s);
    return s->all_model_checkpoint_paths;
  };

  SUBCASE("the defaults, TF's: max_to_keep 5, so 7 saves keep the newest 5") {
    const tf::train::saver_options defaults;
    CHECK(defaults.max_to_keep == 5);
    CHECK(defaults.keep_checkpoint_every_n_hours == 10000.0);
    tf::train::Saver saver;
    for (int step = 1; step <= 7; ++step) saver.save(sess, dir / "model", step);
    for (int step = 1; step <= 7; ++step) CHECK(exists(step) == (step >= 3));
    CHECK(dir.files().size() == 5 * 3 + 1);  // .index, .data, .meta each, and `checkpoint`
    std::vector<std::string> newest;
    for (int step = 3; step <= 7; ++step) newest.push_back(dir / ("model-" + std::to_string(step)));
    CHECK(listed() == newest);
  }
  SUBCASE("the default keep_checkpoint_every_n_hours: one pushed out after 10000 hours is preserved") {
    const double hours = 10000 * 3600.0;
    double now = 0;
    tf::train::Saver saver({.clock = [&] { return now; }});  // next preserved time: 0 + 10000 h
    for (int step = 1; step <= 7; ++step) {
      now = step == 1 ? hours - 1 : hours + step;  // step 1 just before that time, the others after
      saver.save(sess, dir / "model", step);
    }
    for (int step = 1; step <= 7; ++step) CHECK(exists(step) == (step >= 2));
    CHECK(listed().front() == dir / "model-3");
  }
  SUBCASE("max_to_keep = 3: the oldest go, one per save") {
    tf::train::Saver saver({.max_to_keep = 3});
    for (int step = 1; step <= 6; ++step) saver.save(sess, dir / "model", step);
    for (int step = 1; step <= 3; ++step) CHECK(!exists(step));
    for (int step = 4; step <= 6; ++step) CHECK(exists(step));
    CHECK(dir.files().count("model-3.meta") == 0);
    CHECK(dir.files().count("model-3.data-00000-of-00001") == 0);
    CHECK(listed() == std::vector<std::string>{dir / "model-4", dir / "model-5", dir / "model-6"});
    CHECK(saver.last_checkpoints() == listed());
    // Saving a step again moves it to the end instead of listing it twice.
    saver.save(sess, dir / "model", 5);
    CHECK(listed() == std::vector<std::string>{dir / "model-4", dir / "model-6", dir / "model-5"});
  }
  SUBCASE("max_to_keep = 0: nothing is deleted, the state lists the newest only") {
    tf::train::Saver saver({.max_to_keep = 0});
    for (int step = 1; step <= 4; ++step) saver.save(sess, dir / "model", step);
    for (int step = 1; step <= 4; ++step) CHECK(exists(step));
    CHECK(listed() == std::vector<std::string>{dir / "model-4"});
  }
  SUBCASE("keep_checkpoint_every_n_hours: a checkpoint older than the next due time is preserved, unlisted") {
    double now = 1000.0;
    tf::train::Saver saver({.max_to_keep = 2, .keep_checkpoint_every_n_hours = 1.0, .clock = [&] { return now; }});
    // next preserved time: 1000 + 3600. Saves at 1000, 2000, ..., one every 1000 s.
    for (int step = 1; step <= 8; ++step, now += 1000) saver.save(sess, dir / "model", step);
    // Each save pushes one out: step k (saved at 1000k) leaves at save k+2. Preserved when its
    // time > next: step 5 (5000 > 4600; next becomes 8200); others deleted.
    std::vector<int> kept;
    for (int step = 1; step <= 8; ++step)
      if (exists(step)) kept.push_back(step);
    CHECK(kept == std::vector<int>{5, 7, 8});
    CHECK(listed() == std::vector<std::string>{dir / "model-7", dir / "model-8"});
  }
  SUBCASE("write_state = false: no state file, nothing deleted") {
    tf::train::Saver saver({.max_to_keep = 1});
    saver.save(sess, dir / "model", 1, {.write_state = false});
    saver.save(sess, dir / "model", 2, {.write_meta_graph = false, .write_state = false});
    CHECK(exists(1));
    CHECK(exists(2));
    CHECK(dir.files().count("model-2.meta") == 0);
    CHECK(dir.files().count("checkpoint") == 0);
  }
  (void)v;
}

TEST_CASE("train.saver: restore is all or nothing; errors name the tensor; latest_checkpoint's cases") {
  tf::reset_default_graph();
  temp_dir dir;
  auto W = tf::Variable<"W", float, 2, 2>(tf::constant(1.0f));
  auto b = tf::Variable<"b", float, 2>(tf::constant(2.0f));
  tf::Session sess;
  sess.run(tf::global_variables_initializer());
  tf::train::Saver saver;
  const std::string prefix = saver.save(sess, dir / "model", 1);

  // Other models, saved into the same directory under other names.
  auto check_unchanged = [&](tf::Session& s) {
    CHECK(s.run(W) == xt::xtensor<float, 2>{{5, 5}, {5, 5}});
    CHECK(s.run(b) == xt::xtensor<float, 1>{6, 6});
  };
  auto set = [&](tf::Session& s) {
    s.variable_values().get(W).value.fill(5.0f);
    s.variable_values().get(b).value.fill(6.0f);
  };
  set(sess);

  SUBCASE("a missing tensor") {
    tf::reset_default_graph();
    auto W2 = tf::Variable<"W", float, 2, 2>(tf::constant(1.0f));
    auto b2 = tf::Variable<"b", float, 2>(tf::constant(2.0f));
    auto extra = tf::Variable<"extra", float, 2>(tf::constant(3.0f));
    tf::train::Saver wide;
    tf::Session s;
    s.run(tf::global_variables_initializer());
    set(s);
    CHECK_THROWS_WITH(wide.restore(s, prefix), doctest::Contains("Key extra not found in checkpoint"));
    check_unchanged(s);  // W and b come before "extra" in sorted order: not assigned either
    CHECK(s.run(extra) == xt::xtensor<float, 1>{3, 3});
    (void)W2, (void)b2;
  }
  SUBCASE("another dtype, another shape") {
    tf::Session s;
    {
      tf::reset_default_graph();
      auto Wd = tf::Variable<"W", double, 2, 2>(tf::constant(1.0));
      auto bd = tf::Variable<"b", float, 2>(tf::constant(2.0f));
      tf::train::Saver other;
      s.run(tf::global_variables_initializer());
      const std::string what = error_of([&] { other.restore(s, prefix); });
      CAPTURE(what);
      CHECK(contains_all(what, {"tensor 'W'", "float32", "float64"}));
      CHECK(s.run(Wd) == xt::xtensor<double, 2>{{1, 1}, {1, 1}});
      CHECK(s.run(bd) == xt::xtensor<float, 1>{2, 2});  // b, which matched, is not assigned either
    }
    {
      tf::reset_default_graph();
      auto Ws = tf::Variable<"W", float, 4>(tf::constant(1.0f));
      tf::train::Saver other;
      s.run(tf::global_variables_initializer());
      const std::string what = error_of([&] { other.restore(s, prefix); });
      CAPTURE(what);
      CHECK(contains_all(what, {"tensor 'W'", "[2, 2]", "[4]"}));
      CHECK(s.run(Ws) == xt::xtensor<float, 1>{1, 1, 1, 1});
    }
  }
  SUBCASE("a corrupted data file: the checksum error, and nothing assigned") {
    std::string data = read_text(prefix + ".data-00000-of-00001");
    data[data.size() - 1] ^= 1;  // in b, the last tensor
    write_text(prefix + ".data-00000-of-00001", data);
    const std::string what = error_of([&] { saver.restore(sess, prefix); });
    CAPTURE(what);
    CHECK(contains_all(what, {"'b'", "checksum"}));
    check_unchanged(sess);
  }
  SUBCASE("TF2's object-based keys (`W/.ATTRIBUTES/VARIABLE_VALUE`) are found too") {
    io::bundle_writer w(dir / "tf2");
    const std::vector<float> wv{1, 2, 3, 4}, bv{7, 8};
    w.add<float>("W/.ATTRIBUTES/VARIABLE_VALUE", {2, 2}, std::span<const float>(wv));
    w.add<float>("b/.ATTRIBUTES/VARIABLE_VALUE", {2}, std::span<const float>(bv));
    w.add_strings("_CHECKPOINTABLE_OBJECT_GRAPH", {}, std::vector<std::string>{"graph"});
    w.finish();
    saver.restore(sess, dir / "tf2");
    CHECK(sess.run(W) == xt::xtensor<float, 2>{{1, 2}, {3, 4}});
    CHECK(sess.run(b) == xt::xtensor<float, 1>{7, 8});
  }
  SUBCASE("no checkpoint: an empty optional, a missing prefix, an empty or malformed state file") {
    temp_dir empty;
    CHECK(!tf::train::latest_checkpoint(empty.path));
    CHECK_THROWS_WITH(saver.restore(sess, tf::train::latest_checkpoint(empty.path)),
                      doctest::Contains("no checkpoint was found"));
    CHECK_THROWS_WITH(saver.restore(sess, dir / "model-2"), doctest::Contains("not a valid checkpoint"));
    write_text(empty / "checkpoint", "model_checkpoint_path: \"gone\"\n");
    CHECK(!tf::train::latest_checkpoint(empty.path));  // names a checkpoint that does not exist
    write_text(empty / "checkpoint", "model_checkpoint_path: \"" + prefix + "\"\n");
    CHECK(tf::train::latest_checkpoint(empty.path) == prefix);  // absolute paths stay
    write_text(empty / "checkpoint", "all_model_checkpoint_paths: \"x\"\n");
    CHECK_THROWS_WITH(tf::train::latest_checkpoint(empty.path), doctest::Contains("Invalid checkpoint state"));
    write_text(empty / "checkpoint", "model_checkpoint_path: \"x");
    CHECK_THROWS_WITH(tf::train::latest_checkpoint(empty.path), doctest::Contains("unterminated string"));
    check_unchanged(sess);
  }
}

TEST_CASE("train.saver: the .meta lists the model's nodes under TF's op names, the variables and the saver") {
  tf::reset_default_graph();
  temp_dir dir;
  auto x = tf::placeholder<"x", float, tf::none, 3>();
  auto W = tf::Variable<"W", float, 3, 2>(tf::constant(0.5f));
  auto b = tf::Variable<"b", float, 2>(tf::constant(0.0f));
  auto y = tf::matmul(x, W) + b;
  auto m = tf::reduce_mean(tf::square(y), tf::axis<1>, tf::keep_dims) * 2.0f;
  tf::train::Saver saver({.outputs = {{"y", y}, {"m", m}, {"x_out", x}}});
  tf::Session sess;
  sess.run(tf::global_variables_initializer());
  saver.save(sess, dir / "model");
  CHECK(read_text(dir / "model.meta") == saver.meta_graph());
  const auto meta = meta_test::decode_meta_graph(saver.meta_graph());
  const auto& nodes = meta.nodes;

  CHECK(nodes.at("x").op == "Placeholder");
  CHECK(nodes.at("x").attrs.at("dtype") == io::attr::type(io::DT_FLOAT));
  CHECK(nodes.at("x").attrs.at("shape") == io::attr::shape(std::vector<std::int64_t>{-1, 3}));
  CHECK(nodes.at("W").op == "VariableV2");
  CHECK(nodes.at("W/Assign").inputs == std::vector<std::string>{"W", "W/initial_value"});
  CHECK(nodes.at("W/read").inputs == std::vector<std::string>{"W"});
  CHECK(nodes.at("MatMul").op == "MatMul");
  CHECK(nodes.at("MatMul").inputs == std::vector<std::string>{"x", "W/read"});
  CHECK(nodes.at("MatMul").attrs.at("transpose_a") == io::attr::b(false));
  CHECK(nodes.at("y").op == "AddV2");  // the named output is the node itself
  CHECK(nodes.at("y").inputs == std::vector<std::string>{"MatMul", "b/read"});
  CHECK(nodes.at("Square").inputs == std::vector<std::string>{"y"});  // y shared, not exported twice
  CHECK(nodes.at("Mean").inputs == std::vector<std::string>{"Square", "Mean/reduction_indices"});
  CHECK(nodes.at("Mean").attrs.at("keep_dims") == io::attr::b(true));
  CHECK(nodes.at("Mean").attrs.at("Tidx") == io::attr::type(io::DT_INT32));
  CHECK(nodes.at("Mean/reduction_indices").op == "Const");
  CHECK(nodes.at("m").op == "Mul");
  CHECK(nodes.at("m").inputs == std::vector<std::string>{"Mean", "Const"});
  CHECK(nodes.at("x_out").op == "Identity");  // a leaf output gets an Identity
  CHECK(nodes.at("init").inputs == std::vector<std::string>{"^W/Assign", "^b/Assign"});
  CHECK(nodes.at("save/SaveV2").inputs ==
        std::vector<std::string>{"save/Const", "save/SaveV2/tensor_names", "save/SaveV2/shape_and_slices", "W", "b"});
  CHECK(nodes.at("save/Assign_1").inputs == std::vector<std::string>{"b", "save/RestoreV2:1"});
  CHECK(nodes.at("save/restore_all").inputs == std::vector<std::string>{"^save/Assign", "^save/Assign_1"});
  CHECK(nodes.at("save/control_dependency").inputs == std::vector<std::string>{"save/Const", "^save/SaveV2"});

  // The SaverDef names that subgraph (TF-FORMATS.md 3.6) and carries the Saver's options, TF's defaults here.
  REQUIRE(meta.has_saver_def);
  CHECK(meta.saver_def.filename_tensor_name == "save/Const:0");
  CHECK(meta.saver_def.save_tensor_name == "save/control_dependency:0");
  CHECK(meta.saver_def.restore_op_name == "save/restore_all");
  CHECK(meta.saver_def.max_to_keep == 5);
  CHECK(meta.saver_def.keep_checkpoint_every_n_hours == 10000.0f);
  CHECK(!meta.saver_def.sharded);
  CHECK(meta.saver_def.version == 2);  // V2
  const auto other = meta_test::decode_meta_graph(
      tf::train::Saver({.max_to_keep = 2, .keep_checkpoint_every_n_hours = 0.5}).meta_graph());
  CHECK(other.saver_def.max_to_keep == 2);
  CHECK(other.saver_def.keep_checkpoint_every_n_hours == 0.5f);

  // import_meta_graph rebuilds tf.Variables from these collections: a VariableDef per
  // variable, in declaration order.
  CHECK(meta.collections.size() == 2);
  for (const char* key : {"variables", "trainable_variables"}) {
    CAPTURE(key);
    const auto& defs = meta.collections.at(key);
    REQUIRE(defs.size() == 2);
    for (std::size_t i = 0; i < defs.size(); ++i) {
      const std::string v = i == 0 ? "W" : "b";
      const auto d = meta_test::decode_variable_def(defs[i]);
      CHECK(d.variable_name == v + ":0");
      CHECK(d.initializer_name == v + "/Assign");
      CHECK(d.snapshot_name == v + "/read:0");
      CHECK(d.initial_value_name == v + "/initial_value:0");
      CHECK(d.trainable);
    }
  }

  CHECK_THROWS_WITH(tf::train::Saver({.outputs = {{"W", y}}}), doctest::Contains("'W'"));
  CHECK_THROWS_WITH(tf::train::Saver({.outputs = {{"o", y}, {"o", m}}}), doctest::Contains("'o'"));
}
