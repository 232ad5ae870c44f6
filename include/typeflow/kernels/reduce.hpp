#ifndef TYPEFLOW_KERNELS_REDUCE_HPP
#define TYPEFLOW_KERNELS_REDUCE_HPP

// Sum over any set of axes of a row-major buffer. Adjacent axes that are both reduced or
// both kept are merged first, so every case becomes a few nested loops whose innermost
// loop is contiguous: a plain sum (reduced) or an add of rows (kept).

#include <array>
#include <cstddef>

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

template <std::size_t R>
struct reduce_plan {
  std::size_t groups = 0;
  std::array<std::size_t, R> size{}, in_stride{}, out_stride{};
  std::array<bool, R> reduced{};
};

/// Walks the outer groups like an odometer; the last group is the contiguous inner loop.
template <class T, std::size_t R>
void reduce_groups(const reduce_plan<R>& p, const T* in, T* out) {
  const std::size_t last = p.groups - 1, n = p.size[last];
  std::array<std::size_t, R> index{};
  for (;;) {
    if (p.reduced[last]) *out += contiguous_sum(in, n);
    else
      for (std::size_t j = 0; j < n; ++j) out[j] += in[j];
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

}  // namespace detail

/// out = sum of in over the axes where reduced[axis]; out holds the kept axes in order.
template <class T, std::size_t R>
void reduce_sum(const T* in, const std::array<std::size_t, R>& dims, const std::array<bool, R>& reduced, T* out,
                std::size_t out_size) {
  for (std::size_t i = 0; i < out_size; ++i) out[i] = T(0);
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
    out[0] = in[0];
    return;
  }
  std::size_t in_stride = 1, out_stride = 1;
  for (std::size_t g = p.groups; g-- > 0;) {
    p.in_stride[g] = in_stride;
    p.out_stride[g] = out_stride;
    in_stride *= p.size[g];
    if (!p.reduced[g]) out_stride *= p.size[g];
  }
  detail::reduce_groups(p, in, out);
}

}  // namespace typeflow::kernels

#endif
