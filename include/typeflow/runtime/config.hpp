#ifndef TYPEFLOW_RUNTIME_CONFIG_HPP
#define TYPEFLOW_RUNTIME_CONFIG_HPP

namespace typeflow {

/// tf.compat.v1.ConfigProto, the fields typeflow reads:
/// `tf::Session sess(tf::ConfigProto{.intra_op_parallelism_threads = 4});`.
struct ConfigProto {
  /// Threads one op may split its work across (GEMM, large elementwise passes, reductions).
  /// 0, as in TensorFlow, means one per core of the machine.
  int intra_op_parallelism_threads = 0;
  /// Accepted for TF programs that set it; typeflow runs a graph's ops in one sequence.
  int inter_op_parallelism_threads = 0;
};

}  // namespace typeflow

#endif
