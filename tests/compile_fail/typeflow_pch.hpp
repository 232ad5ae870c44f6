// The umbrella header that every compile-failure snippet includes first, precompiled for the
// snippets' plain ("ok") builds (see meson.build).
#include <typeflow/typeflow.hpp>
