#ifndef TYPEFLOW_CORE_TYPE_LIST_HPP
#define TYPEFLOW_CORE_TYPE_LIST_HPP

#include <cstddef>
#include <type_traits>
#include <utility>

namespace typeflow {

template <class... T>
struct type_list {
  static constexpr std::size_t size = sizeof...(T);
};

// The type comparisons below use the compiler's __is_same (g++ and clang), not std::is_same_v:
// a list of n types searched n times would instantiate n^2 variables of long node types.
template <class List, class T>
inline constexpr bool contains_v = false;
template <class... Ts, class T>
inline constexpr bool contains_v<type_list<Ts...>, T> = (__is_same(Ts, T) || ...);

/// List with T appended.
template <class List, class T>
struct push_back;
template <class... Ts, class T>
struct push_back<type_list<Ts...>, T> {
  using type = type_list<Ts..., T>;
};
template <class List, class T>
using push_back_t = typename push_back<List, T>::type;

/// The types of List for which Pred<T>::value holds, in order.
template <class... A, class... B>
type_list<A..., B...> operator+(type_list<A...>, type_list<B...>);  // only for decltype below

template <class List, template <class> class Pred>
struct filter;
template <class... Ts, template <class> class Pred>
struct filter<type_list<Ts...>, Pred> {
  using type = decltype((type_list<>{} + ... + std::conditional_t<Pred<Ts>::value, type_list<Ts>, type_list<>>{}));
};
template <class List, template <class> class Pred>
using filter_t = typename filter<List, Pred>::type;

/// Calls f.template operator()<T>() for each T in the list, in order.
template <class... Ts, class F>
constexpr void for_each_type(type_list<Ts...>, F&& f) {
  (f.template operator()<Ts>(), ...);
}

/// Index of T in the list, or the list's size when T is not in it.
template <class T, class... Ts>
constexpr std::size_t index_of(type_list<Ts...>) {
  constexpr bool same[] = {__is_same(T, Ts)..., false};
  std::size_t i = 0;
  while (i < sizeof...(Ts) && !same[i]) ++i;
  return i;
}

namespace detail {
template <std::size_t I, class T>
struct index_leaf {};
template <class Seq, class... Ts>
struct index_table;
template <std::size_t... I, class... Ts>
struct index_table<std::index_sequence<I...>, Ts...> : index_leaf<I, Ts>... {};
template <class T, std::size_t I>
constexpr std::size_t index_in(const index_leaf<I, T>*) {
  return I;
}
template <class List>
struct index_table_of;
template <class... Ts>
struct index_table_of<type_list<Ts...>> {
  using type = index_table<std::index_sequence_for<Ts...>, Ts...>;
};
}  // namespace detail

/// Index of T in a list of distinct types that contains it. Found by overload resolution
/// against one table per list, so n lookups cost O(n) instantiations, not O(n^2).
template <class List, class T>
inline constexpr std::size_t position_v =
    detail::index_in<T>(static_cast<const typename detail::index_table_of<List>::type*>(nullptr));

}  // namespace typeflow

#endif
