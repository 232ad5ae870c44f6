#ifndef TYPEFLOW_TYPEFLOW_HPP
#define TYPEFLOW_TYPEFLOW_HPP

// typeflow: TensorFlow 1.x graphs as C++ types. Umbrella header: every public layer. Not the
// test helper test/gradient_checker.hpp (tf::test::compute_gradient_error), which code that
// checks gradients includes itself, as TF's tf.test is imported apart.

#include "autodiff/gradients.hpp"
#include "graph/constant.hpp"
#include "graph/placeholder.hpp"
#include "graph/variable.hpp"
#include "io/dot.hpp"
#include "io/gfile.hpp"
#include "io/graph_io.hpp"
#include "ops/activations.hpp"
#include "ops/cast.hpp"
#include "ops/compare.hpp"
#include "ops/constructors.hpp"
#include "ops/elementwise.hpp"
#include "ops/linalg.hpp"
#include "ops/logical.hpp"
#include "ops/losses.hpp"
#include "ops/math.hpp"
#include "ops/nn.hpp"
#include "ops/reduce.hpp"
#include "ops/shape.hpp"
#include "ops/state.hpp"
#include "ops/summary.hpp"
#include "ops/training.hpp"
#include "ops/where.hpp"
#include "runtime/constant.hpp"
#include "runtime/graph.hpp"
#include "runtime/graph_util.hpp"
#include "runtime/initializers.hpp"
#include "runtime/named_nodes.hpp"
#include "runtime/session.hpp"
#include "runtime/summary_writer.hpp"
#include "runtime/train/adagrad.hpp"
#include "runtime/train/adam.hpp"
#include "runtime/train/checkpoint_reader.hpp"
#include "runtime/train/global_step.hpp"
#include "runtime/train/gradient_descent.hpp"
#include "runtime/train/momentum.hpp"
#include "runtime/train/optimizer.hpp"
#include "runtime/train/rmsprop.hpp"
#include "runtime/train/saver.hpp"
#include "runtime/variables.hpp"

#endif
