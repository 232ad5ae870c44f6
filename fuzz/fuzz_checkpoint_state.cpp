// libFuzzer target: the text `checkpoint` state file (io/checkpoint_state.hpp). A parse either
// succeeds, and then its text form parses back to the same state, or throws typeflow::error.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <typeflow/io/checkpoint_state.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace io = typeflow::io;
  io::checkpoint_state s;
  try {
    s = io::parse_checkpoint_state(std::string_view(reinterpret_cast<const char*>(data), size));
  } catch (const typeflow::error&) {
    return 0;
  }
  const io::checkpoint_state back = io::parse_checkpoint_state(io::to_text(s));
  if (back.model_checkpoint_path != s.model_checkpoint_path ||
      back.all_model_checkpoint_paths != s.all_model_checkpoint_paths)
    std::abort();
  return 0;
}
