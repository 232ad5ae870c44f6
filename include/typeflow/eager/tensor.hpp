#ifndef TYPEFLOW_EAGER_TENSOR_HPP
#define TYPEFLOW_EAGER_TENSOR_HPP

// Eager tensors (TF2's EagerTensor): a value now, of a dtype fixed in the C++ type and dims
// known at run time. The dtype is static because that is what typeflow checks at compile time
// in graph mode too (TF raises InvalidArgumentError at run time for `float + int`; here it does
// not compile); the rank is dynamic, as in TF's eager mode, so that a loop may grow a batch
// or a reduction drop an axis without a new type.
//
// A tensor is immutable and shared: copies share one body (its values, dims and identity), as
// TF's handles do, so passing tensors around copies no values. A body's id is what a
// GradientTape records; the values live in a buffer that may outlive the body (a reshape's
// result shares its operand's).

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <initializer_list>
#include <memory>
#include <ostream>
#include <span>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "../core/dtype.hpp"
#include "../core/element_count.hpp"
#include "../core/error.hpp"
#include "../eval/xtensor.hpp"
#include "../io/data_type.hpp"
#include "buffer_pool.hpp"

namespace typeflow::eager {

/// The most dims an eager tensor has (TF allows 254; typeflow's kernels see up to 8).
inline constexpr std::size_t max_rank = 8;

/// The dims of an eager tensor (TF's TensorShape), held inline: an op allocates none for them.
class TensorShape {
 public:
  TensorShape() = default;
  TensorShape(std::initializer_list<std::size_t> dims) { assign(dims.begin(), dims.end()); }
  template <class Range>
    requires requires(const Range& r) { r.begin(), r.end(); }
  explicit TensorShape(const Range& dims) { assign(dims.begin(), dims.end()); }

  std::size_t rank() const { return m_rank; }
  std::size_t size() const { return m_rank; }
  std::size_t operator[](std::size_t i) const { return m_dims[i]; }
  std::size_t& operator[](std::size_t i) { return m_dims[i]; }
  const std::size_t* begin() const { return m_dims.data(); }
  const std::size_t* end() const { return m_dims.data() + m_rank; }
  /// The number of elements (1 for a scalar).
  std::size_t num_elements() const {
    std::size_t n = 1;
    for (std::size_t i = 0; i < m_rank; ++i) n *= m_dims[i];
    return n;
  }
  void push_back(std::size_t d) {
    check_rank(m_rank + 1);
    m_dims[m_rank++] = d;
  }
  std::vector<std::size_t> as_vector() const { return {begin(), end()}; }

  friend bool operator==(const TensorShape& a, const TensorShape& b) {
    return a.m_rank == b.m_rank && std::equal(a.begin(), a.end(), b.begin());
  }
  /// TF's form: (2, 3), (3,) and () for a scalar.
  friend std::string to_string(const TensorShape& s) {
    std::string out = "(";
    for (std::size_t i = 0; i < s.m_rank; ++i) out += (i ? ", " : "") + std::to_string(s.m_dims[i]);
    return out + (s.m_rank == 1 ? ",)" : ")");
  }
  friend std::ostream& operator<<(std::ostream& os, const TensorShape& s) { return os << to_string(s); }

 private:
  template <class It>
  void assign(It first, It last) {
    check_rank(static_cast<std::size_t>(std::distance(first, last)));
    for (; first != last; ++first) m_dims[m_rank++] = static_cast<std::size_t>(*first);
  }
  static void check_rank(std::size_t r) {
    if (r > max_rank)
      throw error("tfe::TensorShape: rank " + std::to_string(r) + " is beyond eager mode's " +
                  std::to_string(max_rank));
  }

  std::array<std::size_t, max_rank> m_dims{};
  std::size_t m_rank = 0;
};

/// Python's None: an omitted bound of a Slice or, as an entry of an index, a new axis (`x[None]`
/// is `x(tfe::None)`, as tf.newaxis).
inline constexpr struct none_t {
} None{};

/// TF's `start:stop:step` in an index, Python's slice, named as libtorch's C++ API names it:
/// `x[1:3]` is `x[tfe::Slice(1, 3)]`, `x[2:]` is `tfe::Slice(2)`, `x[:]` is `tfe::Slice()`,
/// `x[::2]` is `tfe::Slice(tfe::None, tfe::None, 2)` and `x[::-1]` the same with -1. Negative
/// bounds count from the end; bounds past an end are clamped, as in Python.
struct Slice {
  static constexpr std::int64_t open = INT64_MAX;  // an omitted bound (None)
  /// A bound: an index or tfe::None.
  struct bound {
    std::int64_t value;
    constexpr bound(std::integral auto i) : value(static_cast<std::int64_t>(i)) {}
    constexpr bound(none_t) : value(open) {}
  };
  std::int64_t start = open, stop = open, step = 1;
  constexpr Slice() = default;
  constexpr explicit Slice(bound start, bound stop = None, std::int64_t step = 1)
      : start(start.value), stop(stop.value), step(step) {}
};
/// TF's `...` in an index: as many `:` as the axes that the other entries leave.
inline constexpr struct ellipsis_t {
} Ellipsis{};
/// tf.newaxis in an index: a new axis of size 1.
inline constexpr struct newaxis_t {
} newaxis{};

/// One entry of an index: an integer (which drops its axis), a Slice, Ellipsis, or newaxis (None).
class Index {
 public:
  enum class kind { integer, slice, ellipsis, newaxis };
  Index(std::integral auto i) : m_kind(kind::integer), m_integer(static_cast<std::int64_t>(i)) {}
  Index(Slice s) : m_kind(kind::slice), m_slice(s) {}
  Index(ellipsis_t) : m_kind(kind::ellipsis) {}
  Index(newaxis_t) : m_kind(kind::newaxis) {}
  Index(none_t) : m_kind(kind::newaxis) {}
  kind what() const { return m_kind; }
  std::int64_t integer() const { return m_integer; }
  const Slice& slice() const { return m_slice; }

 private:
  kind m_kind;
  std::int64_t m_integer = 0;
  Slice m_slice;
};

namespace detail {

/// A fresh tensor identity (what tapes record). Relaxed: ids need only be distinct.
inline std::uint64_t next_tensor_id() {
  static std::atomic<std::uint64_t> next{1};
  return next.fetch_add(1, std::memory_order_relaxed);
}

/// What copies of a tensor share: identity, dtype, dims, and the values (owned by `buffer`,
/// which a reshape's result shares too).
struct tensor_body {
  std::uint64_t id = next_tensor_id();
  io::data_type dtype = io::DT_FLOAT;
  TensorShape shape;
  std::shared_ptr<pooled_buffer> buffer;

  template <class T>
  T* data() const {
    return static_cast<T*>(buffer->data);
  }
};

using body_ptr = std::shared_ptr<const tensor_body>;

/// A body of dtype T and dims `shape`, its values uninitialised.
template <dtype T>
std::shared_ptr<tensor_body> new_body(const TensorShape& shape) {
  auto b = std::make_shared<tensor_body>();
  b->dtype = io::data_type_of<T>;
  b->shape = shape;
  b->buffer = allocate_buffer(checked_element_count(shape, sizeof(T), "tfe::Tensor") * sizeof(T));
  return b;
}

/// A body whose values stay in the array `values` (taken over, not copied) where it is
/// 64-byte aligned as the pool's blocks; null where it is not.
template <dtype T, std::size_t R>
std::shared_ptr<tensor_body> adopting_body(xt::xtensor<T, R>&& values) {
  if (reinterpret_cast<std::uintptr_t>(values.data()) % 64 != 0) return nullptr;
  auto b = std::make_shared<tensor_body>();
  b->dtype = io::data_type_of<T>;
  b->shape = TensorShape(values.shape());
  b->buffer = std::make_shared<pooled_buffer>();
  auto owner = std::make_shared<xt::xtensor<T, R>>(std::move(values));
  b->buffer->data = owner->data();
  b->buffer->owner = std::move(owner);
  return b;
}

/// A new identity for `source`'s values seen with dims `shape` (a reshape, a variable's read).
inline std::shared_ptr<tensor_body> alias_body(const tensor_body& source, const TensorShape& shape) {
  auto b = std::make_shared<tensor_body>();
  b->dtype = source.dtype;
  b->shape = shape;
  b->buffer = source.buffer;
  return b;
}

/// The argument of tfe::constant<float>({{1, 2}, {3, 4}}): a number, or a braced list of these,
/// to any depth (a class, so that `{{1}, {2}}` is a 2x1 list and not two numbers in braces).
template <dtype T>
class nested_values {
 public:
  nested_values(T value) : m_value(value), m_is_value(true) {}
  nested_values(std::initializer_list<nested_values> list) : m_list(list) {}

  /// The dims; a ragged list is an error, as TF's "Can't convert non-rectangular Python sequence".
  TensorShape dims() const {
    TensorShape d;
    for (const nested_values* n = this; !n->m_is_value; n = &n->m_list.front()) {
      d.push_back(n->m_list.size());
      if (n->m_list.empty()) break;
    }
    check(d, 0);
    return d;
  }
  void copy_to(T*& out) const {
    if (m_is_value) *out++ = m_value;
    else
      for (const auto& inner : m_list) inner.copy_to(out);
  }

 private:
  void check(const TensorShape& d, std::size_t depth) const {
    const bool ok = m_is_value ? depth == d.rank() : depth < d.rank() && m_list.size() == d[depth];
    if (!ok)
      throw error("tfe::constant: the nested lists are not rectangular (a list at depth " + std::to_string(depth) +
                  " does not match the first list's dims " + to_string(d) + ")");
    for (const auto& inner : m_list) inner.check(d, depth + 1);
  }

  T m_value{};
  bool m_is_value = false;
  std::vector<nested_values> m_list;
};

/// The fewest digits (at most 8, NumPy's precision) after the point that give back v, in
/// fixed ('f') or scientific ('e') notation.
template <class T>
int unique_digits(T v, char style) {
  char buf[64];
  for (int p = 0; p < 8; ++p) {
    std::snprintf(buf, sizeof buf, style == 'e' ? "%.*e" : "%.*f", p, static_cast<double>(v));
    if (static_cast<T>(std::strtod(buf, nullptr)) == v) return p;
  }
  return 8;
}

/// One number as NumPy prints it in an array: `8.`, `0.25`, `1.e-05`, `True`, `-3`.
template <class T>
std::string format_number(T v, char style, int digits) {
  if constexpr (std::is_same_v<T, bool>) return v ? "True" : "False";
  else if constexpr (std::is_integral_v<T>) return std::to_string(v);
  else {
    if (std::isnan(v)) return "nan";
    if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
    char buf[64];
    if (style == 'e') {
      std::snprintf(buf, sizeof buf, "%.*e", digits, static_cast<double>(v));
      std::string s = buf;
      if (digits == 0) {  // 1e-05 -> 1.e-05 (not by insert: g++ 12's -Wrestrict misreads it at -O3)
        const auto e = s.find('e');
        s = s.substr(0, e) + "." + s.substr(e);
      }
      return s;
    }
    std::snprintf(buf, sizeof buf, "%.*f", unique_digits(v, 'f'), static_cast<double>(v));
    std::string s = buf;
    if (s.find('.') == std::string::npos) s += '.';  // 8 -> 8.
    return s;
  }
}

/// NumPy's choice of notation for an array: scientific where the finite nonzero magnitudes
/// reach 1e8, fall below 1e-4 or span more than a factor 1000; then one precision for all.
template <class T>
std::pair<char, int> notation_of(std::span<const T> values) {
  if constexpr (!std::is_floating_point_v<T>) {
    return {'f', 0};
  } else {
    double lo = 0, hi = 0;
    for (const T v : values) {
      const double a = std::abs(static_cast<double>(v));
      if (!std::isfinite(a) || a == 0) continue;
      lo = lo == 0 ? a : std::min(lo, a);
      hi = std::max(hi, a);
    }
    if (hi < 1e8 && (lo == 0 || (lo >= 1e-4 && hi / lo <= 1e3))) return {'f', 0};
    int digits = 0;
    for (const T v : values)
      if (std::isfinite(v)) digits = std::max(digits, unique_digits(v, 'e'));
    return {'e', digits};
  }
}

}  // namespace detail

/// A tensor of dtype T whose values are known now.
template <dtype T>
class Tensor {
 public:
  using value_type = T;
  static constexpr bool is_keyword_operand = true;  // tf::labels = t

  /// A scalar 0 (to assign to later: TF has no empty tensor, and this is none either).
  Tensor() : Tensor(T{}) {}

  /// A scalar.
  Tensor(T value) : m_body(detail::new_body<T>({})) { *m_body->template data<T>() = value; }

  /// A copy of an xtensor expression's values (xt::xtensor<T, R>, xt::xarray<T>, ...).
  template <class E>
    requires(xt::is_xexpression<E>::value&& std::is_same_v<typename E::value_type, T>)
  explicit Tensor(const E& e) : m_body(detail::new_body<T>(TensorShape(e.shape()))) {
    T* out = m_body->template data<T>();
    if constexpr (eval::is_xcontainer_v<E>) {
      if (e.layout() == xt::layout_type::row_major) {  // a container's buffer: one copy, not a stepper per element
        std::copy_n(e.data(), e.size(), out);
        return;
      }
    }
    for (const auto v : e) *out++ = v;  // row-major, as xtensor iterates by default
  }

  /// An xtensor array's values, taken over without a copy where its buffer is aligned as the
  /// pool's (a Session's results are), else copied.
  template <std::size_t R>
  explicit Tensor(xt::xtensor<T, R>&& e) : m_body(detail::adopting_body(std::move(e))) {
    if (!m_body) m_body = Tensor(std::as_const(e)).m_body;  // e is intact: adopting_body moves only when it adopts
  }

  /// The tensor of `body` (an op's result).
  explicit Tensor(detail::body_ptr body) : m_body(std::move(body)) {}

  const TensorShape& shape() const { return m_body->shape; }
  std::size_t rank() const { return m_body->shape.rank(); }
  std::size_t size() const { return m_body->shape.num_elements(); }
  /// TF's dtype name: float32, float64, int32, int64, bool.
  static constexpr std::string_view dtype() { return dtype_name<T>(); }
  /// TF's device string; eager tensors live on the host's CPU (the GPU backend adds others).
  static std::string device() { return "/job:localhost/replica:0/task:0/device:CPU:0"; }

  /// The values, row-major.
  std::span<const T> data() const { return {m_body->template data<T>(), size()}; }
  /// The value of a one-element tensor (TF's `.numpy()` of a scalar, or `float(t)`).
  T item() const {
    if (size() != 1)
      throw error("tfe::Tensor::item: the tensor has " + std::to_string(size()) + " elements (shape " +
                  to_string(shape()) + "), expected 1");
    return data()[0];
  }

  /// The values as an xt::xtensor<T, R> (a copy; TF's `.numpy()`); R must be the tensor's rank.
  template <std::size_t R>
  xt::xtensor<T, R> numpy() const {
    if (rank() != R)
      throw error("tfe::Tensor::numpy<" + std::to_string(R) + ">: the tensor has rank " + std::to_string(rank()) +
                  " (shape " + to_string(shape()) + "), expected rank " + std::to_string(R));
    std::array<std::size_t, R> dims{};
    std::copy(shape().begin(), shape().end(), dims.begin());
    xt::xtensor<T, R> out(dims);
    std::copy_n(data().data(), size(), out.data());
    return out;
  }
  /// The values as an xt::xarray<T> of the tensor's dims (a copy).
  xt::xarray<T> numpy() const {
    xt::xarray<T> out(shape().as_vector());
    std::copy_n(data().data(), size(), out.data());
    return out;
  }
  /// TF's `x[i]`: the tensor at index i of axis 0 (negative: from the end), one rank lower.
  Tensor operator[](std::int64_t i) const { return index({i}); }
  /// TF's `x[start:stop]`: `x[tfe::Slice(start, stop)]`.
  Tensor operator[](Slice s) const { return index({s}); }
  /// TF's `x[1:3, 0]`, `x[..., -1]`, `x[:, tf.newaxis]`: `x(tfe::Slice(1, 3), 0)`,
  /// `x(tfe::Ellipsis, -1)`, `x(tfe::Slice(), tfe::newaxis)`. Recorded as a slice and a reshape.
  template <class... I>
    requires(std::is_constructible_v<Index, const I&>&&...)
  Tensor operator()(const I&... index_entries) const { return index({Index(index_entries)...}); }
  /// The same, the entries in a list (defined with the other array ops, in eager/array_ops.hpp).
  Tensor index(std::initializer_list<Index> entries) const;

  /// A read-only xtensor view of the values, without a copy; valid while the tensor lives.
  auto view() const { return xt::adapt(data().data(), size(), xt::no_ownership(), shape().as_vector()); }

  /// The shared body: identity, dims and values (what ops and tapes use).
  const detail::body_ptr& body() const { return m_body; }
  std::uint64_t id() const { return m_body->id; }

  /// TF's repr: tf.Tensor([[1. 2.] [3. 4.]], shape=(2, 2), dtype=float32), with NumPy's
  /// rendering of the values (rows on lines of their own, aligned columns).
  friend std::ostream& operator<<(std::ostream& os, const Tensor& t) {
    const std::string values = t.values_string();
    return os << "tf.Tensor(" << (values.find('\n') != std::string::npos ? "\n" : "") << values
              << ", shape=" << to_string(t.shape()) << ", dtype=" << dtype() << ")";
  }

  /// The values as NumPy prints them (TF's _numpy_text): `[[1. 2.]\n [3. 4.]]`.
  std::string numpy_text() const { return values_string(); }

 private:
  std::string values_string() const {
    const auto values = data();
    const auto [style, digits] = detail::notation_of(values);
    if (rank() == 0) {
      std::string v = detail::format_number(values[0], style, digits);
      if (std::is_floating_point_v<T> && v.back() == '.') v += '0';  // a scalar prints as 3.0, as NumPy's repr
      return v;
    }
    // NumPy aligns columns: each number padded to the widest integer part on the left and
    // the widest fraction on the right (others to the widest on the left).
    std::vector<std::string> cells;
    cells.reserve(values.size());
    std::size_t left = 0, right = 0;
    const auto split = [](const std::string& c) {
      const auto dot = std::is_floating_point_v<T> ? c.find('.') : std::string::npos;
      return dot == std::string::npos ? c.size() : dot;
    };
    for (const T v : values) {
      cells.push_back(detail::format_number(v, style, digits));
      const std::size_t l = split(cells.back());
      left = std::max(left, l);
      right = std::max(right, cells.back().size() - l);
    }
    for (auto& c : cells) {
      const std::size_t l = split(c);
      c = std::string(left - l, ' ') + c + std::string(right - (c.size() - l), ' ');
    }
    std::string out;
    std::size_t next = 0;
    print_level(out, cells, 0, next);
    return out;
  }

  void print_level(std::string& out, const std::vector<std::string>& cells, std::size_t axis, std::size_t& next) const {
    out += '[';
    const std::size_t n = shape()[axis];
    for (std::size_t i = 0; i < n; ++i) {
      if (axis + 1 == rank()) {
        out += (i ? " " : "") + cells[next++];
      } else {
        if (i) out += std::string(rank() - axis - 1, '\n') + std::string(axis + 1, ' ');
        print_level(out, cells, axis + 1, next);
      }
    }
    out += ']';
  }

  detail::body_ptr m_body;
};

/// tfe::constant<float>({{1, 2}, {3, 4}}): a tensor from nested lists, a number (a scalar)
/// or an xtensor expression.
/// A scalar: `tfe::constant(2.0f)`, `tfe::constant<double>(2)`. A template on the number, so
/// that a braced list, `tfe::constant<float>({3})`, is a list of shape (1,) as in TF.
template <class T = void, class U>
  requires std::is_arithmetic_v<U> &&(std::is_void_v<T> || dtype<T>)auto constant(U value) {
    using R = std::conditional_t<std::is_void_v<T>, U, T>;
    return Tensor<R>(static_cast<R>(value));
  }
  template <dtype T>
  Tensor<T> constant(const detail::nested_values<T>& values) {
    auto body = detail::new_body<T>(values.dims());
    T* out = body->template data<T>();
    values.copy_to(out);
    return Tensor<T>(std::move(body));
  }
  template <class E>
    requires xt::is_xexpression<E>::value Tensor<typename E::value_type> constant(const E& e) {
      return Tensor<typename E::value_type>(e);
    }

  /// A tensor of `shape` with every value `value` (tf.fill).
  template <dtype T>
  Tensor<T> fill(const TensorShape& shape, T value) {
    auto body = detail::new_body<T>(shape);
    std::fill_n(body->template data<T>(), shape.num_elements(), value);
    return Tensor<T>(std::move(body));
  }
  template <dtype T>
  Tensor<T> zeros(const TensorShape& shape) {
    return fill<T>(shape, T(0));
  }
  template <dtype T>
  Tensor<T> ones(const TensorShape& shape) {
    return fill<T>(shape, T(1));
  }
  template <dtype T>
  Tensor<T> zeros_like(const Tensor<T>& t) {
    return zeros<T>(t.shape());
  }
  template <dtype T>
  Tensor<T> ones_like(const Tensor<T>& t) {
    return ones<T>(t.shape());
  }

}  // namespace typeflow::eager

#endif
