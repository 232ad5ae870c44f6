#ifndef TYPEFLOW_DISTRIBUTE_HOROVOD_HPP
#define TYPEFLOW_DISTRIBUTE_HOROVOD_HPP

// Data-parallel training over MPI with Horovod's API. Not in the umbrella typeflow.hpp:
// programs without MPI never include it. A program includes both, and runs under mpirun:
//
//   #include <typeflow/distribute/horovod.hpp>
//   namespace hvd = typeflow::horovod;
//   hvd::init(argc, argv);
//   auto train = hvd::DistributedOptimizer(tf::train::AdamOptimizer(0.001 * hvd::size())).minimize(loss);
//   sess.run(tf::global_variables_initializer());
//   sess.run(hvd::broadcast_global_variables(0));
//
// Link with MPI (Meson: dependency('mpi', language : 'cpp')); run `mpirun -np 2 program`.

#include "../typeflow.hpp"
#include "broadcast_variables.hpp"
#include "collective_ops.hpp"
#include "context.hpp"
#include "distributed_optimizer.hpp"

#endif
