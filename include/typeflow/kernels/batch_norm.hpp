#ifndef TYPEFLOW_KERNELS_BATCH_NORM_HPP
#define TYPEFLOW_KERNELS_BATCH_NORM_HPP

// Batch normalisation over the last axis (the channels) of `cells` x `c` row-major values, and
// its gradients, as TF's FusedBatchNormV3 and FusedBatchNormGradV3 compute them. Every loop
// runs over a cell's channels innermost, so it vectorises; per-channel sums accumulate in
// double (TF's CPU kernel accumulates in float: the difference is within float rounding).
// Nothing here knows about graphs or xtensor.

#include <cmath>
#include <cstddef>

#include "scratch.hpp"

namespace typeflow::kernels {

/// The mean and the biased variance of each channel over the cells (two passes).
template <class T>
void channel_moments(const T* x, std::size_t cells, std::size_t c, double* mean, double* variance) {
  for (std::size_t k = 0; k < c; ++k) mean[k] = variance[k] = 0;
  for (std::size_t i = 0; i < cells; ++i)
    for (std::size_t k = 0; k < c; ++k) mean[k] += x[i * c + k];
  for (std::size_t k = 0; k < c; ++k) mean[k] /= static_cast<double>(cells);
  for (std::size_t i = 0; i < cells; ++i)
    for (std::size_t k = 0; k < c; ++k) {
      const double d = x[i * c + k] - mean[k];
      variance[k] += d * d;
    }
  for (std::size_t k = 0; k < c; ++k) variance[k] /= static_cast<double>(cells);
}

/// The statistics a batch normalisation uses: the batch's own (training) or the given mean
/// and variance; `inv` = 1 / sqrt(variance + epsilon). Three scratch arrays of c values.
template <class T>
struct channel_statistics {
  double* mean;
  double* variance;
  double* inv;
  channel_statistics(const T* x, std::size_t cells, std::size_t c, const T* given_mean, const T* given_variance,
                     double epsilon, bool training)
      : mean(scratch<double, 0>(3 * c)), variance(mean + c), inv(variance + c) {
    if (training) channel_moments(x, cells, c, mean, variance);
    else
      for (std::size_t k = 0; k < c; ++k) mean[k] = given_mean[k], variance[k] = given_variance[k];
    for (std::size_t k = 0; k < c; ++k) inv[k] = 1 / std::sqrt(variance[k] + epsilon);
  }
};

/// y = (x - mean) scale / sqrt(variance + epsilon) + offset, with the batch's statistics when
/// training, else the given mean and variance.
template <class T>
void batch_norm(const T* x, std::size_t cells, std::size_t c, const T* scale, const T* offset, const T* mean,
                const T* variance, double epsilon, bool training, T* y) {
  const channel_statistics<T> s(x, cells, c, mean, variance, epsilon, training);
  T* factor = scratch<T, 1>(2 * c);
  T* shift = factor + c;  // y = x factor + shift
  for (std::size_t k = 0; k < c; ++k) {
    factor[k] = static_cast<T>(scale[k] * s.inv[k]);
    shift[k] = static_cast<T>(offset[k] - s.mean[k] * scale[k] * s.inv[k]);
  }
  for (std::size_t i = 0; i < cells; ++i)
    for (std::size_t k = 0; k < c; ++k) y[i * c + k] = x[i * c + k] * factor[k] + shift[k];
}

/// The gradients of batch_norm to x (dx: cells x c) and to scale (dscale: c), either may be
/// null, from g. In training the statistics depend on x: dx = scale inv (g - mean(g) - xhat
/// mean(g xhat)), xhat = (x - mean) inv; otherwise dx = g scale inv. dscale = sum(g xhat).
template <class T>
void batch_norm_grad(const T* g, const T* x, std::size_t cells, std::size_t c, const T* scale, const T* mean,
                     const T* variance, double epsilon, bool training, T* dx, T* dscale) {
  const channel_statistics<T> s(x, cells, c, mean, variance, epsilon, training);
  double* sum_g = scratch<double, 1>(2 * c);
  double* sum_gx = sum_g + c;  // sum(g xhat)
  for (std::size_t k = 0; k < c; ++k) sum_g[k] = sum_gx[k] = 0;
  for (std::size_t i = 0; i < cells; ++i)
    for (std::size_t k = 0; k < c; ++k) {
      sum_g[k] += g[i * c + k];
      sum_gx[k] += g[i * c + k] * (x[i * c + k] - s.mean[k]) * s.inv[k];
    }
  if (dscale)
    for (std::size_t k = 0; k < c; ++k) dscale[k] = static_cast<T>(sum_gx[k]);
  if (!dx) return;
  const double n = static_cast<double>(cells);
  for (std::size_t i = 0; i < cells; ++i)
    for (std::size_t k = 0; k < c; ++k) {
      const double gi = g[i * c + k];
      if (training) {
        const double xhat = (x[i * c + k] - s.mean[k]) * s.inv[k];
        dx[i * c + k] = static_cast<T>(scale[k] * s.inv[k] * (gi - sum_g[k] / n - xhat * sum_gx[k] / n));
      } else {
        dx[i * c + k] = static_cast<T>(gi * scale[k] * s.inv[k]);
      }
    }
}

}  // namespace typeflow::kernels

#endif
