#ifndef TYPEFLOW_TYPEFLOW_HPP
#define TYPEFLOW_TYPEFLOW_HPP

// typeflow: TensorFlow 1.x graphs as C++ types. Umbrella header: every public layer.

#include "autodiff/gradients.hpp"
#include "graph/constant.hpp"
#include "graph/placeholder.hpp"
#include "graph/variable.hpp"
#include "ops/activations.hpp"
#include "ops/cast.hpp"
#include "ops/compare.hpp"
#include "ops/elementwise.hpp"
#include "ops/linalg.hpp"
#include "ops/math.hpp"
#include "ops/reduce.hpp"
#include "ops/training.hpp"
#include "ops/where.hpp"
#include "runtime/constant.hpp"
#include "runtime/graph.hpp"
#include "runtime/initializers.hpp"
#include "runtime/session.hpp"
#include "runtime/train/gradient_descent.hpp"
#include "runtime/variables.hpp"

#endif
