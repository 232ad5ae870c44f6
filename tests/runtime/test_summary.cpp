// TensorBoard's side: summary ops (ops/summary.hpp) computed in a Session's run, their bytes
// decoded here field by field, and tf::summary::FileWriter's event files read back record by
// record, a torn last record included. That TensorBoard itself reads them is
// tests/runtime/tensorboard_check.py's (which runs the "summary.interop" case below). And the
// graph picture without TensorBoard, io/dot.hpp (tests/runtime/dot_check.py renders it).

#include <doctest/doctest.h>

#include <cfloat>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <typeflow/io/event_file.hpp>
#include <typeflow/typeflow.hpp>
#include <vector>

#include "../error_of.hpp"
#include "../saver/temp_dir.hpp"

namespace tf = typeflow;
namespace pb = typeflow::io::protobuf;

namespace {

using test::error_of;

/// One Summary.Value, the fields these tests look at.
struct value {
  std::string tag;
  float simple_value = 0;
  std::string histo, image, tensor, metadata;
};

std::vector<value> decode(const std::string& summary) {
  std::vector<value> out;
  pb::reader r(summary, "Summary");
  while (r.next()) {
    REQUIRE(r.field() == 1);
    auto v = r.read_message("value");
    value x;
    while (v.next()) {
      switch (v.field()) {
        case 1: x.tag = v.read_string(); break;
        case 2: x.simple_value = v.read_float(); break;
        case 4: x.image = v.read_string(); break;
        case 5: x.histo = v.read_string(); break;
        case 8: x.tensor = v.read_string(); break;
        case 9: x.metadata = v.read_string(); break;
        default: v.skip();
      }
    }
    out.push_back(x);
  }
  return out;
}

struct histo {
  double min = 0, max = 0, num = 0, sum = 0, sum_squares = 0;
  std::vector<double> limits, counts;
};

histo decode_histo(const std::string& bytes) {
  histo h;
  pb::reader r(bytes, "HistogramProto");
  while (r.next()) {
    switch (r.field()) {
      case 1: h.min = r.read_double(); break;
      case 2: h.max = r.read_double(); break;
      case 3: h.num = r.read_double(); break;
      case 4: h.sum = r.read_double(); break;
      case 5: h.sum_squares = r.read_double(); break;
      case 6: r.read_repeated_double(h.limits); break;
      case 7: r.read_repeated_double(h.counts); break;
      default: r.skip();
    }
  }
  return h;
}

/// The pixels of a PNG made of stored deflate blocks (what io/png.hpp writes), with its dims.
struct image {
  std::uint32_t width = 0, height = 0;
  int color_type = -1;
  std::vector<std::uint8_t> rows;  // each row led by its filter byte
};

std::uint32_t be32(const std::string& s, std::size_t at) {
  return (std::uint32_t(std::uint8_t(s[at])) << 24) | (std::uint32_t(std::uint8_t(s[at + 1])) << 16) |
         (std::uint32_t(std::uint8_t(s[at + 2])) << 8) | std::uint32_t(std::uint8_t(s[at + 3]));
}

image decode_png(const std::string& png) {
  image img;
  REQUIRE(png.substr(0, 8) == "\x89PNG\r\n\x1a\n");
  for (std::size_t at = 8; at + 12 <= png.size();) {
    const std::uint32_t len = be32(png, at);
    const std::string type = png.substr(at + 4, 4), data = png.substr(at + 8, len);
    CHECK(be32(png, at + 8 + len) == tf::io::png::detail::crc32(png.substr(at + 4, 4 + len)));
    if (type == "IHDR") {
      img.width = be32(data, 0);
      img.height = be32(data, 4);
      img.color_type = data[9];
    } else if (type == "IDAT") {
      for (std::size_t p = 2; p + 5 <= data.size() - 4;) {  // zlib header, stored blocks, Adler-32
        const std::size_t n = std::uint8_t(data[p + 1]) | (std::size_t(std::uint8_t(data[p + 2])) << 8);
        img.rows.insert(img.rows.end(), data.begin() + std::ptrdiff_t(p + 5), data.begin() + std::ptrdiff_t(p + 5 + n));
        p += 5 + n;
      }
    }
    at += 12 + len;
  }
  return img;
}

}  // namespace

TEST_CASE("summary.scalar: the loss of the same run, as a simple_value") {
  tf::reset_default_graph();
  auto x = tf::placeholder<"x", float, tf::none>();
  auto loss = tf::reduce_mean(tf::square(x));
  auto s = tf::summary::scalar("loss", loss);
  static_assert(std::is_same_v<tf::value_t<decltype(s)>, std::string>);

  tf::Session sess;
  const xt::xtensor<float, 1> X = {1, 2, 3, 4};
  auto [bytes, l] = sess.run(tf::fetch(s, loss), tf::feed(x, X));
  static_assert(std::is_same_v<decltype(bytes), std::string>);
  const auto v = decode(bytes);
  REQUIRE(v.size() == 1);
  CHECK(v[0].tag == "loss");
  CHECK(v[0].simple_value == 7.5f);
  CHECK(float(l) == 7.5f);

  // A second run with other values reuses the plan and its buffer.
  const xt::xtensor<float, 1> X2 = {2};
  CHECK(decode(sess.run(s, tf::feed(x, X2)))[0].simple_value == 4.0f);
  CHECK(error_of([&] { tf::summary::scalar("", loss); }) ==
        "tf::summary::scalar: the name (the summary's tag) is empty");
  auto vec = tf::summary::scalar("v", x);  // a run-time size, checked when run
  CHECK(error_of([&] { sess.run(vec, tf::feed(x, X)); }) ==
        "tf::summary::scalar('v'): the tensor must have one element, it has 4");
}

TEST_CASE("summary.histogram: TF's default buckets and statistics") {
  const auto& limits = tf::io::summary::default_bucket_limits();
  REQUIRE(limits.size() == 1551);  // 774 powers 1e-12 * 1.1^k below 1e20 and DBL_MAX, mirrored, and 0
  CHECK(limits.front() == -DBL_MAX);
  CHECK(limits[775] == 0.0);
  CHECK(limits[776] == 1e-12);
  CHECK(limits[777] == doctest::Approx(1.1e-12));
  CHECK(limits[1549] < 1e20);
  CHECK(limits[1549] * 1.1 >= 1e20);
  CHECK(limits.back() == DBL_MAX);

  tf::reset_default_graph();
  auto W = tf::Variable<"W", float, 2, 2>(tf::constant<2, 2>(xt::xtensor<float, 2>{{-1.0f, 0.0f}, {0.5f, 2.0f}}));
  auto h = tf::summary::histogram("weights", W);
  tf::Session sess;
  sess.run(tf::global_variables_initializer());
  const auto v = decode(sess.run(h));
  REQUIRE(v.size() == 1);
  CHECK(v[0].tag == "weights");
  const histo p = decode_histo(v[0].histo);
  CHECK(p.min == -1.0);
  CHECK(p.max == 2.0);
  CHECK(p.num == 4.0);
  CHECK(p.sum == 1.5);
  CHECK(p.sum_squares == 5.25);
  // Runs of empty buckets collapse into one (their last limit, count 0): 4 values give
  // empty, [-1], empty, [0], empty, [0.5], empty, [2], empty.
  REQUIRE(p.counts.size() == 9);
  CHECK(p.counts == std::vector<double>{0, 1, 0, 1, 0, 1, 0, 1, 0});
  CHECK(p.limits[1] > -1.0);  // -1 falls in the first bucket whose limit exceeds it
  CHECK(p.limits[1] * 1.1 <= -1.0);
  CHECK(p.limits[3] == 1e-12);  // 0's bucket
  CHECK(p.limits[7] > 2.0);
  CHECK(p.limits.back() == DBL_MAX);

  auto x = tf::placeholder<"x", float, 2>();
  auto hx = tf::summary::histogram("x", x);
  const xt::xtensor<float, 1> bad = {1.0f, std::numeric_limits<float>::quiet_NaN()};
  CHECK(error_of([&] { sess.run(hx, tf::feed(x, bad)); }) ==
        "tf::summary::histogram('x'): the tensor holds a NaN or an infinity (at flat index 1)");
}

TEST_CASE("summary.merge, text and image") {
  tf::reset_default_graph();
  auto x = tf::placeholder<"img", float, tf::none, 2, 3, 1>();
  auto loss = tf::reduce_sum(x);
  auto merged = tf::summary::merge(tf::summary::scalar("sum", loss), tf::summary::text("notes", "**lr** 0.1"),
                                   tf::summary::image("input", x, 2));
  CHECK(error_of([&] { tf::summary::merge(tf::summary::scalar("a", loss), tf::summary::histogram("a", x)); }) ==
        "tf::summary::merge: two summaries have the tag 'a'");

  tf::Session sess;
  // Image 0 has no negative value: scaled by 255/max. Image 1 has: by 127/max|v| around 128.
  // Image 2 is beyond max_outputs.
  const xt::xtensor<float, 4> X = {
      {{{0}, {1}, {2}}, {{3}, {4}, {5}}}, {{{-2}, {0}, {1}}, {{2}, {-1}, {0}}}, {{{9}, {9}, {9}}, {{9}, {9}, {9}}}};
  const auto v = decode(sess.run(merged, tf::feed(x, X)));
  REQUIRE(v.size() == 4);
  CHECK(v[0].tag == "sum");
  CHECK(v[0].simple_value == 69.0f);
  CHECK(v[1].tag == "notes");
  CHECK(v[1].tensor.find("**lr** 0.1") != std::string::npos);
  CHECK(v[1].metadata.find("text") != std::string::npos);
  CHECK(v[2].tag == "input/image/0");
  CHECK(v[3].tag == "input/image/1");

  // Summary.Image{height, width, colorspace, encoded_image_string}
  pb::reader r(v[2].image, "Image");
  std::int64_t hw[4] = {};
  std::string png;
  while (r.next()) {
    if (r.field() == 4) png = r.read_string();
    else hw[r.field()] = r.read_int64();
  }
  CHECK(hw[1] == 2);
  CHECK(hw[2] == 3);
  CHECK(hw[3] == 1);
  const image img = decode_png(png);
  CHECK(img.width == 3);
  CHECK(img.height == 2);
  CHECK(img.color_type == 0);
  CHECK(img.rows == std::vector<std::uint8_t>{0, 0, 51, 102, 0, 153, 204, 255});

  pb::reader r1(v[3].image, "Image");
  while (r1.next()) {
    if (r1.field() == 4) png = r1.read_string();
    else r1.skip();
  }
  CHECK(decode_png(png).rows == std::vector<std::uint8_t>{0, 1, 128, 191, 0, 255, 64, 128});
}

namespace {

/// A log directory TensorBoard is asked to read (tensorboard_check.py): 5 steps of a scalar
/// "loss" (1/(step+1)), a histogram "w" of [step, step+1, step+2], a text and an image, and
/// the graph (the placeholder x, the variable w and the named node "loss"); and a histogram
/// "spread" of 10 values from -1e10 to 5e20.
void write_interop_logdir(const std::string& logdir) {
  tf::reset_default_graph();
  auto x = tf::placeholder<"x", float>();
  auto w = tf::Variable<"w", float, 3>(tf::constant<3>(xt::xtensor<float, 1>{0, 1, 2}));
  auto loss = tf::named<"loss">(x * tf::reduce_sum(w));
  auto step_summary = tf::summary::merge(tf::summary::scalar("loss", x), tf::summary::histogram("w", w));
  auto img = tf::placeholder<"img", float, 1, 2, 2, 3>();
  auto picture = tf::summary::image("picture", img, 1);
  tf::Session sess;
  sess.run(tf::global_variables_initializer());
  tf::summary::FileWriter writer(logdir, sess.graph());
  writer.add_summary(sess.run(tf::summary::text("notes", "typeflow *writes* this")), 0);
  const xt::xtensor<float, 4> red_green_blue_white = {{{{1, 0, 0}, {0, 1, 0}}, {{0, 0, 1}, {1, 1, 1}}}};
  writer.add_summary(sess.run(picture, tf::feed(img, red_green_blue_white)), 0);
  auto spread = tf::placeholder<"spread", float, 10>();
  const xt::xtensor<float, 1> wide = {-1e10f, -3.5f, -1e-13f, 0.0f, 1e-12f, 2.2e-7f, 7.0f, 7.0f, 1e19f, 5e20f};
  writer.add_summary(sess.run(tf::summary::histogram("spread", spread), tf::feed(spread, wide)), 0);
  for (int step = 0; step < 5; ++step) {
    const xt::xtensor<float, 0> X = 1.0f / float(step + 1);
    auto [s, l] = sess.run(tf::fetch(step_summary, loss), tf::feed(x, X));
    CHECK(float(l) == doctest::Approx(1.0f / float(step + 1) * (3.0f + 3.0f * float(step))));
    writer.add_summary(s, step);
    sess.run(tf::assign(w, w + 1.0f));
  }
}

}  // namespace

TEST_CASE("summary.FileWriter: an event file, read back record by record") {
  temp_dir dir;
  const std::string logdir = dir / "logs/train";
  write_interop_logdir(logdir);
  const auto files = std::vector<std::filesystem::path>(std::filesystem::directory_iterator(logdir), {});
  REQUIRE(files.size() == 1);
  const std::string name = files[0].filename().string();
  CHECK(name.rfind("events.out.tfevents.", 0) == 0);
  CHECK(name.substr(30, 1) == ".");  // 10 digits of seconds, then the host name
  CHECK(name.substr(31) == tf::io::events::hostname());

  const auto events = tf::io::events::read_events(files[0].string());
  REQUIRE(events.size() == 1 + 1 + 3 + 5);
  CHECK(events[0].file_version == "brain.Event:2");
  CHECK(events[0].wall_time > 1.7e9);
  const auto graph = tf::GraphDef::parse(events[1].graph_def, "graph");
  REQUIRE(graph.find("loss"));
  CHECK(graph.find("w"));
  CHECK(graph.find("x"));
  CHECK(decode(events[2].summary)[0].tag == "notes");
  CHECK(decode(events[3].summary)[0].tag == "picture/image");
  for (int step = 0; step < 5; ++step) {
    const auto& e = events[std::size_t(5 + step)];
    CHECK(e.step == step);
    CHECK(e.wall_time >= events[0].wall_time);
    const auto v = decode(e.summary);
    REQUIRE(v.size() == 2);
    CHECK(v[0].simple_value == 1.0f / float(step + 1));
    CHECK(decode_histo(v[1].histo).sum == 3.0 * step + 3.0);
  }

  SUBCASE("a torn last record is skipped; a corrupted one is an error") {
    const std::string path = files[0].string();
    const auto size = std::filesystem::file_size(path);
    std::filesystem::resize_file(path, size - 3);  // a crash in the middle of the last write
    CHECK(tf::io::events::read_events(path).size() == 9);
    std::filesystem::resize_file(path, size - 3 - 60);
    CHECK(tf::io::events::read_events(path).size() == 9);
    {
      std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
      f.seekp(20);  // inside the first event's data
      f.put('#');
    }
    CHECK(error_of([&] { tf::io::events::read_events(path); }) ==
          path + ": record 0 (byte 0): the data's checksum does not match (corrupted)");
  }
}

TEST_CASE("summary.FileWriter: buffering, flush, close, several writers") {
  temp_dir dir;
  tf::summary::FileWriter a(dir / "run", {.max_queue = 100});
  tf::summary::FileWriter b(dir / "run");  // same directory, same second: a file of its own
  CHECK(a.path() != b.path());
  CHECK(a.get_logdir() == dir / "run");
  std::string s;
  tf::io::summary::scalar(s, "loss", 0.25f);
  a.add_summary(s, 1);
  CHECK(tf::io::events::read_events(a.path()).size() == 1);  // buffered
  a.flush();
  CHECK(tf::io::events::read_events(a.path()).size() == 2);
  for (int i = 0; i < 10; ++i) b.add_summary(s, i);  // max_queue 10: written at the 10th
  CHECK(tf::io::events::read_events(b.path()).size() == 11);
  a.add_summary(s, 2);
  a.close();
  CHECK(tf::io::events::read_events(a.path()).size() == 3);
  CHECK(error_of([&] { a.add_summary(s, 3); }) ==
        "tf::summary::FileWriter: event added after close() (" + a.path() + ")");
  {
    tf::summary::FileWriter c(dir / "other", {.max_queue = 100});
    c.add_summary(s, 7);
    s = c.path();
  }
  const auto events = tf::io::events::read_events(s);  // written by the destructor
  REQUIRE(events.size() == 2);
  CHECK(events[1].step == 7);

  SUBCASE("from several threads, every event whole") {
    tf::summary::FileWriter w(dir / "threads", {.max_queue = 3});
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
      threads.emplace_back([&w, t] {
        for (int i = 0; i < 100; ++i) w.add_summary(tf::summary::scalar_value("t" + std::to_string(t), i), i);
      });
    for (auto& t : threads) t.join();
    w.close();
    int sum_of_steps = 0;
    const auto all = tf::io::events::read_events(w.path());
    for (const auto& e : all) sum_of_steps += int(e.step);
    CHECK(all.size() == 401);
    CHECK(sum_of_steps == 4 * 4950);
  }
}

// Skipped in the unit suite: writes the log directory that tensorboard_check.py reads with
// TensorBoard (it runs this case with --no-skip and TYPEFLOW_SUMMARY_LOGDIR set).
TEST_CASE("summary.interop" * doctest::skip()) {
  const char* logdir = std::getenv("TYPEFLOW_SUMMARY_LOGDIR");
  REQUIRE_MESSAGE(logdir, "set TYPEFLOW_SUMMARY_LOGDIR to the directory to write");
  write_interop_logdir(logdir);
}

namespace {

/// A graph with a placeholder, a variable (its scope w/...) and a named node.
tf::GraphDef dot_graph() {
  tf::reset_default_graph();
  auto x = tf::placeholder<"x", float, tf::none, 3>();
  auto w = tf::Variable<"w", float, 3, 1>(tf::constant(0.5f));
  tf::named<"y">(tf::matmul(x, w));
  return tf::Session().graph_def();
}

}  // namespace

TEST_CASE("io.write_dot: a GraphDef as Graphviz DOT") {
  const std::string dot = tf::io::to_dot(dot_graph());
  CHECK(dot.rfind("digraph \"typeflow\" {", 0) == 0);
  CHECK(dot.find("\"x\" [label=\"x\\nPlaceholder\\nfloat32 [?,3]\"];") != std::string::npos);
  CHECK(dot.find("\"w\" [label=\"w\\nVariableV2\\nfloat32 [3,1]\"];") != std::string::npos);
  CHECK(dot.find("\"y\" [label=\"y\\nMatMul\\nfloat32\"];") != std::string::npos);
  CHECK(dot.find("label=\"w\"; style=rounded") != std::string::npos);  // the cluster of w/Assign, w/read, ...
  CHECK(dot.find("\"x\" -> \"y\";") != std::string::npos);
  CHECK(dot.find("\"w/read\" -> \"y\";") != std::string::npos);
  temp_dir dir;
  CHECK(error_of([&] { tf::io::write_dot(dot_graph(), dir / "no/such/dir/g.dot"); }) ==
        "tf::io::write_dot: cannot write " + dir / "no/such/dir/g.dot");
}

// Skipped in the unit suite: writes the DOT file that dot_check.py renders with Graphviz (it runs
// this case with --no-skip and TYPEFLOW_DOT_FILE set).
TEST_CASE("io.write_dot.render" * doctest::skip()) {
  const char* path = std::getenv("TYPEFLOW_DOT_FILE");
  REQUIRE_MESSAGE(path, "set TYPEFLOW_DOT_FILE to the file to write");
  tf::io::write_dot(dot_graph(), path);
}
