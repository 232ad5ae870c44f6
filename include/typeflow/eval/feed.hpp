#ifndef TYPEFLOW_EVAL_FEED_HPP
#define TYPEFLOW_EVAL_FEED_HPP

#include <array>
#include <cstddef>
#include <string>
#include <type_traits>
#include <utility>

#include "../core/element_count.hpp"
#include "../core/error.hpp"
#include "../core/type_list.hpp"
#include "../graph/placeholder.hpp"
#include "xtensor.hpp"

namespace typeflow {

/// One entry of a run's feed_dict: the value for placeholder P. V is `const X&` for a value
/// the caller keeps (no copy is made), or X itself for a temporary, which the item then owns,
/// so that `auto f = tf::feed(x, make_batch());` stays valid.
template <class P, class V>
struct feed_item {
  using placeholder_type = P;
  V value;
};

namespace diagnostic {
/// tf::feed(placeholder, value): the value's rank (fixed in its type) is not the
/// placeholder's; the placeholder (name, dtype, shape) and the value's rank are in this type.
template <class Placeholder, std::ptrdiff_t ValueRank>
struct error_feed_rank_differs;
}  // namespace diagnostic

namespace detail {
template <class P, class V>
constexpr void check_feed_rank() {
  if constexpr (requires { typename V::shape_type; }) {
    constexpr auto rank = xt::static_dimension<typename V::shape_type>::value;
    if constexpr (rank >= 0 && rank != static_cast<std::ptrdiff_t>(shape_of_t<P>::rank)) {
      // The fed value has another rank than the placeholder, see the type below.
      diagnostic::error_feed_rank_differs<diagnostic::spelled_t<P>, rank> error;
    }
  } else {
    static_assert(shape_of_t<P>::rank == 0, "typeflow::feed: a number can only feed a rank-0 placeholder");
  }
}
}  // namespace detail

/// `tf::feed(x, X)`: feeds X (an xtensor container or expression, or a number for a rank-0
/// placeholder) to placeholder x.
template <class Name, class T, class S, class V>
feed_item<graph::placeholder<Name, T, S>, const V&> feed(graph::placeholder<Name, T, S>, const V& value) {
  detail::check_feed_rank<graph::placeholder<Name, T, S>, V>();
  return {value};
}
template <class Name, class T, class S, class V>
  requires(!std::is_lvalue_reference_v<V>)
feed_item<graph::placeholder<Name, T, S>, V> feed(graph::placeholder<Name, T, S>, V&& value) {
  detail::check_feed_rank<graph::placeholder<Name, T, S>, V>();
  return {std::move(value)};
}

/// What an operation (a train op, an assign) contributes to a fetch tuple.
struct no_value {};

namespace eval {

/// Index of the feed for placeholder P among Feeds, or sizeof...(Feeds) when there is none.
template <class P, class... Feeds>
constexpr std::size_t feed_index() {
  return index_of<P>(type_list<typename Feeds::placeholder_type...>{});
}

/// Where a run finds a placeholder's value: the fed buffer itself when it is a row-major
/// container of the placeholder's dtype, otherwise a copy (converted) kept for the next run.
template <class P>
struct feed_binding {
  using T = value_t<P>;
  using S = shape_of_t<P>;
  static constexpr std::size_t R = S::rank;

  const T* data = nullptr;
  std::array<std::size_t, R> dims{};
  xt::xtensor<T, R> owned;
  T number{};  // a number fed to a rank-0 placeholder (held here: an xtensor would allocate)

  template <class V>
  void bind(const V& value) {
    if constexpr (std::is_arithmetic_v<V>) {
      number = static_cast<T>(value);
      data = &number;
      return;
    } else {
      bind_array(value);
    }
  }

  template <class V>
  void bind_array(const V& value) {
    const auto& shape = value.shape();
    if (shape.size() != R || !matches_static<S>(shape))
      throw error("feed for placeholder '" + std::string(P::name_type::view()) + "': expected shape " +
                  shape_string(S::dims) + ", got " + shape_string(shape));
    std::copy(shape.begin(), shape.end(), dims.begin());
    if constexpr (is_xcontainer_v<V> && std::is_same_v<typename V::value_type, T>) {
      if (value.layout() == xt::layout_type::row_major) {
        data = value.data();
        return;
      }
    }
    if (owned.shape() != dims) {
      checked_element_count(dims, sizeof(T), "feed for placeholder '" + std::string(P::name_type::view()) + "'");
      owned.resize(dims);
    }
    xt::noalias(owned) = xt::cast<T>(value);
    data = owned.data();
  }

  std::size_t size() const {
    std::size_t n = 1;
    for (auto d : dims) n *= d;
    return n;
  }
};

}  // namespace eval
}  // namespace typeflow

#endif
