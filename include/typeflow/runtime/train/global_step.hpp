#ifndef TYPEFLOW_RUNTIME_TRAIN_GLOBAL_STEP_HPP
#define TYPEFLOW_RUNTIME_TRAIN_GLOBAL_STEP_HPP

#include <cstdint>

#include "../../graph/node.hpp"
#include "../../graph/variable.hpp"
#include "optimizer.hpp"

namespace typeflow::train {

/// The type of TF's global step: an int64 scalar variable named "global_step".
using global_step_t = decltype(detail::make_leaf<graph::variable, name_of<"global_step">, std::int64_t, shape<>>());

/// tf.train.get_or_create_global_step(): the global step, declared in the default graph
/// (initialised to 0). Pass it to minimize or apply_gradients, which add 1 per step.
inline global_step_t get_or_create_global_step() { return detail::declare_filled_variable<global_step_t>(0.0); }

}  // namespace typeflow::train

#endif
