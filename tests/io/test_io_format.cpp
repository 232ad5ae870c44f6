// The building blocks of TF's checkpoint files: crc32c, the protobuf wire format (with TF's
// SavedModel fixtures decoded), snappy and the LevelDB table of `.index` files. Readers get
// truncated, bit-flipped and hostile inputs: each must throw typeflow::error (never crash,
// never read out of bounds; the sanitizer build and the fuzzers check the "never").

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <typeflow/io/crc32c.hpp>
#include <typeflow/io/graph_def.hpp>
#include <typeflow/io/protobuf.hpp>
#include <typeflow/io/snappy.hpp>
#include <typeflow/io/table.hpp>
#include <vector>

#include "io_test_util.hpp"
#include "meta_graph_decode.hpp"

namespace io = typeflow::io;
namespace pb = typeflow::io::protobuf;
using namespace std::string_literals;

namespace {

using io_test::error_of;

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

std::string bytes(std::initializer_list<int> b) {
  std::string s;
  for (int c : b) s.push_back(static_cast<char>(c));
  return s;
}

}  // namespace

// ---------------------------------------------------------------------------- crc32c

TEST_CASE("crc32c: known vectors (RFC 3720, TF-FORMATS 1.3), mask and unmask") {
  CHECK(io::crc32c::value("123456789") == 0xe3069283u);
  CHECK(io::crc32c::value(std::string(32, '\0')) == 0x8a9136aau);
  CHECK(io::crc32c::value(std::string(32, '\xff')) == 0x62a8ab43u);
  std::string ascending, descending;
  for (int i = 0; i < 32; ++i) {
    ascending.push_back(static_cast<char>(i));
    descending.push_back(static_cast<char>(31 - i));
  }
  CHECK(io::crc32c::value(ascending) == 0x46dd794eu);
  CHECK(io::crc32c::value(descending) == 0x113fdb5cu);
  CHECK(io::crc32c::value("") == 0u);
  // The counter fixture: 0.0f stored with masked crc 0x3a117ba6; the empty metaindex trailer.
  CHECK(io::crc32c::mask(io::crc32c::value(std::string(4, '\0'))) == 0x3a117ba6u);
  CHECK(io::crc32c::mask(io::crc32c::value(bytes({0, 0, 0, 0, 1, 0, 0, 0, 0}))) == 0xb0a1f2c0u);
  CHECK(io::crc32c::mask(0) == 0xa282ead8u);
  for (std::uint32_t v : {0u, 1u, 0xdeadbeefu, 0xffffffffu, 0x80000000u})
    CHECK(io::crc32c::unmask(io::crc32c::mask(v)) == v);
}

TEST_CASE("crc32c: the SSE4.2 path (3 streams) agrees with the table at every length and alignment") {
  std::mt19937 gen(7);
  std::vector<unsigned char> data(3 * 8192 * 2 + 4096);
  for (auto& c : data) c = static_cast<unsigned char>(gen());
  std::vector<std::size_t> lengths;
  for (std::size_t n = 0; n < 80; ++n) lengths.push_back(n);
  for (std::size_t n : {24575u, 24576u, 24577u, 49151u, 49152u, 49153u, 50000u}) lengths.push_back(n);
  for (std::size_t start = 0; start < 8; ++start)
    for (std::size_t n : lengths) {
      if (start + n > data.size()) continue;
      const std::uint32_t table = io::crc32c::extend_portable(0, data.data() + start, n);
      CHECK(io::crc32c::value(data.data() + start, n) == table);
      // extend() continues a CRC across any split.
      const std::size_t cut = n / 3;
      CHECK(io::crc32c::extend(io::crc32c::value(data.data() + start, cut), data.data() + start + cut, n - cut) ==
            table);
    }
}

// ---------------------------------------------------------------------------- protobuf

TEST_CASE("protobuf: every field kind round-trips, with the bytes protobuf writes") {
  pb::writer inner;
  inner.int64_field(1, 3);
  pb::writer w;
  w.varint_field(1, 300);
  w.int32_field(2, -1);
  w.bool_field(3, true);
  w.fixed32_field(4, 0x3a117ba6u);
  w.fixed64_field(5, 0x0102030405060708ull);
  w.float_field(6, 1.5f);
  w.double_field(7, -2.25);
  w.string_field(8, "hi");
  w.message_field(9, inner);
  const std::vector<std::int64_t> ints{1, -2, 300};
  w.packed_varint_field(10, std::span<const std::int64_t>(ints));
  const std::vector<float> floats{0.5f, -1.0f};
  w.packed_float_field(11, std::span<const float>(floats));
  w.int64_field(10, 7);  // the same repeated field, unpacked
  const std::string s = w.bytes();

  CHECK(s.substr(0, 3) == bytes({0x08, 0xac, 0x02}));
  CHECK(s.substr(3, 11) == bytes({0x10, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}));  // -1: 10 bytes

  pb::reader r(s, "Test");
  std::vector<std::int64_t> got_ints;
  std::vector<float> got_floats;
  int seen = 0;
  while (r.next()) {
    ++seen;
    switch (r.field()) {
      case 1: CHECK(r.read_varint() == 300); break;
      case 2: CHECK(r.read_int32() == -1); break;
      case 3: CHECK(r.read_bool()); break;
      case 4: CHECK(r.read_fixed32() == 0x3a117ba6u); break;
      case 5: CHECK(r.read_fixed64() == 0x0102030405060708ull); break;
      case 6: CHECK(r.read_float() == 1.5f); break;
      case 7: CHECK(r.read_double() == -2.25); break;
      case 8: CHECK(r.read_string() == "hi"); break;
      case 9: {
        pb::reader m = r.read_message("inner");
        REQUIRE(m.next());
        CHECK(m.field() == 1);
        CHECK(m.read_int64() == 3);
        CHECK(!m.next());
        break;
      }
      case 10: r.read_repeated_varint(got_ints); break;
      case 11: r.read_repeated_float(got_floats); break;
      default: FAIL("unexpected field");
    }
  }
  CHECK(seen == 12);
  CHECK(got_ints == std::vector<std::int64_t>{1, -2, 300, 7});
  CHECK(got_floats == floats);

  // Unread fields are skipped by next().
  pb::reader skipper(s, "Test");
  int fields = 0;
  while (skipper.next()) ++fields;
  CHECK(fields == 12);
}

TEST_CASE("protobuf: malformed input throws, naming the message and field") {
  pb::writer w;
  w.int32_field(1, 5);
  w.string_field(2, "hello");
  w.fixed32_field(3, 7);
  const std::string s = w.bytes();
  const std::vector<std::size_t> boundaries{0, 2, 9, 14};
  for (std::size_t n = 0; n < s.size(); ++n) {
    const std::string msg = error_of([&] {
      pb::reader r(std::string_view(s).substr(0, n), "Msg");
      while (r.next()) r.skip();
    });
    const bool at_boundary = std::find(boundaries.begin(), boundaries.end(), n) != boundaries.end();
    CHECK_MESSAGE(msg.empty() == at_boundary, "prefix of length " << n << ": " << msg);
    if (!at_boundary) CHECK(contains(msg, "Msg"));
  }

  CHECK(contains(error_of([] {
                   const std::string in = bytes({0x08, 0x01});
                   pb::reader r(in, "Entry");
                   r.next();
                   r.read_fixed32();
                 }),
                 "Entry field 1: expected wire type fixed32, got varint"));
  CHECK(contains(error_of([] {
                   const std::string in = bytes({0x12, 0x7f, 0x00});
                   pb::reader r(in, "Entry");
                   r.next();
                   r.read_bytes();
                 }),
                 "length 127 exceeds the 1 bytes left"));
  CHECK(
      contains(error_of([] {
                 const std::string in = bytes({0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01});
                 pb::reader r(in, "Entry");
                 r.next();
                 r.read_varint();
               }),
               "Entry"));
  const std::string group = bytes({0x0b}), zero = bytes({0x00});
  CHECK(contains(error_of([&] { pb::reader(group, "Entry").next(); }), "unsupported wire type 3"));
  CHECK(contains(error_of([&] { pb::reader(zero, "Entry").next(); }), "invalid field number 0"));
  CHECK(contains(error_of([] {
                   const std::string in = bytes({0x0a, 0x03, 0x00, 0x00, 0x00});
                   pb::reader r(in, "Entry");
                   r.next();
                   std::vector<float> f;
                   r.read_repeated_float(f);
                 }),
                 "not a multiple of 4"));
}

TEST_CASE("protobuf: TF's SavedModels decode to the MetaGraphDefs the fixtures' README documents") {
  using strings = std::vector<std::string>;
  SUBCASE("half_plus_two, TF 1.14: y = a*x + b from VariableV2 nodes, a sharded V2 SaverDef") {
    const std::string file = io_test::slurp(io_test::fixtures + "/half_plus_two_tf1.14/saved_model.pb");
    const auto graphs = meta_test::decode_saved_model(file);
    REQUIRE(graphs.size() == 1);
    const auto& m = graphs[0];
    CHECK(m.tags == strings{"serve"});
    REQUIRE(m.has_saver_def);
    CHECK(m.saver_def.filename_tensor_name == "save/Const:0");
    CHECK(m.saver_def.save_tensor_name == "save/Identity:0");
    CHECK(m.saver_def.restore_op_name == "save/restore_all");
    CHECK(m.saver_def.max_to_keep == 5);
    CHECK(m.saver_def.keep_checkpoint_every_n_hours == 10000.0f);
    CHECK(m.saver_def.version == 2);  // V2
    CHECK(m.saver_def.sharded);
    CHECK(m.nodes.at("save/restore_all").op == "NoOp");
    for (const std::string v : {"a", "b"}) {
      CHECK(m.nodes.at(v).op == "VariableV2");
      CHECK(m.nodes.at(v + "/Assign").inputs == strings{v, v + "/initial_value"});
      CHECK(m.nodes.at(v + "/read").op == "Identity");
    }
    CHECK(m.nodes.at("Mul").inputs == strings{"a/read", "x"});
    CHECK(m.nodes.at("Add").inputs == strings{"Mul", "b/read"});
    CHECK(m.nodes.at("y").inputs == strings{"Add"});
    // SaveV2 writes the tensors of the fixture's variables.index, in its key order.
    const auto& save = m.nodes.at("save/SaveV2").inputs;
    REQUIRE(save.size() == 8);
    CHECK(strings(save.begin() + 3, save.end()) == strings{"a", "a2", "b", "c", "c2"});
  }
  SUBCASE("matrix_half_plus_two, TF 1.2: constants only, y = 0.5 * x + 2") {
    const std::string file = io_test::slurp(io_test::fixtures + "/matrix_half_plus_two_tf1.2/saved_model.pb");
    const auto graphs = meta_test::decode_saved_model(file);
    REQUIRE(graphs.size() == 1);
    const auto& n = graphs[0].nodes;
    CHECK(!graphs[0].has_saver_def);
    CHECK(n.at("x").op == "Placeholder");
    CHECK(n.at("x").attrs.at("dtype") == io::attr::type(io::DT_FLOAT));
    CHECK(n.at("x").attrs.at("shape") == io::attr::shape(std::vector<std::int64_t>{-1, 3, 3}));
    CHECK(n.at("Const").op == "Const");
    CHECK(meta_test::float_vals(n.at("Const").attrs.at("value")) == std::vector<float>{0.5f});
    CHECK(meta_test::float_vals(n.at("Const_1").attrs.at("value")) == std::vector<float>{2.0f});
    CHECK(n.at("Mul").op == "Mul");
    CHECK(n.at("Mul").inputs == strings{"Const", "x"});
    CHECK(n.at("y").op == "Add");
    CHECK(n.at("y").inputs == strings{"Mul", "Const_1"});
  }
}

// ---------------------------------------------------------------------------- snappy

TEST_CASE("snappy: literals and the three copy forms, overlapping copies included") {
  CHECK(io::snappy::uncompress(bytes({0x04, 0x0c, 'a', 'b', 'c', 'd'}), "t") == "abcd");
  CHECK(io::snappy::uncompress(bytes({0x08, 0x04, 'a', 'b', 0x09, 0x02}), "t") == "abababab");        // copy-1
  CHECK(io::snappy::uncompress(bytes({0x07, 0x04, 'a', 'b', 0x12, 0x02, 0x00}), "t") == "abababa");   // copy-2
  CHECK(io::snappy::uncompress(bytes({0x05, 0x04, 'a', 'b', 0x0b, 0x01, 0, 0, 0}), "t") == "abbbb");  // copy-4
  std::string long_literal = bytes({100, 0xf0, 99}) + std::string(100, 'x');                          // 1 length byte
  CHECK(io::snappy::uncompress(long_literal, "t") == std::string(100, 'x'));
  CHECK(io::snappy::uncompress(bytes({0x00}), "t").empty());
}

TEST_CASE("snappy: hostile input throws") {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {bytes({0x04, 0x04, 'a', 'b', 0x09, 0x00}), "copy offset 0"},
      {bytes({0x08, 0x04, 'a', 'b', 0x09, 0x05}), "copy offset 5"},
      {bytes({0x09, 0x04, 'a', 'b', 0x09, 0x02}), "output is 8 bytes"},
      {bytes({0x02, 0x0c, 'a', 'b', 'c', 'd'}), "literal runs past"},
      {bytes({0x04, 0x0c, 'a', 'b'}), "truncated element"},
      {bytes({0x40, 0x04, 'a', 'b', 0xfe, 0x02, 0x00}), "copy runs past"},
      {bytes({0xff, 0xff, 0xff, 0xff, 0x0f, 0x00}), "cannot come from"},
      {bytes({0xff, 0xff, 0xff, 0xff, 0xff, 0x01}), "longer than 5 bytes"},
      {bytes({0x80}), "truncated length"},
      {bytes({0x08, 0x04, 'a', 'b', 0x09}), "truncated element"},
  };
  for (const auto& c : cases) {  // clang 14 cannot capture structured bindings
    const std::string& in = c.first;
    const std::string& expected = c.second;
    const std::string msg = error_of([&] { io::snappy::uncompress(in, "block"); });
    CHECK_MESSAGE(contains(msg, expected), "got '" << msg << "', expected '" << expected << "'");
  }
  // Random garbage: an error or some output, never a crash.
  std::mt19937 gen(3);
  for (int i = 0; i < 2000; ++i) {
    std::string in(static_cast<std::size_t>(gen() % 40), '\0');
    for (auto& c : in) c = static_cast<char>(gen());
    try {
      (void)io::snappy::uncompress(in, "fuzz");
    } catch (const typeflow::error&) {
    }
  }
}

// ---------------------------------------------------------------------------- table

namespace {

/// A table file around raw data-block contents, with valid trailers, so that a reader's
/// checks past the CRC are what reject the block.
std::string table_around(const std::string& block, char type = 0, const std::string& index_key = "\xff") {
  std::string out = block;
  out.push_back(type);
  pb::put_fixed32(out, io::crc32c::mask(io::crc32c::value(out)));
  const io::table::block_handle data{0, block.size()};
  const io::table::block_handle meta{out.size(), 8};
  const std::string empty_block = bytes({0, 0, 0, 0, 1, 0, 0, 0});
  out += empty_block + bytes({0x00, 0xc0, 0xf2, 0xa1, 0xb0});
  io::table::detail::block_builder index(1);
  std::string handle;
  io::table::put_handle(handle, data);
  index.add(index_key, handle);
  const std::string index_block = index.finish();
  const io::table::block_handle index_handle{out.size(), index_block.size()};
  out += index_block;
  out.push_back(0);
  pb::put_fixed32(out, io::crc32c::mask(io::crc32c::extend(io::crc32c::value(index_block), "\0", 1)));
  std::string footer;
  io::table::put_handle(footer, meta);
  io::table::put_handle(footer, index_handle);
  footer.resize(40, '\0');
  pb::put_fixed64(footer, io::table::magic);
  return out + footer;
}

std::string entry_bytes(int shared, int unshared, int value_length, const std::string& rest) {
  std::string s;
  pb::put_varint(s, static_cast<std::uint64_t>(shared));
  pb::put_varint(s, static_cast<std::uint64_t>(unshared));
  pb::put_varint(s, static_cast<std::uint64_t>(value_length));
  return s + rest;
}

std::string restarts(std::initializer_list<std::uint32_t> r) {
  std::string s;
  for (std::uint32_t v : r) pb::put_fixed32(s, v);
  pb::put_fixed32(s, static_cast<std::uint32_t>(r.size()));
  return s;
}

/// Where the footer's zero padding starts (after its two handles), as an offset in the file.
std::size_t footer_padding_start(const std::string& file) {
  const auto* p = reinterpret_cast<const std::uint8_t*>(file.data() + file.size() - 48);
  const auto* begin = p;
  for (int i = 0; i < 4; ++i) pb::get_varint(p, begin + 40, "footer");
  return file.size() - 48 + static_cast<std::size_t>(p - begin);
}

}  // namespace

TEST_CASE("table: the writer reproduces the TF 1.5 counter .index byte for byte") {
  io::table::table_writer w;
  w.add("", bytes({0x08, 0x01, 0x1a, 0x02, 0x08, 0x01}));
  w.add("counter", bytes({0x08, 0x01, 0x12, 0x00, 0x28, 0x04, 0x35, 0xa6, 0x7b, 0x11, 0x3a}));
  const std::string file = w.finish();
  CHECK(file.size() == 123);
  CHECK(file == io_test::slurp(io_test::counter_prefix + ".index"));
}

TEST_CASE("table: separators and successors as TF's BytewiseComparator") {
  auto sep = [](std::string a, std::string b) {
    io::table::detail::shortest_separator(a, b);
    return a;
  };
  auto succ = [](std::string a) {
    io::table::detail::short_successor(a);
    return a;
  };
  CHECK(succ("counter") == "d");
  CHECK(succ("c2") == "d");
  CHECK(succ("beta2_power") == "c");
  CHECK(succ("\xff\xff") == "\xff\xff");
  CHECK(succ("\xff"
             "a") == "\xff"
                     "b");
  CHECK(sep("abc", "abz") == "abd");
  CHECK(sep("abc1", "abd") == "abc1");  // 'c' + 1 is not below 'd'
  CHECK(sep("ab", "abc") == "ab");      // a prefix
  CHECK(sep("a\xff", "b") == "a\xff");
}

TEST_CASE("table: many entries over several blocks round-trip; restarts every 16 entries") {
  io::table::table_writer w;
  std::vector<io::table::entry> in;
  for (int i = 0; i < 120; ++i) {
    char key[32];
    std::snprintf(key, sizeof key, "layer_%03d/kernel", i);
    in.push_back({key, std::string(static_cast<std::size_t>(5000 + 37 * i), static_cast<char>('a' + i % 26))});
    w.add(in.back().key, in.back().value);
  }
  const std::string file = w.finish();
  CHECK(file.size() > 3 * io::table::block_size);  // several data blocks
  const auto out = io::table::read_table(file, "big");
  REQUIRE(out.size() == in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    CHECK(out[i].key == in[i].key);
    CHECK(out[i].value == in[i].value);
  }

  io::table::detail::block_builder b(16);
  for (int i = 0; i < 35; ++i) b.add(std::to_string(100 + i), "v");
  const std::string block = b.finish();
  CHECK(pb::get_fixed32(reinterpret_cast<const std::uint8_t*>(block.data() + block.size() - 4)) == 3);

  io::table::table_writer bad;
  bad.add("b", "");
  CHECK(contains(error_of([&] { bad.add("a", ""); }), "keys must increase"));
  CHECK(contains(error_of([&] { bad.add("b", ""); }), "keys must increase"));
}

TEST_CASE("table: the TF 1.14 .index with a snappy-compressed data block") {
  const std::string file = io_test::slurp(io_test::half_plus_two_prefix + ".index");
  CHECK(static_cast<unsigned char>(file[0x57]) == 1);  // the data block's trailer says snappy
  const auto entries = io::table::read_table(file, "half_plus_two");
  std::vector<std::string> keys;
  for (const auto& e : entries) keys.push_back(e.key);
  CHECK(keys == std::vector<std::string>{"", "a", "a2", "b", "c", "c2"});
  CHECK(entries[0].value == bytes({0x08, 0x01, 0x1a, 0x02, 0x08, 0x01}));
}

// A flip of a footer varint's continuation bit can give a non-canonical encoding of the same
// handle (0e -> 8e 00), which TF reads too: such a flip must read the same entries.
TEST_CASE("table: every truncation and every bit flip of TF-written files throws or reads the same") {
  for (const std::string& prefix : {io_test::counter_prefix, io_test::half_plus_two_prefix}) {
    const std::string file = io_test::slurp(prefix + ".index");
    for (std::size_t n = 0; n < file.size(); ++n)
      CHECK_MESSAGE(!error_of([&] { io::table::read_table(file.substr(0, n), "t"); }).empty(), "truncated to " << n);
    const auto original = io::table::read_table(file, "t");
    const std::size_t pad_begin = footer_padding_start(file), pad_end = file.size() - 8;
    int flips = 0;
    for (std::size_t i = 0; i < file.size(); ++i) {
      if (i >= pad_begin && i < pad_end) continue;  // TF ignores the footer's padding too
      for (int bit = 0; bit < 8; ++bit) {
        std::string bad = file;
        bad[i] = static_cast<char>(bad[i] ^ (1 << bit));
        bool same = false;
        const std::string msg = error_of([&] {
          const auto got = io::table::read_table(bad, "t");
          same = got.size() == original.size() &&
                 std::equal(got.begin(), got.end(), original.begin(),
                            [](const auto& a, const auto& b) { return a.key == b.key && a.value == b.value; });
        });
        CHECK_MESSAGE((!msg.empty() || (same && i >= file.size() - 48)), "byte " << i << " bit " << bit);
        ++flips;
      }
    }
    CHECK(flips > 500);
  }
}

TEST_CASE("table: hostile blocks with valid checksums throw, naming what is wrong") {
  const std::string kv = entry_bytes(0, 1, 1, "av");
  const std::vector<std::pair<std::string, std::string>> cases = {
      {table_around(kv + bytes({0xff, 0xff, 0xff, 0xff})), "restart points, room for"},
      {table_around(kv + restarts({0, 1000})), "past the last entry"},
      {table_around(kv + restarts({1})), "restart points out of order"},
      {table_around(kv + entry_bytes(0, 1, 1, "bw") + restarts({0, 2})), "is not at an entry"},
      {table_around(entry_bytes(5, 1, 1, "av") + restarts({0})), "shares"},
      {table_around(kv + entry_bytes(1, 1, 1, "bw") + restarts({0, 5})), "shares a prefix"},
      {table_around(entry_bytes(0, 1, 0x7fffffff, "a") + restarts({0})), "runs past the end of its block"},
      {table_around(entry_bytes(0, 1, 1, "bv") + entry_bytes(0, 1, 1, "aw") + restarts({0})), "keys out of order"},
      {table_around(kv + restarts({0}), 2), "bad block type 2"},
      {table_around(bytes({0xff, 0xff, 0xff, 0xff, 0x0f, 0x00}), 1), "snappy"},
      {table_around(kv + restarts({0}), 0, "a"), ""},  // valid: the index key equals the last key
      {table_around(entry_bytes(0, 1, 1, "bv") + restarts({0}), 0, "a"), "below the block's last key"},
      {table_around(bytes({1, 2})), "no restart count"},
      {table_around(restarts({})), "claims 0 restart points"},
      {table_around(restarts({0})), "empty data block"},
  };
  for (const auto& c : cases) {
    const std::string& file = c.first;
    const std::string& expected = c.second;
    const std::string msg = error_of([&] { io::table::read_table(file, "hostile"); });
    if (expected.empty()) CHECK(msg.empty());
    else CHECK_MESSAGE(contains(msg, expected), "got '" << msg << "', expected '" << expected << "'");
  }

  // A footer whose handles point past the file, and one without the magic.
  std::string file = table_around(kv + restarts({0}));
  std::string far = file;
  std::string footer;
  io::table::put_handle(footer, {std::uint64_t{1} << 40, 8});
  io::table::put_handle(footer, {0, 14});
  footer.resize(40, '\0');
  pb::put_fixed64(footer, io::table::magic);
  far.replace(far.size() - 48, 48, footer);
  CHECK(contains(error_of([&] { io::table::read_table(far, "t"); }), "runs past the end"));
  std::string no_magic = file;
  no_magic.back() = 0;
  CHECK(contains(error_of([&] { io::table::read_table(no_magic, "t"); }), "bad magic"));
  CHECK(contains(error_of([&] { io::table::read_table("short", "t"); }), "too short"));
}
