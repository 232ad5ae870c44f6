#ifndef TYPEFLOW_RUNTIME_CONFIG_HPP
#define TYPEFLOW_RUNTIME_CONFIG_HPP

#include <atomic>
#include <string>

#include "../core/error.hpp"

namespace typeflow {

/// tf.compat.v1.ConfigProto, the fields typeflow reads:
/// `tf::Session sess(tf::ConfigProto{.intra_op_parallelism_threads = 4});`.
struct ConfigProto {
  /// Threads one op may split its work across (GEMM, large elementwise passes, reductions).
  /// 0, as in TensorFlow, lets the process-wide setting below decide: one per core unless set.
  int intra_op_parallelism_threads = 0;
  /// Accepted for TF programs that set it; typeflow runs a graph's ops in one sequence.
  int inter_op_parallelism_threads = 0;
};

/// TF2's tf.config.threading: the process-wide default for Sessions whose ConfigProto leaves
/// intra_op_parallelism_threads at 0, tfe::function's among them. It applies to Sessions
/// created afterwards (TF raises once its runtime has started; typeflow's Sessions each read it
/// once, when they are made).
namespace config::threading {

namespace detail {
inline std::atomic<int>& intra_op_threads() {
  static std::atomic<int> n{0};
  return n;
}
}  // namespace detail

/// `tf::config::threading::set_intra_op_parallelism_threads(1)`; 0: one thread per core.
inline void set_intra_op_parallelism_threads(int n) {
  if (n < 0)
    throw error("tf::config::threading::set_intra_op_parallelism_threads: expected 0 (one per core) or a positive "
                "count, got " +
                std::to_string(n));
  detail::intra_op_threads() = n;
}

/// The value set above; 0 when unset (one thread per core).
inline int get_intra_op_parallelism_threads() { return detail::intra_op_threads(); }

}  // namespace config::threading

}  // namespace typeflow

#endif
