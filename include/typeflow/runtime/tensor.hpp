#ifndef TYPEFLOW_RUNTIME_TENSOR_HPP
#define TYPEFLOW_RUNTIME_TENSOR_HPP

// tf::Tensor: a tensor whose dtype and rank are known at run time only (what an imported
// graph takes and returns, and what eager mode will hold). It owns its values, row-major;
// `tensor<T, R>()` and `array<T>()` convert back to xtensor, checking dtype and rank.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "../core/dtype.hpp"
#include "../core/element_count.hpp"
#include "../core/error.hpp"
#include "../core/shape.hpp"
#include "../eval/xtensor.hpp"
#include "../io/data_type.hpp"

namespace typeflow {

/// The TensorFlow DataType of the dtypes typeflow computes in (float, double, int32, int64, bool).
template <dtype T>
inline constexpr io::data_type dtype_of = io::data_type_of<T>;

/// Whether run-time dtype t is one typeflow computes in.
constexpr bool is_supported_dtype(io::data_type t) {
  return t == io::DT_FLOAT || t == io::DT_DOUBLE || t == io::DT_INT32 || t == io::DT_INT64 || t == io::DT_BOOL;
}

/// Calls f.template operator()<T>() for the C++ type of run-time dtype t; an error naming
/// `what` for any other dtype.
template <class F>
decltype(auto) visit_dtype(io::data_type t, const std::string& what, F&& f) {
  switch (t) {
    case io::DT_FLOAT: return f.template operator()<float>();
    case io::DT_DOUBLE: return f.template operator()<double>();
    case io::DT_INT32: return f.template operator()<std::int32_t>();
    case io::DT_INT64: return f.template operator()<std::int64_t>();
    case io::DT_BOOL: return f.template operator()<bool>();
    default:
      throw error(what + ": dtype " + io::dtype_name(t) +
                  " is not supported (float32, float64, int32, int64 and bool are)");
  }
}

/// A tensor of run-time dtype and dims that owns its values.
class Tensor {
 public:
  Tensor() = default;

  /// Zeros of `dtype` and `dims`.
  Tensor(io::data_type dtype, std::vector<std::size_t> dims) : m_dtype(dtype), m_dims(std::move(dims)) {
    const std::size_t size = io::data_type_size(dtype);
    if (!is_supported_dtype(dtype)) visit_dtype(dtype, "tf::Tensor", []<class>() {});
    m_bytes.assign(checked_element_count(m_dims, size, "tf::Tensor") * size, std::byte{0});
  }

  /// A scalar.
  template <typeflow::dtype T>
  explicit Tensor(T value) : Tensor(dtype_of<T>, {}) {
    std::memcpy(m_bytes.data(), &value, sizeof(T));
  }

  /// A copy of an xtensor expression's values (xt::xtensor<T, R>, xt::xarray<T>, ...).
  template <class E>
    requires(xt::is_xexpression<E>::value&& typeflow::dtype<typename E::value_type>)
  explicit Tensor(const E& e) : Tensor(dtype_of<typename E::value_type>, dims_of(e)) {
    using T = typename E::value_type;
    T* out = data<T>().data();
    if constexpr (std::is_same_v<T, bool>) {
      std::size_t i = 0;
      for (const auto v : e) out[i++] = v;  // an xtensor of bool may not store one byte per value
    } else {
      xt::xtensor<T, 1> flat = xt::flatten(e);
      std::copy(flat.begin(), flat.end(), out);
    }
  }

  io::data_type dtype() const { return m_dtype; }
  const std::vector<std::size_t>& shape() const { return m_dims; }
  std::size_t rank() const { return m_dims.size(); }
  std::size_t size() const {
    const std::size_t s = io::data_type_size(m_dtype);
    return s ? m_bytes.size() / s : 0;
  }

  /// The values as T, which must be the tensor's dtype.
  template <typeflow::dtype T>
  std::span<T> data() {
    check_dtype<T>("data");
    return {reinterpret_cast<T*>(m_bytes.data()), m_bytes.size() / sizeof(T)};
  }
  template <typeflow::dtype T>
  std::span<const T> data() const {
    check_dtype<T>("data");
    return {reinterpret_cast<const T*>(m_bytes.data()), m_bytes.size() / sizeof(T)};
  }
  /// The values as raw bytes (an executor's view).
  const std::byte* bytes() const { return m_bytes.data(); }
  std::byte* bytes() { return m_bytes.data(); }

  /// The values as an xtensor of dtype T and rank R, both checked.
  template <typeflow::dtype T, std::size_t R>
  xt::xtensor<T, R> tensor() const {
    check_dtype<T>("tensor");
    if (m_dims.size() != R)
      throw error("tf::Tensor::tensor<" + std::string(dtype_name<T>()) + ", " + std::to_string(R) +
                  ">: the tensor has rank " + std::to_string(m_dims.size()) + " (dims " + shape_string(m_dims) +
                  "), expected rank " + std::to_string(R));
    std::array<std::size_t, R> dims{};
    std::copy(m_dims.begin(), m_dims.end(), dims.begin());
    xt::xtensor<T, R> out(dims);
    const auto values = data<T>();
    std::copy(values.begin(), values.end(), out.begin());
    return out;
  }

  /// The values as an xarray of dtype T (checked), of the tensor's dims.
  template <typeflow::dtype T>
  xt::xarray<T> array() const {
    check_dtype<T>("array");
    xt::xarray<T> out(m_dims);
    const auto values = data<T>();
    std::copy(values.begin(), values.end(), out.begin());
    return out;
  }

 private:
  template <class E>
  static std::vector<std::size_t> dims_of(const E& e) {
    return std::vector<std::size_t>(e.shape().begin(), e.shape().end());
  }

  template <class T>
  void check_dtype(const char* what) const {
    if (m_dtype != dtype_of<T>)
      throw error(std::string("tf::Tensor::") + what + "<" + std::string(dtype_name<T>()) + ">: the tensor holds " +
                  io::dtype_name(m_dtype) + " (dims " + shape_string(m_dims) + "), expected " +
                  std::string(dtype_name<T>()));
  }

  io::data_type m_dtype = io::DT_FLOAT;
  std::vector<std::size_t> m_dims;
  // 64-byte aligned as xtensor's buffers, so kernels may write into a Tensor as into those.
  using storage = std::vector<std::byte, xsimd::aligned_allocator<std::byte, 64>>;
  storage m_bytes = storage(sizeof(float));  // a default Tensor is a 0.f scalar
};

}  // namespace typeflow

#endif
