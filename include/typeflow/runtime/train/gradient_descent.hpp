#ifndef TYPEFLOW_RUNTIME_TRAIN_GRADIENT_DESCENT_HPP
#define TYPEFLOW_RUNTIME_TRAIN_GRADIENT_DESCENT_HPP

#include <string_view>

#include "../../graph/node.hpp"
#include "../../ops/training.hpp"
#include "optimizer.hpp"

namespace typeflow::train {

/// tf.train.GradientDescentOptimizer(learning_rate, use_locking=False, name="GradientDescent"):
/// var -= learning_rate * d(loss)/d(var). It has no slots, so its name names nothing here.
class GradientDescentOptimizer : public Optimizer<GradientDescentOptimizer> {
 public:
  using name_type = name_of<"GradientDescent">;

  explicit GradientDescentOptimizer(double learning_rate, bool use_locking = false,
                                    std::string_view /*name*/ = "GradientDescent")
      : Optimizer<GradientDescentOptimizer>(use_locking), m_learning_rate(learning_rate) {}

 private:
  friend class Optimizer<GradientDescentOptimizer>;

  template <class G, class V, class Context>
  auto apply_dense(const G& grad, const V& var, const Context&) const {
    using T = value_t<V>;
    op::apply_gradient_descent<T> apply;
    apply.m_alpha = static_cast<T>(m_learning_rate);
    return graph::node<op::apply_gradient_descent<T>, V, G>(apply, var, grad);
  }

  double m_learning_rate;
};

}  // namespace typeflow::train

#endif
