// The course's linear regression in eager style (its last chapter, Eager Execution): no
// placeholders and no Session; each op runs at once, a GradientTape records the forward pass
// and the optimizer applies the tape's gradients.
//
//   eager_regression [--steps N] [--learning-rate LR]
//
// It exits with 1 when the learned weights are more than 1e-3 from the true ones.
//
// The data are 500 deterministic rows whose target is 0.6 x0 + 0.1 x1 + 0.3 x2 + 0.05, so the
// learned weights can be set next to the true ones.

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <string>
#include <typeflow/eager.hpp>

namespace tf = typeflow;
namespace tfe = typeflow::eager;

int main(int argc, char** argv) {
  int steps = 2000;
  double learning_rate = 0.5;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string arg = argv[i];
    if (arg == "--steps") steps = std::atoi(argv[i + 1]);
    else if (arg == "--learning-rate") learning_rate = std::atof(argv[i + 1]);
    else {
      std::cerr << "usage: eager_regression [--steps N] [--learning-rate LR]\n";
      return 2;
    }
  }

  // Features in [0, 1) from a fixed LCG, identical everywhere.
  constexpr std::size_t rows = 500;
  xt::xtensor<float, 2> features({rows, 3});
  xt::xtensor<float, 2> target({rows, 1});
  std::uint64_t state = 20240101;
  for (std::size_t r = 0; r < rows; ++r) {
    for (std::size_t c = 0; c < 3; ++c) {
      state = state * 6364136223846793005ULL + 1442695040888963407ULL;
      features(r, c) = static_cast<float>(static_cast<double>(state >> 11) * 0x1.0p-53);
    }
    target(r, 0) = 0.6f * features(r, 0) + 0.1f * features(r, 1) + 0.3f * features(r, 2) + 0.05f;
  }
  const tfe::Tensor<float> x = tfe::constant(features);
  const tfe::Tensor<float> y = tfe::constant(target);

  //[ eager_regression
  tfe::Variable<float> w(tfe::random_normal<float>({3, 1}, 0.0, 1.0, /*seed=*/1), "weight");
  tfe::Variable<float> b(0.0f, "bias");
  tf::train::GradientDescentOptimizer optimizer(learning_rate);

  for (int step = 1; step <= steps; ++step) {
    tfe::GradientTape tape;
    const auto loss = tfe::reduce_mean(tfe::square(tfe::matmul(x, w) + b - y));
    const auto [dw, db] = tape.gradient(loss, w, b);
    optimizer.apply_gradients(std::pair{dw, w}, std::pair{db, b});
    if (step == 1 || step % 500 == 0) std::cout << "step " << step << ": loss " << loss.item() << "\n";
  }
  //]
  std::cout << "weights " << w.value().numpy_text() << " (true [0.6 0.1 0.3]), bias " << b.value().item()
            << " (true 0.05)\n";
  // The data are exactly linear: a run that does not find the weights failed (the test's check).
  const auto learned = w.value().data();
  const float truth[] = {0.6f, 0.1f, 0.3f};
  for (std::size_t i = 0; i < 3; ++i)
    if (std::abs(learned[i] - truth[i]) > 1e-3f) return 1;
  return std::abs(b.value().item() - 0.05f) > 1e-3f ? 1 : 0;
}
