#ifndef TYPEFLOW_RUNTIME_TRAIN_MOMENTUM_HPP
#define TYPEFLOW_RUNTIME_TRAIN_MOMENTUM_HPP

#include <string_view>

#include "../../core/fixed_string.hpp"
#include "../../graph/node.hpp"
#include "../../ops/training.hpp"
#include "optimizer.hpp"

namespace typeflow::train {

/// The tag for Nesterov momentum in the short form `MomentumOptimizer(lr, momentum, tf::train::use_nesterov)`.
struct use_nesterov_t {
  explicit use_nesterov_t() = default;
};
inline constexpr use_nesterov_t use_nesterov{};

/// tf.train.MomentumOptimizer(learning_rate, momentum, use_locking=False, name="Momentum",
/// use_nesterov=False): accum = momentum * accum + grad; var -= learning_rate * accum (with
/// Nesterov: var -= learning_rate * (grad + momentum * accum)). One slot, "var/Momentum", zeros.
/// The name is a template argument, `MomentumOptimizer<"Mom">(...)`, because it names slots
/// (types); the `name` argument must equal it.
template <fixed_string Name = "Momentum">
class MomentumOptimizer : public Optimizer<MomentumOptimizer<Name>> {
 public:
  using name_type = name_of<Name>;

  MomentumOptimizer(double learning_rate, double momentum, bool use_locking = false,
                    std::string_view name = name_type::view(), bool use_nesterov = false)
      : Optimizer<MomentumOptimizer>(use_locking),
        m_learning_rate(learning_rate),
        m_momentum(momentum),
        m_use_nesterov(use_nesterov) {
    detail::check_optimizer_name(name, name_type::view(), "MomentumOptimizer");
  }

  /// `MomentumOptimizer(lr, momentum, tf::train::use_nesterov)`.
  MomentumOptimizer(double learning_rate, double momentum, use_nesterov_t)
      : m_learning_rate(learning_rate), m_momentum(momentum), m_use_nesterov(true) {}

 private:
  friend class Optimizer<MomentumOptimizer>;

  template <class G, class V, class Context>
  auto apply_dense(const G& grad, const V& var, const Context&) const {
    using T = value_t<V>;
    auto accum = this->template slot<0>(var, 0.0);
    op::apply_momentum<T> apply;
    apply.m_lr = static_cast<T>(m_learning_rate);
    apply.m_momentum = static_cast<T>(m_momentum);
    apply.m_use_nesterov = m_use_nesterov;
    return graph::node<op::apply_momentum<T>, V, decltype(accum), G>(apply, var, accum, grad);
  }

  double m_learning_rate, m_momentum;
  bool m_use_nesterov;
};

}  // namespace typeflow::train

#endif
