// libFuzzer target: a GraphDef (a `.pb` file) parsed, imported as tf::ImportedGraph and run
// with small feeds: each placeholder gets values of its dtype, its known dims (capped at 4)
// and 2 for unknown ones, and every node with a value is fetched. Anything but a clean run or
// a typeflow::error is a bug. Values are limited to 1 MiB per tensor (imported_graph_options),
// so a fuzzed constant or broadcast cannot ask for gigabytes.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <typeflow/io/attr_value.hpp>
#include <typeflow/io/graph_def.hpp>
#include <typeflow/runtime/imported_graph.hpp>
#include <utility>
#include <vector>

namespace {

/// A feed for placeholder node n: its dtype, small dims, small nonzero values.
typeflow::Tensor feed_for(const typeflow::io::node_def& n) {
  namespace io = typeflow::io;
  io::data_type dtype = io::DT_FLOAT;
  std::vector<std::size_t> dims{2};
  if (const auto* t = n.find_attr("dtype")) dtype = io::parse_attr_value(*t, n.name).type;
  if (const auto* s = n.find_attr("shape")) {
    const auto a = io::parse_attr_value(*s, n.name);
    if (!a.shape.unknown_rank && a.shape.dims.size() <= 6) {
      dims.clear();
      for (const auto d : a.shape.dims)
        dims.push_back(d < 0 ? 2 : static_cast<std::size_t>(std::min<std::int64_t>(d, 4)));
    }
  }
  typeflow::Tensor t(dtype, dims);
  typeflow::visit_dtype(dtype, n.name, [&]<class T>() {
    std::size_t i = 0;
    for (auto& v : t.data<T>()) v = static_cast<T>(1 + (i++ % 3));
  });
  return t;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  try {
    const typeflow::GraphDef g = typeflow::GraphDef::parse(bytes, "fuzz.pb");
    const typeflow::ImportedGraph model(g,
                                        {.max_tensor_bytes = std::size_t{1} << 20, .intra_op_parallelism_threads = 1});
    std::vector<std::pair<std::string, typeflow::Tensor>> feeds;
    std::vector<std::string> fetches;
    for (const auto& n : g.node) {
      if (n.op == "Placeholder") feeds.emplace_back(n.name, feed_for(n));
      else if (n.op != "NoOp" && fetches.size() < 64) fetches.push_back(n.name);
    }
    for (const auto& f : fetches) {  // one at a time: an error in one leaves the others to run
      try {
        (void)model.run({f}, feeds);
      } catch (const typeflow::error&) {
      }
    }
  } catch (const typeflow::error&) {
  }
  return 0;
}
