#ifndef TYPEFLOW_DISTRIBUTE_BROADCAST_VARIABLES_HPP
#define TYPEFLOW_DISTRIBUTE_BROADCAST_VARIABLES_HPP

// hvd.broadcast_global_variables(root_rank): every variable of the default graph (the model's,
// the optimizers' slots) takes rank root_rank's value, so that training starts from one state
// however each rank initialised it. Variables are handled by name and as bytes (the graph's
// records, as the Saver does), all packed into one MPI_Bcast.

#include <algorithm>
#include <cstddef>
#include <string>
#include <vector>

#include "../core/error.hpp"
#include "../core/shape.hpp"
#include "../eval/variable_store.hpp"
#include "../runtime/graph.hpp"
#include "collective_ops.hpp"
#include "context.hpp"

namespace typeflow::horovod {

/// The operation that sess.run(hvd::broadcast_global_variables(0)) runs, after the initializer.
struct broadcast_global_variables_op {
  int m_root = 0;

  /// Run by Session::run on its variables (a collective: every rank runs it).
  void run_on(const Graph& graph, eval::variable_store& store) const {
    constexpr std::string_view who = "hvd::broadcast_global_variables";
    const auto& c = detail::require(who);
    if (m_root < 0 || m_root >= c.size)
      throw error(std::string(who) + ": root rank " + std::to_string(m_root) + " is not in the job's ranks 0.." +
                  std::to_string(c.size - 1));
    const auto& records = graph.variables();
    std::string description;
    std::vector<eval::variable_bytes> values;
    std::size_t bytes = records.size();  // a flag per variable (initialised on the root), then the values
    for (const auto& r : records) {
      values.push_back(r.value(store));
      bytes += values.back().size;
      description += (description.empty() ? "" : ", ") + r.dtype + " " + r.name + " " + shape_string(r.shape);
    }
    detail::require_same_text(description, c, who,
                              "every rank must declare the same variables, with the same dtypes and shapes");
    std::vector<std::byte> buffer(bytes);
    if (c.rank == m_root) {
      std::byte* at = buffer.data() + records.size();
      for (std::size_t i = 0; i < values.size(); ++i) {
        buffer[i] = std::byte{*values[i].initialized};
        at = std::copy(values[i].data, values[i].data + values[i].size, at);
      }
    }
    detail::check(MPI_Bcast(buffer.data(), detail::mpi_count(bytes, who), MPI_BYTE, m_root, c.world),
                  std::string(who) + ": MPI_Bcast");
    for (std::size_t i = 0; i < records.size(); ++i)
      if (buffer[i] == std::byte{0})
        throw error(std::string(who) + ": variable '" + records[i].name + "' is not initialized on root rank " +
                    std::to_string(m_root) + " (run tf::global_variables_initializer() before the broadcast)");
    if (c.rank == m_root) return;
    const std::byte* at = buffer.data() + records.size();
    for (auto& v : values) {
      std::copy(at, at + v.size, v.data);
      at += v.size;
      *v.initialized = true;
    }
  }
};

/// hvd.broadcast_global_variables(root_rank): `sess.run(hvd::broadcast_global_variables(0))`.
inline broadcast_global_variables_op broadcast_global_variables(int root_rank) { return {root_rank}; }

}  // namespace typeflow::horovod

#endif
