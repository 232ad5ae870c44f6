// A two-layer perceptron that learns the 8x8 handwritten digits, as a TensorFlow 1.x program.
//
//   mlp_classifier [--data FILE] [--epochs N] [--quiet] [--min-accuracy A] [--logdir DIR] [--eager]
//   mpirun -np 2 mlp_classifier --distributed [--save DIR] [--data FILE] [--epochs N] [--quiet] [--min-accuracy A]
//
// 64 pixels -> 128 ReLU units -> 10 logits, softmax cross-entropy, Adam, mini-batches of 64
// fed through placeholders and reshuffled every epoch by a seeded generator. The data and the
// 20% held out are examples/digits.hpp's; the held-out accuracy is computed in the graph (argmax, equal,
// cast, reduce_mean) and printed after each epoch. --min-accuracy A makes the exit status 1 when the
// final held-out accuracy is below A (the test suite runs a short training with it). --logdir DIR
// writes TensorBoard's event file in DIR: per epoch the mean training loss, the held-out accuracy
// and histograms of the weights, and the graph (`tensorboard --logdir DIR`).
// --eager trains the same model in eager mode (GradientTape, the same initial values and Adam).
// --distributed trains it data-parallel under mpirun (typeflow/distribute/horovod.hpp; a build
// with MPI): each rank on its share of every batch of 64 per rank, the gradients averaged over
// the ranks; rank 0 prints and, with --save DIR, saves a checkpoint per epoch in DIR.

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <optional>
#include <random>
#include <string>
#include <typeflow/eager.hpp>
#include <typeflow/typeflow.hpp>
#include <vector>

#ifdef TYPEFLOW_EXAMPLE_MPI  // Meson builds the example with MPI where it finds MPI
#include <typeflow/distribute/horovod.hpp>
#endif

#include "digits.hpp"

#ifndef TYPEFLOW_EXAMPLE_DATA_DIR
#define TYPEFLOW_EXAMPLE_DATA_DIR "examples/data"
#endif

namespace tf = typeflow;

using digits::data_set;
using digits::rows;
using digits::shuffle;

/// The model in eager mode (TF2's default): no placeholders, no Session; a GradientTape records
/// each batch's forward pass. Returns the final held-out accuracy.
float train_eagerly(const data_set& all, std::vector<std::size_t>& order, std::size_t n_train, const data_set& test,
                    int epochs, bool quiet, const std::string& logdir, std::mt19937_64& rng) {
  namespace tfe = typeflow::eager;
  const std::size_t batch_size = 64;
  //[ mlp_classifier_eager
  tfe::Variable<float> W1(tfe::truncated_normal<float>({64, 128}, 0.0, 0.1, /*seed=*/1), "W1");
  tfe::Variable<float> b1(tfe::zeros<float>({128}), "b1");
  tfe::Variable<float> W2(tfe::truncated_normal<float>({128, 10}, 0.0, 0.1, /*seed=*/2), "W2");
  tfe::Variable<float> b2(tfe::zeros<float>({10}), "b2");
  const auto model = [&](const tfe::Tensor<float>& x) {
    return tfe::matmul(tfe::nn::relu(tfe::matmul(x, W1) + b1), W2) + b2;
  };
  tf::train::AdamOptimizer adam(0.001);
  std::optional<tf::summary::FileWriter> writer;  // --logdir DIR: TensorBoard's event file
  if (!logdir.empty()) writer.emplace(logdir);
  const auto accuracy = [&] {
    const auto correct = tfe::equal(tfe::argmax(model(tfe::constant(test.x)), 1), tfe::constant(test.y));
    return tfe::reduce_mean(tfe::cast<float>(correct)).item();
  };

  for (int epoch = 1; epoch <= epochs; ++epoch) {
    shuffle(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(n_train), rng);
    double total = 0;
    for (std::size_t start = 0; start < n_train; start += batch_size) {
      const data_set batch = rows(all, order, start, std::min(start + batch_size, n_train));
      tfe::GradientTape tape;
      const auto loss = tfe::reduce_mean(tfe::nn::sparse_softmax_cross_entropy_with_logits(
          tf::labels = tfe::constant(batch.y), tf::logits = model(tfe::constant(batch.x))));
      const auto [dW1, db1, dW2, db2] = tape.gradient(loss, W1, b1, W2, b2);
      adam.apply_gradients(std::pair{dW1, W1}, std::pair{db1, b1}, std::pair{dW2, W2}, std::pair{db2, b2});
      total += loss.item() * static_cast<double>(batch.y.size());
    }
    if (writer) {  // summaries of values computed now: TF2's tf.summary.scalar in eager mode
      writer->add_summary(tf::summary::scalar_value("loss", total / n_train), epoch);
      writer->add_summary(tf::summary::scalar_value("held_out_accuracy", accuracy()), epoch);
    }
    if (!quiet)
      std::cout << "epoch " << std::setw(3) << epoch << "  loss " << total / n_train << "  held-out accuracy "
                << accuracy() << "\n";
  }
  //]
  return accuracy();
}

#ifdef TYPEFLOW_EXAMPLE_MPI
/// The graph-mode model trained data-parallel over MPI, as Horovod's TF1 examples do. Every rank
/// runs this; returns the final held-out accuracy (the same on every rank).
float train_distributed(const data_set& all, std::vector<std::size_t>& order, std::size_t n_train, const data_set& test,
                        int epochs, bool quiet, const std::string& save_dir, std::mt19937_64& rng) {
  namespace hvd = typeflow::horovod;
  const std::size_t batch_size = 64;  // per rank
  //[ mlp_classifier_distributed
  hvd::init();
  const auto rank = static_cast<std::size_t>(hvd::rank()), ranks = static_cast<std::size_t>(hvd::size());
  auto x = tf::placeholder<"x", float, tf::none, 64>();
  auto y = tf::placeholder<"y", std::int64_t, tf::none>();

  auto W1 = tf::Variable<"W1", float, 64, 128>(tf::truncated_normal(0.0, 0.1, /*seed=*/1));
  auto b1 = tf::Variable<"b1", float, 128>(tf::constant(0.0f));
  auto W2 = tf::Variable<"W2", float, 128, 10>(tf::truncated_normal(0.0, 0.1, /*seed=*/2));
  auto b2 = tf::Variable<"b2", float, 10>(tf::constant(0.0f));

  auto logits = tf::matmul(tf::nn::relu(tf::matmul(x, W1) + b1), W2) + b2;
  auto loss = tf::reduce_mean(tf::nn::sparse_softmax_cross_entropy_with_logits(tf::labels = y, tf::logits = logits));
  // Horovod's rule: the job's batch is `ranks` times larger, so is the learning rate.
  auto train = hvd::DistributedOptimizer(tf::train::AdamOptimizer(0.001 * hvd::size())).minimize(loss);
  auto accuracy = tf::reduce_mean(tf::cast<float>(tf::equal(tf::argmax(logits, tf::axis<1>), y)));

  tf::Session sess;
  sess.run(tf::global_variables_initializer());
  sess.run(hvd::broadcast_global_variables(0));  // every rank starts from rank 0's values
  tf::train::Saver saver({.max_to_keep = 3});
  for (int epoch = 1; epoch <= epochs; ++epoch) {
    shuffle(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(n_train), rng);  // alike on every rank
    for (std::size_t start = 0; start < n_train; start += batch_size * ranks) {
      const std::size_t size = std::min(batch_size * ranks, n_train - start);  // the job's batch: this rank's share
      const data_set batch = rows(all, order, start + size * rank / ranks, start + size * (rank + 1) / ranks);
      sess.run(train, tf::feed(x, batch.x), tf::feed(y, batch.y));
    }
    if (rank != 0) continue;  // rank 0 reports and saves, as Horovod's examples do
    if (!quiet)
      std::cout << "epoch " << std::setw(3) << epoch << "  held-out accuracy "
                << sess.run(accuracy, tf::feed(x, test.x), tf::feed(y, test.y))() << "\n";
    if (!save_dir.empty()) saver.save(sess, save_dir + "/model", epoch);
  }
  //]
  return sess.run(accuracy, tf::feed(x, test.x), tf::feed(y, test.y))();
}
#endif

int main(int argc, char** argv) try {
  std::string data_path = std::string(TYPEFLOW_EXAMPLE_DATA_DIR) + "/digits.csv", logdir, save_dir;
  int epochs = 30;
  bool quiet = false, eager = false, distributed = false;
  double min_accuracy = 0;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&] {
      if (i + 1 >= argc) throw std::runtime_error(arg + " needs a value");
      return std::string(argv[++i]);
    };
    auto number = [&] { return digits::parse_number(arg, value()); };
    if (arg == "--data") data_path = value();
    else if (arg == "--epochs") {
      const double v = number();
      if (v < 1 || v > 1e6 || v != static_cast<double>(static_cast<int>(v)))
        throw std::runtime_error("--epochs needs a whole number >= 1");
      epochs = static_cast<int>(v);
    } else if (arg == "--quiet") quiet = true;
    else if (arg == "--eager") eager = true;
    else if (arg == "--min-accuracy") min_accuracy = number();
    else if (arg == "--logdir") logdir = value();
    else if (arg == "--distributed") distributed = true;
    else if (arg == "--save") save_dir = value();
    else {
      std::cerr << "usage: " << argv[0]
                << " [--data FILE] [--epochs N] [--quiet] [--min-accuracy A] [--logdir DIR] [--eager]\n"
                << "       mpirun -np N " << argv[0]
                << " --distributed [--save DIR] [--data FILE] [--epochs N] [--quiet]"
                << " [--min-accuracy A]\n";
      return 2;
    }
  }

  const data_set all = digits::read_digits(data_path);
  auto [order, n_train, rng] = digits::held_out_split(all.y.size());
  const data_set test = rows(all, order, n_train, all.y.size());  // the permutation's last 20%
  if (distributed) {
#ifdef TYPEFLOW_EXAMPLE_MPI
    if (!save_dir.empty()) std::filesystem::create_directories(save_dir);
    const float acc = train_distributed(all, order, n_train, test, epochs, quiet, save_dir, rng);
    if (typeflow::horovod::rank() == 0)
      std::cout << "held-out accuracy " << std::fixed << std::setprecision(4) << acc << " (" << test.y.size()
                << " digits, trained on " << n_train << " in shares of " << typeflow::horovod::size() << " ranks, "
                << epochs << " epochs)\n";
    if (acc < min_accuracy) {
      std::cerr << "mlp_classifier: held-out accuracy " << acc << " is below --min-accuracy " << min_accuracy << "\n";
      return 1;
    }
    return 0;
#else
    std::cerr << "mlp_classifier: --distributed needs a build with MPI (apt-get install libopenmpi-dev "
                 "openmpi-bin, then meson setup with -Dmpi=enabled)\n";
    return 2;
#endif
  }
  if (eager) {
    const float acc = train_eagerly(all, order, n_train, test, epochs, quiet, logdir, rng);
    std::cout << "held-out accuracy " << std::fixed << std::setprecision(4) << acc << " (" << test.y.size()
              << " digits, trained on " << n_train << ", " << epochs << " epochs, eager mode)\n";
    if (acc < min_accuracy) {
      std::cerr << "mlp_classifier: held-out accuracy " << acc << " is below --min-accuracy " << min_accuracy << "\n";
      return 1;
    }
    return 0;
  }
  const std::size_t batch_size = 64;

  //[ mlp_classifier
  auto x = tf::placeholder<"x", float, tf::none, 64>();
  auto y = tf::placeholder<"y", std::int64_t, tf::none>();

  auto W1 = tf::Variable<"W1", float, 64, 128>(tf::truncated_normal(0.0, 0.1, /*seed=*/1));
  auto b1 = tf::Variable<"b1", float, 128>(tf::constant(0.0f));
  auto W2 = tf::Variable<"W2", float, 128, 10>(tf::truncated_normal(0.0, 0.1, /*seed=*/2));
  auto b2 = tf::Variable<"b2", float, 10>(tf::constant(0.0f));

  auto hidden = tf::nn::relu(tf::matmul(x, W1) + b1);
  auto logits = tf::matmul(hidden, W2) + b2;
  auto loss = tf::reduce_mean(tf::nn::sparse_softmax_cross_entropy_with_logits(tf::labels = y, tf::logits = logits));
  auto train = tf::train::AdamOptimizer(0.001).minimize(loss);

  auto correct = tf::equal(tf::argmax(logits, tf::axis<1>), y);
  auto accuracy = tf::reduce_mean(tf::cast<float>(correct));
  auto epoch_summaries = tf::summary::merge(tf::summary::scalar("held_out_accuracy", accuracy),
                                            tf::summary::histogram("W1", W1), tf::summary::histogram("W2", W2));

  tf::Session sess;
  sess.run(tf::global_variables_initializer());
  std::optional<tf::summary::FileWriter> writer;  // --logdir DIR: TensorBoard's event file
  if (!logdir.empty()) {
    tf::named<"accuracy">(accuracy);  // the graph dashboard shows named nodes and what they read
    writer.emplace(logdir, sess.graph());
  }
  for (int epoch = 1; epoch <= epochs; ++epoch) {
    shuffle(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(n_train), rng);
    double total = 0;
    for (std::size_t start = 0; start < n_train; start += batch_size) {
      const data_set batch = rows(all, order, start, std::min(start + batch_size, n_train));
      auto [loss_val, _] = sess.run(tf::fetch(loss, train), tf::feed(x, batch.x), tf::feed(y, batch.y));
      total += loss_val() * static_cast<double>(batch.y.size());
    }
    auto [acc, summaries] = sess.run(tf::fetch(accuracy, epoch_summaries), tf::feed(x, test.x), tf::feed(y, test.y));
    if (writer) {
      writer->add_summary(tf::summary::scalar_value("loss", total / n_train), epoch);
      writer->add_summary(summaries, epoch);
    }
    if (!quiet)
      std::cout << "epoch " << std::setw(3) << epoch << "  loss " << total / n_train << "  held-out accuracy " << acc()
                << "\n";
  }
  //]

  const float acc = sess.run(accuracy, tf::feed(x, test.x), tf::feed(y, test.y))();
  std::cout << "held-out accuracy " << std::fixed << std::setprecision(4) << acc << " (" << test.y.size()
            << " digits, trained on " << n_train << ", " << epochs << " epochs)\n";
  if (acc < min_accuracy) {
    std::cerr << "mlp_classifier: held-out accuracy " << acc << " is below --min-accuracy " << min_accuracy << "\n";
    return 1;
  }
} catch (const std::exception& e) {
  std::cerr << "mlp_classifier: " << e.what() << "\n";
  return 1;
}
