#ifndef TYPEFLOW_BENCHMARKS_PB_MODELS_HPP
#define TYPEFLOW_BENCHMARKS_PB_MODELS_HPP

// The models of bench_pb, written once: pb_models.cpp freezes them into the .pb files that
// bench_pb runs through tf::ImportedGraph and through the header typeflow-import-pb generates
// from them, and bench_pb runs them compiled, with the same seeded weights.
//   mlp:        x [None, 784] -> dense 128 ReLU -> dense 10 -> softmax (op_to_store)
//   regression: x [None, 3] -> x W + b (op_to_store)
//   chain:      x [None, 4] -> ten elementwise ops (op_to_store): the fixed cost of a run

#include <typeflow/typeflow.hpp>

namespace pb_models {

namespace tf = typeflow;

inline auto mlp() {
  auto x = tf::placeholder<"x", float, tf::none, 784>();
  auto W1 = tf::Variable<"mlp/W1", float, 784, 128>(tf::truncated_normal(0.0, 0.05, 1));
  auto b1 = tf::Variable<"mlp/b1", float, 128>(tf::constant(0.1f));
  auto W2 = tf::Variable<"mlp/W2", float, 128, 10>(tf::truncated_normal(0.0, 0.05, 2));
  auto b2 = tf::Variable<"mlp/b2", float, 10>(tf::zeros());
  auto y = tf::identity<"op_to_store">(tf::nn::softmax(tf::matmul(tf::nn::relu(tf::matmul(x, W1) + b1), W2) + b2));
  return std::pair{x, y};
}

inline auto regression() {
  auto x = tf::placeholder<"x", float, tf::none, 3>();
  auto W = tf::Variable<"reg/W", float, 3, 1>(tf::random_normal(0.0, 1.0, 3));
  auto b = tf::Variable<"reg/b", float, 1>(tf::random_normal(0.0, 1.0, 4));
  auto y = tf::identity<"op_to_store">(tf::matmul(x, W) + b);
  return std::pair{x, y};
}

inline auto chain() {
  auto x = tf::placeholder<"x", float, tf::none, 4>();
  auto h = tf::tanh(tf::exp(x * 0.5f) - 1.0f);
  auto y = tf::identity<"op_to_store">(tf::nn::relu(tf::sigmoid(h * h + x) * 2.0f - 0.5f));
  return std::pair{x, y};
}

}  // namespace pb_models

#endif
