// The TensorFlow 1.x "stock prediction" linear regression, line for line in typeflow.
//
//   linear_regression [--csv FILE] [--steps N] [--learning-rate LR] [--every N] [--save DIR] [--freeze FILE]
//                     [--logdir DIR]
//
// Without --csv it trains on an embedded, deterministic stock-like series whose close is an
// exact linear function of the features, so the learned weights can be set next to the true
// ones. A CSV has a header and the columns open,volume,range,close (features scaled to [0, 1]
// here, as the course's MinMaxScaler does); its reference weights are the least-squares fit.
// --save DIR saves the trained model as a TensorFlow checkpoint (DIR/model-STEPS.*) whose .meta
// names the prediction "hypothesis", then restores it into a new session.
// --freeze FILE writes the trained model as a frozen graph (TF1's "PB mode": the variables turned
// into constants, one .pb any TensorFlow reads), its prediction named "op_to_store".
// --logdir DIR writes TensorBoard's event file in DIR: the cost at every step, the weight and
// bias histograms, and the graph (`tensorboard --logdir DIR`).

#include <xtensor/xio.hpp>
#include <xtensor/xview.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <sstream>
#include <string>
#include <typeflow/typeflow.hpp>
#include <vector>

namespace tf = typeflow;

struct data_set {
  xt::xtensor<float, 2> x;        // [days, 3]: open, volume, range, each scaled to [0, 1]
  xt::xtensor<float, 2> y;        // [days, 1]: close
  std::vector<double> reference;  // weights then bias
  std::string reference_name;
};

// 500 trading days: the open follows a random walk, volume and the day's range are noisy;
// the close is 0.6 open + 0.1 volume + 0.3 range + 0.05. A fixed LCG makes it identical everywhere.
data_set embedded_series() {
  constexpr std::size_t days = 500;
  std::uint64_t state = 20240101;
  auto next = [&] {  // uniform in [0, 1)
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<double>(state >> 11) * 0x1.0p-53;
  };
  std::vector<double> open(days), volume(days), range(days);
  double price = 100.0;
  for (std::size_t d = 0; d < days; ++d) {
    price *= 1.0 + 0.02 * (next() - 0.5);
    open[d] = price;
    volume[d] = 1e6 * (0.5 + next());
    range[d] = price * 0.03 * next();
  }
  auto scale = [](std::vector<double>& v) {
    auto [lo, hi] = std::minmax_element(v.begin(), v.end());
    const double l = *lo, h = *hi;
    for (auto& e : v) e = (e - l) / (h - l);
  };
  scale(open), scale(volume), scale(range);
  data_set ds{xt::xtensor<float, 2>::from_shape({days, 3}),
              xt::xtensor<float, 2>::from_shape({days, 1}),
              {0.6, 0.1, 0.3, 0.05},
              "true"};
  for (std::size_t d = 0; d < days; ++d) {
    ds.x(d, 0) = static_cast<float>(open[d]);
    ds.x(d, 1) = static_cast<float>(volume[d]);
    ds.x(d, 2) = static_cast<float>(range[d]);
    ds.y(d, 0) = static_cast<float>(0.6 * open[d] + 0.1 * volume[d] + 0.3 * range[d] + 0.05);
  }
  return ds;
}

// Least squares by the normal equations (4 x 4, Gaussian elimination with pivoting).
std::vector<double> least_squares(const xt::xtensor<float, 2>& x, const xt::xtensor<float, 2>& y) {
  double a[4][5] = {};
  for (std::size_t d = 0; d < x.shape(0); ++d) {
    const double row[4] = {x(d, 0), x(d, 1), x(d, 2), 1.0};
    for (int i = 0; i < 4; ++i) {
      for (int j = 0; j < 4; ++j) a[i][j] += row[i] * row[j];
      a[i][4] += row[i] * y(d, 0);
    }
  }
  for (int c = 0; c < 4; ++c) {
    int p = c;
    for (int r = c + 1; r < 4; ++r)
      if (std::abs(a[r][c]) > std::abs(a[p][c])) p = r;
    std::swap(a[c], a[p]);
    for (int r = 0; r < 4; ++r)
      if (r != c) {
        const double f = a[r][c] / a[c][c];
        for (int k = c; k < 5; ++k) a[r][k] -= f * a[c][k];
      }
  }
  return {a[0][4] / a[0][0], a[1][4] / a[1][1], a[2][4] / a[2][2], a[3][4] / a[3][3]};
}

data_set read_csv(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open " + path);
  std::string line;
  std::getline(in, line);  // header
  std::vector<std::array<double, 4>> rows;
  for (std::size_t n = 2; std::getline(in, line); ++n) {
    if (line.empty()) continue;
    std::array<double, 4> r{};
    std::istringstream s(line);
    for (auto& v : r) {
      std::string cell;
      if (!std::getline(s, cell, ','))
        throw std::runtime_error(path + ":" + std::to_string(n) + ": expected 4 columns");
      std::size_t used = 0;
      try {
        v = std::stod(cell, &used);
      } catch (const std::exception&) {
      }
      if (used == 0) throw std::runtime_error(path + ":" + std::to_string(n) + ": '" + cell + "' is not a number");
    }
    rows.push_back(r);
  }
  if (rows.size() < 4) throw std::runtime_error(path + ": need at least 4 rows");
  data_set ds{xt::xtensor<float, 2>::from_shape({rows.size(), 3}),
              xt::xtensor<float, 2>::from_shape({rows.size(), 1}),
              {},
              "least-squares"};
  for (std::size_t c = 0; c < 3; ++c) {
    double lo = rows[0][c], hi = rows[0][c];
    for (auto& r : rows) lo = std::min(lo, r[c]), hi = std::max(hi, r[c]);
    for (std::size_t d = 0; d < rows.size(); ++d)
      ds.x(d, c) = static_cast<float>(hi > lo ? (rows[d][c] - lo) / (hi - lo) : 0.0);
  }
  for (std::size_t d = 0; d < rows.size(); ++d) ds.y(d, 0) = static_cast<float>(rows[d][3]);
  ds.reference = least_squares(ds.x, ds.y);
  return ds;
}

int main(int argc, char** argv) try {
  std::string csv, save_dir, freeze_path, logdir;
  int steps = 10000, every = 1000;
  double learning_rate = 0.5;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&] {
      if (i + 1 >= argc) throw std::runtime_error(arg + " needs a value");
      return std::string(argv[++i]);
    };
    auto number = [&] {
      const std::string text = value();
      std::size_t used = 0;
      double v = 0;
      try {
        v = std::stod(text, &used);
      } catch (const std::exception&) {
      }
      if (used == 0 || used != text.size() || !(v > 0))
        throw std::runtime_error(arg + " needs a positive number, got '" + text + "'");
      return v;
    };
    auto count = [&] {
      const double v = number();
      if (v != std::floor(v) || v > 1e9) throw std::runtime_error(arg + " needs a whole number");
      return static_cast<int>(v);
    };
    if (arg == "--csv") csv = value();
    else if (arg == "--steps") steps = count();
    else if (arg == "--learning-rate") learning_rate = number();
    else if (arg == "--every") every = count();
    else if (arg == "--save") save_dir = value();
    else if (arg == "--freeze") freeze_path = value();
    else if (arg == "--logdir") logdir = value();
    else {
      std::cerr << "usage: " << argv[0]
                << " [--csv FILE] [--steps N] [--learning-rate LR] [--every N] [--save DIR] [--freeze FILE]"
                   " [--logdir DIR]\n";
      return 2;
    }
  }
  const data_set data = csv.empty() ? embedded_series() : read_csv(csv);

  //[ linear_regression
  auto X = tf::placeholder<"X", float, tf::none, 3>();
  auto Y = tf::placeholder<"Y", float, tf::none, 1>();
  auto W = tf::Variable<"weight", float, 3, 1>(tf::random_normal(0.0, 1.0, /*seed=*/1));
  auto b = tf::Variable<"bias", float, 1>(tf::random_normal(0.0, 1.0, /*seed=*/2));

  auto hypothesis = tf::matmul(X, W) + b;
  auto cost = tf::reduce_mean(tf::square(hypothesis - Y));
  auto train = tf::train::GradientDescentOptimizer(learning_rate).minimize(cost);

  tf::Session sess;
  sess.run(tf::global_variables_initializer());
  //]
  if (logdir.empty()) {
    //[ linear_regression_loop
    for (int step = 0; step <= steps; ++step) {
      auto [cost_val, _] = sess.run(tf::fetch(cost, train), tf::feed(X, data.x), tf::feed(Y, data.y));
      if (step % every == 0) std::cout << "step " << std::setw(6) << step << "  cost " << cost_val() << "\n";
    }
    //]
  } else {
    //[ tensorboard
    auto summaries = tf::summary::merge(tf::summary::scalar("cost", cost), tf::summary::histogram("weight", W),
                                        tf::summary::histogram("bias", b));
    tf::named<"cost">(cost);  // the graph dashboard shows the named nodes and what they are computed from
    tf::summary::FileWriter writer(logdir, sess.graph());
    for (int step = 0; step <= steps; ++step) {
      auto [s, cost_val, _] = sess.run(tf::fetch(summaries, cost, train), tf::feed(X, data.x), tf::feed(Y, data.y));
      writer.add_summary(s, step);
      if (step % every == 0) std::cout << "step " << std::setw(6) << step << "  cost " << cost_val() << "\n";
    }
    //]
    std::cout << "TensorBoard event file: " << writer.path() << "\n";
  }

  const auto w = sess.run(W);
  const auto bias = sess.run(b);
  std::cout << "\n           learned   " << data.reference_name << "\n" << std::fixed << std::setprecision(5);
  const char* names[] = {"open", "volume", "range"};
  for (int i = 0; i < 3; ++i)
    std::cout << std::setw(8) << names[i] << "  " << std::setw(9) << w(i, 0) << "  " << std::setw(9)
              << data.reference[i] << "\n";
  std::cout << std::setw(8) << "bias"
            << "  " << std::setw(9) << bias(0) << "  " << std::setw(9) << data.reference[3] << "\n";

  if (!save_dir.empty()) {
    std::filesystem::create_directories(save_dir);
    //[ save_restore
    tf::train::Saver saver({.max_to_keep = 5, .outputs = {{"hypothesis", hypothesis}}});
    const std::string prefix = saver.save(sess, save_dir + "/model", steps);  // model-STEPS.{index,data-*,meta}

    tf::Session restored;  // a restore replaces the initializer
    saver.restore(restored, tf::train::latest_checkpoint(save_dir));
    //]
    const auto same = restored.run(W) == w && restored.run(b) == bias;
    std::cout << "\nsaved " << prefix << ", restored: " << (same ? "same weights" : "DIFFERENT weights") << "\n";
    if (!same) return 1;
  }

  if (!freeze_path.empty()) {
    //[ freeze
    auto op_to_store = tf::identity<"op_to_store">(hypothesis);
    tf::GraphDef constant_graph =
        tf::graph_util::convert_variables_to_constants(sess, sess.graph_def(), {"op_to_store"});
    tf::gfile::FastGFile(freeze_path, "wb").write(constant_graph.SerializeToString());
    //]
    std::cout << "\nfroze " << constant_graph.node.size() << " nodes into " << freeze_path << "\n";
    (void)op_to_store;
  }
} catch (const std::exception& e) {
  std::cerr << "linear_regression: " << e.what() << "\n";
  return 1;
}
