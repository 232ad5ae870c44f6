// A convolutional network that learns the 8x8 handwritten digits, as a TensorFlow 1.x program:
// the second program of every TF1 course, after the multilayer perceptron.
//
//   cnn_classifier [--data FILE] [--epochs N] [--quiet] [--min-accuracy A]
//
// conv 3x3 (32) -> max-pool 2x2 -> conv 3x3 (64) -> max-pool 2x2 -> dense 128 with dropout ->
// 10 logits; ReLUs, batch normalisation after each convolution, softmax cross-entropy, Adam,
// mini-batches of 64 reshuffled every epoch. Dropout and batch normalisation are switched off
// for evaluation through placeholders, as TF1 programs do (the rate fed 0, `training` false).
// The data and the 20% held out are examples/digits.hpp's, as for mlp_classifier; the held-out
// accuracy is printed after each epoch. --min-accuracy A makes the exit status 1 below A.

#ifndef TYPEFLOW_EXAMPLE_DATA_DIR
#define TYPEFLOW_EXAMPLE_DATA_DIR "examples/data"
#endif

#include <algorithm>
#include <cstdint>
#include <iomanip>
#include <iostream>
#include <string>
#include <typeflow/typeflow.hpp>
#include <vector>

#include "digits.hpp"

namespace tf = typeflow;

int main(int argc, char** argv) try {
  std::string data_path = std::string(TYPEFLOW_EXAMPLE_DATA_DIR) + "/digits.csv";
  int epochs = 40;
  bool quiet = false;
  double min_accuracy = 0;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&] {
      if (i + 1 >= argc) throw std::runtime_error(arg + " needs a value");
      return std::string(argv[++i]);
    };
    if (arg == "--data") data_path = value();
    else if (arg == "--epochs") {
      const double v = digits::parse_number(arg, value());
      if (v < 1 || v > 1e6 || v != static_cast<double>(static_cast<int>(v)))
        throw std::runtime_error("--epochs needs a whole number >= 1");
      epochs = static_cast<int>(v);
    } else if (arg == "--quiet") quiet = true;
    else if (arg == "--min-accuracy") min_accuracy = digits::parse_number(arg, value());
    else {
      std::cerr << "usage: " << argv[0] << " [--data FILE] [--epochs N] [--quiet] [--min-accuracy A]\n";
      return 2;
    }
  }
  const digits::data_set all = digits::read_digits(data_path);
  auto [order, n_train, rng] = digits::held_out_split(all.y.size());
  const digits::data_set test = digits::rows(all, order, n_train, all.y.size());
  const std::size_t batch_size = 64;

  //[ cnn_classifier
  auto x = tf::placeholder<"x", float, tf::none, 64>();
  auto y = tf::placeholder<"y", std::int64_t, tf::none>();
  auto training = tf::placeholder<"training", bool>();
  auto dropout_rate = tf::placeholder<"dropout_rate", float>();
  auto images = tf::reshape<-1, 8, 8, 1>(x);

  auto W1 = tf::Variable<"conv1/W", float, 3, 3, 1, 32>(tf::truncated_normal(0.0, 0.1, /*seed=*/1));
  auto conv1 = tf::layers::batch_normalization<"bn1">(
      tf::nn::conv2d(images, W1, tf::strides<1, 1, 1, 1>, tf::padding<"SAME">), training, /*momentum=*/0.9);
  auto pool1 = tf::nn::max_pool(tf::nn::relu(conv1.output), tf::ksize<1, 2, 2, 1>, tf::strides<1, 2, 2, 1>,
                                tf::padding<"SAME">);  // [None, 4, 4, 32]

  auto W2 = tf::Variable<"conv2/W", float, 3, 3, 32, 64>(tf::truncated_normal(0.0, 0.1, /*seed=*/2));
  auto conv2 = tf::layers::batch_normalization<"bn2">(
      tf::nn::conv2d(pool1, W2, tf::strides<1, 1, 1, 1>, tf::padding<"SAME">), training, /*momentum=*/0.9);
  auto pool2 = tf::nn::max_pool(tf::nn::relu(conv2.output), tf::ksize<1, 2, 2, 1>, tf::strides<1, 2, 2, 1>,
                                tf::padding<"SAME">);  // [None, 2, 2, 64]

  auto W3 = tf::Variable<"fc1/W", float, 256, 128>(tf::truncated_normal(0.0, 0.05, /*seed=*/3));
  auto b3 = tf::Variable<"fc1/b", float, 128>(tf::constant(0.1f));
  auto fc1 = tf::nn::dropout(tf::nn::relu(tf::matmul(tf::reshape<-1, 256>(pool2), W3) + b3), dropout_rate, /*seed=*/4);
  auto W4 = tf::Variable<"fc2/W", float, 128, 10>(tf::truncated_normal(0.0, 0.05, /*seed=*/5));
  auto b4 = tf::Variable<"fc2/b", float, 10>(tf::constant(0.0f));
  auto logits = tf::matmul(fc1, W4) + b4;

  auto loss = tf::reduce_mean(tf::nn::sparse_softmax_cross_entropy_with_logits(tf::labels = y, tf::logits = logits));
  auto train = tf::group(tf::train::AdamOptimizer(0.002).minimize(loss), conv1.update_ops, conv2.update_ops);
  auto accuracy = tf::reduce_mean(tf::cast<float>(tf::equal(tf::argmax(logits, tf::axis<1>), y)));

  tf::Session sess;
  sess.run(tf::global_variables_initializer());
  const auto evaluate = [&] {
    return sess.run(accuracy, tf::feed(x, test.x), tf::feed(y, test.y), tf::feed(training, false),
                    tf::feed(dropout_rate, 0.0f))();
  };
  for (int epoch = 1; epoch <= epochs; ++epoch) {
    digits::shuffle(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(n_train), rng);
    double total = 0;
    // Whole batches, as TF1's next_batch gives them: a last batch of 30 digits would move batch
    // normalisation's moving averages by a tenth of its own statistics.
    const std::size_t used = n_train / batch_size * batch_size;
    for (std::size_t start = 0; start < used; start += batch_size) {
      const auto batch = digits::rows(all, order, start, start + batch_size);
      auto [loss_val, _] = sess.run(tf::fetch(loss, train), tf::feed(x, batch.x), tf::feed(y, batch.y),
                                    tf::feed(training, true), tf::feed(dropout_rate, 0.3f));
      total += loss_val() * static_cast<double>(batch.y.size());
    }
    if (!quiet)
      std::cout << "epoch " << std::setw(3) << epoch << "  loss " << total / used << "  held-out accuracy "
                << evaluate() << "\n";
  }
  //]

  const float acc = evaluate();
  std::cout << "held-out accuracy " << std::fixed << std::setprecision(4) << acc << " (" << test.y.size()
            << " digits, trained on " << n_train << ", " << epochs << " epochs)\n";
  if (acc < min_accuracy) {
    std::cerr << "cnn_classifier: held-out accuracy " << acc << " is below --min-accuracy " << min_accuracy << "\n";
    return 1;
  }
} catch (const std::exception& e) {
  std::cerr << "cnn_classifier: " << e.what() << "\n";
  return 1;
}
