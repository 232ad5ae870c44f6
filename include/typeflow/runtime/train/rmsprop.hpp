#ifndef TYPEFLOW_RUNTIME_TRAIN_RMSPROP_HPP
#define TYPEFLOW_RUNTIME_TRAIN_RMSPROP_HPP

#include <string>
#include <string_view>

#include "../../core/error.hpp"
#include "../../core/fixed_string.hpp"
#include "../../graph/node.hpp"
#include "../../ops/training.hpp"
#include "optimizer.hpp"

namespace typeflow::train {

/// The tag for centered RMSProp, in the place of TF's `centered` argument.
struct centered_t {
  explicit centered_t() = default;
};
inline constexpr centered_t centered{};

/// tf.train.RMSPropOptimizer(learning_rate, decay=0.9, momentum=0.0, epsilon=1e-10,
/// use_locking=False, centered=False, name="RMSProp"), with TF's updates (ApplyRMSProp):
///   ms = decay * ms + (1 - decay) * g^2
///   mom = momentum * mom + learning_rate * g / sqrt(ms + epsilon);  var -= mom
/// and, centered (ApplyCenteredRMSProp), with mg = decay * mg + (1 - decay) * g and
/// sqrt(ms - mg^2 + epsilon) in the denominator. Slots as TF1's: "var/RMSProp" (ms, ones),
/// then, centered, "var/RMSProp_1" (mg, zeros), then the momentum (zeros) "var/RMSProp_1",
/// or "var/RMSProp_2" when centered.
/// Centered is part of the type (it adds a slot): pass `tf::train::centered` in the place of
/// the `centered` argument, `RMSPropOptimizer(lr, decay, momentum, epsilon, false,
/// tf::train::centered)`, or just `RMSPropOptimizer(lr, tf::train::centered)`; a bool there
/// must equal the type's. The name is a template argument (see MomentumOptimizer).
template <fixed_string Name = "RMSProp", bool Centered = false>
class RMSPropOptimizer : public Optimizer<RMSPropOptimizer<Name, Centered>> {
 public:
  using name_type = name_of<Name>;
  static constexpr bool is_centered = Centered;

  explicit RMSPropOptimizer(double learning_rate, double decay = 0.9, double momentum = 0.0, double epsilon = 1e-10,
                            bool use_locking = false, bool centered = Centered,
                            std::string_view name = name_type::view())
      : Optimizer<RMSPropOptimizer>(use_locking),
        m_learning_rate(learning_rate),
        m_decay(decay),
        m_momentum(momentum),
        m_epsilon(epsilon) {
    if (centered != Centered)
      throw error(std::string("tf::train::RMSPropOptimizer: centered=") + (centered ? "true" : "false") +
                  " differs from its type's; pass tf::train::centered in its place for a centered RMSProp");
    detail::check_optimizer_name(name, name_type::view(), "RMSPropOptimizer");
  }

  RMSPropOptimizer(double learning_rate, double decay, double momentum, double epsilon, bool use_locking, centered_t,
                   std::string_view name = name_type::view())
      : RMSPropOptimizer(learning_rate, decay, momentum, epsilon, use_locking, true, name) {}

  RMSPropOptimizer(double learning_rate, centered_t) : RMSPropOptimizer(learning_rate, 0.9, 0.0, 1e-10, false, true) {}

 private:
  friend class Optimizer<RMSPropOptimizer>;

  template <class G, class V, class Context>
  auto apply_dense(const G& grad, const V& var, const Context&) const {
    using T = value_t<V>;
    auto ms = this->template slot<0>(var, 1.0);  // TF1 starts the mean square at ones
    if constexpr (Centered) {
      auto mg = this->template slot<1>(var, 0.0);
      auto mom = this->template slot<2>(var, 0.0);
      auto apply = hyperparameters<op::apply_centered_rms_prop<T>>();
      return graph::node<op::apply_centered_rms_prop<T>, V, decltype(mg), decltype(ms), decltype(mom), G>(
          apply, var, mg, ms, mom, grad);
    } else {
      auto mom = this->template slot<1>(var, 0.0);
      auto apply = hyperparameters<op::apply_rms_prop<T>>();
      return graph::node<op::apply_rms_prop<T>, V, decltype(ms), decltype(mom), G>(apply, var, ms, mom, grad);
    }
  }

  template <class Op>
  Op hyperparameters() const {
    using T = decltype(Op::m_lr);
    Op apply;
    apply.m_lr = static_cast<T>(m_learning_rate);
    apply.m_rho = static_cast<T>(m_decay);
    apply.m_momentum = static_cast<T>(m_momentum);
    apply.m_epsilon = static_cast<T>(m_epsilon);
    return apply;
  }

  double m_learning_rate, m_decay, m_momentum, m_epsilon;
};

// clang-format off
RMSPropOptimizer(double, double, double, double, bool, centered_t) -> RMSPropOptimizer<"RMSProp", true>;
RMSPropOptimizer(double, double, double, double, bool, centered_t, std::string_view)
    -> RMSPropOptimizer<"RMSProp", true>;
RMSPropOptimizer(double, centered_t) -> RMSPropOptimizer<"RMSProp", true>;
// clang-format on

}  // namespace typeflow::train

#endif
