// libFuzzer target: GraphDef in protobuf text and binary (io/text_format.hpp). The input is
// read as text, then as binary; each read either throws typeflow::error or gives a message
// whose text prints, parses and prints again to the same text.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <typeflow/io/text_format.hpp>

namespace {

namespace tfmt = typeflow::io::text_format;

/// binary -> text -> binary -> text: the two texts agree.
void check_fixpoint(const std::string& binary) {
  const std::string text = tfmt::to_text(binary, tfmt::schema::graph_def, "fuzz");
  const std::string again =
      tfmt::to_text(tfmt::to_binary(text, tfmt::schema::graph_def, "fuzz"), tfmt::schema::graph_def, "fuzz");
  if (again != text) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  std::string binary;
  try {
    binary = tfmt::to_binary(input, tfmt::schema::graph_def, "fuzz");
  } catch (const typeflow::error&) {
    binary.clear();
  }
  check_fixpoint(binary);  // the binary of text always prints
  try {
    (void)tfmt::to_text(input, tfmt::schema::graph_def, "fuzz");
  } catch (const typeflow::error&) {
    return 0;
  }
  check_fixpoint(std::string(input));
  return 0;
}
