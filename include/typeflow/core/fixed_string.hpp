#ifndef TYPEFLOW_CORE_FIXED_STRING_HPP
#define TYPEFLOW_CORE_FIXED_STRING_HPP

#include <cstddef>
#include <string_view>
#include <utility>

namespace typeflow {

/// A string literal usable as a template argument: `tf::placeholder<"x", float, 3>()`.
template <std::size_t N>
struct fixed_string {
  char data[N]{};
  constexpr fixed_string(const char (&s)[N]) {
    for (std::size_t i = 0; i < N; ++i) data[i] = s[i];
  }
  static constexpr std::size_t size() { return N - 1; }
};

/// `Name + "/gamma"`: a name under a layer's scope, at compile time.
template <std::size_t N, std::size_t M>
constexpr fixed_string<N + M - 1> operator+(const fixed_string<N>& a, const char (&b)[M]) {
  char s[N + M - 1]{};
  for (std::size_t i = 0; i + 1 < N; ++i) s[i] = a.data[i];
  for (std::size_t j = 0; j < M; ++j) s[N - 1 + j] = b[j];
  return fixed_string<N + M - 1>(s);
}

/// A node's name as a char pack. Inside the library names are `name<'x'>` rather than
/// `fixed_string`, because both compilers print a char pack readably in diagnostics
/// (clang 14 prints a fixed_string as `{{120, 0}}`).
template <char... C>
struct name {
  static constexpr char chars[] = {C..., '\0'};
  static constexpr std::string_view view() { return {chars, sizeof...(C)}; }
};

namespace detail {
template <fixed_string S, std::size_t... I>
auto to_name(std::index_sequence<I...>) -> name<S.data[I]...>;
}  // namespace detail

template <fixed_string S>
using name_of = decltype(detail::to_name<S>(std::make_index_sequence<S.size()>{}));

/// The char pack back as a fixed_string (for diagnostics, below).
template <char... C>
constexpr fixed_string<sizeof...(C) + 1> to_fixed_string(name<C...>) {
  const char s[] = {C..., '\0'};
  return fixed_string<sizeof...(C) + 1>(s);
}

namespace diagnostic {
/// How a diagnostic names node N: spelled_t<N> is N, except that under g++ a named leaf
/// (placeholder, variable) becomes a type holding its name as a fixed_string, which g++ prints
/// as `fixed_string<7>{"labels"}` where the char pack reads `name<'l', 'a', 'b', 'e', 'l', 's'>`.
/// clang 14 prints a fixed_string argument as numbers (`{{120, 0}}`) but the char pack as
/// `name<'x'>`, so it keeps N. Only diagnostics use this: node identity stays the char pack,
/// one type on both compilers. graph/placeholder.hpp and graph/variable.hpp specialise it.
template <class N>
struct spelled {
  using type = N;
};
template <class N>
using spelled_t = typename spelled<N>::type;
}  // namespace diagnostic

}  // namespace typeflow

#endif
