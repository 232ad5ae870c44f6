#ifndef TYPEFLOW_KERNELS_REDUCE_HPP
#define TYPEFLOW_KERNELS_REDUCE_HPP

// Sum, max, min and product over any set of axes of a row-major buffer. Adjacent axes that
// are both reduced or both kept are merged first, so every case becomes a few nested loops
// whose innermost loop is contiguous: a plain reduction (reduced) or a combine of rows (kept).
// Also the kernels that need each output's group of inputs at hand: argmax/argmin and the
// gradients of max, min and prod.

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <type_traits>

#include "../core/thread_pool.hpp"
#include "simd.hpp"

namespace typeflow::kernels {

namespace detail {

/// Sum of n contiguous values, with several accumulators so the loop vectorises and the
/// rounding error grows more slowly than with one running sum.
template <class T>
T contiguous_sum(const T* x, std::size_t n) {
  constexpr std::size_t lanes = 16;
  T acc[lanes] = {};
  std::size_t i = 0;
  for (; i + lanes <= n; i += lanes)
    for (std::size_t l = 0; l < lanes; ++l) acc[l] += x[i + l];
  T tail = 0;
  for (; i < n; ++i) tail += x[i];
  for (std::size_t w = lanes / 2; w > 0; w /= 2)
    for (std::size_t l = 0; l < w; ++l) acc[l] += acc[l + w];
  return acc[0] + tail;
}

}  // namespace detail

/// a op b for a reduction; `identity` is what an empty reduction yields (as TF's: 0, 1,
/// -inf and +inf, or the integer type's lowest and highest).
struct sum_op {
  template <class T>
  static constexpr T identity = T(0);
  template <class T>
  static T combine(T a, T b) {
    return a + b;
  }
};
struct prod_op {
  template <class T>
  static constexpr T identity = T(1);
  template <class T>
  static T combine(T a, T b) {
    return a * b;
  }
};
/// max and min propagate NaN, as TensorFlow's do. combine takes xsimd batches too.
struct max_op {
  template <class T>
  static constexpr T identity = std::numeric_limits<T>::has_infinity ? -std::numeric_limits<T>::infinity()
                                                                     : std::numeric_limits<T>::lowest();
  template <class T>
  static T combine(T a, T b) {
    if constexpr (xsimd::is_batch<T>::value) return xsimd::select((b > a) | (b != b), b, a);  // b != b: NaN
    else if constexpr (std::is_floating_point_v<T>) return ((b > a) | (b != b)) ? b : a;
    else return b > a ? b : a;
  }
};
struct min_op {
  template <class T>
  static constexpr T identity = std::numeric_limits<T>::has_infinity ? std::numeric_limits<T>::infinity()
                                                                     : std::numeric_limits<T>::max();
  template <class T>
  static T combine(T a, T b) {
    if constexpr (xsimd::is_batch<T>::value) return xsimd::select((b < a) | (b != b), b, a);
    else if constexpr (std::is_floating_point_v<T>) return ((b < a) | (b != b)) ? b : a;
    else return b < a ? b : a;
  }
};

namespace detail {

/// Reduction of n contiguous values with several accumulators. A sum's scalar accumulators
/// vectorise (and its rounding error grows more slowly than with one running sum); max and
/// min, whose NaN test keeps g++ from vectorising them, and prod run on xsimd batches.
template <class Op, class T>
T contiguous_reduce(const T* x, std::size_t n) {
  if constexpr (std::is_same_v<Op, sum_op>) {
    return contiguous_sum(x, n);
  } else {
    T r = Op::template identity<T>;
    std::size_t i = 0;
    if constexpr (std::is_floating_point_v<T>) {
      using batch = xsimd::batch<T>;
      constexpr std::size_t w = batch::size;
      batch a0(r), a1(r), a2(r), a3(r);  // four, to hide the combine's latency
      for (; i + 4 * w <= n; i += 4 * w) {
        a0 = Op::combine(a0, batch::load_unaligned(x + i));
        a1 = Op::combine(a1, batch::load_unaligned(x + i + w));
        a2 = Op::combine(a2, batch::load_unaligned(x + i + 2 * w));
        a3 = Op::combine(a3, batch::load_unaligned(x + i + 3 * w));
      }
      for (; i + w <= n; i += w) a0 = Op::combine(a0, batch::load_unaligned(x + i));
      alignas(batch::arch_type::alignment()) T lanes[w];
      Op::combine(Op::combine(a0, a1), Op::combine(a2, a3)).store_aligned(lanes);
      for (T v : lanes) r = Op::combine(r, v);
    }
    for (; i < n; ++i) r = Op::combine(r, x[i]);
    return r;
  }
}

/// out[j] = out[j] op in[j] for j < n: a row of inputs into a row of outputs.
template <class Op, class T>
void combine_row(T* out, const T* in, std::size_t n) {
  std::size_t j = 0;
  if constexpr (std::is_floating_point_v<T>) {
    using batch = xsimd::batch<T>;
    for (; j + batch::size <= n; j += batch::size)
      Op::combine(batch::load_unaligned(out + j), batch::load_unaligned(in + j)).store_unaligned(out + j);
  }
  for (; j < n; ++j) out[j] = Op::combine(out[j], in[j]);
}

template <std::size_t R>
struct reduce_plan {
  std::size_t groups = 0;
  std::array<std::size_t, R> size{}, in_stride{}, out_stride{};
  std::array<bool, R> reduced{};
};

/// Walks the outer groups like an odometer; the last group is the contiguous inner loop.
template <class Op, class T, std::size_t R>
void reduce_groups(const reduce_plan<R>& p, const T* in, T* out) {
  const std::size_t last = p.groups - 1, n = p.size[last];
  std::array<std::size_t, R> index{};
  for (;;) {
    if (p.reduced[last]) *out = Op::combine(*out, contiguous_reduce<Op>(in, n));
    else combine_row<Op>(out, in, n);
    std::size_t g = last;
    for (;;) {  // next outer index
      if (g == 0) return;
      --g;
      const std::size_t out_step = p.reduced[g] ? 0 : p.out_stride[g];
      if (++index[g] < p.size[g]) {
        in += p.in_stride[g];
        out += out_step;
        break;
      }
      index[g] = 0;
      in -= (p.size[g] - 1) * p.in_stride[g];
      out -= (p.size[g] - 1) * out_step;
    }
  }
}

/// reduce_groups over the current thread pool. Threads split the largest kept group, each
/// owning a block of outputs that it combines in the same order as one thread would, so the
/// values do not depend on the thread count. A full reduction (one contiguous reduced group)
/// splits its input instead and combines the parts' results in part order, so its value
/// depends only on the thread count.
template <class Op, class T, std::size_t R>
void reduce_in_parallel(const reduce_plan<R>& p, const T* in, T* out, std::size_t count) {
  if (!parallel::current() || count < 2 * parallel::reduction_grain) {
    reduce_groups<Op>(p, in, out);
    return;
  }
  if (p.groups == 1 && p.reduced[0]) {
    constexpr std::size_t max_parts = 64;
    std::array<T, max_parts> partial;
    partial.fill(Op::template identity<T>);
    parallel::for_parts(count, parallel::reduction_grain, 16, max_parts,
                        [&](std::size_t part, std::size_t begin, std::size_t end) {
                          partial[part] = contiguous_reduce<Op>(in + begin, end - begin);
                        });
    for (T v : partial) *out = Op::combine(*out, v);
    return;
  }
  std::size_t split = 0;
  for (std::size_t g = 0; g < p.groups; ++g)
    if (!p.reduced[g] && (p.reduced[split] || p.size[g] > p.size[split])) split = g;
  const std::size_t grain = std::max<std::size_t>(1, parallel::reduction_grain / (count / p.size[split]));
  const std::size_t align = split == p.groups - 1 ? 64 / sizeof(T) : 1;  // no cache line shared
  parallel::for_ranges(
      p.size[split], grain,
      [&](std::size_t begin, std::size_t end) {
        reduce_plan<R> block = p;
        block.size[split] = end - begin;
        reduce_groups<Op>(block, in + begin * p.in_stride[split], out + begin * p.out_stride[split]);
      },
      align);
}

}  // namespace detail

/// out = the reduction by Op (sum_op, max_op, ...) of in over the axes where reduced[axis];
/// out holds the kept axes in order. Large inputs split over the current thread pool.
template <class Op, class T, std::size_t R>
void reduce(const T* in, const std::array<std::size_t, R>& dims, const std::array<bool, R>& reduced, T* out,
            std::size_t out_size) {
  for (std::size_t i = 0; i < out_size; ++i) out[i] = Op::template identity<T>;
  detail::reduce_plan<R> p;
  for (std::size_t a = 0; a < R; ++a) {
    if (dims[a] == 1) continue;  // a unit axis changes nothing, whether reduced or kept
    if (dims[a] == 0) return;    // empty input: the sums stay 0
    if (p.groups > 0 && p.reduced[p.groups - 1] == reduced[a]) {
      p.size[p.groups - 1] *= dims[a];
    } else {
      p.size[p.groups] = dims[a];
      p.reduced[p.groups] = reduced[a];
      ++p.groups;
    }
  }
  if (p.groups == 0) {  // a single element
    out[0] = Op::combine(out[0], in[0]);
    return;
  }
  std::size_t in_stride = 1, out_stride = 1;
  for (std::size_t g = p.groups; g-- > 0;) {
    p.in_stride[g] = in_stride;
    p.out_stride[g] = out_stride;
    in_stride *= p.size[g];
    if (!p.reduced[g]) out_stride *= p.size[g];
  }
  detail::reduce_in_parallel<Op>(p, in, out, in_stride);
}

/// out = sum of in over the axes where reduced[axis]; out holds the kept axes in order.
template <class T, std::size_t R>
void reduce_sum(const T* in, const std::array<std::size_t, R>& dims, const std::array<bool, R>& reduced, T* out,
                std::size_t out_size) {
  reduce<sum_op>(in, dims, reduced, out, out_size);
}

/// The groups of a reduction: output o (the kept axes' index, row-major) reduces the inputs
/// at base(o) + offset(t), t < group_size. Adjacent axes of one kind are merged, so a single
/// reduced axis costs one multiply per element.
template <std::size_t R>
class reduction_groups {
 public:
  reduction_groups(const std::array<std::size_t, R>& dims, const std::array<bool, R>& reduced) {
    std::size_t stride = 1;
    std::array<std::size_t, R> strides{};
    for (std::size_t a = R; a-- > 0;) {
      strides[a] = stride;
      stride *= dims[a];
    }
    bool last_reduced = false, any = false;
    for (std::size_t a = 0; a < R; ++a) {
      if (dims[a] == 1) continue;
      auto& part = reduced[a] ? m_reduced : m_kept;
      if (any && last_reduced == reduced[a]) {  // the previous non-unit axis is of this kind
        part.dims[part.n - 1] *= dims[a];
        part.strides[part.n - 1] = strides[a];
      } else {
        part.dims[part.n] = dims[a];
        part.strides[part.n] = strides[a];
        ++part.n;
      }
      last_reduced = reduced[a];
      any = true;
    }
    m_groups = m_kept.count();
    m_group_size = m_reduced.count();
  }

  std::size_t groups() const { return m_groups; }
  std::size_t group_size() const { return m_group_size; }
  std::size_t base(std::size_t o) const { return m_kept.offset(o); }
  std::size_t offset(std::size_t t) const { return m_reduced.offset(t); }

 private:
  struct axes {
    std::size_t n = 0;
    std::array<std::size_t, R> dims{}, strides{};
    std::size_t count() const {
      std::size_t c = 1;
      for (std::size_t i = 0; i < n; ++i) c *= dims[i];
      return c;
    }
    /// The offset of the k-th index (row-major over these axes).
    std::size_t offset(std::size_t k) const {
      if (n == 1) return k * strides[0];  // one (merged) axis: the common case, no division
      std::size_t off = 0;
      for (std::size_t i = n; i-- > 0;) {
        off += (k % dims[i]) * strides[i];
        k /= dims[i];
      }
      return off;
    }
  };
  axes m_kept, m_reduced;
  std::size_t m_groups = 0, m_group_size = 0;
};

/// out(o) = the index t of the first largest (Max) or smallest value of group o, as TF's ArgMax/ArgMin.
template <bool Max, class T, class I, std::size_t R>
void arg_extremum(const T* in, const std::array<std::size_t, R>& dims, const std::array<bool, R>& reduced, I* out) {
  const reduction_groups<R> g(dims, reduced);
  if (g.group_size() == 0) return;
  for (std::size_t o = 0; o < g.groups(); ++o) {
    const T* x = in + g.base(o);
    std::size_t best = 0;
    T v = x[g.offset(0)];
    for (std::size_t t = 1; t < g.group_size(); ++t) {
      const T c = x[g.offset(t)];
      if (Max ? c > v : c < v) {
        v = c;
        best = t;
      }
    }
    out[o] = static_cast<I>(best);
  }
}

/// The gradient of a max or min reduction y of x, as TensorFlow's: dy(o) shared equally
/// among the inputs of group o that equal y(o).
template <class T, std::size_t R>
void extremum_grad(const T* dy, const T* x, const T* y, const std::array<std::size_t, R>& dims,
                   const std::array<bool, R>& reduced, T* out) {
  const reduction_groups<R> g(dims, reduced);
  for (std::size_t o = 0; o < g.groups(); ++o) {
    const std::size_t b = g.base(o);
    std::size_t ties = 0;
    for (std::size_t t = 0; t < g.group_size(); ++t) ties += x[b + g.offset(t)] == y[o];
    const T share = ties > 0 ? dy[o] / static_cast<T>(ties) : T(0);
    for (std::size_t t = 0; t < g.group_size(); ++t) {
      const std::size_t i = b + g.offset(t);
      out[i] = x[i] == y[o] ? share : T(0);
    }
  }
}

/// The gradient of a product reduction, as TensorFlow's: dx(i) = dy(o) times the product of
/// the other inputs of group o, formed from exclusive prefix and suffix products, so that a
/// zero input needs no division.
template <class T, std::size_t R>
void prod_grad(const T* dy, const T* x, const std::array<std::size_t, R>& dims, const std::array<bool, R>& reduced,
               T* out) {
  const reduction_groups<R> g(dims, reduced);
  for (std::size_t o = 0; o < g.groups(); ++o) {
    const std::size_t b = g.base(o);
    T acc = T(1);
    for (std::size_t t = 0; t < g.group_size(); ++t) {
      const std::size_t i = b + g.offset(t);
      out[i] = acc;
      acc *= x[i];
    }
    acc = dy[o];
    for (std::size_t t = g.group_size(); t-- > 0;) {
      const std::size_t i = b + g.offset(t);
      out[i] *= acc;
      acc *= x[i];
    }
  }
}

}  // namespace typeflow::kernels

#endif
