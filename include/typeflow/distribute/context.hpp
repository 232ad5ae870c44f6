#ifndef TYPEFLOW_DISTRIBUTE_CONTEXT_HPP
#define TYPEFLOW_DISTRIBUTE_CONTEXT_HPP

// The process's place in a data-parallel job, with Horovod's names: init, shutdown, rank,
// size, local_rank, local_size. MPI carries it (Open MPI; launched by mpirun). typeflow's
// collectives run on a duplicate of MPI_COMM_WORLD, so a program's own MPI calls never match
// them by accident, with MPI_ERRORS_RETURN, so that an MPI error becomes a typeflow::error.
// Only this folder includes <mpi.h>: programs without MPI never include it.

// The C API only: Open MPI's deprecated C++ bindings do not compile warning-free.
#ifndef OMPI_SKIP_MPICXX
#define OMPI_SKIP_MPICXX 1
#endif
#ifndef MPICH_SKIP_MPICXX
#define MPICH_SKIP_MPICXX 1
#endif
#include <mpi.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "../core/error.hpp"

namespace typeflow::horovod {

namespace detail {

struct context {
  bool initialized = false;
  bool owns_mpi = false;  // MPI_Init_thread was ours, so MPI_Finalize is too
  MPI_Comm world = MPI_COMM_NULL;
  MPI_Comm local = MPI_COMM_NULL;  // the ranks on this host
  int rank = 0, size = 1, local_rank = 0, local_size = 1;
  int thread_level = MPI_THREAD_SINGLE;
};

inline context& state() {
  static context c;
  return c;
}

/// Throws a typeflow::error naming `what` and MPI's own message when rc is not MPI_SUCCESS.
inline void check(int rc, std::string_view what) {
  if (rc == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING];
  int length = 0;
  MPI_Error_string(rc, text, &length);
  throw error(std::string(what) + " failed: " + std::string(text, static_cast<std::size_t>(length)));
}

/// The context, or an error naming `who` when hvd::init was not called.
inline const context& require(std::string_view who) {
  const context& c = state();
  if (!c.initialized)
    throw error(std::string(who) +
                ": typeflow::horovod::init() has not been called (call hvd::init(argc, argv) once per process, "
                "before any other hvd:: function or any run of an hvd op)");
  return c;
}

void shutdown_context();

/// Shuts MPI down at exit if the program did not (the RAII half of init/shutdown).
struct finalizer {
  ~finalizer() { shutdown_context(); }
};

inline void init_context(int* argc, char*** argv) {
  context& c = state();
  if (c.initialized) return;  // Horovod's init may be called again
  int already = 0;
  MPI_Initialized(&already);
  if (!already) {
    // Sessions may run from several threads; ask for MPI_THREAD_MULTIPLE as Horovod does.
    check(MPI_Init_thread(argc, argv, MPI_THREAD_MULTIPLE, &c.thread_level), "hvd::init: MPI_Init_thread");
    c.owns_mpi = true;
  } else {
    MPI_Query_thread(&c.thread_level);
  }
  check(MPI_Comm_dup(MPI_COMM_WORLD, &c.world), "hvd::init: MPI_Comm_dup");
  MPI_Comm_set_errhandler(c.world, MPI_ERRORS_RETURN);
  check(MPI_Comm_split_type(c.world, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &c.local),
        "hvd::init: MPI_Comm_split_type");
  MPI_Comm_rank(c.world, &c.rank);
  MPI_Comm_size(c.world, &c.size);
  MPI_Comm_rank(c.local, &c.local_rank);
  MPI_Comm_size(c.local, &c.local_size);
  c.initialized = true;
  static finalizer at_exit;
}

inline void shutdown_context() {
  context& c = state();
  if (!c.initialized) return;
  c.initialized = false;
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (finalized) return;  // the program finalized MPI itself
  MPI_Comm_free(&c.local);
  MPI_Comm_free(&c.world);
  if (c.owns_mpi) MPI_Finalize();
}

}  // namespace detail

/// hvd.init(): joins the job (MPI_Init_thread unless MPI is initialised already). Call it once
/// per process before anything else of hvd; calling it again does nothing. MPI is shut down by
/// hvd::shutdown() or, if the program does not call it, when the program exits.
inline void init(int& argc, char**& argv) { detail::init_context(&argc, &argv); }
inline void init() { detail::init_context(nullptr, nullptr); }

/// hvd.shutdown(): leaves the job (MPI_Finalize, if init started MPI). Every rank must call it.
inline void shutdown() { detail::shutdown_context(); }

inline bool is_initialized() { return detail::state().initialized; }

/// hvd.rank(): this process's number in the job, 0 to size() - 1.
inline int rank() { return detail::require("hvd::rank").rank; }
/// hvd.size(): the number of processes in the job.
inline int size() { return detail::require("hvd::size").size; }
/// hvd.local_rank(): this process's number among those on its host (the GPU it would use).
inline int local_rank() { return detail::require("hvd::local_rank").local_rank; }
/// hvd.local_size(): the number of processes on this host.
inline int local_size() { return detail::require("hvd::local_size").local_size; }
/// hvd.mpi_threads_supported(): whether MPI accepts calls from several threads at once.
inline bool mpi_threads_supported() {
  return detail::require("hvd::mpi_threads_supported").thread_level == MPI_THREAD_MULTIPLE;
}

}  // namespace typeflow::horovod

#endif
