#ifndef TYPEFLOW_EVAL_FUSED_HPP
#define TYPEFLOW_EVAL_FUSED_HPP

// The loop of a fused elementwise chain. The CPU executor (eval/cpu_executor.hpp) turns a node and its lazy
// operands into a small tree of run-time objects: `apply` (an op over its operands), `leaf`
// (a buffer, broadcast to the loop's dims) and `scalar` (one value everywhere). This header
// runs such a tree over a buffer in one pass: xsimd batches where each op has a SIMD form
// (`simd_apply`) for the dtype, element by element otherwise.
//
// The loop is typeflow's own rather than xtensor's expressions: an xfunction tree instantiates
// a stepper, iterators and several assignment loops for every fused node, the largest single
// part of the compile time of long chains (benchmarks/README.md, "Where the 80-op chain's compile time
// goes"); this one is a function per tree node and the loops once per materialised node.

#include <algorithm>
#include <array>
#include <cstddef>
#include <iterator>
#include <type_traits>
#include <utility>

#include "../core/error.hpp"
#include "../core/shape.hpp"
#include "../core/thread_pool.hpp"
#include "../graph/node.hpp"
#include "../kernels/vector_math.hpp"

namespace typeflow::eval::fused {

template <class T>
using batch = xsimd::batch<T>;

/// A buffer read by the loop, its dims broadcast to the loop's R dims.
template <class S, std::size_t R>
struct leaf {
  const S* data;
  std::array<std::size_t, R> strides{};  // elements per step along each loop dim, 0 where broadcast
  // The current row (for_each_row) is read at row[j & mask]. A row of one value (an operand
  // broadcast along the row) is a batch's width of copies of the value, with mask 0: a batch
  // loads the same way from either, without a branch in the loop. The copies are for_each_row's,
  // not the leaf's: a leaf is built every run, and 64 aligned bytes in each made building the
  // regression's gradient loop take 60% longer.
  const S* row = nullptr;
  std::size_t mask = ~std::size_t{0};
};

/// One value everywhere: a literal, or an operand with a single element.
template <class S>
struct scalar {
  S value;
};

/// An op over its operands' values; the op object is the functor (leaky_relu carries its alpha).
template <class Op, class... A>
struct apply {
  Op op;
  graph::operand_store<std::index_sequence_for<A...>, A...> args;
};

template <std::size_t K, class A>
constexpr const A& get(const graph::stored_operand<K, A>& s) {
  return s.value;
}
template <std::size_t K, class A>
constexpr A& get(graph::stored_operand<K, A>& s) {
  return s.value;
}

/// A leaf reading `dims` (right-aligned against the loop's, NumPy's broadcasting) at `data`.
template <std::size_t R, class S, std::size_t Rank>
leaf<S, R> make_leaf(const S* data, const std::array<std::size_t, Rank>& dims, const std::array<std::size_t, R>& loop) {
  static_assert(Rank <= R, "typeflow internal: an operand has a higher rank than its fused loop");
  leaf<S, R> l{data};
  std::size_t stride = 1;
  for (std::size_t i = Rank; i-- > 0;) {
    const std::size_t m = i + (R - Rank);
    if (dims[i] != loop[m] && dims[i] != 1)  // Session::run checks the dims before: a bug if reached
      throw error("typeflow internal: an operand of dims " + shape_string(dims) + " read in a loop over " +
                  shape_string(loop));
    l.strides[m] = dims[i] == 1 ? 0 : stride;
    stride *= dims[i];
  }
  return l;
}

// --- walking the tree ------------------------------------------------------------------------

/// How many leaves tree E has.
template <class E>
inline constexpr std::size_t leaf_count = 0;  // a scalar
template <class S, std::size_t R>
inline constexpr std::size_t leaf_count<leaf<S, R>> = 1;
template <class Op, class... A>
inline constexpr std::size_t leaf_count<apply<Op, A...>> = (leaf_count<A> + ... + 0);

template <class F, class S, std::size_t R>
void for_each_leaf(leaf<S, R>& l, F& f) {
  f(l);
}
template <class F, class S>
void for_each_leaf(scalar<S>&, F&) {}
template <class F, class Op, class... A>
void for_each_leaf(apply<Op, A...>& e, F& f) {
  [&]<std::size_t... K>(std::index_sequence<K...>) {
    (for_each_leaf(get<K>(e.args), f), ...);
  }(std::index_sequence_for<A...>{});
}

/// Element j of the current row, in the tree's own dtypes (the ops' scalar forms).
template <class S, std::size_t R>
S value_at(const leaf<S, R>& l, std::size_t j) {
  return l.row[j & l.mask];
}
template <class S>
S value_at(const scalar<S>& s, std::size_t) {
  return s.value;
}
template <class Op, class... A>
auto value_at(const apply<Op, A...>& e, std::size_t j) {
  return [&]<std::size_t... K>(std::index_sequence<K...>) {
    return e.op(value_at(get<K>(e.args), j)...);
  }(std::index_sequence_for<A...>{});
}

/// Elements [j, j + lanes) of the current row as a batch of T (a batch_bool of T for a bool
/// value): a buffer of another dtype (a cast's operand, a condition) is converted lane by lane.
template <class T, class S, std::size_t R>
auto batch_at(const leaf<S, R>& l, std::size_t j) {
  if constexpr (std::is_same_v<S, T>) {
    return batch<T>::load_unaligned(l.row + (j & l.mask));
  } else {
    alignas(64) T lanes[batch<T>::size];
    for (std::size_t k = 0; k < batch<T>::size; ++k) lanes[k] = static_cast<T>(l.row[(j + k) & l.mask]);
    const auto b = batch<T>::load_aligned(lanes);
    if constexpr (std::is_same_v<S, bool>) return b != batch<T>(T(0));
    else return b;
  }
}
template <class T, class S>
auto batch_at(const scalar<S>& s, std::size_t) {
  if constexpr (std::is_same_v<S, bool>) return xsimd::batch_bool<T>(s.value);
  else return batch<T>(static_cast<T>(s.value));
}
template <class T, class Op, class... A>
auto batch_at(const apply<Op, A...>& e, std::size_t j) {
  return [&]<std::size_t... K>(std::index_sequence<K...>) {
    return e.op.simd_apply(batch_at<T>(get<K>(e.args), j)...);
  }(std::index_sequence_for<A...>{});
}

/// Whether integers run in batches. Not in a g++ build at -O0 for AVX-512BW (a debug build
/// with -march=native): there GCC's blend intrinsics are macros that cannot take an xsimd 8
/// batch, and xsimd's select of integer batches (through which its sign, where and the stores
/// of comparisons go) does not compile. A debug build computes integers one by one instead.
#if defined(__GNUC__) && !defined(__clang__) && !defined(__OPTIMIZE__) && defined(__AVX512BW__)
inline constexpr bool simd_integers = false;
#else
inline constexpr bool simd_integers = true;
#endif

/// Whether tree E runs in batches of T: every op has a SIMD form for the batches it gets.
template <class T, class E>
inline constexpr bool simd_v =
    std::is_floating_point_v<T> || (simd_integers && std::is_integral_v<T> && !std::is_same_v<T, bool>);
// The operands first: asking whether Op takes their batches instantiates batch_at on them,
// which must not be reached for an operand with no SIMD form for T (erfc's is float only).
template <class T, class Op, class... A>
inline constexpr bool simd_v<T, apply<Op, A...>> = [] {
  if constexpr (!(simd_v<T, A> && ...)) return false;
  else return requires(const Op& op, const A&... a) { op.simd_apply(batch_at<T>(a, 0)...); };
}();

// --- the loops -------------------------------------------------------------------------------

/// Splits a loop over `dims` into rows: the longest run of trailing dims along which every leaf
/// reads contiguously or one value (all of them where no operand broadcasts, so one row). Points
/// each leaf at the row and calls f(offset of the row in the output, row length), row by row.
template <std::size_t R, class E, class F>
void for_each_row(const std::array<std::size_t, R>& dims, E& e, F&& f) {
  std::array<std::size_t, R> dense{};  // the output's row-major strides
  for (std::size_t i = R, s = 1; i-- > 0; s *= dims[i]) dense[i] = s;
  const auto reads = [&](const auto& l, std::size_t from, bool contiguous) {
    for (std::size_t m = from; m != R; ++m)
      if (dims[m] != 1 && l.strides[m] != (contiguous ? dense[m] : 0)) return false;
    return true;
  };
  bool dense_leaves = true;  // the common case, no operand broadcast: one row, set up at once
  auto check_dense = [&](const auto& l) { dense_leaves = dense_leaves && reads(l, 0, true); };
  for_each_leaf(e, check_dense);
  if (dense_leaves) {
    auto point = [](auto& l) {
      l.row = l.data;
      l.mask = ~std::size_t{0};
    };
    for_each_leaf(e, point);
    std::size_t length = 1;
    for (std::size_t m = 0; m != R; ++m) length *= dims[m];
    if (length != 0) f(0, length);
    return;
  }
  std::size_t first = R;  // the row's first dim
  for (bool uniform = true; first > 0 && uniform;) {
    auto check = [&](const auto& l) { uniform = uniform && (reads(l, first - 1, true) || reads(l, first - 1, false)); };
    for_each_leaf(e, check);
    if (uniform) --first;
  }
  std::size_t length = 1, rows = 1;
  for (std::size_t m = 0; m != R; ++m) (m < first ? rows : length) *= dims[m];
  if (length == 0 || rows == 0) return;
  auto mode = [&](auto& l) { l.mask = reads(l, first, true) ? ~std::size_t{0} : 0; };
  for_each_leaf(e, mode);
  // Per leaf, its value spread over the widest batch (AVX-512's 64 bytes), for a leaf that is
  // one value along the row.
  alignas(64) unsigned char spread[std::max<std::size_t>(leaf_count<E>, 1)][64];
  std::array<std::size_t, R> index{};  // of the row, over dims [0, first)
  for (std::size_t r = 0; r < rows; ++r) {
    std::size_t k = 0;
    auto point = [&](auto& l) {
      std::size_t offset = 0;
      for (std::size_t m = 0; m < first; ++m) offset += index[m] * l.strides[m];
      if (l.mask) {
        l.row = l.data + offset;
      } else {
        using S = std::remove_cvref_t<decltype(*l.data)>;
        S* copies = reinterpret_cast<S*>(spread[k]);
        std::fill(copies, copies + 64 / sizeof(S), l.data[offset]);
        l.row = copies;
      }
      ++k;
    };
    for_each_leaf(e, point);
    f(r * length, length);
    for (std::size_t m = first; m-- > 0;) {  // the next row's index
      if (++index[m] < dims[m]) break;
      index[m] = 0;
    }
  }
}

/// out[j] = e at j, for j in [begin, end) of the current row. V is T or, for a comparison, bool.
/// `out` is the node's own buffer, which no leaf reads and the tree is not in: __restrict lets
/// the compiler keep the tree's pointers and values in registers over the stores (without it,
/// each batch reloaded them: 17 instructions for the regression's gradient, 9 with it).
template <class T, class V, class E>
void assign_row(V* __restrict out, const E& e, std::size_t begin, std::size_t end) {
  std::size_t j = begin;
  if constexpr (simd_v<T, E>) {
    constexpr std::size_t lanes = batch<T>::size;
    for (; j + lanes <= end; j += lanes) {
      const auto b = batch_at<T>(e, j);
      if constexpr (std::is_same_v<V, T>) {
        b.store_unaligned(out + j);
      } else {
        static_assert(std::is_same_v<V, bool>, "typeflow internal: a fused loop stores its dtype or bool");
        alignas(64) T lanes_of[lanes];
        xsimd::select(b, batch<T>(T(1)), batch<T>(T(0))).store_aligned(lanes_of);
        for (std::size_t k = 0; k < lanes; ++k) out[j + k] = lanes_of[k] != T(0);
      }
    }
  }
  for (; j < end; ++j) out[j] = static_cast<V>(value_at(e, j));
}

/// out = e over `dims`, computed in T; a long row is split over the pool's threads.
template <class T, class V, std::size_t R, class E>
void assign(V* out, const std::array<std::size_t, R>& dims, E& e) {
  for_each_row(dims, e, [&](std::size_t offset, std::size_t length) {
    V* row = out + offset;
    if (length < 2 * parallel::elementwise_grain) {  // too short to split: no set-up per row
      assign_row<T>(row, e, 0, length);
      return;
    }
    // Ranges start on cache lines (xtensor's buffers are aligned), so no two threads share one.
    constexpr std::size_t align = std::max<std::size_t>(batch<T>::size, 64 / sizeof(V));
    parallel::for_ranges(length, parallel::elementwise_grain,
                         [&](std::size_t begin, std::size_t end) { assign_row<T>(row, e, begin, end); }, align);
  });
}

/// The sum of e over `dims`, computed in T (floating). Long rows are split over the pool's
/// threads and their parts added in order, so a run's result does not depend on timing.
template <class T, std::size_t R, class E>
T sum(const std::array<std::size_t, R>& dims, E& e) {
  T total = 0;
  for_each_row(dims, e, [&](std::size_t, std::size_t length) {
    const auto range_sum = [&](std::size_t begin, std::size_t end) {
      T s = 0;
      std::size_t i = begin;
      if constexpr (simd_v<T, E>) {
        // Blocks of 2^12 summed in four SIMD chains (an add's latency is four times its issue
        // interval: two chains left the sum of 1,000 floats waiting on it, 1.4x this time),
        // then added up: the rounding error grows with 2^12 / lanes + n / 2^12, not n / lanes.
        constexpr std::size_t block = std::size_t{1} << 12, lanes = batch<T>::size;
        while (i + lanes <= end) {
          batch<T> acc[4] = {batch<T>(T(0)), batch<T>(T(0)), batch<T>(T(0)), batch<T>(T(0))};
          const std::size_t stop = std::min(end, i + block);
          for (; i + 4 * lanes <= stop; i += 4 * lanes)
            for (std::size_t c = 0; c < 4; ++c) acc[c] += batch_at<T>(e, i + c * lanes);
          for (std::size_t c = 0; i + lanes <= stop; i += lanes, ++c) acc[c] += batch_at<T>(e, i);
          s += xsimd::hadd((acc[0] + acc[1]) + (acc[2] + acc[3]));
        }
      }
      for (; i < end; ++i) s += static_cast<T>(value_at(e, i));
      return s;
    };
    // A row too short to split is summed here, without per-part sums: a broadcast operand
    // makes many short rows.
    if (length < 2 * parallel::reduction_grain) {
      total += range_sum(0, length);
      return;
    }
    constexpr std::size_t max_parts = 64;
    std::array<T, max_parts> partial{};
    parallel::for_parts(length, parallel::reduction_grain, batch<T>::size, max_parts,
                        [&](std::size_t part, std::size_t begin, std::size_t end) { partial[part] = range_sum(begin, end); });
    for (T p : partial) total += p;
  });
  return total;
}

}  // namespace typeflow::eval::fused

#endif
