#ifndef TYPEFLOW_CORE_SHAPE_HPP
#define TYPEFLOW_CORE_SHAPE_HPP

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

namespace typeflow {

/// A dimension known only at run time, as TensorFlow's `None`. It is -1, which is
/// also how TensorFlow writes an unknown dimension in a GraphDef; diagnostics print it so.
inline constexpr std::int64_t none = -1;

namespace detail {
/// False when the static dims' product overflows int64 (a zero dim makes it 0: no overflow).
template <std::int64_t... D>
constexpr bool static_count_fits() {
  if (((D == 0) || ...)) return true;
  std::int64_t n = 1;
  for (std::int64_t d : {std::int64_t{1}, D...})
    if (d > 0 && __builtin_mul_overflow(n, d, &n)) return false;
  return true;
}
}  // namespace detail

/// A static shape: `shape<none, 3>` is TensorFlow's `[None, 3]`.
template <std::int64_t... D>
struct shape {
  static_assert(detail::static_count_fits<D...>(),
                "typeflow::shape<dims...>: the product of the static dims overflows std::int64_t (TensorFlow's "
                "limit on a tensor's element count); the shape is named in the instantiation above");
  static constexpr std::size_t rank = sizeof...(D);
  static constexpr std::array<std::int64_t, rank> dims{D...};
  static constexpr bool fully_static = ((D != none) && ...);
};

/// Shapes as value arrays, for constexpr computations over them.
template <std::size_t R>
using dims_t = std::array<std::int64_t, R>;

namespace detail {

template <class F, std::size_t... I>
auto shape_of_dims(std::index_sequence<I...>) -> shape<F::dims()[I]...>;

/// NumPy broadcasting of two static dims: equal dims match, a 1 stretches, `none`
/// matches `none` or a static dim (the run-time size is then checked). 0 means "no match".
constexpr std::int64_t broadcast_dim(std::int64_t a, std::int64_t b) {
  if (a == b) return a;
  if (a == 1) return b;
  if (b == 1) return a;
  if (a == none) return b;
  if (b == none) return a;
  return 0;
}

template <std::size_t RA, std::size_t RB>
constexpr auto broadcast_dims(const dims_t<RA>& a, const dims_t<RB>& b) {
  constexpr std::size_t R = RA > RB ? RA : RB;
  struct result {
    dims_t<R> dims{};
    bool ok = true;
  } r;
  for (std::size_t i = 0; i < R; ++i) {  // aligned from the right, as NumPy does
    const std::int64_t da = i < R - RA ? 1 : a[i - (R - RA)];
    const std::int64_t db = i < R - RB ? 1 : b[i - (R - RB)];
    r.dims[i] = broadcast_dim(da, db);
    // A zero-sized dim only broadcasts against 0 or 1.
    if ((r.dims[i] == 0 && !(da == 0 || db == 0)) || (da == 0 && db != 0 && db != 1) ||
        (db == 0 && da != 0 && da != 1)) {
      r.ok = false;
      r.dims[i] = none;  // the op reports the mismatch; `none` matches all that follows, so no second error
    }
  }
  return r;
}

}  // namespace detail

/// The shape whose dims F::dims() returns (a constexpr std::array). The dims come from a
/// type, not from an array template argument: g++ 12 gives one type to class-type template
/// arguments that different constexpr calls computed.
template <class F>
using shape_from_t = decltype(detail::shape_of_dims<F>(std::make_index_sequence<F::dims().size()>{}));

template <class A, class B>
inline constexpr bool broadcastable_v = detail::broadcast_dims(A::dims, B::dims).ok;

namespace detail {
template <class A, class B>
struct broadcast_of {
  static constexpr auto dims() { return broadcast_dims(A::dims, B::dims).dims; }
};
}  // namespace detail

template <class A, class B>
using broadcast_shape_t = shape_from_t<detail::broadcast_of<A, B>>;

/// Number of elements of a static shape (only meaningful when fully static).
template <class S>
inline constexpr std::int64_t static_size_v = [] {
  std::int64_t n = 1;
  for (auto d : S::dims) n *= d;
  return n;
}();

/// True when every dim is 1 (or the shape is rank 0): such a tensor broadcasts as one value.
template <class S>
inline constexpr bool is_single_element_v = [] {
  for (auto d : S::dims)
    if (d != 1) return false;
  return true;
}();

/// `[None, 3]`: the way TensorFlow prints a static shape.
template <class Range>
std::string shape_string(const Range& dims) {
  std::string s = "[";
  bool first = true;
  for (auto d : dims) {
    if (!first) s += ", ";
    first = false;
    s += static_cast<std::int64_t>(d) == none ? std::string("None") : std::to_string(d);
  }
  return s + "]";
}

/// Checks run-time dims against a static shape; `none` matches anything.
template <class S, class Range>
bool matches_static(const Range& dims) {
  if (std::size(dims) != S::rank) return false;
  std::size_t i = 0;
  for (auto d : dims) {
    if (S::dims[i] != none && static_cast<std::int64_t>(d) != S::dims[i]) return false;
    ++i;
  }
  return true;
}

}  // namespace typeflow

#endif
