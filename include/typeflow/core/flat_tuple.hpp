#ifndef TYPEFLOW_CORE_FLAT_TUPLE_HPP
#define TYPEFLOW_CORE_FLAT_TUPLE_HPP

// typeflow::flat_tuple<T...>: the tuple typeflow hands out and keeps where its elements are
// graph node types, which may be large: tf::gradients' result, a fetch set, a vjp's parts.
// Read it as a std::tuple is read, `auto [dW, db] = tf::gradients(loss, W, b);`, or with
// `tf::get<I>(t)` and `tf::apply(f, t)`; std::tuple_size and std::tuple_element know it.
//
// Not a std::tuple, for compile time. A std::tuple's constructors are templates constrained by
// enable_if: clang 14 prints each condition that fails, element types included, into a string
// even when it reports nothing, and g++ 12 pays for a template parameter it does not deduce in
// proportion to its type written out as a tree. A gradient of a graph that reuses a node level
// upon level (residual blocks) is a type of a few nodes per level but exponential as a tree
// (benchmarks/README.md, "Residual blocks"). This constructor is not a template, and elements are
// read by qualified calls and members, not by argument-dependent lookup (which clang 14 also
// walks as a tree).

#include <cstddef>
#include <tuple>
#include <type_traits>
#include <utility>

namespace typeflow {

namespace detail {

template <std::size_t I, class T>
struct flat_element {
  T value;
};

template <class Seq, class... T>
struct flat_base;
template <std::size_t... I, class... T>
struct flat_base<std::index_sequence<I...>, T...> : flat_element<I, T>... {
  constexpr flat_base(const T&... v) : flat_element<I, T>{v}... {}
};

}  // namespace detail

/// Element I of a flat_tuple (found as its unique base flat_element<I, T>).
template <std::size_t I, class T>
constexpr const T& get(const detail::flat_element<I, T>& e) {
  return e.value;
}
template <std::size_t I, class T>
constexpr T& get(detail::flat_element<I, T>& e) {
  return e.value;
}
template <std::size_t I, class T>
constexpr T&& get(detail::flat_element<I, T>&& e) {
  return std::move(e.value);
}

template <class... T>
struct flat_tuple : detail::flat_base<std::index_sequence_for<T...>, T...> {
  using detail::flat_base<std::index_sequence_for<T...>, T...>::flat_base;

  // Structured bindings use these members (no lookup of a free get by argument).
  template <std::size_t I>
  constexpr const auto& get() const& {
    return typeflow::get<I>(*this);
  }
  template <std::size_t I>
  constexpr auto& get() & {
    return typeflow::get<I>(*this);
  }
  template <std::size_t I>
  constexpr auto&& get() && {
    return typeflow::get<I>(std::move(*this));
  }
};
template <class... T>
flat_tuple(T...) -> flat_tuple<T...>;

namespace detail {
template <class F, class Tuple, std::size_t... I>
constexpr decltype(auto) apply_flat(F&& f, const Tuple& t, std::index_sequence<I...>) {
  return std::forward<F>(f)(typeflow::get<I>(t)...);
}
}  // namespace detail

/// f(elements...), as std::apply.
template <class F, class... T>
constexpr decltype(auto) apply(F&& f, const flat_tuple<T...>& t) {
  return detail::apply_flat(std::forward<F>(f), t, std::index_sequence_for<T...>{});
}

}  // namespace typeflow

namespace std {
template <class... T>
struct tuple_size<typeflow::flat_tuple<T...>> : integral_constant<size_t, sizeof...(T)> {};
template <size_t I, class... T>
struct tuple_element<I, typeflow::flat_tuple<T...>> {
  using type = tuple_element_t<I, tuple<T...>>;
};
}  // namespace std

#endif
