#ifndef TYPEFLOW_EAGER_FUNCTION_HPP
#define TYPEFLOW_EAGER_FUNCTION_HPP

// tfe::function: eager code compiled to the typed graph (TF2's tf.function). A generic
// lambda written with tfe's ops is called once with placeholders instead of tensors: the tfe
// ops' graph-node forms build graph mode's nodes, so the trace is a typeflow graph (fused
// loops, kernels, one plan) that a Session of the function's own runs on every later call.
//
// The signature: an eager tensor's rank is a run-time value, and a trace needs static types,
// so the placeholders' dtypes and shapes come from the declaration, as TF's input_signature:
//   auto f = tfe::function<tf::TensorSpec<float, tf::none, 3>, tf::TensorSpec<float, 3, 1>>(
//       [](auto x, auto w) { return tfe::matmul(x, w) + 1.0f; });
// A call checks each tensor against its spec (a tf::none dim takes any size), and a call with
// another dtype does not compile. Tracing at each call's dims, as TF does without a signature,
// would instantiate the lambda for every rank a tensor might have at run time.
//
// Under a GradientTape a call is one recorded op; its gradient is graph mode's tf::gradients
// of the trace, run by the same Session.

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>

#include "../autodiff/gradients.hpp"
#include "../core/fixed_string.hpp"
#include "../graph/placeholder.hpp"
#include "../ops/reduce.hpp"
#include "../runtime/session.hpp"
#include "execute.hpp"
#include "ops.hpp"
#include "recording.hpp"
#include "tensor.hpp"

namespace typeflow {

/// tf.TensorSpec(shape, dtype) as a type: `tf::TensorSpec<float, tf::none, 3>`.
template <dtype T, std::int64_t... Dims>
struct TensorSpec {
  using value_type = T;
  using shape_type = shape<Dims...>;
};

namespace eager {
namespace detail {

/// The placeholder of argument I (named "arg00", "arg01", ...), of the spec's dtype and shape.
template <std::size_t I, class Spec>
using argument_placeholder =
    graph::placeholder<name<'a', 'r', 'g', static_cast<char>('0' + I / 10), static_cast<char>('0' + I % 10)>,
                       typename Spec::value_type, typename Spec::shape_type>;

}  // namespace detail

/// A traced function (see the header comment); tfe::function makes one.
template <class F, class... Specs>
class Function {
  static constexpr std::size_t arity = sizeof...(Specs);
  template <std::size_t... I>
  static auto placeholders_of(std::index_sequence<I...>) -> std::tuple<detail::argument_placeholder<I, Specs>...>;
  using placeholders = decltype(placeholders_of(std::make_index_sequence<arity>{}));
  template <std::size_t I>
  using placeholder_t = std::tuple_element_t<I, placeholders>;

  using traced = decltype(std::apply(std::declval<F&>(), std::declval<placeholders>()));
  static_assert(tensor_node<traced>,
                "tfe::function: the function must return one tensor, computed with tfe's (or tf's) ops from its "
                "arguments");
  using result_value = value_t<traced>;
  static constexpr std::size_t result_rank = rank_v<traced>;

 public:
  explicit Function(F f) : m_state(std::make_shared<state>(std::move(f))) {}

  /// Runs the traced graph on tensors (or variables) of the declared dtypes and shapes.
  template <class... A>
    requires(sizeof...(A) == arity)
  Tensor<result_value>
  operator()(const A&... args) const {
    return call(std::index_sequence_for<A...>{}, as_tensor<typename Specs::value_type>(args)...);
  }

 private:
  struct state {
    F f;
    traced y;
    Session session;
    explicit state(F fn) : f(std::move(fn)), y(std::apply(f, placeholders{})) {}
  };

  template <std::size_t... I>
  Tensor<result_value> call(std::index_sequence<I...>, const Tensor<typename Specs::value_type>&... x) const {
    (check<I>(x), ...);
    const auto y = m_state->session.run(m_state->y, feed_of<I>(x)...);
    const Tensor<result_value> result{xt::xtensor<result_value, result_rank>(y)};
    if constexpr (std::is_floating_point_v<result_value>) {
      if (detail::any_recording()) record(result, x...);
    }
    return result;
  }

  template <std::size_t I, class T>
  static auto feed_of(const Tensor<T>& t) {
    using P = placeholder_t<I>;
    return typeflow::feed(P{}, xt::adapt(t.data().data(), t.size(), xt::no_ownership(),
                                         detail::to_array<shape_of_t<P>::rank>(t.shape())));
  }

  template <std::size_t I, class T>
  static void check(const Tensor<T>& t) {
    using S = shape_of_t<placeholder_t<I>>;
    if (t.rank() != S::rank || !matches_static<S>(t.shape()))
      throw error("tfe::function: argument " + std::to_string(I) + " has shape " + to_string(t.shape()) +
                  ", the signature's TensorSpec " + shape_string(S::dims));
  }

  /// A call's record: its backward runs tf::gradients(sum(y * g), args) in the Session.
  struct call_entry final : detail::tape_entry {
    std::shared_ptr<state> fn;
    std::tuple<Tensor<typename Specs::value_type>...> args;

    void backward(const detail::body_ptr& g, std::span<detail::body_ptr> grads) const override {
      [&]<std::size_t... I>(std::index_sequence<I...>) {
        using G = graph::placeholder<name<'g', 'r', 'a', 'd'>, result_value, shape_of_t<traced>>;
        const auto weighted = typeflow::reduce_sum(fn->y * G{});
        (
            [&] {
              using P = placeholder_t<I>;
              if constexpr (std::is_floating_point_v<value_t<P>> && depends_on_v<traced, P>) {
                if (inputs[I] == 0) return;
                const auto gi =
                    fn->session.run(std::get<0>(typeflow::gradients(weighted, P{})), feed_of<I>(std::get<I>(args))...,
                                    feed_grad<G>(Tensor<result_value>(g)));
                grads[I] = Tensor<value_t<P>>(xt::xtensor<value_t<P>, shape_of_t<P>::rank>(gi)).body();
              }
            }(),
            ...);
      }
      (std::make_index_sequence<arity>{});
    }

    template <class G>
    static auto feed_grad(const Tensor<result_value>& g) {
      return typeflow::feed(
          G{}, xt::adapt(g.data().data(), g.size(), xt::no_ownership(), detail::to_array<result_rank>(g.shape())));
    }
  };

  void record(const Tensor<result_value>& result, const Tensor<typename Specs::value_type>&... x) const {
    const std::array<std::uint64_t, arity> ids{(std::is_floating_point_v<typename Specs::value_type> ? x.id() : 0)...};
    detail::record(ids, result.id(), [&] {
      auto e = std::make_shared<call_entry>();
      e->fn = m_state;
      e->args = {x...};
      e->output = result.id();
      e->inputs.assign(ids.begin(), ids.end());
      return e;
    });
  }

  std::shared_ptr<state> m_state;
};

/// tfe::function<tf::TensorSpec<float, tf::none, 3>, ...>(lambda): `lambda` traced once into a
/// graph, which each call runs (see the header comment).
template <class... Specs, class F>
Function<F, Specs...> function(F f) {
  static_assert(sizeof...(Specs) > 0,
                "tfe::function<tf::TensorSpec<...>...>(f): declare each argument's dtype and shape (TF's "
                "input_signature), e.g. tfe::function<tf::TensorSpec<float, tf::none, 3>>(f)");
  return Function<F, Specs...>(std::move(f));
}

}  // namespace eager
}  // namespace typeflow

#endif
