// libFuzzer target: one BundleEntryProto / BundleHeaderProto value (the protobuf reader
// underneath), and the data of a DT_STRING tensor.
// Anything but a clean parse or a typeflow::error is a bug.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <typeflow/io/bundle_reader.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace io = typeflow::io;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  try {
    const io::bundle_entry e = io::decode_bundle_entry(bytes, "fuzz");
    (void)io::num_elements(e.shape, "fuzz");
    (void)io::encode(e);
  } catch (const typeflow::error&) {
  }
  try {
    (void)io::decode_bundle_header(bytes, "fuzz");
  } catch (const typeflow::error&) {
  }
  // The input as a DT_STRING tensor's data: first byte = element count, next 4 = entry crc.
  if (size < 5) return 0;
  try {
    const std::uint32_t crc = io::protobuf::get_fixed32(data + 1);
    (void)io::decode_strings(bytes.substr(5), data[0] % 16, crc, "fuzz");
  } catch (const typeflow::error&) {
  }
  return 0;
}
