#ifndef TYPEFLOW_CORE_TYPE_LIST_HPP
#define TYPEFLOW_CORE_TYPE_LIST_HPP

#include <cstddef>
#include <type_traits>

namespace typeflow {

template <class... T>
struct type_list {
  static constexpr std::size_t size = sizeof...(T);
};

template <class List, class T>
inline constexpr bool contains_v = false;
template <class... Ts, class T>
inline constexpr bool contains_v<type_list<Ts...>, T> = (std::is_same_v<Ts, T> || ...);

/// Appends T unless it is already in the list.
template <class List, class T>
struct push_unique;
template <class... Ts, class T>
struct push_unique<type_list<Ts...>, T> {
  using type = std::conditional_t<contains_v<type_list<Ts...>, T>, type_list<Ts...>, type_list<Ts..., T>>;
};
template <class List, class T>
using push_unique_t = typename push_unique<List, T>::type;

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
  constexpr bool same[] = {std::is_same_v<T, Ts>..., false};
  std::size_t i = 0;
  while (i < sizeof...(Ts) && !same[i]) ++i;
  return i;
}

}  // namespace typeflow

#endif
