#ifndef TYPEFLOW_EXAMPLES_DIGITS_HPP
#define TYPEFLOW_EXAMPLES_DIGITS_HPP

// The 8x8 handwritten digits of the classifier examples (examples/data/digits.csv, UCI "Optical
// Recognition of Handwritten Digits", CC BY 4.0): one sample per line, 64 pixels 0..16, then the
// label. Pixels are scaled to [0, 1]. held_out_split holds out 20% of the samples through a
// seeded permutation (the file is ordered by writer, so its tail alone would test on writers
// never seen), the same split for every example.

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>
#include <xtensor/xtensor.hpp>

namespace digits {

constexpr std::size_t features = 64, classes = 10;

struct data_set {
  xt::xtensor<float, 2> x;         // [samples, 64], in [0, 1]
  xt::xtensor<std::int64_t, 1> y;  // [samples], 0..9
};

inline data_set read_digits(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open " + path);
  std::vector<float> pixels;
  std::vector<std::int64_t> labels;
  std::string line;
  for (std::size_t n = 1; std::getline(in, line); ++n) {
    if (line.empty() || line == "\r") continue;
    std::istringstream s(line);
    std::string cell;
    for (std::size_t c = 0; c <= features; ++c) {
      if (!std::getline(s, cell, ','))
        throw std::runtime_error(path + ":" + std::to_string(n) + ": expected " + std::to_string(features + 1) +
                                 " columns");
      std::size_t used = 0;
      double v = -1;
      try {
        v = std::stod(cell, &used);
      } catch (const std::exception&) {
      }
      const double top = c < features ? 16 : static_cast<double>(classes - 1);
      if (used == 0 || !(v >= 0 && v <= top) || v != static_cast<double>(static_cast<int>(v)))
        throw std::runtime_error(path + ":" + std::to_string(n) + ": column " + std::to_string(c + 1) + " is '" + cell +
                                 "', expected a whole number 0.." + std::to_string(static_cast<int>(top)));
      if (c < features) pixels.push_back(static_cast<float>(v / 16.0));
      else labels.push_back(static_cast<std::int64_t>(v));
    }
  }
  if (labels.size() < 10) throw std::runtime_error(path + ": need at least 10 samples");
  data_set d{xt::xtensor<float, 2>::from_shape({labels.size(), features}),
             xt::xtensor<std::int64_t, 1>::from_shape({labels.size()})};
  std::copy(pixels.begin(), pixels.end(), d.x.begin());
  std::copy(labels.begin(), labels.end(), d.y.begin());
  return d;
}

/// Fisher-Yates on [first, last) with std::mt19937_64, whose outputs the standard fixes (std::shuffle's
/// algorithm is not), so every compiler and library trains on the same batches.
inline void shuffle(std::vector<std::size_t>::iterator first, std::vector<std::size_t>::iterator last,
                    std::mt19937_64& rng) {
  for (auto n = static_cast<std::uint64_t>(last - first); n > 1; --n) std::swap(first[n - 1], first[rng() % n]);
}

/// Rows [begin, end) of d, in the order idx gives.
inline data_set rows(const data_set& d, const std::vector<std::size_t>& idx, std::size_t begin, std::size_t end) {
  data_set out{xt::xtensor<float, 2>::from_shape({end - begin, features}),
               xt::xtensor<std::int64_t, 1>::from_shape({end - begin})};
  for (std::size_t i = begin; i < end; ++i) {
    std::copy_n(d.x.data() + idx[i] * features, features, out.x.data() + (i - begin) * features);
    out.y(i - begin) = d.y(idx[i]);
  }
  return out;
}

/// A number >= 0 given to option `arg` on the command line; a clear error otherwise.
inline double parse_number(const std::string& arg, const std::string& text) {
  std::size_t used = 0;
  double v = -1;
  try {
    v = std::stod(text, &used);
  } catch (const std::exception&) {
  }
  if (used == 0 || used != text.size() || !(v >= 0))
    throw std::runtime_error(arg + " needs a number >= 0, got '" + text + "'");
  return v;
}

/// The order of the samples, the training samples first (80%), shuffled by a generator seeded
/// with 42; the held-out samples are order[n_train..].
struct split {
  std::vector<std::size_t> order;
  std::size_t n_train;
  std::mt19937_64 rng{42};
};
inline split held_out_split(std::size_t n) {
  split s{std::vector<std::size_t>(n), n - n / 5};
  for (std::size_t i = 0; i < n; ++i) s.order[i] = i;
  shuffle(s.order.begin(), s.order.end(), s.rng);
  return s;
}

}  // namespace digits

#endif
