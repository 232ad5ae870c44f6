#ifndef TYPEFLOW_OPS_POOL_HPP
#define TYPEFLOW_OPS_POOL_HPP

// tf.nn.max_pool and tf.nn.avg_pool over NHWC images, with TF's gradient ops: MaxPoolGrad (from
// the input, the pool's output and g), its own gradient MaxPoolGradGrad, and AvgPoolGrad.
// Kernels in kernels/pool.hpp.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <tuple>
#include <type_traits>

#include "../core/tensor_ref.hpp"
#include "../graph/node.hpp"
#include "../kernels/pool.hpp"
#include "conv.hpp"
#include "window.hpp"

namespace typeflow {

namespace diagnostic {
/// tf::nn::max_pool and avg_pool take NHWC images (rank 4); the input's shape is named here.
template <class Op, class InputShape>
struct error_pool_needs_rank_4_input;
}  // namespace diagnostic

namespace op {

/// What the pooling ops share: the window over the input's dims and the output's static dims.
template <window_attrs A>
struct pool_window {
  static constexpr window_attrs attrs = A;
  static kernels::window2d window(std::string_view op, const std::array<std::size_t, 4>& x) {
    return A.window(op, x, static_cast<std::size_t>(A.k_h), static_cast<std::size_t>(A.k_w));
  }
  static std::array<std::size_t, 4> output_dims(std::string_view op, const std::array<std::size_t, 4>& x) {
    const auto w = window(op, x);
    return {x[0], w.out_h, w.out_w, x[3]};
  }
  static void check_dims(std::string_view op, const char* what, const std::array<std::size_t, 4>& expected,
                         const std::array<std::size_t, 4>& got) {
    if (expected != got)
      throw error(std::string(op) + ": " + what + " " + shape_string(got) + " should be " + shape_string(expected));
  }
  template <class X>
  struct result_of {
    static constexpr auto dims() {
      using SX = shape_of_t<X>;
      return dims_t<4>{SX::dims[0], A.output_dim(SX::dims[1], A.k_h, true), A.output_dim(SX::dims[2], A.k_w, false),
                       SX::dims[3]};
    }
  };
  template <class X>
  using pooled_shape = shape_from_t<result_of<X>>;
  template <class Op, class... N>
  static constexpr auto make(const N&... operands) {
    return graph::node<Op, N...>(Op{}, operands...);
  }
};

template <window_attrs A>
struct max_pool_grad;
template <window_attrs A>
struct max_pool_grad_grad;
template <window_attrs A>
struct avg_pool_grad;

/// MaxPool: the largest value of each window (padding cells are not part of it).
template <window_attrs A>
struct max_pool : pool_window<A> {
  static constexpr std::string_view tf_name = "MaxPool";
  template <class X>
  using value_type = value_t<X>;
  template <class X>
  using shape_type = typename pool_window<A>::template pooled_shape<X>;
  static void tf_attrs(auto& node) { A.tf_attrs(node, true, false); }
  static std::array<std::size_t, 4> result_dims(const std::array<std::size_t, 4>& x) {
    return pool_window<A>::output_dims(tf_name, x);
  }
  template <class T>
  static void forward(tensor_ref<T, 4> out, tensor_ref<const T, 4> x) {
    kernels::max_pool(pool_window<A>::window(tf_name, x.dims), x.data, out.data);
  }
  static constexpr auto vjp(const auto& g, const auto& n) {
    return op::parts{pool_window<A>::template make<max_pool_grad<A>>(n.template arg<0>(), n, g)};
  }
};

/// MaxPoolGrad: g added to the cell each window took its maximum from; operands (input, the
/// pool's output, g). No gradient flows into the input or the output (TF's as well).
template <window_attrs A>
struct max_pool_grad : pool_window<A> {
  static constexpr std::string_view tf_name = "MaxPoolGrad";
  static constexpr bool differentiable(std::size_t i) { return i == 2; }
  template <class X, class Y, class G>
  using value_type = value_t<X>;
  template <class X, class Y, class G>
  using shape_type = shape_of_t<X>;
  static std::array<std::size_t, 4> result_dims(const std::array<std::size_t, 4>& x,
                                                const std::array<std::size_t, 4>& y,
                                                const std::array<std::size_t, 4>& g) {
    pool_window<A>::check_dims(tf_name, "orig_output", pool_window<A>::output_dims(tf_name, x), y);
    pool_window<A>::check_dims(tf_name, "grad", y, g);
    return x;
  }
  template <class T>
  static void forward(tensor_ref<T, 4> out, tensor_ref<const T, 4> x, tensor_ref<const T, 4> y,
                      tensor_ref<const T, 4> g) {
    kernels::max_pool_grad(pool_window<A>::window(tf_name, x.dims), x.data, y.data, g.data, out.data);
  }
  static constexpr auto vjp(const auto& u, const auto& n) {
    const auto& x = n.template arg<0>();
    const auto& y = n.template arg<1>();
    return op::parts{u, u, pool_window<A>::template make<max_pool_grad_grad<A>>(x, y, u)};
  }
};

/// MaxPoolGradGrad: u read at the cell each window took its maximum from (the pool's output
/// shape); operands (input, the pool's output, u).
template <window_attrs A>
struct max_pool_grad_grad : pool_window<A> {
  static constexpr std::string_view tf_name = "MaxPoolGradGrad";
  static constexpr bool differentiable(std::size_t i) { return i == 2; }
  template <class X, class Y, class U>
  using value_type = value_t<X>;
  template <class X, class Y, class U>
  using shape_type = shape_of_t<Y>;
  static std::array<std::size_t, 4> result_dims(const std::array<std::size_t, 4>& x,
                                                const std::array<std::size_t, 4>& y,
                                                const std::array<std::size_t, 4>& u) {
    pool_window<A>::check_dims(tf_name, "orig_output", pool_window<A>::output_dims(tf_name, x), y);
    pool_window<A>::check_dims(tf_name, "grad", x, u);
    return y;
  }
  template <class T>
  static void forward(tensor_ref<T, 4> out, tensor_ref<const T, 4> x, tensor_ref<const T, 4> y,
                      tensor_ref<const T, 4> u) {
    kernels::max_pool_grad_grad(pool_window<A>::window(tf_name, x.dims), x.data, y.data, u.data, out.data);
  }
  static constexpr auto vjp(const auto& v, const auto& n) {
    const auto& x = n.template arg<0>();
    const auto& y = n.template arg<1>();
    return op::parts{v, v, pool_window<A>::template make<max_pool_grad<A>>(x, y, v)};
  }
};

/// AvgPool: the mean of each window over its cells inside the input.
template <window_attrs A>
struct avg_pool : pool_window<A> {
  static constexpr std::string_view tf_name = "AvgPool";
  template <class X>
  using value_type = value_t<X>;
  template <class X>
  using shape_type = typename pool_window<A>::template pooled_shape<X>;
  static void tf_attrs(auto& node) { A.tf_attrs(node, true, false); }
  static std::array<std::size_t, 4> result_dims(const std::array<std::size_t, 4>& x) {
    return pool_window<A>::output_dims(tf_name, x);
  }
  template <class T>
  static void forward(tensor_ref<T, 4> out, tensor_ref<const T, 4> x) {
    kernels::avg_pool(pool_window<A>::window(tf_name, x.dims), x.data, out.data);
  }
  static constexpr auto vjp(const auto& g, const auto& n) {
    return op::parts{pool_window<A>::template make<avg_pool_grad<A>>(n.template arg<0>(), g)};
  }
};

/// AvgPoolGrad: each window's g spread evenly over its cells; operands (input, read for its
/// dims only, g).
template <window_attrs A>
struct avg_pool_grad : pool_window<A> {
  static constexpr std::string_view tf_name = "AvgPoolGrad";
  static constexpr bool reads_values(std::size_t i) { return i == 1; }
  static constexpr bool differentiable(std::size_t i) { return i == 1; }
  template <class X, class G>
  using value_type = value_t<G>;
  template <class X, class G>
  using shape_type = shape_of_t<X>;
  static std::array<std::size_t, 4> result_dims(const std::array<std::size_t, 4>& x,
                                                const std::array<std::size_t, 4>& g) {
    pool_window<A>::check_dims(tf_name, "grad", pool_window<A>::output_dims(tf_name, x), g);
    return x;
  }
  template <class T>
  static void forward(tensor_ref<T, 4> out, tensor_ref<const T, 4> x, tensor_ref<const T, 4> g) {
    kernels::avg_pool_grad(pool_window<A>::window(tf_name, x.dims), g.data, out.data);
  }
  static constexpr auto vjp(const auto& u, const auto&) {  // the adjoint of a linear map
    return op::parts{u, pool_window<A>::template make<avg_pool<A>>(u)};
  }
};

}  // namespace op

namespace detail {

/// What is wrong with a pool's operand (dtype DX, static shape SX), if anything.
enum class pool_problem { none, dtype, rank, window };
template <op::window_attrs A, class DX, class SX>
constexpr pool_problem pool_problem_of() {
  if constexpr (!std::is_floating_point_v<DX>) return pool_problem::dtype;
  else if constexpr (SX::rank != 4) return pool_problem::rank;
  else if constexpr (!A.fits(SX::dims[1], A.k_h, true) || !A.fits(SX::dims[2], A.k_w, false))
    return pool_problem::window;
  else return pool_problem::none;
}

template <class Op, class DX, class SX>
constexpr void check_pool() {
  constexpr auto A = Op::attrs;
  constexpr auto problem = pool_problem_of<A, DX, SX>();
  if constexpr (problem == pool_problem::dtype) {
    // typeflow's pools are defined for floating dtypes.
    diagnostic::error_op_does_not_support_dtype<Op, DX> error;
  } else if constexpr (problem == pool_problem::rank) {
    diagnostic::error_pool_needs_rank_4_input<Op, SX> error;
  } else if constexpr (problem == pool_problem::window) {
    // The window (ksize, the second shape) is larger than the input (the first).
    diagnostic::error_valid_window_larger_than_input<Op, SX, shape<A.k_h, A.k_w>> error;
  }
}

/// The window attrs of a pool from its ksize, strides and padding.
template <std::int64_t... K, std::int64_t... S, fixed_string P>
constexpr op::window_attrs pool_attrs(ksize_t<K...>, strides_t<S...>, padding_t<P>) {
  static_assert(valid_spatial_v<K...>,
                "tf::ksize: one value, two (height, width) or four with 1 for the batch and the channels (TF's "
                "[1, kh, kw, 1]), each at least 1");
  static_assert(valid_spatial_v<S...>,
                "tf::strides: one value, two (height, width) or four with 1 for the batch and the channels (TF's "
                "[1, sh, sw, 1]), each at least 1");
  constexpr auto k = spatial_pair<K...>();
  constexpr auto s = spatial_pair<S...>();
  return {k[0], k[1], s[0], s[1], 1, 1, padding_t<P>::same};
}

template <template <op::window_attrs> class Pool, op::window_attrs A, tensor_node X>
constexpr auto make_pool(const X& input) {
  using Op = Pool<A>;
  check_pool<Op, value_t<X>, shape_of_t<X>>();
  if constexpr (pool_problem_of<A, value_t<X>, shape_of_t<X>>() == pool_problem::none)
    return Op::template make<Op>(input);
  else return input;  // reported by check_pool
}

}  // namespace detail

namespace nn {

/// tf.nn.max_pool(input, ksize, strides, padding) over NHWC images:
///   tf::nn::max_pool(h, tf::ksize<1, 2, 2, 1>, tf::strides<1, 2, 2, 1>, tf::padding<"SAME">)
template <tensor_node X, std::int64_t... K, std::int64_t... S, fixed_string P>
constexpr auto max_pool(const X& input, ksize_t<K...>, strides_t<S...>, padding_t<P>) {
  return detail::make_pool<op::max_pool, detail::pool_attrs(ksize_t<K...>{}, strides_t<S...>{}, padding_t<P>{})>(input);
}

/// tf.nn.avg_pool(input, ksize, strides, padding): the mean of each window's cells inside
/// the input (with "SAME", a border window averages fewer cells).
template <tensor_node X, std::int64_t... K, std::int64_t... S, fixed_string P>
constexpr auto avg_pool(const X& input, ksize_t<K...>, strides_t<S...>, padding_t<P>) {
  return detail::make_pool<op::avg_pool, detail::pool_attrs(ksize_t<K...>{}, strides_t<S...>{}, padding_t<P>{})>(input);
}

}  // namespace nn

}  // namespace typeflow

#endif
