#ifndef TYPEFLOW_OPS_LOSSES_HPP
#define TYPEFLOW_OPS_LOSSES_HPP

// tf.compat.v1.losses: losses written with the existing ops, so they need no gradient of their own.

#include "../graph/node.hpp"
#include "elementwise.hpp"
#include "reduce.hpp"

namespace typeflow::losses {

/// tf.compat.v1.losses.mean_squared_error(labels, predictions): with the default weights (1)
/// and reduction (SUM_BY_NONZERO_WEIGHTS), the mean of (predictions - labels)^2, a scalar.
template <tensor_node L, tensor_node P>
constexpr auto mean_squared_error(const L& labels, const P& predictions) {
  return reduce_mean(square(predictions - labels));
}

}  // namespace typeflow::losses

#endif
