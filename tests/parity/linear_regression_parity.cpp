// The typeflow half of the TensorFlow parity test (see tf_parity.py, which runs both halves).
//
//   linear_regression_parity DATA_DIR STEPS LEARNING_RATE [gd|adam]
//
// Reads x.txt [N, 3], y.txt [N, 1], w0.txt [3, 1] and b0.txt [1] from DATA_DIR, builds the
// TF1 linear regression of tf_parity.py op for op, trained by GradientDescentOptimizer (gd,
// the default) or AdamOptimizer (adam, TF's other defaults), runs STEPS training steps and
// prints JSON:
//
//   {"losses": [loss fetched with train at step 0, 1, ...], "loss": loss after the last step,
//    "W": [3 values], "b": [1 value], "slots": {name: [values], ...}}
//
// "slots" holds the optimizer's extra variables by TF's names (Adam's W/Adam, W/Adam_1,
// b/Adam, b/Adam_1, beta1_power, beta2_power; none for gd).
//
// losses[i] is fetched together with the train op, so it is the loss *before* update i (as in
// TF's sess.run([loss, train])): losses[0] checks the forward pass, losses[1] the first update.
//
// The files' format is parity_io.hpp's.

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <fstream>
#include <iostream>
#include <limits>
#include <sstream>
#include <string>
#include <typeflow/typeflow.hpp>
#include <vector>

#include "parity_io.hpp"

namespace tf = typeflow;
using parity::json_array;
using parity::json_number;
using parity::read_tensor;

namespace {

template <tf::fixed_string Name, std::int64_t... D>
std::string json_slot(tf::Session& sess) {
  using V = tf::graph::variable<tf::name_of<Name>, float, tf::shape<D...>>;
  return "\"" + std::string(V::name_type::view()) + "\": " + json_array(sess.run(V{}));
}

int run(const std::string& dir, int steps, double learning_rate, const std::string& optimizer) {
  const auto x = read_tensor<2>(dir + "/x.txt", {0, 3}, /*any_rows=*/true);
  const auto y = read_tensor<2>(dir + "/y.txt", {x.shape(0), 1});
  const auto w0 = read_tensor<2>(dir + "/w0.txt", {3, 1});
  const auto b0 = read_tensor<1>(dir + "/b0.txt", {1});

  // The graph of tf_parity.py's tf1_train(), op for op.
  auto X = tf::placeholder<"X", float, tf::none, 3>();
  auto Y = tf::placeholder<"Y", float, tf::none, 1>();
  auto W = tf::Variable<"W", float, 3, 1>(tf::constant(w0));
  auto b = tf::Variable<"b", float, 1>(tf::constant(b0));
  auto pred = tf::matmul(X, W) + b;
  auto loss = tf::reduce_mean(tf::square(Y - pred));
  // One training loop for either optimizer; `slots` prints its extra variables.
  const auto train_and_print = [&](const auto& train, const auto& slots) {
    tf::Session sess;
    sess.run(tf::global_variables_initializer());
    std::vector<float> losses;
    for (int step = 0; step < steps; ++step) {
      auto [loss_val, _] = sess.run(tf::fetch(loss, train), tf::feed(X, x), tf::feed(Y, y));
      losses.push_back(loss_val());
    }
    const auto final_loss = sess.run(loss, tf::feed(X, x), tf::feed(Y, y));
    const auto w = sess.run(W);
    const auto bias = sess.run(b);

    std::cout << "{\"losses\": " << json_array(losses) << ",\n \"loss\": " << json_number(final_loss())
              << ",\n \"W\": " << json_array(w) << ",\n \"b\": " << json_array(bias) << ",\n \"slots\": {"
              << slots(sess) << "}}\n";
    return 0;
  };
  if (optimizer == "gd")
    return train_and_print(tf::train::GradientDescentOptimizer(learning_rate).minimize(loss),
                           [](tf::Session&) { return std::string(); });
  if (optimizer == "adam")
    return train_and_print(tf::train::AdamOptimizer(learning_rate).minimize(loss), [](tf::Session& sess) {
      return json_slot<"W/Adam", 3, 1>(sess) + ", " + json_slot<"W/Adam_1", 3, 1>(sess) + ", " +
             json_slot<"b/Adam", 1>(sess) + ", " + json_slot<"b/Adam_1", 1>(sess) + ", " +
             json_slot<"beta1_power">(sess) + ", " + json_slot<"beta2_power">(sess);
    });
  throw std::runtime_error("unknown optimizer '" + optimizer + "' (gd or adam)");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4 && argc != 5) {
    std::cerr << "usage: " << argv[0] << " DATA_DIR STEPS LEARNING_RATE [gd|adam]\n";
    return 2;
  }
  try {
    std::size_t used = 0;
    const std::string steps_arg = argv[2], lr_arg = argv[3];
    const int steps = std::stoi(steps_arg, &used);
    if (used != steps_arg.size() || steps < 0) throw std::runtime_error("bad STEPS '" + steps_arg + "'");
    const double learning_rate = std::stod(lr_arg, &used);
    if (used != lr_arg.size()) throw std::runtime_error("bad LEARNING_RATE '" + lr_arg + "'");
    return run(argv[1], steps, learning_rate, argc == 5 ? argv[4] : "gd");
  } catch (const std::exception& e) {
    std::cerr << argv[0] << ": " << e.what() << "\n";
    return 1;
  }
}
