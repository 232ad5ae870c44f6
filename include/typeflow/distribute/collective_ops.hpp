#ifndef TYPEFLOW_DISTRIBUTE_COLLECTIVE_OPS_HPP
#define TYPEFLOW_DISTRIBUTE_COLLECTIVE_OPS_HPP

// Horovod's collectives as graph ops: hvd::allreduce (average or sum), hvd::allgather
// (concatenation along the first axis) and hvd::broadcast (from one rank), each a kernel op
// (graph/op_contract.hpp) whose forward is one MPI collective. Every rank must run the same
// ops in the same order, as with Horovod: a collective is a meeting of all ranks.
//
// Shapes are checked across ranks before the data moves (one small MPI_Allgather of the dims),
// so that ranks with different shapes all get an error naming both, not a hang or garbage: on
// every run for a shape with tf::none dims, on the first run for a static shape.

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <vector>

#include "../core/error.hpp"
#include "../core/shape.hpp"
#include "../core/tensor_ref.hpp"
#include "../graph/node.hpp"
#include "context.hpp"

namespace typeflow::horovod {

/// hvd.Average and hvd.Sum: what an allreduce computes from the ranks' tensors.
enum class reduce_op { average, sum };
inline constexpr reduce_op Average = reduce_op::average;
inline constexpr reduce_op Sum = reduce_op::sum;

namespace detail {

/// The MPI datatype of dtype T.
template <class T>
MPI_Datatype mpi_type() {
  if constexpr (std::is_same_v<T, float>) return MPI_FLOAT;
  else if constexpr (std::is_same_v<T, double>) return MPI_DOUBLE;
  else if constexpr (std::is_same_v<T, bool>) return MPI_C_BOOL;
  else if constexpr (std::is_same_v<T, std::int8_t>) return MPI_INT8_T;
  else if constexpr (std::is_same_v<T, std::uint8_t>) return MPI_UINT8_T;
  else if constexpr (std::is_same_v<T, std::int16_t>) return MPI_INT16_T;
  else if constexpr (std::is_same_v<T, std::int32_t>) return MPI_INT32_T;
  else if constexpr (std::is_same_v<T, std::int64_t>) return MPI_INT64_T;
  else static_assert(sizeof(T) == 0, "typeflow::horovod: this dtype has no MPI datatype here");
}

/// MPI counts are int: a tensor past 2^31 elements is an error, not a truncated message.
inline int mpi_count(std::size_t n, std::string_view who) {
  if (n > static_cast<std::size_t>(INT32_MAX))
    throw error(std::string(who) + ": " + std::to_string(n) + " elements exceed MPI's int count");
  return static_cast<int>(n);
}

template <std::size_t R>
std::string dims_text(const std::uint64_t* d) {
  std::array<std::size_t, R> a{};
  std::copy(d, d + R, a.begin());
  return shape_string(a);
}

/// Per op node, across runs: whether its static shape was checked, allgather's counts.
struct collective_state {
  std::mutex mutex;
  bool checked = false;
  std::vector<int> counts, displacements;
};

/// The dims of every rank (rank-major), gathered; `who` names the op in errors.
template <std::size_t R>
std::vector<std::uint64_t> gather_dims(const std::array<std::size_t, R>& dims, const context& c, std::string_view who) {
  std::array<std::uint64_t, R> mine{};
  std::copy(dims.begin(), dims.end(), mine.begin());
  std::vector<std::uint64_t> all(R * static_cast<std::size_t>(c.size));
  check(MPI_Allgather(mine.data(), static_cast<int>(R), MPI_UINT64_T, all.data(), static_cast<int>(R), MPI_UINT64_T,
                      c.world),
        std::string(who) + ": MPI_Allgather of the shapes");
  return all;
}

/// Checks that every rank's dims (from axis `from` on) equal those of rank `reference`.
template <std::size_t R>
void require_same_dims(const std::vector<std::uint64_t>& all, int reference, std::size_t from, const context& c,
                       std::string_view who) {
  const std::uint64_t* want = all.data() + R * static_cast<std::size_t>(reference);
  for (int r = 0; r < c.size; ++r) {
    const std::uint64_t* got = all.data() + R * static_cast<std::size_t>(r);
    if (!std::equal(want + from, want + R, got + from))
      throw error(std::string(who) + ": rank " + std::to_string(r) + "'s tensor has shape " + dims_text<R>(got) +
                  ", rank " + std::to_string(reference) + "'s " + dims_text<R>(want) +
                  (from == 0 ? "; every rank must pass the same shape" : "; only the first dim may differ"));
  }
}

/// Checks that every rank's `text` (what it is about to exchange, described) is rank 0's: one
/// MPI_Allgather of the lengths and one MPI_Allgatherv of the texts. All ranks throw alike.
inline void require_same_text(const std::string& text, const context& c, std::string_view who,
                              std::string_view expectation) {
  const std::size_t n = static_cast<std::size_t>(c.size);
  int length = mpi_count(text.size(), who);
  std::vector<int> lengths(n), offsets(n);
  check(MPI_Allgather(&length, 1, MPI_INT, lengths.data(), 1, MPI_INT, c.world),
        std::string(who) + ": MPI_Allgather of the descriptions' lengths");
  std::size_t total = 0;
  for (std::size_t r = 0; r < n; ++r) {
    offsets[r] = mpi_count(total, who);
    total += static_cast<std::size_t>(lengths[r]);
  }
  std::string all(total, '\0');
  check(MPI_Allgatherv(text.data(), length, MPI_CHAR, all.data(), lengths.data(), offsets.data(), MPI_CHAR, c.world),
        std::string(who) + ": MPI_Allgatherv of the descriptions");
  const auto of = [&](std::size_t r) {
    return all.substr(static_cast<std::size_t>(offsets[r]), static_cast<std::size_t>(lengths[r]));
  };
  for (std::size_t r = 1; r < n; ++r)
    if (of(r) != of(0))
      throw error(std::string(who) + ": rank " + std::to_string(r) + " differs from rank 0 (" +
                  std::string(expectation) + ")\n  rank 0: " + of(0) + "\n  rank " + std::to_string(r) + ": " + of(r));
}

/// Whether this run checks shapes: always where the static shape has tf::none dims, once else.
/// Every rank decides alike, so the ranks' collectives stay matched.
inline bool check_this_run(collective_state& s, bool static_shape) {
  const bool first = !s.checked;
  s.checked = true;
  return first || !static_shape;
}

}  // namespace detail

namespace op {

/// HorovodAllreduce: the element-wise sum or average of the operand over the ranks.
struct allreduce {
  static constexpr std::string_view tf_name = "HorovodAllreduce";
  static constexpr bool tf_op = false;  // a Horovod op, not in TensorFlow's GraphDef vocabulary
  static constexpr std::size_t shape_operand = 0;
  template <class X>
  using value_type = value_t<X>;
  template <class X>
  using shape_type = shape_of_t<X>;

  reduce_op m_reduce = reduce_op::average;
  bool m_static_shape = false;  // no tf::none dim: the shapes are checked on the first run only
  std::shared_ptr<detail::collective_state> m_state = std::make_shared<detail::collective_state>();

  template <class T, std::size_t R>
  void forward(tensor_ref<T, R> out, tensor_ref<const T, R> in) const {
    const auto& c = detail::require("hvd::allreduce");
    std::lock_guard lock(m_state->mutex);
    if constexpr (R > 0)
      if (detail::check_this_run(*m_state, m_static_shape))
        detail::require_same_dims<R>(detail::gather_dims(in.dims, c, "hvd::allreduce"), 0, 0, c, "hvd::allreduce");
    std::copy(in.data, in.data + in.size(), out.data);
    detail::check(MPI_Allreduce(MPI_IN_PLACE, out.data, detail::mpi_count(out.size(), "hvd::allreduce"),
                                detail::mpi_type<T>(), MPI_SUM, c.world),
                  "hvd::allreduce: MPI_Allreduce");
    if (m_reduce == reduce_op::average) {
      const T n = static_cast<T>(c.size);
      for (std::size_t i = 0; i < out.size(); ++i) out.data[i] /= n;
    }
  }

  // d(allreduce x) = allreduce(g): each rank's x reaches every rank's result (Horovod's gradient).
  static auto vjp(const auto& g, const auto& n) {
    using G = std::remove_cvref_t<decltype(g)>;
    allreduce a = n.op();
    a.m_static_shape = shape_of_t<G>::fully_static;
    a.m_state = std::make_shared<detail::collective_state>();
    return std::tuple{graph::node<allreduce, G>(a, g)};
  }
  bool operator==(const allreduce& o) const { return m_reduce == o.m_reduce && m_state == o.m_state; }
};

/// HorovodAllgather: the ranks' tensors concatenated along axis 0, in rank order; only the
/// first dim may differ between ranks. No gradient here (Horovod's is a sum and a slice).
struct allgather {
  static constexpr std::string_view tf_name = "HorovodAllgather";
  static constexpr bool tf_op = false;
  static constexpr bool differentiable(std::size_t) { return false; }
  template <class X>
  using value_type = value_t<X>;
  template <class X>
  struct result_of {
    static constexpr auto dims() {
      auto d = shape_of_t<X>::dims;
      d[0] = none;
      return d;
    }
  };
  template <class X>
  using shape_type = shape_from_t<result_of<X>>;

  std::shared_ptr<detail::collective_state> m_state = std::make_shared<detail::collective_state>();

  /// Collective: gathers every rank's dims (the result's first dim is their sum).
  template <std::size_t R>
  std::array<std::size_t, R> result_dims(const std::array<std::size_t, R>& in) const {
    static_assert(R > 0, "hvd::allgather: a scalar has no first axis to concatenate along");
    const auto& c = detail::require("hvd::allgather");
    std::lock_guard lock(m_state->mutex);
    const auto all = detail::gather_dims(in, c, "hvd::allgather");
    detail::require_same_dims<R>(all, 0, 1, c, "hvd::allgather");
    std::size_t row = 1;
    for (std::size_t i = 1; i < R; ++i) row *= in[i];
    auto& s = *m_state;
    s.counts.assign(static_cast<std::size_t>(c.size), 0);
    s.displacements.assign(static_cast<std::size_t>(c.size), 0);
    std::size_t total = 0;
    for (std::size_t r = 0; r < s.counts.size(); ++r) {
      s.displacements[r] = detail::mpi_count(total * row, "hvd::allgather");
      s.counts[r] = detail::mpi_count(all[r * R] * row, "hvd::allgather");
      total += all[r * R];
    }
    auto out = in;
    out[0] = total;
    return out;
  }

  template <class T, std::size_t R>
  void forward(tensor_ref<T, R> out, tensor_ref<const T, R> in) const {
    const auto& c = detail::require("hvd::allgather");
    std::lock_guard lock(m_state->mutex);
    detail::check(
        MPI_Allgatherv(in.data, detail::mpi_count(in.size(), "hvd::allgather"), detail::mpi_type<T>(), out.data,
                       m_state->counts.data(), m_state->displacements.data(), detail::mpi_type<T>(), c.world),
        "hvd::allgather: MPI_Allgatherv");
  }
  bool operator==(const allgather& o) const { return m_state == o.m_state; }
};

/// HorovodBroadcast: rank `root`'s tensor on every rank. No gradient (as Horovod's is not used).
struct broadcast {
  static constexpr std::string_view tf_name = "HorovodBroadcast";
  static constexpr bool tf_op = false;
  static constexpr bool differentiable(std::size_t) { return false; }
  static constexpr std::size_t shape_operand = 0;
  template <class X>
  using value_type = value_t<X>;
  template <class X>
  using shape_type = shape_of_t<X>;

  int m_root = 0;
  bool m_static_shape = false;
  std::shared_ptr<detail::collective_state> m_state = std::make_shared<detail::collective_state>();

  template <class T, std::size_t R>
  void forward(tensor_ref<T, R> out, tensor_ref<const T, R> in) const {
    const auto& c = detail::require("hvd::broadcast");
    if (m_root < 0 || m_root >= c.size)
      throw error("hvd::broadcast: root rank " + std::to_string(m_root) + " is not in the job's ranks 0.." +
                  std::to_string(c.size - 1));
    std::lock_guard lock(m_state->mutex);
    if constexpr (R > 0)
      if (detail::check_this_run(*m_state, m_static_shape))
        detail::require_same_dims<R>(detail::gather_dims(in.dims, c, "hvd::broadcast"), m_root, 0, c, "hvd::broadcast");
    std::copy(in.data, in.data + in.size(), out.data);
    detail::check(
        MPI_Bcast(out.data, detail::mpi_count(out.size(), "hvd::broadcast"), detail::mpi_type<T>(), m_root, c.world),
        "hvd::broadcast: MPI_Bcast");
  }
  bool operator==(const broadcast& o) const { return m_root == o.m_root && m_state == o.m_state; }
};

}  // namespace op

/// hvd.allreduce(tensor, op=Average): the average (or sum) of `tensor` over all ranks.
template <tensor_node X>
auto allreduce(const X& x, reduce_op reduce = Average) {
  op::allreduce a;
  a.m_reduce = reduce;
  a.m_static_shape = shape_of_t<X>::fully_static;
  return graph::node<op::allreduce, X>(a, x);
}

/// hvd.allgather(tensor): the ranks' tensors concatenated along the first axis, in rank order.
template <tensor_node X>
auto allgather(const X& x) {
  return graph::node<op::allgather, X>(op::allgather{}, x);
}

/// hvd.broadcast(tensor, root_rank): rank root_rank's value of `tensor`, on every rank.
template <tensor_node X>
auto broadcast(const X& x, int root_rank) {
  op::broadcast b;
  b.m_root = root_rank;
  b.m_static_shape = shape_of_t<X>::fully_static;
  return graph::node<op::broadcast, X>(b, x);
}

}  // namespace typeflow::horovod

#endif
