#ifndef TYPEFLOW_KERNELS_NN_HPP
#define TYPEFLOW_KERNELS_NN_HPP

// Row kernels of the nn ops on raw row-major buffers: softmax, log-softmax, the softmax
// cross-entropies and their gradients, over `rows` rows of `n` classes (the last axis).
// Each row is shifted by its max before exp, as TF's kernels do, so large logits never
// overflow and log-probabilities of tiny probabilities stay finite. The loops run on xsimd
// batches, short rows (10 classes) included (see row_walker). No scratch memory: an output
// buffer holds the exps until they are scaled. Input and output buffers never overlap.
// Nothing here knows about graphs or xtensor.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <utility>

#include "vector_math.hpp"

namespace typeflow::kernels {

namespace detail {

/// Walks rows of n values, in buffers of rows * n values, in xsimd batches. A row's last batch
/// may be partial (k < width of its lanes in the row): where a whole batch still lies inside
/// the buffer it is read and written whole, the lanes past the row belonging to the next row,
/// which is written after this one; only the buffer's last batch is copied through the stack.
/// Sums mask out the lanes past the row.
template <class T>
class row_walker {
 public:
  using batch = xsimd::batch<T>;
  static constexpr std::size_t width = batch::size;

  /// Values [i, i + k) of a row; `whole`: width values may be read and written from i.
  struct chunk {
    std::size_t i, k;
    bool whole;
  };

  row_walker(std::size_t rows, std::size_t n) : m_n(n), m_total(rows * n) {
    alignas(align) T lane[width];
    for (std::size_t l = 0; l < width; ++l) lane[l] = T(l);
    m_tail = batch::load_aligned(lane) < batch(T(n % width));
  }

  /// Calls f(chunk) for the batches of row r.
  template <class F>
  void each(std::size_t r, F&& f) const {
    const std::size_t start = r * m_n;
    for (std::size_t i = 0; i < m_n; i += width) f(chunk{i, std::min(width, m_n - i), start + i + width <= m_total});
  }

  /// The chunk's values from p (the row's own address plus c.i); lanes past a copied chunk are 0.
  static batch load(const T* p, chunk c) {
    if (c.whole) return batch::load_unaligned(p);
    alignas(align) T buf[width] = {};
    std::copy(p, p + c.k, buf);
    return batch::load_aligned(buf);
  }
  static void store(T* p, const batch& v, chunk c) {
    if (c.whole) return v.store_unaligned(p);
    alignas(align) T buf[width];
    v.store_aligned(buf);
    std::copy(buf, buf + c.k, p);
  }
  /// v, with fill in the lanes past the row (whatever they computed).
  batch keep(const batch& v, chunk c, T fill = T(0)) const {
    return c.k == width ? v : xsimd::select(m_tail, v, batch(fill));
  }
  static T max(const batch& v) {
    alignas(align) T buf[width];
    v.store_aligned(buf);
    return *std::max_element(buf, buf + width);
  }
  static T sum(const batch& v) { return xsimd::hadd(v); }

 private:
  static constexpr std::size_t align = batch::arch_type::alignment();
  std::size_t m_n, m_total;
  typename batch::batch_bool_type m_tail;
};

template <class T>
T row_max(const row_walker<T>& w, std::size_t r, const T* x) {
  constexpr T lowest = -std::numeric_limits<T>::infinity();
  typename row_walker<T>::batch acc(lowest);
  w.each(r, [&](auto c) { acc = xsimd::max(acc, w.keep(w.load(x + c.i, c), c, lowest)); });
  return w.max(acc);
}

/// sum(exp(x - m)) over row r; also stores the exps into e unless it is null.
template <class T>
T row_sum_exp(const row_walker<T>& w, std::size_t r, const T* x, T m, T* e) {
  typename row_walker<T>::batch acc(T(0)), shift(m);
  w.each(r, [&](auto c) {
    const auto v = batch_math::exp_of(w.load(x + c.i, c) - shift);
    if (e) w.store(e + c.i, v, c);
    acc += w.keep(v, c);
  });
  return w.sum(acc);
}

/// log(sum(exp(x - max))) and max over row r.
template <class T>
std::pair<T, T> row_log_sum_exp(const row_walker<T>& w, std::size_t r, const T* x) {
  const T m = row_max(w, r, x);
  return {std::log(row_sum_exp(w, r, x, m, static_cast<T*>(nullptr))), m};
}

/// y = f(chunk) over row r.
template <class T, class F>
void row_map(const row_walker<T>& w, std::size_t r, T* y, F&& f) {
  w.each(r, [&](auto c) { w.store(y + c.i, f(c), c); });
}

}  // namespace detail

/// y = exp(x - max) / sum(exp(x - max)), per row.
template <class T>
void softmax(const T* x, T* y, std::size_t rows, std::size_t n) {
  using batch = xsimd::batch<T>;
  const detail::row_walker<T> w(rows, n);
  for (std::size_t r = 0; r < rows; ++r, x += n, y += n) {
    const batch scale(T(1) / detail::row_sum_exp(w, r, x, detail::row_max(w, r, x), y));
    detail::row_map(w, r, y, [&](auto c) { return w.load(y + c.i, c) * scale; });
  }
}

/// y = (x - max) - log(sum(exp(x - max))), per row: finite wherever x is.
template <class T>
void log_softmax(const T* x, T* y, std::size_t rows, std::size_t n) {
  using batch = xsimd::batch<T>;
  const detail::row_walker<T> w(rows, n);
  for (std::size_t r = 0; r < rows; ++r, x += n, y += n) {
    const auto [log_sum, m] = detail::row_log_sum_exp(w, r, x);
    const batch shift(m), lse(log_sum);
    detail::row_map(w, r, y, [&](auto c) { return (w.load(x + c.i, c) - shift) - lse; });
  }
}

/// The gradient of y = softmax(x) for an output gradient g: (g - sum(g y)) y, per row.
template <class T>
void softmax_grad(const T* g, const T* y, T* out, std::size_t rows, std::size_t n) {
  using batch = xsimd::batch<T>;
  const detail::row_walker<T> w(rows, n);
  for (std::size_t r = 0; r < rows; ++r, g += n, y += n, out += n) {
    batch acc(T(0));
    w.each(r, [&](auto c) { acc += w.keep(w.load(g + c.i, c) * w.load(y + c.i, c), c); });
    const batch dot(w.sum(acc));
    detail::row_map(w, r, out, [&](auto c) { return (w.load(g + c.i, c) - dot) * w.load(y + c.i, c); });
  }
}

/// The gradient of y = log_softmax(x) for an output gradient g: g - exp(y) sum(g), per row.
template <class T>
void log_softmax_grad(const T* g, const T* y, T* out, std::size_t rows, std::size_t n) {
  using batch = xsimd::batch<T>;
  const detail::row_walker<T> w(rows, n);
  for (std::size_t r = 0; r < rows; ++r, g += n, y += n, out += n) {
    batch acc(T(0));
    w.each(r, [&](auto c) { acc += w.keep(w.load(g + c.i, c), c); });
    const batch sum(w.sum(acc));
    detail::row_map(w, r, out,
                    [&](auto c) { return w.load(g + c.i, c) - batch_math::exp_of(w.load(y + c.i, c)) * sum; });
  }
}

/// loss = sum(z (log(sum(exp(x - max))) - (x - max))) per row: the cross-entropy of the
/// labels z with softmax(x), in TF's form.
template <class T>
void softmax_cross_entropy(const T* z, const T* x, T* loss, std::size_t rows, std::size_t n) {
  using batch = xsimd::batch<T>;
  const detail::row_walker<T> w(rows, n);
  for (std::size_t r = 0; r < rows; ++r, z += n, x += n) {
    const auto [log_sum, m] = detail::row_log_sum_exp(w, r, x);
    const batch shift(m), lse(log_sum);
    batch acc(T(0));
    w.each(r, [&](auto c) { acc += w.keep(w.load(z + c.i, c) * (lse - (w.load(x + c.i, c) - shift)), c); });
    loss[r] = w.sum(acc);
  }
}

/// The gradient to the logits x: g (softmax(x) - z), g having one value per row.
template <class T>
void softmax_cross_entropy_grad(const T* g, const T* z, const T* x, T* out, std::size_t rows, std::size_t n) {
  using batch = xsimd::batch<T>;
  const detail::row_walker<T> w(rows, n);
  for (std::size_t r = 0; r < rows; ++r, z += n, x += n, out += n) {
    const T s = detail::row_sum_exp(w, r, x, detail::row_max(w, r, x), out);
    const batch gr(g[r]), scale(g[r] / s);
    detail::row_map(w, r, out, [&](auto c) { return w.load(out + c.i, c) * scale - gr * w.load(z + c.i, c); });
  }
}

/// The gradient to the labels: -g log_softmax(x) = g (log(sum(exp(x - max))) - (x - max)).
template <class T>
void softmax_cross_entropy_labels_grad(const T* g, const T* x, T* out, std::size_t rows, std::size_t n) {
  using batch = xsimd::batch<T>;
  const detail::row_walker<T> w(rows, n);
  for (std::size_t r = 0; r < rows; ++r, x += n, out += n) {
    const auto [log_sum, m] = detail::row_log_sum_exp(w, r, x);
    const batch shift(m), lse(log_sum), gr(g[r]);
    detail::row_map(w, r, out, [&](auto c) { return gr * (lse - (w.load(x + c.i, c) - shift)); });
  }
}

/// loss = log(sum(exp(x - max))) - (x[label] - max) per row; labels are in [0, n) (checked by the caller).
template <class T, class Label>
void sparse_softmax_cross_entropy(const Label* labels, const T* x, T* loss, std::size_t rows, std::size_t n) {
  const detail::row_walker<T> w(rows, n);
  for (std::size_t r = 0; r < rows; ++r, x += n) {
    const auto [log_sum, m] = detail::row_log_sum_exp(w, r, x);
    loss[r] = log_sum - (x[labels[r]] - m);
  }
}

/// The gradient to the logits x: g (softmax(x) - onehot(label)), g having one value per row.
template <class T, class Label>
void sparse_softmax_cross_entropy_grad(const T* g, const Label* labels, const T* x, T* out, std::size_t rows,
                                       std::size_t n) {
  using batch = xsimd::batch<T>;
  const detail::row_walker<T> w(rows, n);
  for (std::size_t r = 0; r < rows; ++r, x += n, out += n) {
    const batch scale(g[r] / detail::row_sum_exp(w, r, x, detail::row_max(w, r, x), out));
    detail::row_map(w, r, out, [&](auto c) { return w.load(out + c.i, c) * scale; });
    out[labels[r]] -= g[r];
  }
}

/// sum(x^2) / 2 over n values (TF's L2Loss).
template <class T>
T half_sum_of_squares(const T* x, std::size_t n) {
  const detail::row_walker<T> w(1, n);
  typename detail::row_walker<T>::batch acc(T(0));
  w.each(0, [&](auto c) {
    const auto v = w.load(x + c.i, c);
    acc += v * v;  // a copied chunk is 0 past the row
  });
  return w.sum(acc) / T(2);
}

}  // namespace typeflow::kernels

#endif
