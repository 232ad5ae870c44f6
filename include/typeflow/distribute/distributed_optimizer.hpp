#ifndef TYPEFLOW_DISTRIBUTE_DISTRIBUTED_OPTIMIZER_HPP
#define TYPEFLOW_DISTRIBUTE_DISTRIBUTED_OPTIMIZER_HPP

// hvd.DistributedOptimizer(opt): the wrapped optimizer's update, applied to gradients averaged
// over the ranks. The averaging is Horovod's tensor fusion, done in the graph: per dtype, one
// kernel node (op::fused_allreduce) whose operands are all of that dtype's gradients packs them
// into its own buffer, which one MPI_Allreduce sums in place; a node per gradient
// (op::fused_part) is that gradient's span of the buffer, in its shape, which the CPU executor
// reads in place (a view), and the wrapped optimizer's update ops read those. The gradients are
// those of loss / hvd::size() (Horovod's prescaling), so their sum is their average: the
// division rides in the backward pass's first fused loop, and no pass over the buffer divides.
// So a step makes one MPI_Allreduce per dtype and one copy of the gradients, and the wrapped
// optimizer (its slots, names and update kernels) is unchanged.
//
// No overlap of the reduction with the backward pass: a Session's run computes its nodes one
// after the other, so the fused node starts when the last gradient is computed.

#include <algorithm>
#include <array>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>

#include "../core/dtype.hpp"
#include "../core/shape.hpp"
#include "../core/tensor_ref.hpp"
#include "../core/type_list.hpp"
#include "../graph/node.hpp"
#include "../ops/reduce.hpp"
#include "../runtime/train/optimizer.hpp"
#include "collective_ops.hpp"
#include "context.hpp"

namespace typeflow::horovod {

namespace detail {
/// One fused allreduce's check, once, that every rank reduces the same gradients.
struct fusion_state {
  std::mutex mutex;
  bool checked = false;
  std::string description;  // "float32 W1 [64, 128], float32 b1 [128]"
};
}  // namespace detail

namespace op {

/// x / hvd::size(), the number of ranks read at run time: the loss whose gradients, summed over
/// the ranks, are their average. Lazy, so in the backward pass it is one multiplication in the
/// loop that first reads the loss's gradient.
struct divide_by_size {
  static constexpr bool elementwise = true;
  static constexpr std::string_view tf_name = "HorovodPrescale";
  static constexpr bool tf_op = false;
  static constexpr std::size_t shape_operand = 0;
  template <class X>
  using value_type = value_t<X>;
  template <class X>
  using shape_type = shape_of_t<X>;

  template <class T, class D>
  static typeflow::op::scale_by<T> at_run_time(const D&) {
    return {T(1) / static_cast<T>(detail::require("hvd::DistributedOptimizer").size)};
  }
  static auto vjp(const auto& g, const auto&) {
    return typeflow::op::parts{graph::node<divide_by_size, std::remove_cvref_t<decltype(g)>>({}, g)};
  }
};

/// The sums over the ranks of one step's gradients of one dtype, packed in one buffer
/// (Horovod's fusion buffer): the operands one after the other, flattened.
struct fused_allreduce {
  static constexpr std::string_view tf_name = "HorovodAllreduce";
  static constexpr bool tf_op = false;
  static constexpr bool differentiable(std::size_t) { return false; }
  template <class G0, class... G>
  using value_type = value_t<G0>;
  template <class... G>
  using shape_type = shape<(static_size_v<shape_of_t<G>> + ...)>;

  std::shared_ptr<detail::fusion_state> m_state;

  template <class... D>
  static std::array<std::size_t, 1> result_dims(const D&... dims) {
    const auto count = [](const auto& d) {
      std::size_t n = 1;
      for (auto k : d) n *= k;
      return n;
    };
    return {(count(dims) + ...)};
  }

  template <class T, class... In>
  void forward(tensor_ref<T, 1> out, const In&... in) const {
    const auto& c = detail::require("hvd::DistributedOptimizer");
    std::lock_guard lock(m_state->mutex);
    if (!m_state->checked) {  // the first run on every rank: what is summed must match
      m_state->checked = true;
      detail::require_same_text(m_state->description, c, "hvd::DistributedOptimizer",
                                "every rank must train the same variables, with the same dtypes and shapes");
    }
    T* at = out.data;
    ((at = std::copy(in.data, in.data + in.size(), at)), ...);
    detail::check(MPI_Allreduce(MPI_IN_PLACE, out.data, detail::mpi_count(out.size(), "hvd::DistributedOptimizer"),
                                detail::mpi_type<T>(), MPI_SUM, c.world),
                  "hvd::DistributedOptimizer: MPI_Allreduce of the gradients");
  }
  bool operator==(const fused_allreduce& o) const { return m_state == o.m_state; }
};

/// One gradient's part of a fused allreduce's buffer: elements [Offset, Offset + size of S), in
/// shape S. A view (op contract): the CPU executor reads it in place, forward is the copy.
template <std::size_t Offset, class S>
struct fused_part {
  static constexpr std::string_view tf_name = "HorovodFusedPart";
  static constexpr bool tf_op = false;
  static constexpr std::size_t view_offset = Offset;
  static constexpr bool differentiable(std::size_t) { return false; }
  template <class F>
  using value_type = value_t<F>;
  template <class F>
  using shape_type = S;

  static std::array<std::size_t, S::rank> result_dims(const std::array<std::size_t, 1>&) {
    std::array<std::size_t, S::rank> d{};
    for (std::size_t i = 0; i < S::rank; ++i) d[i] = static_cast<std::size_t>(S::dims[i]);
    return d;
  }
  template <class T, std::size_t R>
  static void forward(tensor_ref<T, R> out, tensor_ref<const T, 1> fused) {
    std::copy(fused.data + Offset, fused.data + Offset + out.size(), out.data);
  }
};

}  // namespace op

namespace detail {

template <class List, class... T>
struct unique_types {
  using type = List;
};
template <class List, class T, class... Rest>
struct unique_types<List, T, Rest...>
    : unique_types<std::conditional_t<contains_v<List, T>, List, push_back_t<List, T>>, Rest...> {};

/// "float32 W1 [64, 128]": what a rank reduces for variable V.
template <class V>
std::string describe_variable() {
  std::array<std::int64_t, shape_of_t<V>::rank> dims{};
  for (std::size_t i = 0; i < dims.size(); ++i) dims[i] = shape_of_t<V>::dims[i];
  return std::string(dtype_name<value_t<V>>()) + " " + std::string(V::name_type::view()) + " " + shape_string(dims);
}

/// The places of the gradients of dtype T among G, as an array.
template <class T, class... G>
constexpr auto places_of_dtype() {
  constexpr std::array<bool, sizeof...(G)> of_dtype{std::is_same_v<value_t<G>, T>...};
  std::array<std::size_t, (std::size_t{std::is_same_v<value_t<G>, T>} + ...)> places{};
  for (std::size_t i = 0, k = 0; i < of_dtype.size(); ++i)
    if (of_dtype[i]) places[k++] = i;
  return places;
}
/// Those places as a std::index_sequence (declared only, for decltype).
template <auto Places, std::size_t... K>
std::index_sequence<Places[K]...> as_sequence(std::index_sequence<K...>);
template <class T, class... G>
using places_of_dtype_t =
    decltype(as_sequence<places_of_dtype<T, G...>()>(std::make_index_sequence<places_of_dtype<T, G...>().size()>{}));

/// The fused allreduce of the gradients at places I among pairs (gradient, variable).
template <class... G, class... V, std::size_t... I>
auto fuse(const std::tuple<std::pair<G, V>...>& grads_and_vars, std::index_sequence<I...>) {
  using pairs = std::tuple<std::pair<G, V>...>;
  op::fused_allreduce fused{std::make_shared<fusion_state>()};
  std::string& text = fused.m_state->description;
  ((text += (text.empty() ? "" : ", ") + describe_variable<typename std::tuple_element_t<I, pairs>::second_type>()),
   ...);
  return graph::node<op::fused_allreduce, typename std::tuple_element_t<I, pairs>::first_type...>(
      fused, std::get<I>(grads_and_vars).first...);
}

/// One fused allreduce per dtype Ts, in a std::tuple.
template <class... G, class... V, class... Ts>
auto fuse_each_dtype(const std::tuple<std::pair<G, V>...>& grads_and_vars, type_list<Ts...>) {
  return std::tuple{fuse(grads_and_vars, places_of_dtype_t<Ts, G...>{})...};
}

/// Where gradient I starts in its dtype's fusion buffer.
template <std::size_t I, class... G>
constexpr std::size_t fusion_offset() {
  using T = value_t<std::tuple_element_t<I, std::tuple<G...>>>;
  constexpr std::array<bool, sizeof...(G)> same{std::is_same_v<value_t<G>, T>...};
  constexpr std::array<std::size_t, sizeof...(G)> sizes{static_cast<std::size_t>(static_size_v<shape_of_t<G>>)...};
  std::size_t offset = 0;
  for (std::size_t j = 0; j < I; ++j)
    if (same[j]) offset += sizes[j];
  return offset;
}

/// Gradient I's average, read from its dtype's fused allreduce (in `fused`, in the order Dtypes).
template <std::size_t I, class Dtypes, class Fused, class... G>
auto fused_part_of(const Fused& fused) {
  using Gi = std::tuple_element_t<I, std::tuple<G...>>;
  using F = std::tuple_element_t<position_v<Dtypes, value_t<Gi>>, Fused>;
  using P = op::fused_part<fusion_offset<I, G...>(), shape_of_t<Gi>>;
  return graph::node<P, F>(P{}, std::get<position_v<Dtypes, value_t<Gi>>>(fused));
}

template <class Dtypes, class Fused, class... G, class... V, std::size_t... I>
auto averaged_pairs(const std::tuple<std::pair<G, V>...>& grads_and_vars, const Fused& fused,
                    std::index_sequence<I...>) {
  return std::make_tuple(
      std::pair{fused_part_of<I, Dtypes, Fused, G...>(fused), std::get<I>(grads_and_vars).second}...);
}

/// The pairs (gradient averaged over the ranks, variable): one fused allreduce per dtype.
template <class... G, class... V>
auto allreduce_gradients(const std::tuple<std::pair<G, V>...>& grads_and_vars) {
  static_assert((shape_of_t<G>::fully_static && ...),
                "hvd::DistributedOptimizer: every gradient needs a static shape (a variable's), to place it in the "
                "fusion buffer");
  using dtypes = typename unique_types<type_list<>, value_t<G>...>::type;
  return averaged_pairs<dtypes>(grads_and_vars, fuse_each_dtype(grads_and_vars, dtypes{}),
                                std::index_sequence_for<G...>{});
}

}  // namespace detail

/// hvd.DistributedOptimizer(optimizer): `optimizer`'s training op, on gradients averaged over
/// the ranks (hvd::allreduce, fused: one MPI_Allreduce per dtype a step). Scale the learning
/// rate by hvd::size() as Horovod advises: the job's batch is size() times a rank's.
template <class Optimizer>
class DistributedOptimizer {
 public:
  explicit DistributedOptimizer(Optimizer optimizer) : m_optimizer(std::move(optimizer)) {}

  /// The wrapped optimizer's pairs (gradient, variable), the gradients averaged over the ranks
  /// (those of loss / hvd::size(), summed).
  template <tensor_node Loss, class... V>
  auto compute_gradients(const Loss& loss, var_list_t<V...> vars = {}) const {
    const graph::node<op::divide_by_size, Loss> prescaled({}, loss);
    return detail::allreduce_gradients(m_optimizer.compute_gradients(prescaled, vars));
  }

  /// The wrapped optimizer's apply_gradients (of pairs that compute_gradients averaged).
  template <class... G, class... V, class... Step>
  auto apply_gradients(const std::tuple<std::pair<G, V>...>& grads_and_vars, const Step&... global_step) const {
    return m_optimizer.apply_gradients(grads_and_vars, global_step...);
  }

  /// compute_gradients then apply_gradients; after the loss, an optional tf::var_list(...) and
  /// an optional global step, as the wrapped optimizer's minimize takes them.
  template <tensor_node Loss, class... Args>
  auto minimize(const Loss& loss, const Args&... args) const {
    namespace td = typeflow::detail;
    // clang-format off
    static_assert((td::is_var_list_v<Args> + ... + 0) <= 1 && (td::is_global_step_v<Args> + ... + 0) <= 1 &&
                      ((td::is_var_list_v<Args> || td::is_global_step_v<Args>) && ...),
                  "hvd::DistributedOptimizer::minimize(loss, ...): after the loss, pass at most one tf::var_list(...) "
                  "and one global step (an integer scalar tf::Variable)");
    // clang-format on
    const auto vars = std::tuple_cat(td::keep_if<td::var_list_pred>(args)...);
    const auto steps = std::tuple_cat(td::keep_if<td::global_step_pred>(args)...);
    const auto grads_and_vars = [&] {
      if constexpr (std::tuple_size_v<decltype(vars)> == 0) return compute_gradients(loss);
      else return compute_gradients(loss, std::get<0>(vars));
    }();
    if constexpr (std::tuple_size_v<decltype(steps)> == 0) return apply_gradients(grads_and_vars);
    else return apply_gradients(grads_and_vars, std::get<0>(steps));
  }

  /// The wrapped optimizer.
  const Optimizer& optimizer() const { return m_optimizer; }

 private:
  Optimizer m_optimizer;
};

}  // namespace typeflow::horovod

#endif
