// The typeflow side of tf_runs_pb.py: trains a TF1 program, freezes it as the course's PB mode
// does, and writes the .pb with typeflow's own outputs for TensorFlow to match.
//
//   pb_freeze PROGRAM DIR      PROGRAM: linear_regression or mlp
//
// Writes DIR/PROGRAM.pb and prints {"pb": path, "x": input, "y": typeflow's op_to_store} as JSON.

#include <cmath>
#include <cstdint>
#include <fstream>
#include <iostream>
#include <random>
#include <string>
#include <typeflow/typeflow.hpp>

#include "../interop_json.hpp"

namespace tf = typeflow;

namespace {

/// Inputs in [-1, 1) from a fixed seed (mt19937's integers are the same on every platform).
template <std::size_t R>
xt::xtensor<float, R> inputs(const std::array<std::size_t, R>& dims, std::uint32_t seed) {
  std::mt19937 rng(seed);
  xt::xtensor<float, R> x(dims);
  for (auto& v : x) v = static_cast<float>(rng() % 20000) / 10000.0f - 1.0f;
  return x;
}

void write_file(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out << bytes;
  if (!out.flush()) throw tf::error("cannot write " + path);
}

/// The seed's PB mode: freeze op_to_store, write the .pb, and print the JSON record.
template <class X, class XV, class Y>
int freeze(tf::Session& sess, const X& x, const XV& X_value, const Y& y, const std::string& path) {
  tf::GraphDef constant_graph = tf::graph_util::convert_variables_to_constants(sess, sess.graph_def(), {"op_to_store"});
  write_file(path, constant_graph.SerializeToString());
  std::cout << "{\"pb\": \"" << path << "\", \"x\": " << test::json(X_value)
            << ", \"y\": " << test::json(sess.run(y, tf::feed(x, X_value))) << "}\n";
  return 0;
}

/// The TF1 linear regression of examples/linear_regression.cpp: y = x W + b, gradient descent.
int linear_regression(const std::string& dir) {
  auto x = tf::placeholder<"x", float, tf::none, 3>();
  auto y = tf::placeholder<"y", float, tf::none, 1>();
  auto W = tf::Variable<"weight", float, 3, 1>(tf::random_normal(0.0, 1.0, 1));
  auto b = tf::Variable<"bias", float, 1>(tf::zeros());
  auto pred = tf::identity<"op_to_store">(tf::matmul(x, W) + b);
  auto loss = tf::reduce_mean(tf::square(y - pred));
  auto train = tf::train::GradientDescentOptimizer(0.05).minimize(loss);
  const auto X = inputs<2>({200, 3}, 7);
  xt::xtensor<float, 2> Y({200, 1});
  for (std::size_t i = 0; i < 200; ++i) Y(i, 0) = 2.0f * X(i, 0) - 3.0f * X(i, 1) + 0.5f * X(i, 2) + 1.5f;
  tf::Session sess;
  sess.run(tf::global_variables_initializer());
  for (int step = 0; step < 200; ++step) sess.run(train, tf::feed(x, X), tf::feed(y, Y));
  return freeze(sess, x, inputs<2>({16, 3}, 8), pred, dir + "/linear_regression.pb");
}

/// A digits-sized MLP (8x8 inputs, 32 ReLU units, 10 classes), trained with Adam; the frozen
/// output is the softmax.
int mlp(const std::string& dir) {
  auto x = tf::placeholder<"x", float, tf::none, 64>();
  auto labels = tf::placeholder<"labels", float, tf::none, 10>();
  auto W1 = tf::Variable<"hidden/W", float, 64, 32>(tf::truncated_normal(0.0, 0.1, 2));
  auto b1 = tf::Variable<"hidden/b", float, 32>(tf::constant(0.1f));
  auto W2 = tf::Variable<"out/W", float, 32, 10>(tf::truncated_normal(0.0, 0.1, 3));
  auto b2 = tf::Variable<"out/b", float, 10>(tf::zeros());
  auto hidden = tf::nn::relu(tf::matmul(x, W1) + b1);
  auto logits = tf::named<"logits">(tf::matmul(hidden, W2) + b2);
  auto probs = tf::identity<"op_to_store">(tf::nn::softmax(logits));
  auto loss = tf::reduce_mean(tf::nn::softmax_cross_entropy_with_logits(tf::labels = labels, tf::logits = logits));
  auto train = tf::train::AdamOptimizer(0.01).minimize(loss);
  const auto X = inputs<2>({128, 64}, 9);
  xt::xtensor<float, 2> Y = xt::zeros<float>({128, 10});
  for (std::size_t i = 0; i < 128; ++i) {  // the class: which tenth of [-1, 1) the row's mean falls in
    float mean = 0;
    for (std::size_t j = 0; j < 64; ++j) mean += X(i, j) / 64;
    Y(i, std::min<std::size_t>(9, static_cast<std::size_t>(std::max(0.0f, (mean * 4 + 1) * 5)))) = 1;
  }
  tf::Session sess;
  sess.run(tf::global_variables_initializer());
  for (int step = 0; step < 100; ++step) sess.run(train, tf::feed(x, X), tf::feed(labels, Y));
  return freeze(sess, x, inputs<2>({64, 64}, 10), probs, dir + "/mlp.pb");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: pb_freeze linear_regression|mlp DIR\n";
    return 2;
  }
  try {
    const std::string program = argv[1];
    if (program == "linear_regression") return linear_regression(argv[2]);
    if (program == "mlp") return mlp(argv[2]);
    std::cerr << "unknown program " << program << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "pb_freeze: " << e.what() << "\n";
    return 1;
  }
}
