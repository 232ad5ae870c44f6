#ifndef TYPEFLOW_RUNTIME_TRAIN_ADAM_HPP
#define TYPEFLOW_RUNTIME_TRAIN_ADAM_HPP

#include <string_view>
#include <type_traits>

#include "../../core/fixed_string.hpp"
#include "../../graph/node.hpp"
#include "../../ops/training.hpp"
#include "optimizer.hpp"

namespace typeflow::train {

/// tf.train.AdamOptimizer(learning_rate=0.001, beta1=0.9, beta2=0.999, epsilon=1e-8,
/// use_locking=False, name="Adam"), with TF's update (ApplyAdam):
///   lr_t = learning_rate * sqrt(1 - beta2^t) / (1 - beta1^t)
///   m = beta1 * m + (1 - beta1) * g;  v = beta2 * v + (1 - beta2) * g^2
///   var -= lr_t * m / (sqrt(v) + epsilon)
/// Slots "var/Adam" (m) and "var/Adam_1" (v), zeros; the powers beta1^t and beta2^t are the
/// scalar variables "beta1_power" and "beta2_power" (initialised to beta1 and beta2, of the
/// first variable's dtype), multiplied by beta1 and beta2 after all the updates of a step, as
/// TF1's _finish does. An optimizer named otherwise (`AdamOptimizer<"D_Adam">(...)`, see
/// MomentumOptimizer) has its own powers "D_Adam/beta1_power", as TF names them with
/// use_own_namescope_for_non_slot_vars.
template <fixed_string Name = "Adam">
class AdamOptimizer : public Optimizer<AdamOptimizer<Name>> {
 public:
  using name_type = name_of<Name>;

  explicit AdamOptimizer(double learning_rate = 0.001, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8,
                         bool use_locking = false, std::string_view name = name_type::view())
      : Optimizer<AdamOptimizer>(use_locking),
        m_learning_rate(learning_rate),
        m_beta1(beta1),
        m_beta2(beta2),
        m_epsilon(epsilon) {
    detail::check_optimizer_name(name, name_type::view(), "AdamOptimizer");
  }

 private:
  friend class Optimizer<AdamOptimizer>;

  template <char Which>
  using power_name = detail::cat_names_t<
      std::conditional_t<std::is_same_v<name_type, name_of<"Adam">>, name<>, detail::cat_names_t<name_type, name<'/'>>>,
      name<'b', 'e', 't', 'a', Which, '_', 'p', 'o', 'w', 'e', 'r'>>;

  template <char Which, class T>
  using power_t = decltype(detail::make_leaf<graph::variable, power_name<Which>, T, shape<>>());

  /// The beta powers, of the first variable's dtype (TF1 makes them float32 and casts them).
  template <class V0, class... V>
  auto prepare() const {
    using P = value_t<V0>;
    if constexpr (detail::is_eager_leaf_v<V0>)  // eager mode: the optimizer holds them
      return std::pair{V0::template non_slot<P>(this->m_eager_variables, power_name<'1'>::view(), m_beta1),
                       V0::template non_slot<P>(this->m_eager_variables, power_name<'2'>::view(), m_beta2)};
    else
      return std::pair{detail::declare_filled_variable<power_t<'1', P>>(m_beta1),
                       detail::declare_filled_variable<power_t<'2', P>>(m_beta2)};
  }

  template <class G, class V, class Powers>
  auto apply_dense(const G& grad, const V& var, const Powers& powers) const {
    using T = value_t<V>;
    auto m = this->template slot<0>(var, 0.0);
    auto v = this->template slot<1>(var, 0.0);
    op::apply_adam<T> apply;
    apply.m_lr = static_cast<T>(m_learning_rate);
    apply.m_beta1 = static_cast<T>(m_beta1);
    apply.m_beta2 = static_cast<T>(m_beta2);
    apply.m_epsilon = static_cast<T>(m_epsilon);
    return graph::node<op::apply_adam<T>, V, decltype(m), decltype(v), typename Powers::first_type,
                       typename Powers::second_type, G>(apply, var, m, v, powers.first, powers.second, grad);
  }

  /// beta1_power *= beta1 and beta2_power *= beta2, after every update (which read them).
  template <class Updates, class Powers>
  auto finish(const Updates& updates, const Powers& powers) const {
    return this->group(updates, scale(powers.first, m_beta1, updates), scale(powers.second, m_beta2, updates));
  }

  template <class B, class Updates>
  static auto scale(const B& power, double factor, const Updates& updates) {
    using P = value_t<B>;
    op::scale_variable<P> scale;
    scale.m_factor = static_cast<P>(factor);
    return graph::node<op::scale_variable<P>, B, Updates>(scale, power, updates);
  }

  double m_learning_rate, m_beta1, m_beta2, m_epsilon;
};

}  // namespace typeflow::train

#endif
