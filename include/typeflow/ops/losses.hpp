#ifndef TYPEFLOW_OPS_LOSSES_HPP
#define TYPEFLOW_OPS_LOSSES_HPP

// tf.compat.v1.losses: losses written with the existing ops, so they need no gradient of their own.

#include "../graph/node.hpp"
#include "elementwise.hpp"
#include "keyword.hpp"
#include "reduce.hpp"

namespace typeflow::losses {

/// tf.compat.v1.losses.mean_squared_error(labels=y, predictions=p), by keyword, either order:
/// with the default weights (1) and reduction (SUM_BY_NONZERO_WEIGHTS), the mean of (p - y)^2.
template <detail::node_or_keyword A, detail::node_or_keyword B>
constexpr auto mean_squared_error(const A& a, const B& b) {
  static_assert(detail::keywords_v<keyword_key::labels, keyword_key::predictions, A, B>,
                "tf::losses::mean_squared_error takes keyword arguments: write (tf::labels = y, tf::predictions = p)");
  return reduce_mean(square(detail::by_keyword<keyword_key::predictions, false>(a, b) -
                            detail::by_keyword<keyword_key::labels, true>(a, b)));
}

}  // namespace typeflow::losses

#endif
