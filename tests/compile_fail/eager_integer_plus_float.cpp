// An eager int32 tensor plus 1.5: TF raises "Cannot convert 1.5 to EagerTensor of dtype int32"
// rather than truncate the number; tfe's error says so at compile time.
#include <typeflow/eager.hpp>

namespace tfe = typeflow::eager;

int main() {
  const auto counts = tfe::constant<int>({1, 2, 3});
#ifdef TYPEFLOW_SHOULD_FAIL
  // expect-error: a floating-point number next to an integer tensor
  // max-chars-gcc: 1500
  // max-chars-clang: 1500
  const auto shifted = counts + 1.5;
#else
  const auto shifted = counts + 1;
#endif
  (void)shifted;
}
