#ifndef TYPEFLOW_KERNELS_NN_HPP
#define TYPEFLOW_KERNELS_NN_HPP

// Row kernels of the nn ops on raw row-major buffers: softmax, log-softmax, the softmax
// cross-entropies and their gradients, over `rows` rows of `n` classes (the last axis).
// Each row is shifted by its max before exp, as TF's kernels do, so large logits never
// overflow and log-probabilities of tiny probabilities stay finite. The loops run on xsimd
// batches; a row's last partial batch is loaded padded and its extra lanes are masked out of
// every sum and never stored, so short rows (10 classes) stay on the SIMD path. No scratch
// memory: an output buffer holds the exps until they are scaled.
// Nothing here knows about graphs or xtensor.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>

#include "simd.hpp"

namespace typeflow::kernels {

namespace detail {

/// Loads, stores and lane reductions of one row, in batches of `width` (the last one partial).
template <class T>
struct row_lanes {
  using batch = xsimd::batch<T>;
  static constexpr std::size_t width = batch::size;
  static constexpr std::size_t align = batch::arch_type::alignment();

  /// k <= width values from p; the other lanes are 0.
  static batch load(const T* p, std::size_t k) {
    if (k == width) return batch::load_unaligned(p);
    alignas(align) T buf[width] = {};
    std::copy(p, p + k, buf);
    return batch::load_aligned(buf);
  }
  /// Stores the first k lanes of v.
  static void store(T* p, const batch& v, std::size_t k) {
    if (k == width) return v.store_unaligned(p);
    alignas(align) T buf[width];
    v.store_aligned(buf);
    std::copy(buf, buf + k, p);
  }
  /// v, with fill in the lanes from k on (the padding of a partial batch, whatever it computed).
  static batch keep(const batch& v, std::size_t k, T fill = T(0)) {
    if (k == width) return v;
    alignas(align) T buf[width];
    v.store_aligned(buf);
    std::fill(buf + k, buf + width, fill);
    return batch::load_aligned(buf);
  }
  static T max(const batch& v) {
    alignas(align) T buf[width];
    v.store_aligned(buf);
    return *std::max_element(buf, buf + width);
  }
  static T sum(const batch& v) { return xsimd::hadd(v); }

  /// Calls f(i, k) for the batches of a row of n values: k = width, then the remainder.
  template <class F>
  static void each(std::size_t n, F&& f) {
    for (std::size_t i = 0; i < n; i += width) f(i, std::min(width, n - i));
  }
};

template <class T>
T row_max(const T* x, std::size_t n) {
  using L = row_lanes<T>;
  typename L::batch acc(-std::numeric_limits<T>::infinity());
  L::each(n, [&](std::size_t i, std::size_t k) {
    acc = xsimd::max(acc, L::keep(L::load(x + i, k), k, -std::numeric_limits<T>::infinity()));
  });
  return L::max(acc);
}

/// sum(exp(x - m)); also stores the exps into e unless it is null.
template <class T>
T row_sum_exp(const T* x, std::size_t n, T m, T* e) {
  using L = row_lanes<T>;
  typename L::batch acc(T(0)), shift(m);
  L::each(n, [&](std::size_t i, std::size_t k) {
    const auto v = xsimd::exp(L::load(x + i, k) - shift);
    if (e) L::store(e + i, v, k);
    acc += L::keep(v, k);
  });
  return L::sum(acc);
}

/// y = f(i, k) over the batches of a row of n values.
template <class T, class F>
void row_map(T* y, std::size_t n, F&& f) {
  using L = row_lanes<T>;
  L::each(n, [&](std::size_t i, std::size_t k) { L::store(y + i, f(i, k), k); });
}

}  // namespace detail

/// y = exp(x - max) / sum(exp(x - max)), per row.
template <class T>
void softmax(const T* x, T* y, std::size_t rows, std::size_t n) {
  using L = detail::row_lanes<T>;
  for (std::size_t r = 0; r < rows; ++r, x += n, y += n) {
    const T s = detail::row_sum_exp(x, n, detail::row_max(x, n), y);
    const typename L::batch scale(T(1) / s);
    detail::row_map(y, n, [&](std::size_t i, std::size_t k) { return L::load(y + i, k) * scale; });
  }
}

/// y = (x - max) - log(sum(exp(x - max))), per row: finite wherever x is.
template <class T>
void log_softmax(const T* x, T* y, std::size_t rows, std::size_t n) {
  using L = detail::row_lanes<T>;
  for (std::size_t r = 0; r < rows; ++r, x += n, y += n) {
    const T m = detail::row_max(x, n);
    const typename L::batch shift(m), log_sum(std::log(detail::row_sum_exp(x, n, m, static_cast<T*>(nullptr))));
    detail::row_map(y, n, [&](std::size_t i, std::size_t k) { return (L::load(x + i, k) - shift) - log_sum; });
  }
}

/// The gradient of y = softmax(x) for an output gradient g: (g - sum(g y)) y, per row.
template <class T>
void softmax_grad(const T* g, const T* y, T* out, std::size_t rows, std::size_t n) {
  using L = detail::row_lanes<T>;
  for (std::size_t r = 0; r < rows; ++r, g += n, y += n, out += n) {
    typename L::batch acc(T(0));
    L::each(n, [&](std::size_t i, std::size_t k) { acc += L::load(g + i, k) * L::load(y + i, k); });
    const typename L::batch dot(L::sum(acc));
    detail::row_map(out, n, [&](std::size_t i, std::size_t k) { return (L::load(g + i, k) - dot) * L::load(y + i, k); });
  }
}

/// The gradient of y = log_softmax(x) for an output gradient g: g - exp(y) sum(g), per row.
template <class T>
void log_softmax_grad(const T* g, const T* y, T* out, std::size_t rows, std::size_t n) {
  using L = detail::row_lanes<T>;
  for (std::size_t r = 0; r < rows; ++r, g += n, y += n, out += n) {
    typename L::batch acc(T(0));
    L::each(n, [&](std::size_t i, std::size_t k) { acc += L::load(g + i, k); });
    const typename L::batch sum(L::sum(acc));
    detail::row_map(out, n,
                    [&](std::size_t i, std::size_t k) { return L::load(g + i, k) - xsimd::exp(L::load(y + i, k)) * sum; });
  }
}

/// loss = sum(z (log(sum(exp(x - max))) - (x - max))) per row: the cross-entropy of the
/// labels z with softmax(x), in TF's form.
template <class T>
void softmax_cross_entropy(const T* z, const T* x, T* loss, std::size_t rows, std::size_t n) {
  using L = detail::row_lanes<T>;
  for (std::size_t r = 0; r < rows; ++r, z += n, x += n) {
    const T m = detail::row_max(x, n);
    const typename L::batch shift(m), log_sum(std::log(detail::row_sum_exp(x, n, m, static_cast<T*>(nullptr))));
    typename L::batch acc(T(0));
    L::each(n, [&](std::size_t i, std::size_t k) {
      acc += L::keep(L::load(z + i, k) * (log_sum - (L::load(x + i, k) - shift)), k);
    });
    loss[r] = n == 0 ? T(0) : L::sum(acc);
  }
}

/// The gradient to the logits x: g (softmax(x) - z), g having one value per row.
template <class T>
void softmax_cross_entropy_grad(const T* g, const T* z, const T* x, T* out, std::size_t rows, std::size_t n) {
  using L = detail::row_lanes<T>;
  for (std::size_t r = 0; r < rows; ++r, z += n, x += n, out += n) {
    const T s = detail::row_sum_exp(x, n, detail::row_max(x, n), out);
    const typename L::batch gr(g[r]), scale(g[r] / s);
    detail::row_map(out, n,
                    [&](std::size_t i, std::size_t k) { return L::load(out + i, k) * scale - gr * L::load(z + i, k); });
  }
}

/// The gradient to the labels: -g log_softmax(x) = g (log(sum(exp(x - max))) - (x - max)).
template <class T>
void softmax_cross_entropy_labels_grad(const T* g, const T* x, T* out, std::size_t rows, std::size_t n) {
  using L = detail::row_lanes<T>;
  for (std::size_t r = 0; r < rows; ++r, x += n, out += n) {
    const T m = detail::row_max(x, n);
    const typename L::batch shift(m), gr(g[r]),
        log_sum(std::log(detail::row_sum_exp(x, n, m, static_cast<T*>(nullptr))));
    detail::row_map(out, n,
                    [&](std::size_t i, std::size_t k) { return gr * (log_sum - (L::load(x + i, k) - shift)); });
  }
}

/// loss = log(sum(exp(x - max))) - (x[label] - max) per row; labels are in [0, n) (checked by the caller).
template <class T, class Label>
void sparse_softmax_cross_entropy(const Label* labels, const T* x, T* loss, std::size_t rows, std::size_t n) {
  for (std::size_t r = 0; r < rows; ++r, x += n) {
    const T m = detail::row_max(x, n);
    loss[r] = std::log(detail::row_sum_exp(x, n, m, static_cast<T*>(nullptr))) - (x[labels[r]] - m);
  }
}

/// The gradient to the logits x: g (softmax(x) - onehot(label)), g having one value per row.
template <class T, class Label>
void sparse_softmax_cross_entropy_grad(const T* g, const Label* labels, const T* x, T* out, std::size_t rows,
                                       std::size_t n) {
  using L = detail::row_lanes<T>;
  for (std::size_t r = 0; r < rows; ++r, x += n, out += n) {
    const T s = detail::row_sum_exp(x, n, detail::row_max(x, n), out);
    const typename L::batch scale(g[r] / s);
    detail::row_map(out, n, [&](std::size_t i, std::size_t k) { return L::load(out + i, k) * scale; });
    out[labels[r]] -= g[r];
  }
}

/// sum(x^2) / 2 over n values (TF's L2Loss).
template <class T>
T half_sum_of_squares(const T* x, std::size_t n) {
  using L = detail::row_lanes<T>;
  typename L::batch acc(T(0));
  L::each(n, [&](std::size_t i, std::size_t k) {
    const auto v = L::load(x + i, k);
    acc += v * v;
  });
  return L::sum(acc) / T(2);
}

}  // namespace typeflow::kernels

#endif
