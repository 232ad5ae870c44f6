// The optimizers against TensorFlow's documented update formulas, computed here by hand in
// double with plain loops (independent of the update kernels), a few steps each; their slot
// variables (names, registration, values), global_step, compute_gradients/apply_gradients
// with a transformed gradient, and a steady step that allocates nothing.

#include <doctest/doctest.h>

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <tuple>
#include <type_traits>
#include <typeflow/typeflow.hpp>
#include <utility>
#include <vector>

#include "../regression_problem.hpp"
#include "allocation_counter.hpp"

namespace tf = typeflow;

namespace {

/// A variable type by name, to read a slot: var_t<"W/Adam", double, 2, 1>.
template <tf::fixed_string Name, class T, std::int64_t... D>
using var_t = tf::graph::variable<tf::name_of<Name>, T, tf::shape<D...>>;

using test::gradient;
using test::p0;
using test::params;

/// The regression's graph in dtype T: its placeholders, variables and loss, declared anew.
template <class T>
struct regression {
  tf::graph::placeholder<tf::name_of<"x">, T, tf::shape<tf::none, 2>> x = tf::placeholder<"x", T, tf::none, 2>();
  tf::graph::placeholder<tf::name_of<"y">, T, tf::shape<tf::none, 1>> y = tf::placeholder<"y", T, tf::none, 1>();
  var_t<"W", T, 2, 1> W;
  var_t<"b", T, 1> b;
  xt::xtensor<T, 2> X = {{1, 2}, {3, -1}, {0.5, 0.5}}, Y = {{1}, {2}, {3}};

  regression() {
    tf::reset_default_graph();
    W = tf::Variable<"W", T, 2, 1>(tf::constant(xt::xtensor<T, 2>{{T(p0[0])}, {T(p0[1])}}));
    b = tf::Variable<"b", T, 1>(tf::constant(T(p0[2])));
  }
  auto loss() const { return tf::reduce_mean(tf::square(y - (tf::matmul(x, W) + b))); }
  template <class Op>
  void run(tf::Session& sess, const Op& op) const {
    sess.run(op, tf::feed(x, X), tf::feed(y, Y));
  }
  params values(tf::Session& sess) const {
    const auto w = sess.run(W);
    return {double(w(0, 0)), double(w(1, 0)), double(sess.run(b)(0))};
  }
};

/// A W-shaped slot and b's as one params array.
template <class SW, class SB>
params slot_values(tf::Session& sess, SW sw, SB sb) {
  const auto w = sess.run(sw);
  return {double(w(0, 0)), double(w(1, 0)), double(sess.run(sb)(0))};
}

void check_close(const params& got, const params& want, double tol) {
  for (std::size_t j = 0; j < 3; ++j) CHECK(got[j] == doctest::Approx(want[j]).epsilon(tol));
}

std::vector<std::string> registered_names() {
  std::vector<std::string> names;
  for (const auto& v : tf::get_default_graph().variables()) names.push_back(v.name);
  return names;
}

bool registered(const std::string& name) {
  for (const auto& n : registered_names())
    if (n == name) return true;
  return false;
}

}  // namespace

TEST_CASE("train.momentum: accum = momentum * accum + g; var -= lr * accum, three steps by hand") {
  regression<double> r;
  auto train = tf::train::MomentumOptimizer(0.1, 0.9).minimize(r.loss());
  CHECK(registered("W/Momentum"));
  CHECK(registered("b/Momentum"));
  tf::Session sess;
  sess.run(tf::global_variables_initializer());
  params p = p0, accum{};
  for (int step = 0; step < 3; ++step) {
    r.run(sess, train);
    const params g = gradient(p);
    for (std::size_t j = 0; j < 3; ++j) {
      accum[j] = 0.9 * accum[j] + g[j];
      p[j] -= 0.1 * accum[j];
    }
    check_close(r.values(sess), p, 1e-13);
    check_close(slot_values(sess, var_t<"W/Momentum", double, 2, 1>{}, var_t<"b/Momentum", double, 1>{}), accum, 1e-13);
  }
}

TEST_CASE("train.momentum: Nesterov, var -= lr * g + lr * momentum * accum, by tag and in TF's argument order") {
  regression<double> r;
  auto by_tag = tf::train::MomentumOptimizer(0.05f, 0.8f, tf::train::use_nesterov).minimize(r.loss());
  auto in_tf_order = tf::train::MomentumOptimizer(0.05f, 0.8f, false, "Momentum", true).minimize(r.loss());
  static_assert(std::is_same_v<decltype(by_tag), decltype(in_tf_order)>);
  for (auto train : {by_tag, in_tf_order}) {
    tf::Session sess;
    sess.run(tf::global_variables_initializer());
    const double lr = double(0.05f), mu = double(0.8f);
    params p = p0, accum{};
    for (int step = 0; step < 3; ++step) {
      r.run(sess, train);
      const params g = gradient(p);
      for (std::size_t j = 0; j < 3; ++j) {
        accum[j] = mu * accum[j] + g[j];
        p[j] -= lr * g[j] + lr * mu * accum[j];
      }
      check_close(r.values(sess), p, 1e-13);
    }
  }
}

TEST_CASE_TEMPLATE("train.adam: TF's update with bias-corrected lr_t, three steps by hand", T, float, double) {
  regression<T> r;
  const double lr = 0.1, b1 = 0.9, b2 = 0.999, eps = 1e-8;
  auto train = tf::train::AdamOptimizer(lr).minimize(r.loss());
  for (const char* name : {"W/Adam", "W/Adam_1", "b/Adam", "b/Adam_1", "beta1_power", "beta2_power"})
    CHECK(registered(name));
  tf::Session sess;
  sess.run(tf::global_variables_initializer());
  params p = p0, m{}, v{};
  double b1t = b1, b2t = b2;  // beta^t, for the step t = 1, 2, ... being taken
  const double tol = std::is_same_v<T, float> ? 2e-5 : 1e-12;
  for (int step = 0; step < 3; ++step) {
    r.run(sess, train);
    const params g = gradient(p);
    const double lr_t = lr * std::sqrt(1 - b2t) / (1 - b1t);
    for (std::size_t j = 0; j < 3; ++j) {
      m[j] = b1 * m[j] + (1 - b1) * g[j];
      v[j] = b2 * v[j] + (1 - b2) * g[j] * g[j];
      p[j] -= lr_t * m[j] / (std::sqrt(v[j]) + eps);
    }
    b1t *= b1;
    b2t *= b2;
    check_close(r.values(sess), p, tol);
    check_close(slot_values(sess, var_t<"W/Adam", T, 2, 1>{}, var_t<"b/Adam", T, 1>{}), m, tol);
    check_close(slot_values(sess, var_t<"W/Adam_1", T, 2, 1>{}, var_t<"b/Adam_1", T, 1>{}), v, tol);
    // The powers are multiplied after the step's updates (which used beta^t): now beta^(t+1).
    CHECK(sess.run(var_t<"beta1_power", T>{})() == doctest::Approx(b1t).epsilon(tol));
    CHECK(sess.run(var_t<"beta2_power", T>{})() == doctest::Approx(b2t).epsilon(tol));
  }
}

TEST_CASE("train.rmsprop: ms starts at ones; mom = momentum * mom + lr * g / sqrt(ms + eps); var -= mom") {
  regression<double> r;
  const double lr = 0.01, rho = 0.8, mu = 0.5, eps = 1e-6;
  auto train = tf::train::RMSPropOptimizer(lr, rho, mu, eps).minimize(r.loss());
  static_assert(!decltype(tf::train::RMSPropOptimizer(lr))::is_centered);
  CHECK(registered("W/RMSProp"));
  CHECK(registered("W/RMSProp_1"));
  CHECK(!registered("W/RMSProp_2"));
  tf::Session sess;
  sess.run(tf::global_variables_initializer());
  params p = p0, ms = {1, 1, 1}, mom{};
  for (int step = 0; step < 3; ++step) {
    r.run(sess, train);
    const params g = gradient(p);
    for (std::size_t j = 0; j < 3; ++j) {
      ms[j] = rho * ms[j] + (1 - rho) * g[j] * g[j];
      mom[j] = mu * mom[j] + lr * g[j] / std::sqrt(ms[j] + eps);
      p[j] -= mom[j];
    }
    check_close(r.values(sess), p, 1e-13);
    check_close(slot_values(sess, var_t<"W/RMSProp", double, 2, 1>{}, var_t<"b/RMSProp", double, 1>{}), ms, 1e-13);
    check_close(slot_values(sess, var_t<"W/RMSProp_1", double, 2, 1>{}, var_t<"b/RMSProp_1", double, 1>{}), mom, 1e-13);
  }
}

TEST_CASE("train.rmsprop: centered divides by sqrt(ms - mg^2 + eps); slots RMSProp (ms), _1 (mg), _2 (mom)") {
  regression<double> r;
  const double lr = 0.01, rho = 0.9, mu = 0.3, eps = 1e-10;
  auto opt = tf::train::RMSPropOptimizer(lr, rho, mu, eps, false, tf::train::centered);
  static_assert(decltype(opt)::is_centered);
  static_assert(decltype(tf::train::RMSPropOptimizer(lr, tf::train::centered))::is_centered);
  auto train = opt.minimize(r.loss());
  tf::Session sess;
  sess.run(tf::global_variables_initializer());
  params p = p0, ms = {1, 1, 1}, mg{}, mom{};
  for (int step = 0; step < 3; ++step) {
    r.run(sess, train);
    const params g = gradient(p);
    for (std::size_t j = 0; j < 3; ++j) {
      ms[j] = rho * ms[j] + (1 - rho) * g[j] * g[j];
      mg[j] = rho * mg[j] + (1 - rho) * g[j];
      mom[j] = mu * mom[j] + lr * g[j] / std::sqrt(ms[j] - mg[j] * mg[j] + eps);
      p[j] -= mom[j];
    }
    check_close(r.values(sess), p, 1e-12);
    check_close(slot_values(sess, var_t<"W/RMSProp", double, 2, 1>{}, var_t<"b/RMSProp", double, 1>{}), ms, 1e-12);
    check_close(slot_values(sess, var_t<"W/RMSProp_1", double, 2, 1>{}, var_t<"b/RMSProp_1", double, 1>{}), mg, 1e-12);
    check_close(slot_values(sess, var_t<"W/RMSProp_2", double, 2, 1>{}, var_t<"b/RMSProp_2", double, 1>{}), mom, 1e-12);
  }
  // A bool in centered's place must agree with the type.
  CHECK_THROWS_AS(tf::train::RMSPropOptimizer(lr, rho, mu, eps, false, true), tf::error);
}

TEST_CASE("train.adagrad: accum (from initial_accumulator_value) += g^2; var -= lr * g / sqrt(accum)") {
  regression<double> r;
  auto train = tf::train::AdagradOptimizer(0.2, 0.3).minimize(r.loss());
  CHECK(registered("W/Adagrad"));
  tf::Session sess;
  sess.run(tf::global_variables_initializer());
  params p = p0, accum = {0.3, 0.3, 0.3};
  for (int step = 0; step < 3; ++step) {
    r.run(sess, train);
    const params g = gradient(p);
    for (std::size_t j = 0; j < 3; ++j) {
      accum[j] += g[j] * g[j];
      p[j] -= 0.2 * g[j] / std::sqrt(accum[j]);
    }
    check_close(r.values(sess), p, 1e-13);
    check_close(slot_values(sess, var_t<"W/Adagrad", double, 2, 1>{}, var_t<"b/Adagrad", double, 1>{}), accum, 1e-13);
  }
  CHECK_THROWS_AS(tf::train::AdagradOptimizer(0.1, 0.0), tf::error);
}

TEST_CASE("train.slots: registered with TF's names, dtypes and shapes; named by the optimizer's name") {
  regression<float> r;
  tf::train::AdamOptimizer().minimize(r.loss());
  tf::train::MomentumOptimizer<"Mom">(0.1, 0.9).minimize(r.loss(), tf::var_list(r.W));
  tf::train::AdamOptimizer<"D_Adam">().minimize(r.loss(), tf::var_list(r.b));
  const std::vector<std::string> want = {
      "W",        "b",     "beta1_power",        "beta2_power",        "W/Adam",   "W/Adam_1",  "b/Adam",
      "b/Adam_1", "W/Mom", "D_Adam/beta1_power", "D_Adam/beta2_power", "b/D_Adam", "b/D_Adam_1"};
  CHECK(registered_names() == want);
  for (const auto& v : tf::get_default_graph().variables()) {
    CHECK(v.dtype == "float32");
    if (v.name.ends_with("_power")) CHECK(v.shape.empty());
    else if (v.name.starts_with("W")) CHECK(v.shape == std::vector<std::int64_t>{2, 1});
    else CHECK(v.shape == std::vector<std::int64_t>{1});
  }
  // The name argument must be the one in the type, which names the slots.
  CHECK_THROWS_AS(tf::train::MomentumOptimizer(0.1, 0.9, false, "Other"), tf::error);
  CHECK_NOTHROW(tf::train::MomentumOptimizer<"Other">(0.1, 0.9, false, "Other"));
  // global_variables_initializer sets the slots too: a step runs without an uninitialised value.
  tf::Session sess;
  sess.run(tf::global_variables_initializer());
  CHECK(sess.run(var_t<"W/Adam_1", float, 2, 1>{}) == xt::zeros<float>({2, 1}));
  CHECK(sess.run(var_t<"beta2_power", float>{})() == 0.999f);
}

TEST_CASE("train.slots: a slot is an ordinary variable, uninitialised until the initializer runs") {
  regression<double> r;
  tf::Session sess;
  sess.run(tf::global_variables_initializer());  // before the optimizer declared its slots
  auto train = tf::train::AdagradOptimizer(0.1).minimize(r.loss());
  CHECK_THROWS_WITH_AS(r.run(sess, train), doctest::Contains("uninitialized value W/Adagrad"), tf::error);
  sess.run(tf::global_variables_initializer());
  CHECK_NOTHROW(r.run(sess, train));
}

TEST_CASE("train.global_step: get_or_create_global_step is an int64 scalar that each step adds 1 to") {
  regression<double> r;
  auto step = tf::train::get_or_create_global_step();
  static_assert(std::is_same_v<tf::value_t<decltype(step)>, std::int64_t> && tf::rank_v<decltype(step)> == 0);
  CHECK(registered("global_step"));
  auto gd = tf::train::GradientDescentOptimizer(0.1).minimize(r.loss(), step);                    // TF1's order
  auto adam = tf::train::AdamOptimizer(0.1).minimize(r.loss(), step, tf::var_list(r.W));          // TF1's order
  auto mom = tf::train::MomentumOptimizer(0.1, 0.9).minimize(r.loss(), tf::var_list(r.b), step);  // either order
  tf::Session sess;
  sess.run(tf::global_variables_initializer());
  CHECK(sess.run(step)() == 0);
  r.run(sess, gd);
  r.run(sess, gd);
  CHECK(sess.run(step)() == 2);
  r.run(sess, adam);
  r.run(sess, mom);
  CHECK(sess.run(step)() == 4);
  // One GD step changes the variables as without a global step.
  const params before = r.values(sess), g = gradient(before);
  r.run(sess, gd);
  check_close(r.values(sess), {before[0] - 0.1 * g[0], before[1] - 0.1 * g[1], before[2] - 0.1 * g[2]}, 1e-13);
  CHECK(sess.run(step)() == 5);
}

TEST_CASE("train.apply_gradients: gradients transformed between compute_gradients and apply_gradients") {
  regression<double> r;
  auto opt = tf::train::MomentumOptimizer(0.1, 0.9);
  auto grads_and_vars = opt.compute_gradients(r.loss());
  static_assert(std::tuple_size_v<decltype(grads_and_vars)> == 2);
  static_assert(std::is_same_v<decltype(std::get<0>(grads_and_vars).second), decltype(r.W)>);
  static_assert(std::is_same_v<decltype(std::get<1>(grads_and_vars).second), decltype(r.b)>);
  // Scale every gradient by 0.5 (as a clip by a fixed norm would), then apply with a global step.
  auto scaled = std::apply(
      [](const auto&... gv) {
        return std::make_tuple(std::pair{gv.first * 0.5, gv.second}...);
      },
      grads_and_vars);
  auto step = tf::train::get_or_create_global_step();
  auto train = opt.apply_gradients(scaled, step);
  tf::Session sess;
  sess.run(tf::global_variables_initializer());
  // The untransformed gradients are the hand-computed ones.
  const auto dW = sess.run(std::get<0>(grads_and_vars).first, tf::feed(r.x, r.X), tf::feed(r.y, r.Y));
  const params g0 = gradient(p0);
  CHECK(dW(0, 0) == doctest::Approx(g0[0]).epsilon(1e-13));
  CHECK(dW(1, 0) == doctest::Approx(g0[1]).epsilon(1e-13));
  params p = p0, accum{};
  for (int i = 0; i < 3; ++i) {
    r.run(sess, train);
    const params g = gradient(p);
    for (std::size_t j = 0; j < 3; ++j) {
      accum[j] = 0.9 * accum[j] + 0.5 * g[j];
      p[j] -= 0.1 * accum[j];
    }
    check_close(r.values(sess), p, 1e-13);
  }
  CHECK(sess.run(step)() == 3);
}

TEST_CASE("train.allocations: a steady Adam or centered RMSProp step with a global step allocates nothing") {
  regression<float> r;
  auto step = tf::train::get_or_create_global_step();
  auto adam = tf::train::AdamOptimizer(0.01).minimize(r.loss(), step);
  auto rms = tf::train::RMSPropOptimizer(0.01, tf::train::centered).minimize(r.loss());
  tf::Session sess;
  sess.run(tf::global_variables_initializer());
  r.run(sess, adam);  // builds the plans and their buffers
  r.run(sess, rms);
  CHECK(test::allocations_of([&] { r.run(sess, adam); }) == 0);
  CHECK(test::allocations_of([&] { r.run(sess, rms); }) == 0);
  CHECK(sess.run(step)() == 2);
}

TEST_CASE_TEMPLATE(
    "train.kernels: the square-root updates on 37 values (SIMD batches and a tail), against loops in double", T, float,
    double) {
  // The regression above has 3 values, fewer than a batch: here every lane and the tail run.
  constexpr std::size_t n = 37;
  std::vector<T> var(n), s1(n), s2(n), s3(n), grad(n);
  const auto refill = [&] {
    for (std::size_t i = 0; i < n; ++i) {
      const double t = static_cast<double>(i);
      var[i] = T(std::sin(t));
      s1[i] = T(0.1 * std::cos(3 * t));
      s2[i] = T(0.5 + 0.25 * std::sin(2 * t));  // a second moment or accumulator: positive
      s3[i] = T(0.2 * std::sin(5 * t));
      grad[i] = T(std::cos(7 * t) - 0.3);
    }
  };
  const auto ref = [](const std::vector<T>& v) { return std::vector<double>(v.begin(), v.end()); };
  const auto check = [](const std::vector<T>& got, const std::vector<double>& want) {
    const double tol = std::is_same_v<T, float> ? 1e-5 : 1e-13;
    for (std::size_t i = 0; i < got.size(); ++i) CHECK(double(got[i]) == doctest::Approx(want[i]).epsilon(tol));
  };
  const auto ref_of = [](std::vector<T>& v) { return tf::tensor_ref<T, 1>{v.data(), {v.size()}}; };
  const auto in = [](const std::vector<T>& v) { return tf::tensor_ref<const T, 1>{v.data(), {v.size()}}; };
  const double lr = 0.01, b1 = 0.9, b2 = 0.999, eps = 1e-7, rho = 0.9, mu = 0.5;

  SUBCASE("ApplyAdam") {
    refill();
    auto w = ref(var), m = ref(s1), v = ref(s2);
    const auto g = ref(grad);
    const T p1 = T(0.81), p2 = T(0.998);  // beta powers after two steps
    tf::op::apply_adam<T>{{}, T(lr), T(b1), T(b2), T(eps)}.apply(ref_of(var), ref_of(s1), ref_of(s2),
                                                                 tf::tensor_ref<const T, 0>{&p1, {}},
                                                                 tf::tensor_ref<const T, 0>{&p2, {}}, in(grad));
    const double alpha = lr * std::sqrt(1 - double(p2)) / (1 - double(p1));
    for (std::size_t i = 0; i < n; ++i) {
      m[i] += (g[i] - m[i]) * (1 - b1);
      v[i] += (g[i] * g[i] - v[i]) * (1 - b2);
      w[i] -= m[i] * alpha / (std::sqrt(v[i]) + eps);
    }
    check(var, w);
    check(s1, m);
    check(s2, v);
  }
  SUBCASE("ApplyRMSProp and ApplyCenteredRMSProp") {
    for (const bool centered : {false, true}) {
      refill();
      auto w = ref(var), mg = ref(s1), ms = ref(s2), mom = ref(s3);
      const auto g = ref(grad);
      if (centered)
        tf::op::apply_centered_rms_prop<T>{{}, T(lr), T(rho), T(mu), T(eps)}.apply(ref_of(var), ref_of(s1), ref_of(s2),
                                                                                   ref_of(s3), in(grad));
      else
        tf::op::apply_rms_prop<T>{{}, T(lr), T(rho), T(mu), T(eps)}.apply(ref_of(var), ref_of(s2), ref_of(s3),
                                                                          in(grad));
      for (std::size_t i = 0; i < n; ++i) {
        ms[i] += (g[i] * g[i] - ms[i]) * (1 - rho);
        if (centered) mg[i] += (g[i] - mg[i]) * (1 - rho);
        mom[i] = mom[i] * mu + g[i] * lr / std::sqrt(ms[i] - (centered ? mg[i] * mg[i] : 0.0) + eps);
        w[i] -= mom[i];
      }
      CAPTURE(centered);
      check(var, w);
      check(s1, mg);
      check(s2, ms);
      check(s3, mom);
    }
  }
  SUBCASE("ApplyAdagrad") {
    refill();
    auto w = ref(var), a = ref(s2);
    const auto g = ref(grad);
    tf::op::apply_adagrad<T>{{}, T(lr)}.apply(ref_of(var), ref_of(s2), in(grad));
    for (std::size_t i = 0; i < n; ++i) {
      a[i] += g[i] * g[i];
      w[i] -= g[i] * lr / std::sqrt(a[i]);
    }
    check(var, w);
    check(s2, a);
  }
}
