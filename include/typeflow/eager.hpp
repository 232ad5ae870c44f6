#ifndef TYPEFLOW_EAGER_HPP
#define TYPEFLOW_EAGER_HPP

// typeflow's eager mode (TF2's default, TF1's tfe): `namespace tfe = typeflow::eager;`.
// Tensors whose ops run at once, variables, GradientTape, the optimizers' apply_gradients on
// eager variables, tfe::function and tfe::Saver. Apart from typeflow.hpp, so that graph-only programs do not compile
// it.

#include "eager/array_ops.hpp"
#include "eager/function.hpp"
#include "eager/gradient_tape.hpp"
#include "eager/ops.hpp"
#include "eager/optimizer.hpp"
#include "eager/saver.hpp"
#include "eager/tensor.hpp"
#include "eager/variable.hpp"
#include "runtime/train/adagrad.hpp"
#include "runtime/train/adam.hpp"
#include "runtime/train/gradient_descent.hpp"
#include "runtime/train/momentum.hpp"
#include "runtime/train/rmsprop.hpp"

#endif
