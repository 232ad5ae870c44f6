// Eager parity with TensorFlow 2.21 (tests/eager/eager_parity.py runs TF's eager GradientTape
// on the same inputs and compares): prints, as JSON, each case's inputs and typeflow's eager
// values and gradients. The inputs are fixed (random_normal with seeds), so that TF reads them
// from here rather than drawing its own.

#include <iostream>
#include <sstream>
#include <string>
#include <typeflow/eager.hpp>
#include <vector>

#include "../interop_json.hpp"

namespace tf = typeflow;
namespace tfe = typeflow::eager;

namespace {

template <class T>
std::string json(const tfe::Tensor<T>& t) {
  return test::json(t.numpy());
}

struct record {
  std::ostringstream out;
  bool first = true;
  void add(const std::string& key, const std::string& value) {
    out << (first ? "" : ",\n  ") << "\"" << key << "\": " << value;
    first = false;
  }
};

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: eager_parity CHECKPOINT_DIR\n";
    return 2;
  }
  record r;
  // 1. The course's regression: loss and its gradients with respect to two variables.
  const auto x = tfe::random_normal<float>({8, 3}, 0.0, 1.0, 1);
  const auto y = tfe::random_normal<float>({8, 1}, 0.0, 1.0, 2);
  tfe::Variable<float> w(tfe::random_normal<float>({3, 1}, 0.0, 1.0, 3), "w");
  tfe::Variable<float> b(0.5f, "b");
  r.add("x", json(x));
  r.add("y", json(y));
  r.add("w", json(w.value()));
  {
    tfe::GradientTape tape;
    const auto loss = tfe::reduce_mean(tfe::square(tfe::matmul(x, w) + b - y));
    const auto [dw, db] = tape.gradient(loss, w, b);
    r.add("regression_loss", json(loss));
    r.add("regression_dw", json(*dw));
    r.add("regression_db", json(*db));
  }
  // 2. The same through tfe::function: the traced graph's values and gradients.
  {
    auto f = tfe::function<tf::TensorSpec<float, tf::none, 3>, tf::TensorSpec<float, 3, 1>, tf::TensorSpec<float>,
                           tf::TensorSpec<float, tf::none, 1>>([](auto xs, auto ws, auto bs, auto ys) {
      return tfe::reduce_mean(tfe::square(tfe::matmul(xs, ws) + bs - ys));
    });
    tfe::GradientTape tape;
    const auto loss = f(x, w, b, y);
    const auto [dw, db] = tape.gradient(loss, w, b);
    r.add("function_loss", json(loss));
    r.add("function_dw", json(*dw));
    r.add("function_db", json(*db));
  }
  // 3. Broadcasting, a non-scalar target (summed), several ops, one watched tensor.
  const auto a = tfe::random_normal<double>({2, 3}, 0.0, 1.0, 4);
  const auto c = tfe::random_normal<double>({3}, 0.0, 1.0, 5);
  const auto d = tfe::random_normal<double>({2, 1}, 0.0, 1.0, 6);
  r.add("a", json(a));
  r.add("c", json(c));
  r.add("d", json(d));
  {
    tfe::GradientTape tape(tfe::persistent);
    tape.watch(a);
    tape.watch(c);
    tape.watch(d);
    const auto t = tfe::tanh(a * c + d) / (tfe::exp(d) + 1.0) - tfe::nn::softmax(a) * tfe::reduce_max(a, 1, true);
    r.add("broadcast_value", json(t));
    const auto [da, dc, dd] = tape.gradient(t, a, c, d);
    r.add("broadcast_da", json(*da));
    r.add("broadcast_dc", json(*dc));
    r.add("broadcast_dd", json(*dd));
  }
  // 4. Second derivatives through nested tapes.
  {
    tfe::GradientTape outer;
    outer.watch(a);
    std::optional<tfe::Tensor<double>> g;
    {
      tfe::GradientTape inner;
      inner.watch(a);
      const auto s = tfe::reduce_sum(tfe::sin(a) * a * a);
      g = inner.gradient(s, a);
    }
    r.add("second_first", json(*g));
    r.add("second_second", json(*outer.gradient(*g, a)));
  }
  // 5. Concat, stack, tile and indexing, with their gradients.
  {
    tfe::GradientTape tape(tfe::persistent);
    tape.watch(a);
    tape.watch(d);
    const auto joined = tfe::concat({a, tfe::tile(d, {1, 3}) * a[0], tfe::stack({a[1], a[-1] * d[0]}, 0)}, 1);
    r.add("arrays_value", json(joined));
    const auto [da, dd] = tape.gradient(joined * joined, a, d);
    r.add("arrays_da", json(*da));
    r.add("arrays_dd", json(*dd));
  }
  // 5b. Slices, `...` and tf.newaxis (TF's `a[:, 1:] * a[..., -1, tf.newaxis] + a[-1:, 1:]`), with
  // their gradient.
  {
    tfe::GradientTape tape;
    tape.watch(a);
    const auto picked =
        a(tfe::Slice(), tfe::Slice(1)) * a(tfe::Ellipsis, -1, tfe::newaxis) + a(tfe::Slice(-1), tfe::Slice(1));
    r.add("slices_value", json(picked));
    r.add("slices_da", json(*tape.gradient(picked * picked, a)));
  }
  // 5c. Steps (TF's `a[::-1, ::2] * a[:, 2::-2] + a[-1:-3:-1, 0:3:2]`), with their gradient, and
  // tf.strided_slice with an end before index 0.
  {
    tfe::GradientTape tape;
    tape.watch(a);
    const tfe::Slice every_other(tfe::None, tfe::None, 2);
    const auto stepped =
        a(tfe::Slice(tfe::None, tfe::None, -1), every_other) * a(tfe::Slice(), tfe::Slice(2, tfe::None, -2)) +
        a(tfe::Slice(-1, -3, -1), tfe::Slice(0, 3, 2));
    r.add("steps_value", json(stepped));
    r.add("steps_da", json(*tape.gradient(stepped * stepped, a)));
    r.add("strided_slice_value", json(tfe::strided_slice(a, {0, 2}, {2, -4}, {1, -1})));
  }
  // 6. Three Adam steps (TF1's tf.compat.v1.train.AdamOptimizer, in eager mode as TF allows).
  {
    tf::train::AdamOptimizer adam(0.1);
    for (int step = 0; step < 3; ++step) {
      tfe::GradientTape tape;
      const auto loss = tfe::reduce_mean(tfe::square(tfe::matmul(x, w) + b - y));
      const auto [dw, db] = tape.gradient(loss, w, b);
      adam.apply_gradients(std::pair{dw, w}, std::pair{db, b});
    }
    r.add("adam_w", json(w.value()));
    r.add("adam_b", json(b.value()));
    // 7. The trained variables in a checkpoint, which TensorFlow reads.
    tfe::Saver saver(w, b);
    r.add("checkpoint", "\"" + saver.save(std::string(argv[1]) + "/model", 3) + "\"");
  }
  std::cout << "{\n  " << r.out.str() << "\n}\n";
}
