#ifndef TYPEFLOW_RUNTIME_TRAIN_ADAGRAD_HPP
#define TYPEFLOW_RUNTIME_TRAIN_ADAGRAD_HPP

#include <string>
#include <string_view>

#include "../../core/fixed_string.hpp"
#include "../../graph/node.hpp"
#include "../../ops/training.hpp"
#include "optimizer.hpp"

namespace typeflow::train {

/// tf.train.AdagradOptimizer(learning_rate, initial_accumulator_value=0.1, use_locking=False,
/// name="Adagrad"): accum += grad^2; var -= learning_rate * grad / sqrt(accum). One slot,
/// "var/Adagrad", filled with initial_accumulator_value. The name is a template argument (see
/// MomentumOptimizer).
template <fixed_string Name = "Adagrad">
class AdagradOptimizer : public Optimizer<AdagradOptimizer<Name>> {
 public:
  using name_type = name_of<Name>;

  explicit AdagradOptimizer(double learning_rate, double initial_accumulator_value = 0.1, bool use_locking = false,
                            std::string_view name = name_type::view())
      : Optimizer<AdagradOptimizer>(use_locking),
        m_learning_rate(learning_rate),
        m_initial_accumulator_value(initial_accumulator_value) {
    if (!(initial_accumulator_value > 0.0))
      throw error("tf::train::AdagradOptimizer: initial_accumulator_value must be positive, got " +
                  std::to_string(initial_accumulator_value));
    detail::check_optimizer_name(name, name_type::view(), "AdagradOptimizer");
  }

 private:
  friend class Optimizer<AdagradOptimizer>;

  template <class G, class V, class Context>
  auto apply_dense(const G& grad, const V& var, const Context&) const {
    using T = value_t<V>;
    auto accum = this->template slot<0>(var, m_initial_accumulator_value);
    op::apply_adagrad<T> apply;
    apply.m_lr = static_cast<T>(m_learning_rate);
    return graph::node<op::apply_adagrad<T>, V, decltype(accum), G>(apply, var, accum, grad);
  }

  double m_learning_rate, m_initial_accumulator_value;
};

}  // namespace typeflow::train

#endif
