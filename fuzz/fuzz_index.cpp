// libFuzzer target: a checkpoint `.index` file, parsed as bundle_reader parses it (the LevelDB
// table with its CRCs, snappy blocks, restarts and key order; the BundleHeaderProto; every
// BundleEntryProto). Anything but a clean parse or a typeflow::error is a bug.

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <typeflow/io/bundle_reader.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  try {
    const typeflow::io::bundle_reader r("/nonexistent/fuzz", bytes);
    for (const auto& [name, e] : r.entries()) (void)typeflow::io::num_elements(e.shape, name);
  } catch (const typeflow::error&) {
  }
  // The same bytes as one table block's contents and as a snappy stream.
  try {
    std::vector<typeflow::io::table::entry> out;
    typeflow::io::table::detail::parse_block(bytes, "fuzz", out);
  } catch (const typeflow::error&) {
  }
  try {
    (void)typeflow::io::snappy::uncompress(bytes, "fuzz");
  } catch (const typeflow::error&) {
  }
  return 0;
}
