// The typeflow half of tf1_programs.py: TF1 programs as a user writes them, translated line by
// line as docs/FROM_TF1.md says (unnamed variables from tf.zeros, a number and an array, keyword
// losses, tf.ones_like, tf.linspace, a fetch list, `avg_cost += c / total_batch`, eval).
//
//   tf1_programs_parity logistic|binary DATA_DIR EPOCHS
//
// Reads x.txt, y.txt (and w0.txt for binary) from DATA_DIR and prints JSON: the cost of each
// epoch ("costs"), then the program's final values.

#include <cstddef>
#include <cstdint>
#include <exception>
#include <iostream>
#include <sstream>
#include <string>
#include <typeflow/typeflow.hpp>
#include <vector>
#include <xtensor/xview.hpp>

#include "parity_io.hpp"

namespace tf = typeflow;
using parity::json_array;
using parity::json_number;
using parity::read_tensor;

namespace {

constexpr std::size_t features = 8, classes = 3, batch_size = 40;

xt::xtensor<float, 2> rows(const xt::xtensor<float, 2>& a, std::size_t begin, std::size_t end) {
  return xt::view(a, xt::range(begin, end), xt::all());
}

// The TF1 course's logistic regression (softmax of x W + b, cross-entropy written out, plain
// gradient descent in mini-batches), on features scaled by tf.linspace.
int logistic(const std::string& dir, int epochs) {
  const auto X = read_tensor<2>(dir + "/x.txt", {0, features}, /*any_rows=*/true);
  const auto Y = read_tensor<2>(dir + "/y.txt", {X.shape(0), classes});
  const std::size_t total_batch = X.shape(0) / batch_size;

  //[ tf1_logistic_regression
  auto x = tf::placeholder<"x", float, tf::none, features>();
  auto y = tf::placeholder<"y", float, tf::none, classes>();
  auto W = tf::Variable(tf::zeros<features, classes>());
  auto b = tf::Variable(tf::zeros<classes>());
  auto scaled = x * tf::linspace<features>(0.5f, 1.5f);
  auto pred = tf::nn::softmax(tf::matmul(scaled, W) + b);
  auto cost = tf::reduce_mean(-tf::reduce_sum(y * tf::log(pred), tf::axis<1>));
  auto optimizer = tf::train::GradientDescentOptimizer(0.5).minimize(cost);
  auto correct = tf::equal(tf::argmax(pred, tf::axis<1>), tf::argmax(y, tf::axis<1>));
  auto accuracy = tf::reduce_mean(tf::cast<float>(correct));

  tf::Session sess;
  sess.run(tf::global_variables_initializer());
  std::vector<float> costs;
  for (int epoch = 0; epoch < epochs; ++epoch) {
    double avg_cost = 0;
    for (std::size_t i = 0; i < total_batch; ++i) {
      const auto batch_xs = rows(X, i * batch_size, (i + 1) * batch_size);
      const auto batch_ys = rows(Y, i * batch_size, (i + 1) * batch_size);
      auto [_, c] = sess.run(tf::fetch(optimizer, cost), tf::feed(x, batch_xs), tf::feed(y, batch_ys));
      avg_cost += c / total_batch;
    }
    costs.push_back(static_cast<float>(avg_cost));
  }
  const float acc = accuracy.eval(sess, tf::feed(x, X), tf::feed(y, Y));
  //]
  std::cout << "{\"costs\": " << json_array(costs) << ",\n \"accuracy\": " << json_number(acc)
            << ",\n \"W\": " << json_array(sess.run(W)) << ",\n \"b\": " << json_array(sess.run(b)) << "}\n";
  return 0;
}

// A binary classifier with a GAN generator's term: sigmoid cross-entropies by keyword (one
// against tf.ones_like), a scalar bias from tf.Variable(0.5), weights from a numpy array, Adam,
// and tf.losses.mean_squared_error as a metric.
int binary(const std::string& dir, int epochs) {
  const auto X = read_tensor<2>(dir + "/x.txt", {0, features}, /*any_rows=*/true);
  const auto Y = read_tensor<2>(dir + "/y.txt", {X.shape(0), 1});
  const auto w0 = read_tensor<2>(dir + "/w0.txt", {features, 1});

  //[ tf1_binary_classifier
  auto x = tf::placeholder<"x", float, tf::none, features>();
  auto y = tf::placeholder<"y", float, tf::none, 1>();
  auto W = tf::Variable<float, features, 1>(w0);
  auto b = tf::Variable(0.5f);
  auto logits = tf::matmul(x, W) + b;
  auto loss = tf::reduce_mean(tf::nn::sigmoid_cross_entropy_with_logits(tf::logits = logits, tf::labels = y)) +
              0.5f * tf::reduce_mean(tf::nn::sigmoid_cross_entropy_with_logits(tf::labels = tf::ones_like(logits),
                                                                               tf::logits = logits));
  auto mse = tf::losses::mean_squared_error(tf::labels = y, tf::predictions = tf::sigmoid(logits));
  auto train = tf::train::AdamOptimizer(0.05).minimize(loss);

  tf::Session sess;
  sess.run(tf::global_variables_initializer());
  std::vector<float> costs, errors;
  for (int epoch = 0; epoch < epochs; ++epoch) {
    auto [l, m, _] = sess.run(tf::fetch(loss, mse, train), tf::feed(x, X), tf::feed(y, Y));
    costs.push_back(l);
    errors.push_back(m);
  }
  //]
  std::cout << "{\"costs\": " << json_array(costs) << ",\n \"mse\": " << json_array(errors)
            << ",\n \"W\": " << json_array(sess.run(W)) << ",\n \"b\": " << json_number(sess.run(b)) << "}\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::cerr << "usage: " << argv[0] << " logistic|binary DATA_DIR EPOCHS\n";
    return 2;
  }
  try {
    const std::string program = argv[1];
    const int epochs = std::stoi(argv[3]);
    if (program == "logistic") return logistic(argv[2], epochs);
    if (program == "binary") return binary(argv[2], epochs);
    throw std::runtime_error("unknown program '" + program + "' (logistic or binary)");
  } catch (const std::exception& e) {
    std::cerr << argv[0] << ": " << e.what() << "\n";
    return 1;
  }
}
