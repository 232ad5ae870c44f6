#ifndef TYPEFLOW_OPS_TRAINING_HPP
#define TYPEFLOW_OPS_TRAINING_HPP

// Operations: nodes that change variables and yield no value (TF's Apply* ops and NoOp
// groups). A Session runs them after every value of the run has been computed, each after
// the operations among its operands. An op's kernel `apply` gets its tensor operands in
// order: the variables it writes first (`updated_operands` of them, 1 by default), then the
// values it reads; operands that are operations come last (control dependencies).
// The optimizers' kernels are TF's CPU kernels (training_ops.cc), one pass over the
// elements each, with the same expressions in the same order, in the variable's dtype; those
// with a square root run through kernels::update, which vectorises them.

#include <cmath>
#include <cstddef>
#include <string_view>

#include "../core/dtype.hpp"
#include "../core/tensor_ref.hpp"
#include "../graph/node.hpp"
#include "../kernels/update.hpp"

namespace typeflow::op {

struct operation {
  template <class...>
  using value_type = void;
  template <class...>
  using shape_type = shape<>;
  bool operator==(const operation&) const = default;
};

/// An optimizer's update (TF's Apply* ops), with TF's use_locking: apply then holds the locks
/// of the variables it writes, so that concurrent runs' updates of a variable are serialised
/// (without it they race, as TF's default kernels do).
struct locking_operation : operation {
  bool m_use_locking = false;
  bool operator==(const locking_operation&) const = default;
};

/// tf.group(ops...): runs its operands, does nothing itself.
struct group : operation {
  static constexpr std::string_view tf_name = "NoOp";
  static constexpr bool updates_variable = false;
};

/// var -= alpha * delta (TF's ApplyGradientDescent); operands: the variable, then delta.
template <class T>
struct apply_gradient_descent : locking_operation {
  static constexpr std::string_view tf_name = "ApplyGradientDescent";
  static constexpr bool updates_variable = true;
  T m_alpha{};

  template <std::size_t R>
  void apply(tensor_ref<T, R> var, tensor_ref<const T, R> delta) const {
    const std::size_t n = var.size();
    for (std::size_t i = 0; i < n; ++i) var.data[i] -= m_alpha * delta.data[i];
  }
  bool operator==(const apply_gradient_descent& o) const {
    return locking_operation::operator==(o) && same_payload(m_alpha, o.m_alpha);
  }
};

/// TF's ApplyMomentum; operands: var, accum, grad.
/// accum = accum * momentum + grad; var -= accum * lr, or with Nesterov
/// var -= grad * lr + accum * momentum * lr.
template <class T>
struct apply_momentum : locking_operation {
  static constexpr std::string_view tf_name = "ApplyMomentum";
  static constexpr bool updates_variable = true;
  static constexpr std::size_t updated_operands = 2;
  T m_lr{}, m_momentum{};
  bool m_use_nesterov = false;

  template <std::size_t R>
  void apply(tensor_ref<T, R> var, tensor_ref<T, R> accum, tensor_ref<const T, R> grad) const {
    const std::size_t n = var.size();
    if (m_use_nesterov) {
      for (std::size_t i = 0; i < n; ++i) {
        const T g = grad.data[i], a = accum.data[i] * m_momentum + g;
        accum.data[i] = a;
        var.data[i] -= g * m_lr + a * m_momentum * m_lr;
      }
    } else {
      for (std::size_t i = 0; i < n; ++i) {
        const T a = accum.data[i] * m_momentum + grad.data[i];
        accum.data[i] = a;
        var.data[i] -= a * m_lr;
      }
    }
  }
  bool operator==(const apply_momentum& o) const {
    return locking_operation::operator==(o) && same_payload(m_lr, o.m_lr) && same_payload(m_momentum, o.m_momentum) &&
           m_use_nesterov == o.m_use_nesterov;
  }
};

/// TF's ApplyAdam; operands: var, m, v, beta1_power, beta2_power, grad.
/// lr_t = lr * sqrt(1 - beta2^t) / (1 - beta1^t); m += (g - m) * (1 - beta1);
/// v += (g^2 - v) * (1 - beta2); var -= m * lr_t / (sqrt(v) + epsilon).
/// The powers beta^t are variables, multiplied by beta after every update of the step.
template <class T>
struct apply_adam : locking_operation {
  static constexpr std::string_view tf_name = "ApplyAdam";
  static constexpr bool updates_variable = true;
  static constexpr std::size_t updated_operands = 3;
  T m_lr{}, m_beta1{}, m_beta2{}, m_epsilon{};

  template <std::size_t R, class P>
  void apply(tensor_ref<T, R> var, tensor_ref<T, R> m, tensor_ref<T, R> v, tensor_ref<const P, 0> beta1_power,
             tensor_ref<const P, 0> beta2_power, tensor_ref<const T, R> grad) const {
    // TF casts the powers to the variable's dtype.
    const T alpha =
        m_lr * std::sqrt(T(1) - static_cast<T>(beta2_power.data[0])) / (T(1) - static_cast<T>(beta1_power.data[0]));
    const T one_minus_beta1 = T(1) - m_beta1, one_minus_beta2 = T(1) - m_beta2;
    kernels::update<T>(
        var.size(),
        [&](auto& w, auto& mi, auto& vi, const auto& g) {
          using std::sqrt;
          mi += (g - mi) * one_minus_beta1;
          vi += (g * g - vi) * one_minus_beta2;
          w -= (mi * alpha) / (sqrt(vi) + m_epsilon);
        },
        var.data, m.data, v.data, grad.data);
  }
  bool operator==(const apply_adam& o) const {
    return locking_operation::operator==(o) && same_payload(m_lr, o.m_lr) && same_payload(m_beta1, o.m_beta1) &&
           same_payload(m_beta2, o.m_beta2) && same_payload(m_epsilon, o.m_epsilon);
  }
};

/// TF's ApplyRMSProp; operands: var, ms, mom, grad.
/// ms += (g^2 - ms) * (1 - rho); mom = mom * momentum + g * lr / sqrt(ms + epsilon); var -= mom.
template <class T>
struct apply_rms_prop : locking_operation {
  static constexpr std::string_view tf_name = "ApplyRMSProp";
  static constexpr bool updates_variable = true;
  static constexpr std::size_t updated_operands = 3;
  T m_lr{}, m_rho{}, m_momentum{}, m_epsilon{};

  template <std::size_t R>
  void apply(tensor_ref<T, R> var, tensor_ref<T, R> ms, tensor_ref<T, R> mom, tensor_ref<const T, R> grad) const {
    const T one_minus_rho = T(1) - m_rho;
    kernels::update<T>(
        var.size(),
        [&](auto& w, auto& s, auto& u, const auto& g) {
          using std::sqrt;
          s += (g * g - s) * one_minus_rho;
          u = u * m_momentum + (g * m_lr) / sqrt(s + m_epsilon);
          w -= u;
        },
        var.data, ms.data, mom.data, grad.data);
  }
  bool operator==(const apply_rms_prop& o) const {
    return locking_operation::operator==(o) && same_payload(m_lr, o.m_lr) && same_payload(m_rho, o.m_rho) &&
           same_payload(m_momentum, o.m_momentum) && same_payload(m_epsilon, o.m_epsilon);
  }
};

/// TF's ApplyCenteredRMSProp; operands: var, mg, ms, mom, grad. As ApplyRMSProp, with the
/// mean gradient mg += (g - mg) * (1 - rho) and the variance estimate ms - mg^2 + epsilon
/// in place of ms + epsilon.
template <class T>
struct apply_centered_rms_prop : locking_operation {
  static constexpr std::string_view tf_name = "ApplyCenteredRMSProp";
  static constexpr bool updates_variable = true;
  static constexpr std::size_t updated_operands = 4;
  T m_lr{}, m_rho{}, m_momentum{}, m_epsilon{};

  template <std::size_t R>
  void apply(tensor_ref<T, R> var, tensor_ref<T, R> mg, tensor_ref<T, R> ms, tensor_ref<T, R> mom,
             tensor_ref<const T, R> grad) const {
    const T one_minus_rho = T(1) - m_rho;
    kernels::update<T>(
        var.size(),
        [&](auto& w, auto& a, auto& s, auto& u, const auto& g) {
          using std::sqrt;
          s += (g * g - s) * one_minus_rho;
          a += (g - a) * one_minus_rho;
          u = u * m_momentum + (g * m_lr) / sqrt((s - a * a) + m_epsilon);
          w -= u;
        },
        var.data, mg.data, ms.data, mom.data, grad.data);
  }
  bool operator==(const apply_centered_rms_prop& o) const {
    return locking_operation::operator==(o) && same_payload(m_lr, o.m_lr) && same_payload(m_rho, o.m_rho) &&
           same_payload(m_momentum, o.m_momentum) && same_payload(m_epsilon, o.m_epsilon);
  }
};

/// TF's ApplyAdagrad; operands: var, accum, grad. accum += g^2; var -= g * lr / sqrt(accum).
template <class T>
struct apply_adagrad : locking_operation {
  static constexpr std::string_view tf_name = "ApplyAdagrad";
  static constexpr bool updates_variable = true;
  static constexpr std::size_t updated_operands = 2;
  T m_lr{};

  template <std::size_t R>
  void apply(tensor_ref<T, R> var, tensor_ref<T, R> accum, tensor_ref<const T, R> grad) const {
    kernels::update<T>(
        var.size(),
        [&](auto& w, auto& a, const auto& g) {
          using std::sqrt;
          a += g * g;
          w -= g * m_lr * (T(1) / sqrt(a));  // Eigen's rsqrt is 1 / sqrt
        },
        var.data, accum.data, grad.data);
  }
  bool operator==(const apply_adagrad& o) const {
    return locking_operation::operator==(o) && same_payload(m_lr, o.m_lr);
  }
};

/// var *= factor, after the operations among its other operands: Adam's beta powers
/// (TF builds it as Assign(var, Mul(var, beta)) under control dependencies on the updates).
template <class T>
struct scale_variable : operation {
  static constexpr std::string_view tf_name = "Assign";
  static constexpr bool updates_variable = true;
  T m_factor{};

  template <std::size_t R>
  void apply(tensor_ref<T, R> var) const {
    const std::size_t n = var.size();
    for (std::size_t i = 0; i < n; ++i) var.data[i] *= m_factor;
  }
  bool operator==(const scale_variable& o) const { return same_payload(m_factor, o.m_factor); }
};

/// global_step += 1, after the operations among its other operands (TF's
/// assign_add(global_step, 1) under a control dependency on the optimizer's updates).
template <class T>
struct increment_global_step : operation {
  static constexpr std::string_view tf_name = "AssignAdd";
  static constexpr bool updates_variable = true;

  void apply(tensor_ref<T, 0> step) const { step.data[0] += T(1); }
  bool operator==(const increment_global_step&) const = default;
};

}  // namespace typeflow::op

namespace typeflow {

/// tf.group(inputs...): one operation that runs all of its operands (assigns, train ops, ...).
template <graph_node... N>
  requires(sizeof...(N) > 0)
constexpr auto group(const N&... inputs) { return graph::node<op::group, N...>(op::group{}, inputs...); }

}  // namespace typeflow

#endif
