// The typeflow side of the TensorFlow interop tests (tf_interop.py drives it):
//
//   saver_interop write DIR   saves a small model with tf::train::Saver to DIR/model-7 and
//                             prints, as JSON, its variables, an input batch and the outputs
//                             "y", "m", "z" and "total" computed on it (the .meta names them);
//   saver_interop read DIR    restores the checkpoint TF's tf.compat.v1.train.Saver wrote in
//                             DIR (its latest_checkpoint) into typeflow variables of the same
//                             names, dtypes and shapes, Adam slots included, and prints them;
//   saver_interop load PREFIX tf::train::load_checkpoint(PREFIX): prints every tensor it
//                             lists (name, dtype, shape, values; strings as hex bytes).

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <typeflow/runtime/train/saver.hpp>
#include <typeflow/typeflow.hpp>
#include <vector>

#include "../interop_json.hpp"

namespace tf = typeflow;

namespace {

using test::json;

int write(const std::string& dir) {
  auto x = tf::placeholder<"x", float, tf::none, 3>();
  auto W = tf::Variable<"dense/W", float, 3, 2>(tf::random_normal(0.0, 1.0, 11));
  auto b = tf::Variable<"dense/b", float, 2>(tf::random_uniform(-1.0, 1.0, 12));
  auto scale = tf::Variable<"scale", float>(tf::constant(0.75f));
  auto d = tf::Variable<"extra/float64", double, 2, 2>(tf::random_normal(0.0, 1.0, 13));
  auto i32 = tf::Variable<"extra/int32", std::int32_t, 3>(tf::random_uniform(-1e6, 1e6, 14));
  auto i64 = tf::Variable<"extra/int64", std::int64_t, 2, 1, 2>(tf::random_uniform(-1e15, 1e15, 15));
  auto empty = tf::Variable<"extra/empty", float, 0, 3>(tf::constant(0.0f));
  auto hidden = tf::matmul(x, W) + b;
  auto y = hidden * scale - 1.0f;
  auto m = tf::reduce_mean(tf::square(y), tf::axis<1>) / 2.0f;
  auto V = tf::Variable<"V", float, 2, 3>(tf::random_normal(0.0, 1.0, 16));
  auto c = tf::constant<2>(xt::xtensor<float, 1>{0.5f, -0.25f});
  auto z = tf::reduce_sum(-tf::matmul(x, V, tf::transpose_b), tf::axis<0>, tf::keep_dims) + c;
  auto total = tf::reduce_sum(y);

  tf::Session sess;
  sess.run(tf::global_variables_initializer());
  tf::train::Saver saver({.outputs = {{"y", y}, {"m", m}, {"z", z}, {"total", total}}});
  const std::string prefix = saver.save(sess, dir + "/model", 7);

  const xt::xtensor<float, 2> X = {{1.0f, 2.0f, 3.0f}, {-0.5f, 0.25f, 4.0f}, {0.0f, -1.0f, 0.125f}, {7, 8, 9}};
  std::cout << "{\"prefix\": \"" << prefix << "\", \"variables\": {"
            << "\"dense/W\": " << json(sess.run(W)) << ", \"dense/b\": " << json(sess.run(b))
            << ", \"scale\": " << json(sess.run(scale)) << ", \"extra/float64\": " << json(sess.run(d))
            << ", \"extra/int32\": " << json(sess.run(i32)) << ", \"extra/int64\": " << json(sess.run(i64))
            << ", \"extra/empty\": " << json(sess.run(empty)) << ", \"V\": " << json(sess.run(V))
            << "}, \"x\": " << json(X) << ", \"outputs\": {\"y\": " << json(sess.run(y, tf::feed(x, X)))
            << ", \"m\": " << json(sess.run(m, tf::feed(x, X))) << ", \"z\": " << json(sess.run(z, tf::feed(x, X)))
            << ", \"total\": " << json(sess.run(total, tf::feed(x, X))) << "}}\n";
  return 0;
}

int read(const std::string& dir) {
  // The variables of tf_interop.py's TF1 model, and those Adam adds: slots and beta powers.
  auto W = tf::Variable<"W", float, 3, 2>(tf::constant(0.0f));
  auto W_m = tf::Variable<"W/Adam", float, 3, 2>(tf::constant(0.0f));
  auto W_v = tf::Variable<"W/Adam_1", float, 3, 2>(tf::constant(0.0f));
  auto b = tf::Variable<"b", double, 2>(tf::constant(0.0));
  auto b_m = tf::Variable<"b/Adam", double, 2>(tf::constant(0.0));
  auto b_v = tf::Variable<"b/Adam_1", double, 2>(tf::constant(0.0));
  auto beta1 = tf::Variable<"beta1_power", float>(tf::constant(0.0f));
  auto beta2 = tf::Variable<"beta2_power", float>(tf::constant(0.0f));
  auto counts = tf::Variable<"counts", std::int32_t, 2, 2>(tf::constant(0));
  auto big = tf::Variable<"big", std::int64_t, 3>(tf::constant(std::int64_t{0}));
  auto step = tf::Variable<"global_step", std::int64_t>(tf::constant(std::int64_t{0}));

  tf::Session sess;
  tf::train::Saver saver;
  const auto latest = tf::train::latest_checkpoint(dir);
  saver.restore(sess, latest);
  std::cout << "{\"prefix\": \"" << *latest << "\", \"variables\": {"
            << "\"W\": " << json(sess.run(W)) << ", \"W/Adam\": " << json(sess.run(W_m))
            << ", \"W/Adam_1\": " << json(sess.run(W_v)) << ", \"b\": " << json(sess.run(b))
            << ", \"b/Adam\": " << json(sess.run(b_m)) << ", \"b/Adam_1\": " << json(sess.run(b_v))
            << ", \"beta1_power\": " << json(sess.run(beta1)) << ", \"beta2_power\": " << json(sess.run(beta2))
            << ", \"counts\": " << json(sess.run(counts)) << ", \"big\": " << json(sess.run(big))
            << ", \"global_step\": " << json(sess.run(step)) << "}}\n";
  return 0;
}

int load(const std::string& prefix) {
  const auto reader = tf::train::load_checkpoint(prefix);
  const auto dtypes = reader.get_variable_to_dtype_map();
  std::cout << "{";
  for (const char* sep = ""; const auto& entry : reader.get_variable_to_shape_map()) {
    const std::string& name = entry.first;  // not a structured binding: clang 14's lambdas cannot capture one
    const std::vector<std::int64_t>& shape = entry.second;
    const std::string& dtype = dtypes.at(name);
    // The shape map's shape, and the tensor's: one JSON object if they agree.
    auto print = [&](const auto& a) {
      if (!std::equal(shape.begin(), shape.end(), a.shape().begin(), a.shape().end()))
        throw std::runtime_error("tensor " + name + ": the shape map and get_tensor disagree");
      std::cout << sep << "\"" << name << "\": " << json(a, dtype);
    };
    if (dtype == "float32") print(reader.get_tensor<float>(name));
    else if (dtype == "float64") print(reader.get_tensor<double>(name));
    else if (dtype == "int32") print(reader.get_tensor<std::int32_t>(name));
    else if (dtype == "int64") print(reader.get_tensor<std::int64_t>(name));
    else if (dtype == "string") print(reader.get_tensor<std::string>(name));
    else throw std::runtime_error("tensor " + name + ": no JSON for dtype " + dtype);
    sep = ", ";
  }
  std::cout << "}\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string usage = "usage: saver_interop write|read DIR | load PREFIX";
  if (argc != 3) {
    std::cerr << usage << "\n";
    return 2;
  }
  try {
    const std::string cmd = argv[1];
    if (cmd == "write") return write(argv[2]);
    if (cmd == "read") return read(argv[2]);
    if (cmd == "load") return load(argv[2]);
    std::cerr << usage << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "saver_interop: " << e.what() << "\n";
    return 1;
  }
}
