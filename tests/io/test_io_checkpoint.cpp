// V2 checkpoints: the TF-written fixtures read with their documented values; typeflow's
// writer read back bit for bit (float, double, int32, int64, ranks 0 to 4, empty tensors,
// strings, TF2 keys, any data order); corrupted and hostile files throw typeflow::error
// naming the file or tensor, before allocating what a hostile index claims.

#include <doctest/doctest.h>

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <random>
#include <string>
#include <typeflow/io/bundle_reader.hpp>
#include <typeflow/io/bundle_writer.hpp>
#include <typeflow/runtime/train/checkpoint_reader.hpp>
#include <vector>

#include "io_test_util.hpp"

namespace io = typeflow::io;
namespace tf = typeflow;
using shape_t = std::vector<std::int64_t>;

namespace {

using io_test::error_of;

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

std::string shape_name(const shape_t& s) {
  std::string n = "r" + std::to_string(s.size());
  for (auto d : s) {
    n += '_';
    n += std::to_string(d);
  }
  return n;
}

/// Random bit patterns (NaN payloads, -0, denormals included for floats): bit-for-bit checks.
template <class T>
std::vector<T> random_values(std::size_t n, std::mt19937_64& gen) {
  std::vector<T> v(n);
  for (auto& x : v) {
    const std::uint64_t bits = gen();
    std::memcpy(&x, &bits, sizeof(T));
  }
  return v;
}

struct written {
  std::string name;
  io::data_type dtype;
  shape_t shape;
  std::string bytes;
};

template <class T>
written make_tensor(const std::string& dtype_tag, const shape_t& shape, std::mt19937_64& gen) {
  std::size_t n = 1;
  for (auto d : shape) n *= static_cast<std::size_t>(d);
  const auto values = random_values<T>(n, gen);
  return {"t/" + dtype_tag + "/" + shape_name(shape), io::data_type_of<T>, shape,
          std::string(reinterpret_cast<const char*>(values.data()), n * sizeof(T))};
}

template <class T>
bool same_bits(const xt::xarray<T>& a, const std::string& bytes) {
  return a.size() * sizeof(T) == bytes.size() &&
         (bytes.empty() || std::memcmp(a.data(), bytes.data(), bytes.size()) == 0);
}

std::string write_index(const std::string& path, const std::vector<std::pair<std::string, std::string>>& entries) {
  io::table::table_writer t;
  for (const auto& [k, v] : entries) t.add(k, v);
  const std::string bytes = t.finish();
  io_test::spit(path, bytes);
  return bytes;
}

}  // namespace

TEST_CASE("fixtures: TF 1.5 counter and TF 1.14 half_plus_two (snappy index) hold the documented values") {
  const auto counter = tf::train::load_checkpoint(io_test::counter_prefix);
  CHECK(counter.get_variable_to_shape_map() == std::map<std::string, shape_t>{{"counter", {}}});
  CHECK(counter.get_variable_to_dtype_map() == std::map<std::string, std::string>{{"counter", "float32"}});
  CHECK(counter.has_tensor("counter"));
  CHECK(!counter.has_tensor("Counter"));
  const xt::xarray<float> c = counter.get_tensor<float>("counter");
  CHECK(c.dimension() == 0);
  CHECK(c() == 0.0f);
  CHECK(counter.entry("counter").crc32c == 0x3a117ba6u);
  CHECK(counter.debug_string() == "counter (DT_FLOAT) []\n");

  const auto half = tf::train::load_checkpoint(io_test::half_plus_two_prefix);
  const std::vector<std::pair<std::string, float>> expected = {
      {"a", 0.5f}, {"a2", 0.5f}, {"b", 2.0f}, {"c", 3.0f}, {"c2", 3.0f}};
  CHECK(half.get_variable_to_shape_map().size() == expected.size());
  std::int64_t offset = 0;
  for (const auto& [name, value] : expected) {
    CHECK(half.get_variable_to_dtype_map().at(name) == "float32");
    CHECK(half.get_variable_to_shape_map().at(name).empty());
    CHECK(half.get_tensor<float>(name)() == value);
    CHECK(half.entry(name).offset == offset);
    CHECK(half.entry(name).size == 4);
    offset += 4;
  }
  CHECK(half.bundle().header().num_shards == 1);
  CHECK(half.bundle().header().producer == 1);
}

TEST_CASE("the writer reproduces the TF 1.5 counter checkpoint byte for byte") {
  io_test::temp_dir dir;
  const float zero = 0.0f;
  io::bundle_writer w(dir / "counter");
  w.add<float>("counter", {}, std::span<const float>(&zero, 1));
  w.finish();
  CHECK(io_test::slurp(dir / "counter.index") == io_test::slurp(io_test::counter_prefix + ".index"));
  CHECK(io_test::slurp(dir / "counter.data-00000-of-00001") ==
        io_test::slurp(io_test::counter_prefix + ".data-00000-of-00001"));
  // Only the two files: no temporary left behind.
  CHECK(std::distance(std::filesystem::directory_iterator(dir.path), std::filesystem::directory_iterator()) == 2);
}

TEST_CASE("round trip bit for bit: float, double, int32, int64, ranks 0 to 4, empty tensors, any order") {
  std::mt19937_64 gen(11);
  const std::vector<shape_t> shapes = {{},        {0},       {1},          {7},          {3, 0},      {2, 3},
                                       {2, 3, 5}, {0, 2, 3}, {1, 2, 3, 2}, {2, 0, 3, 1}, {3, 1, 2, 5}};
  std::vector<written> tensors;
  for (const auto& s : shapes) {
    tensors.push_back(make_tensor<float>("float32", s, gen));
    tensors.push_back(make_tensor<double>("float64", s, gen));
    tensors.push_back(make_tensor<std::int32_t>("int32", s, gen));
    tensors.push_back(make_tensor<std::int64_t>("int64", s, gen));
  }
  std::shuffle(tensors.begin(), tensors.end(), gen);  // data in call order, index sorted

  io_test::temp_dir dir;
  const std::string prefix = dir / "model.ckpt-7";
  {
    io::bundle_writer w(prefix);
    for (const auto& t : tensors)
      w.add(t.name, t.dtype, t.shape, std::as_bytes(std::span(t.bytes.data(), t.bytes.size())));
    w.finish();
  }
  const auto reader = tf::train::load_checkpoint(prefix);
  const auto shapes_map = reader.get_variable_to_shape_map();
  const auto dtypes_map = reader.get_variable_to_dtype_map();
  REQUIRE(shapes_map.size() == tensors.size());
  std::int64_t offset = 0;
  for (const auto& t : tensors) {
    INFO(t.name);
    CHECK(shapes_map.at(t.name) == t.shape);
    CHECK(dtypes_map.at(t.name) == io::dtype_name(t.dtype));
    CHECK(reader.entry(t.name).offset == offset);
    offset += static_cast<std::int64_t>(t.bytes.size());
    std::vector<std::size_t> xshape(t.shape.begin(), t.shape.end());
    switch (t.dtype) {
      case io::DT_FLOAT: {
        const auto a = reader.get_tensor<float>(t.name);
        CHECK(same_bits(a, t.bytes));
        CHECK(std::vector<std::size_t>(a.shape().begin(), a.shape().end()) == xshape);
        break;
      }
      case io::DT_DOUBLE: CHECK(same_bits(reader.get_tensor<double>(t.name), t.bytes)); break;
      case io::DT_INT32: CHECK(same_bits(reader.get_tensor<std::int32_t>(t.name), t.bytes)); break;
      case io::DT_INT64: CHECK(same_bits(reader.get_tensor<std::int64_t>(t.name), t.bytes)); break;
      default: FAIL("dtype");
    }
  }
  CHECK(std::filesystem::file_size(prefix + ".data-00000-of-00001") == static_cast<std::uintmax_t>(offset));
  // Keys are sorted in the index whatever the order of add().
  const auto entries = io::table::read_table(io_test::slurp(prefix + ".index"), "index");
  CHECK(std::is_sorted(entries.begin(), entries.end(), [](auto& a, auto& b) { return a.key < b.key; }));
}

TEST_CASE("strings, TF2 object keys, bool and small integer dtypes") {
  io_test::temp_dir dir;
  const std::string prefix = dir / "ckpt-1";
  const std::vector<std::string> strings = {"", "a", std::string(300, 'x'), std::string("\0\xff\n", 3)};
  const std::vector<std::string> graph = {std::string(613, 'g')};
  const std::vector<float> a = {1.5f, -2.0f};
  const std::vector<std::uint8_t> flags = {1, 0, 1};
  const std::vector<std::int8_t> i8 = {-128, 0, 127};
  const std::vector<std::uint16_t> u16 = {65535, 1};
  {
    io::bundle_writer w(prefix);
    w.add<float>("a/.ATTRIBUTES/VARIABLE_VALUE", {2}, std::span<const float>(a));
    w.add_strings("_CHECKPOINTABLE_OBJECT_GRAPH", shape_t{}, graph);
    w.add_strings("names", shape_t{2, 2}, strings);
    w.add_strings("no_strings", shape_t{0}, std::vector<std::string>{});
    w.add("flags", io::DT_BOOL, {3}, std::as_bytes(std::span(flags)));
    w.add<std::int8_t>("i8", {3}, std::span<const std::int8_t>(i8));
    w.add<std::uint16_t>("u16", {2}, std::span<const std::uint16_t>(u16));
    w.finish();
  }
  const auto r = tf::train::load_checkpoint(prefix);
  CHECK(r.get_tensor<float>("a/.ATTRIBUTES/VARIABLE_VALUE") == xt::xarray<float>{1.5f, -2.0f});
  const auto g = r.get_tensor<std::string>("_CHECKPOINTABLE_OBJECT_GRAPH");
  CHECK(g.dimension() == 0);
  CHECK(g() == graph[0]);
  CHECK(r.entry("_CHECKPOINTABLE_OBJECT_GRAPH").size == 619);  // 2 length bytes + 4 crc + 613, as TF
  const auto names = r.get_tensor<std::string>("names");
  CHECK(names.shape()[0] == 2);
  CHECK(names(0, 0) == "");
  CHECK(names(0, 1) == "a");
  CHECK(names(1, 0) == strings[2]);
  CHECK(names(1, 1) == strings[3]);
  CHECK(r.get_tensor<std::string>("no_strings").size() == 0);
  CHECK(r.get_variable_to_dtype_map().at("names") == "string");
  CHECK(r.get_tensor<bool>("flags") == xt::xarray<bool>{true, false, true});
  CHECK(r.get_tensor<std::int8_t>("i8") == xt::xarray<std::int8_t>{-128, 0, 127});
  CHECK(r.get_tensor<std::uint16_t>("u16") == xt::xarray<std::uint16_t>{65535, 1});
  CHECK(r.get_variable_to_dtype_map().at("flags") == "bool");
}

TEST_CASE("errors name the tensor: wrong dtype, missing tensor, writer misuse") {
  io_test::temp_dir dir;
  const std::string prefix = dir / "m";
  const std::vector<float> v = {1, 2, 3};
  {
    io::bundle_writer w(prefix);
    w.add<float>("W", {3}, std::span<const float>(v));
    CHECK(contains(error_of([&] { w.add<float>("W", {3}, std::span<const float>(v)); }), "'W' added twice"));
    CHECK(contains(error_of([&] { w.add<float>("", {3}, std::span<const float>(v)); }), "empty key"));
    CHECK(contains(error_of([&] { w.add<float>("X", {2, 2}, std::span<const float>(v)); }), "needs 16 bytes, got 12"));
    CHECK(contains(error_of([&] { w.add<float>("X", {-1}, std::span<const float>(v)); }), "negative dimension"));
    CHECK(
        contains(error_of([&] { w.add_strings("S", shape_t{2}, std::vector<std::string>{"a"}); }), "needs 2 strings"));
    CHECK(contains(error_of([&] { w.add("R", io::DT_RESOURCE, {1}, std::as_bytes(std::span(v))); }), "DT_RESOURCE"));
    w.finish();
    CHECK(contains(error_of([&] { w.finish(); }), "twice"));
  }
  const auto r = tf::train::load_checkpoint(prefix);
  CHECK(r.get_variable_to_shape_map().size() == 1);  // the failed adds left nothing
  CHECK(contains(error_of([&] { r.get_tensor<double>("W"); }), "tensor 'W'"));
  CHECK(contains(error_of([&] { r.get_tensor<double>("W"); }), "is float32"));
  CHECK(contains(error_of([&] { r.get_tensor<float>("nope"); }), "no tensor 'nope'"));
  CHECK(contains(error_of([&] { tf::train::load_checkpoint(dir / "missing"); }), "missing.index"));

  // A writer dropped before finish() leaves nothing.
  {
    io::bundle_writer w(dir / "dropped");
    w.add<float>("W", {3}, std::span<const float>(v));
  }
  CHECK(std::distance(std::filesystem::directory_iterator(dir.path), std::filesystem::directory_iterator()) == 2);
  CHECK(contains(error_of([&] { io::bundle_writer w(dir / "no/such/dir/m"); }), "no/such/dir"));
}

TEST_CASE("corrupted files: every truncation and bit flip of the index, every byte of the data") {
  io_test::temp_dir dir;
  const std::string prefix = dir / "c";
  const std::vector<float> f = {1, 2, 3, 4};
  const std::vector<std::int64_t> i = {5, -6};
  const std::vector<std::string> s = {"abc", "", "de"};
  {
    io::bundle_writer w(prefix);
    w.add<float>("f", {2, 2}, std::span<const float>(f));
    w.add_strings("s", shape_t{3}, s);
    w.add<std::int64_t>("i", {2}, std::span<const std::int64_t>(i));
    w.finish();
  }
  const std::string index = io_test::slurp(prefix + ".index");
  for (std::size_t n = 0; n < index.size(); ++n)
    CHECK_MESSAGE(!error_of([&] { io::bundle_reader(prefix, std::string_view(index).substr(0, n)); }).empty(), n);
  const io::bundle_reader original(prefix, index);
  const std::size_t pad_begin = [&] {
    const auto* p = reinterpret_cast<const std::uint8_t*>(index.data() + index.size() - 48);
    const auto* begin = p;
    for (int k = 0; k < 4; ++k) io::protobuf::get_varint(p, begin + 40, "footer");
    return index.size() - 48 + static_cast<std::size_t>(p - begin);
  }();
  for (std::size_t b = 0; b < index.size(); ++b) {
    if (b >= pad_begin && b < index.size() - 8) continue;
    for (int bit = 0; bit < 8; ++bit) {
      std::string bad = index;
      bad[b] = static_cast<char>(bad[b] ^ (1 << bit));
      // Throws, or (a non-canonical footer varint, see test_io_format.cpp) reads the same.
      bool same = false;
      const std::string msg = error_of([&] {
        const io::bundle_reader r(prefix, bad);
        same = r.entries().size() == original.entries().size();
        for (const auto& [k, e] : original.entries()) {
          const auto& g = r.entry(k);
          same = same && g.dtype == e.dtype && g.shape == e.shape && g.offset == e.offset && g.size == e.size &&
                 g.crc32c == e.crc32c;
        }
      });
      CHECK_MESSAGE((!msg.empty() || (same && b >= index.size() - 48)), "byte " << b << " bit " << bit);
    }
  }

  // Data: a flip anywhere breaks exactly the tensor that holds the byte.
  const std::string data_path = prefix + ".data-00000-of-00001";
  const std::string data = io_test::slurp(data_path);
  const auto reader = tf::train::load_checkpoint(prefix);
  auto read_all = [&](const tf::train::CheckpointReader& r) {
    std::vector<std::string> errors;
    errors.push_back(error_of([&] { r.get_tensor<float>("f"); }));
    errors.push_back(error_of([&] { r.get_tensor<std::string>("s"); }));
    errors.push_back(error_of([&] { r.get_tensor<std::int64_t>("i"); }));
    return errors;
  };
  for (const auto& e : read_all(reader)) CHECK(e.empty());
  const std::vector<std::string> names = {"f", "s", "i"};
  for (std::size_t b = 0; b < data.size(); ++b) {
    std::string bad = data;
    bad[b] = static_cast<char>(bad[b] ^ 0x04);
    io_test::spit(data_path, bad);
    const auto errors = read_all(tf::train::load_checkpoint(prefix));
    for (std::size_t t = 0; t < names.size(); ++t) {
      const auto& e = reader.entry(names[t]);
      const bool inside = b >= static_cast<std::size_t>(e.offset) && b < static_cast<std::size_t>(e.offset + e.size);
      CHECK_MESSAGE(errors[t].empty() == !inside, "byte " << b << " tensor " << names[t] << ": " << errors[t]);
      if (inside) CHECK(contains(errors[t], "tensor '" + names[t] + "'"));
    }
  }
  for (std::size_t n = 0; n < data.size(); ++n) {
    io_test::spit(data_path, data.substr(0, n));
    const auto errors = read_all(tf::train::load_checkpoint(prefix));
    for (std::size_t t = 0; t < names.size(); ++t) {
      const auto& e = reader.entry(names[t]);
      CHECK((static_cast<std::size_t>(e.offset + e.size) > n) == !errors[t].empty());
    }
  }
  std::filesystem::remove(data_path);
  CHECK(contains(error_of([&] { tf::train::load_checkpoint(prefix).get_tensor<float>("f"); }), "cannot open"));
}

TEST_CASE("hostile indexes with valid checksums: errors before any allocation the index asks for") {
  io_test::temp_dir dir;
  const std::string prefix = dir / "h";
  io_test::spit(prefix + ".data-00000-of-00001", std::string(16, '\0'));
  const std::string header = io::encode(io::bundle_header{});
  auto entry = [](io::data_type dt, shape_t shape, std::int64_t offset, std::int64_t size, std::int32_t shard = 0) {
    io::bundle_entry e;
    e.dtype = dt;
    e.shape = std::move(shape);
    e.offset = offset;
    e.size = size;
    e.shard_id = shard;
    e.crc32c = 1;
    return io::encode(e);
  };
  auto get_float = [&](const std::vector<std::pair<std::string, std::string>>& entries) {
    write_index(prefix + ".index", entries);
    return error_of([&] { tf::train::load_checkpoint(prefix).get_tensor<float>("x"); });
  };
  auto get_string = [&](const std::vector<std::pair<std::string, std::string>>& entries) {
    write_index(prefix + ".index", entries);
    return error_of([&] { tf::train::load_checkpoint(prefix).get_tensor<std::string>("x"); });
  };
  const std::int64_t huge = std::int64_t{1} << 40;
  CHECK(contains(get_float({{"", header}, {"x", entry(io::DT_FLOAT, {huge}, 0, 4 * huge)}}), "lie outside"));
  CHECK(contains(get_float({{"", header}, {"x", entry(io::DT_FLOAT, {huge, huge, huge}, 0, 4)}}), "overflows"));
  CHECK(contains(get_float({{"", header}, {"x", entry(io::DT_FLOAT, {2}, 0, 4)}}), "needs 8"));
  CHECK(contains(get_float({{"", header}, {"x", entry(io::DT_FLOAT, {1}, 14, 4)}}), "lie outside"));
  CHECK(contains(get_float({{"", header}, {"x", entry(io::DT_FLOAT, {1}, INT64_MAX, 4)}}), "lie outside"));
  CHECK(contains(get_float({{"", header}, {"x", entry(io::DT_FLOAT, {1}, 0, 4, 3)}}), "shard 3 of 1"));
  CHECK(contains(get_float({{"", header}, {"x", entry(io::DT_FLOAT, {1}, -4, 4)}}), "negative"));
  CHECK(contains(get_float({{"", header}, {"x", entry(io::DT_FLOAT, {1}, 0, 4)}}), "checksum does not match"));
  CHECK(contains(get_float({{"", header}, {"x", entry(static_cast<io::data_type>(999), {1}, 0, 4)}}),
                 "unknown dtype 999"));
  CHECK(contains(get_float({{"", header}, {"x", "\x12\x05\x12\x03\x08\x7b"}}),
                 "tensor 'x': BundleEntryProto field 2: length 5 exceeds"));
  CHECK(contains(get_float({{"", header}, {"x", entry(io::DT_FLOAT, {-1}, 0, 4)}}), "dimension 0 is -1"));
  CHECK(contains(get_float({{"a", header}}), "no bundle header"));
  CHECK(contains(get_float({{"", std::string("\x08\x00", 2)}}), "0 shards"));
  CHECK(contains(get_float({{"", "\x08\x01\x10\x01"}}), "big-endian"));
  CHECK(contains(get_float({{"", "\x08\x01\x1a\x02\x10\x05"}}), "reader of version 5"));
  CHECK(contains(get_float({{"", "\x08\x01\x1a\x04\x08\x01\x18\x01"}}), "disallows"));
  // Strings: more elements than bytes, lengths past the entry.
  CHECK(contains(get_string({{"", header}, {"x", entry(io::DT_STRING, {huge}, 0, 16)}}), "cannot hold"));
  io_test::spit(prefix + ".data-00000-of-00001", std::string("\xff\xff\xff\xff\x0f", 5) + std::string(11, '\0'));
  CHECK(contains(get_string({{"", header}, {"x", entry(io::DT_STRING, {1}, 0, 16)}}), "exceed"));
  // bool bytes other than 0 and 1.
  std::string two(16, '\0');
  two[0] = 2;
  io_test::spit(prefix + ".data-00000-of-00001", two);
  io::bundle_entry e;
  e.dtype = io::DT_BOOL;
  e.shape = {1};
  e.size = 1;
  e.crc32c = io::crc32c::mask(io::crc32c::value(two.data(), 1));
  write_index(prefix + ".index", {{"", header}, {"x", io::encode(e)}});
  CHECK(contains(error_of([&] { tf::train::load_checkpoint(prefix).get_tensor<bool>("x"); }), "bool element 0 is 2"));
}

TEST_CASE("a sharded checkpoint (as MergeBundles writes): entries read from the shard they name") {
  io_test::temp_dir dir;
  const std::string prefix = dir / "merged";
  const std::vector<float> a = {1.0f, 2.0f};
  const std::vector<std::int64_t> b = {-7};
  const std::string a_bytes(reinterpret_cast<const char*>(a.data()), 8);
  const std::string b_bytes(reinterpret_cast<const char*>(b.data()), 8);
  io_test::spit(io::data_filename(prefix, 0, 2), "pad" + a_bytes);  // data after 3 bytes
  io_test::spit(io::data_filename(prefix, 1, 2), b_bytes);
  CHECK(io::data_filename(prefix, 1, 2) == prefix + ".data-00001-of-00002");
  io::bundle_header h;
  h.num_shards = 2;
  io::bundle_entry ea, eb;
  ea.dtype = io::DT_FLOAT;
  ea.shape = {2};
  ea.offset = 3;
  ea.size = 8;
  ea.crc32c = io::crc32c::mask(io::crc32c::value(a_bytes));
  eb.dtype = io::DT_INT64;
  eb.shape = {1};
  eb.shard_id = 1;
  eb.size = 8;
  eb.crc32c = io::crc32c::mask(io::crc32c::value(b_bytes));
  write_index(prefix + ".index", {{"", io::encode(h)}, {"a", io::encode(ea)}, {"b", io::encode(eb)}});
  const auto r = tf::train::load_checkpoint(prefix);
  CHECK(r.get_tensor<float>("a") == xt::xarray<float>{1.0f, 2.0f});
  CHECK(r.get_tensor<std::int64_t>("b") == xt::xarray<std::int64_t>{-7});
  std::filesystem::remove(io::data_filename(prefix, 1, 2));
  CHECK(contains(error_of([&] { tf::train::load_checkpoint(prefix).get_tensor<std::int64_t>("b"); }),
                 "data-00001-of-00002"));
}

TEST_CASE("large tensors (checksummed and written in chunks) between small ones") {
  std::mt19937_64 gen(5);
  std::vector<written> tensors = {
      make_tensor<float>("float32", {3}, gen), make_tensor<float>("float32", {3, 100003}, gen),
      make_tensor<double>("float64", {2}, gen), make_tensor<double>("float64", {524288}, gen),
      make_tensor<std::int32_t>("int32", {1}, gen)};
  io_test::temp_dir dir;
  const std::string prefix = dir / "large";
  {
    io::bundle_writer w(prefix);
    for (const auto& t : tensors)
      w.add(t.name, t.dtype, t.shape, std::as_bytes(std::span(t.bytes.data(), t.bytes.size())));
    w.finish();
  }
  const auto r = tf::train::load_checkpoint(prefix);
  std::int64_t offset = 0;
  for (const auto& t : tensors) {
    INFO(t.name);
    CHECK(r.entry(t.name).offset == offset);
    offset += static_cast<std::int64_t>(t.bytes.size());
    if (t.dtype == io::DT_FLOAT) CHECK(same_bits(r.get_tensor<float>(t.name), t.bytes));
    if (t.dtype == io::DT_DOUBLE) CHECK(same_bits(r.get_tensor<double>(t.name), t.bytes));
    if (t.dtype == io::DT_INT32) CHECK(same_bits(r.get_tensor<std::int32_t>(t.name), t.bytes));
    CHECK(r.entry(t.name).crc32c == io::crc32c::mask(io::crc32c::value(t.bytes)));
  }
}
