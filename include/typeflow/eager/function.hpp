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
    return call<given_as_variable_v<A>...>(std::index_sequence_for<A...>{},
                                           as_tensor<typename Specs::value_type>(args)...);
  }

 private:
  struct state {
    F f;
    traced y;
    Session session;
    explicit state(F fn) : f(std::move(fn)), y(std::apply(f, placeholders{})) {}
  };

  /// The arguments a gradient flows to (floating, read by the trace) among those marked in Among.
  template <std::array<bool, arity> Among, std::size_t... I>
  static constexpr auto differentiable_of(std::index_sequence<I...>) {
    constexpr std::array<bool, arity> flags{(Among[I] && std::is_floating_point_v<typename Specs::value_type> &&
                                             depends_on_v<traced, placeholder_t<I>>)...};
    constexpr std::size_t count = (std::size_t{flags[I]} + ... + 0);
    constexpr auto list = [&] {
      std::array<std::size_t, count> out{};
      std::size_t k = 0;
      for (std::size_t i = 0; i < arity; ++i)
        if (flags[i]) out[k++] = i;
      return out;
    }();
    return [&]<std::size_t... K>(std::index_sequence<K...>) {
      return std::index_sequence<list[K]...>{};
    }(std::make_index_sequence<count>{});
  }
  template <std::array<bool, arity> Among>
  using differentiable_among = decltype(differentiable_of<Among>(std::make_index_sequence<arity>{}));
  static constexpr std::array<bool, arity> all_arguments = [] {
    std::array<bool, arity> a{};
    a.fill(true);
    return a;
  }();
  using differentiable = differentiable_among<all_arguments>;

  /// The gradient of `target` (the result, or sum(result * g)) for every differentiable argument.
  template <class Target, std::size_t... D>
  static auto gradients_of(const Target& target, std::index_sequence<D...>) {
    return typeflow::gradients(target, placeholder_t<D>{}...);
  }

  /// The placeholder of the result's gradient, for a call whose result is not a scalar.
  using grad_placeholder = graph::placeholder<name<'g', 'r', 'a', 'd'>, result_value, shape_of_t<traced>>;

  template <class A>
  static constexpr bool given_as_variable_v =
      is_tensor_like_v<A> && !std::is_same_v<A, Tensor<typename A::value_type>>;

  /// A call; IsVariable marks the arguments given as variables.
  template <bool... IsVariable, std::size_t... I>
  Tensor<result_value> call(std::index_sequence<I...>, const Tensor<typename Specs::value_type>&... x) const {
    (check<I>(x), ...);
    if constexpr (std::is_floating_point_v<result_value> && differentiable::size() > 0) {
      if (detail::any_recording()) {
        // A scalar (a loss) whose tensor arguments no tape tracks (the data): the gradients of
        // its variable arguments come from the same run, as graph mode's sess.run(fetch(loss,
        // grads...)) computes them, and the tape's backward only scales them by g.
        if constexpr (result_rank == 0) {
          using variables = differentiable_among<std::array<bool, arity>{IsVariable...}>;
          if (!((!IsVariable && differentiable_v<I> && detail::tracked_by_any(x.id())) || ...)) {
            if constexpr (variables::size() > 0) return call_with_gradients<variables>(x...);
            else return forward(x...);  // nothing to differentiate for any tape
          }
        }
        const Tensor<result_value> result = forward(x...);
        auto e = std::make_shared<call_entry>();
        e->fn = m_state;
        e->args = {x...};
        record(result, std::move(e), std::array<bool, arity>{differentiable_v<I>...}, x...);
        return result;
      }
    }
    return forward(x...);
  }

  /// Whether argument I takes a gradient.
  template <std::size_t I>
  static constexpr bool differentiable_v = [] {
    bool found = false;
    [&]<std::size_t... D>(std::index_sequence<D...>) { found = ((D == I) || ...); }(differentiable{});
    return found;
  }();

  template <std::size_t... I>
  Tensor<result_value> forward_of(std::index_sequence<I...>, const Tensor<typename Specs::value_type>&... x) const {
    return Tensor<result_value>{
        xt::xtensor<result_value, result_rank>(m_state->session.run(m_state->y, feed_of<I>(x)...))};
  }
  Tensor<result_value> forward(const Tensor<typename Specs::value_type>&... x) const {
    return forward_of(std::make_index_sequence<arity>{}, x...);
  }

  /// One run for the result and the gradients of the arguments in D (an index_sequence).
  template <class D>
  Tensor<result_value> call_with_gradients(const Tensor<typename Specs::value_type>&... x) const {
    auto values = [&]<std::size_t... I>(std::index_sequence<I...>) {
      return typeflow::apply(
          [&](const auto&... g) { return m_state->session.run(typeflow::fetch(m_state->y, g...), feed_of<I>(x)...); },
          gradients_of(m_state->y, D{}));
    }(std::make_index_sequence<arity>{});
    const Tensor<result_value> result{std::get<0>(values)};
    // The gradients' arrays become the tensors' buffers: the run handed them over, uncopied.
    auto e = std::make_shared<scalar_call_entry>();
    std::array<bool, arity> has{};
    [&]<std::size_t... K, std::size_t... J>(std::index_sequence<K...>, std::index_sequence<J...>) {
      e->grads.assign(arity, nullptr);
      ((e->grads[J] = Tensor<result_value>(std::move(std::get<K + 1>(values))).body(), has[J] = true), ...);
    }(std::make_index_sequence<D::size()>{}, D{});
    record(result, std::move(e), has, x...);
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

  /// Where a differentiable argument's gradient goes among the entry's inputs.
  template <class F2>
  static void for_differentiable(F2&& f) {
    [&]<std::size_t... K, std::size_t... D>(std::index_sequence<K...>, std::index_sequence<D...>) {
      (f(std::integral_constant<std::size_t, K>{}, std::integral_constant<std::size_t, D>{}), ...);
    }(std::make_index_sequence<differentiable::size()>{}, differentiable{});
  }

  /// A scalar call's record: the gradients computed with the result, scaled by g.
  struct scalar_call_entry final : detail::tape_entry {
    std::vector<detail::body_ptr> grads;  // per argument; null for those not computed
    void backward(const detail::body_ptr& g, std::span<const char> wanted,
                  std::span<detail::body_ptr> out) const override {
      const Tensor<result_value> scale(g);
      for (std::size_t i = 0; i < arity; ++i) {
        if (!wanted[i] || !grads[i]) continue;
        // g is 1 for the target itself (a loss): the gradients as computed, without a pass over them.
        const Tensor<result_value> grad(grads[i]);
        out[i] = scale.item() == result_value(1) ? grad.body() : (grad * scale).body();
      }
    }
  };

  /// A call's record: its backward runs tf::gradients(sum(y * g), args) in the Session.
  struct call_entry final : detail::tape_entry {
    std::shared_ptr<state> fn;
    std::tuple<Tensor<typename Specs::value_type>...> args;

    void backward(const detail::body_ptr& g, std::span<const char> wanted,
                  std::span<detail::body_ptr> out) const override {
      const Tensor<result_value> upstream(g);
      const auto weighted = typeflow::reduce_sum(fn->y * grad_placeholder{});
      const auto upstream_feed = typeflow::feed(
          grad_placeholder{}, xt::adapt(upstream.data().data(), upstream.size(), xt::no_ownership(),
                                        detail::to_array<result_rank>(upstream.shape())));
      auto values = [&]<std::size_t... I>(std::index_sequence<I...>) {
        return typeflow::apply(
            [&](const auto&... grads) {
              return fn->session.run(typeflow::fetch(grads...), feed_of<I>(std::get<I>(args))..., upstream_feed);
            },
            gradients_of(weighted, differentiable{}));
      }(std::make_index_sequence<arity>{});
      for_differentiable([&](auto k, auto d) {
        if (wanted[d]) out[d] = Tensor<result_value>(std::move(std::get<k>(values))).body();
      });
    }
  };

  /// Records a call on the tapes, with a gradient for the arguments marked in `has`.
  template <class Entry>
  void record(const Tensor<result_value>& result, std::shared_ptr<Entry> e, const std::array<bool, arity>& has,
              const Tensor<typename Specs::value_type>&... x) const {
    const auto ids = [&]<std::size_t... I>(std::index_sequence<I...>) {
      return std::array<std::uint64_t, arity>{(has[I] ? x.id() : 0)...};
    }(std::make_index_sequence<arity>{});
    e->output = result.id();
    e->inputs.assign(ids.begin(), ids.end());
    detail::record(ids, result.id(), [&] { return e; });
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
