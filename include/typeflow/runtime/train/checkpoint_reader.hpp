#ifndef TYPEFLOW_RUNTIME_TRAIN_CHECKPOINT_READER_HPP
#define TYPEFLOW_RUNTIME_TRAIN_CHECKPOINT_READER_HPP

// tf.train.load_checkpoint(prefix): the names, shapes and dtypes a V2 checkpoint holds, and
// its tensors as xt::xarray. Reads any checkpoint TensorFlow writes: TF1 names
// (`dense/kernel`, `W/Adam`), TF2 object keys (`a/.ATTRIBUTES/VARIABLE_VALUE`), string tensors
// (`_CHECKPOINTABLE_OBJECT_GRAPH`), snappy-compressed index blocks, data in any order.
//
//   auto reader = tf::train::load_checkpoint("dir/model-100");
//   for (auto& [name, shape] : reader.get_variable_to_shape_map()) ...
//   xt::xarray<float> W = reader.get_tensor<float>("W");

#include <algorithm>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "../../core/error.hpp"
#include "../../eval/xtensor.hpp"
#include "../../io/bundle_reader.hpp"
#include "../../io/data_type.hpp"

namespace typeflow::train {

class CheckpointReader {
 public:
  explicit CheckpointReader(std::string prefix) : m_bundle(std::move(prefix)) {}

  /// Every tensor's name and shape (as TF, including entries such as
  /// `_CHECKPOINTABLE_OBJECT_GRAPH`), sorted by name.
  std::map<std::string, std::vector<std::int64_t>> get_variable_to_shape_map() const {
    std::map<std::string, std::vector<std::int64_t>> m;
    for (const auto& [name, e] : m_bundle.entries()) m.emplace(name, e.shape);
    return m;
  }

  /// Every tensor's name and dtype name ("float32", "int64", "string", ...).
  std::map<std::string, std::string> get_variable_to_dtype_map() const {
    std::map<std::string, std::string> m;
    for (const auto& [name, e] : m_bundle.entries()) m.emplace(name, io::dtype_name(e.dtype));
    return m;
  }

  bool has_tensor(std::string_view name) const { return m_bundle.contains(name); }

  /// The tensor `name`; an error naming it if it is missing, if T is not its dtype, or if its
  /// bytes are corrupted. T is float, double, the fixed-width integers, bool or std::string.
  template <class T>
  xt::xarray<T> get_tensor(std::string_view name) const {
    static_assert(io::data_type_of<T> != io::DT_INVALID, "get_tensor<T>: T has no TensorFlow dtype");
    const io::bundle_entry& e = entry(name);
    if (e.dtype != io::data_type_of<T>)
      throw error("get_tensor<" + io::dtype_name(io::data_type_of<T>) + ">: tensor '" + std::string(name) + "' in " +
                  m_bundle.prefix() + " is " + io::dtype_name(e.dtype));
    m_bundle.check_extent(name);  // before allocating what the index claims
    std::vector<std::size_t> shape(e.shape.begin(), e.shape.end());
    if constexpr (std::is_same_v<T, std::string>) {
      std::vector<std::string> values = m_bundle.read_strings(name);
      xt::xarray<std::string> a = xt::xarray<std::string>::from_shape(shape);
      std::move(values.begin(), values.end(), a.begin());
      return a;
    } else if constexpr (std::is_same_v<T, bool>) {
      std::vector<std::uint8_t> raw(static_cast<std::size_t>(e.size));
      m_bundle.read(name, std::as_writable_bytes(std::span(raw)));
      xt::xarray<bool> a = xt::xarray<bool>::from_shape(shape);
      for (std::size_t i = 0; i < raw.size(); ++i) {
        if (raw[i] > 1)
          throw error("tensor '" + std::string(name) + "': bool element " + std::to_string(i) + " is " +
                      std::to_string(raw[i]));
        a.data()[i] = raw[i] != 0;
      }
      return a;
    } else {
      xt::xarray<T> a = xt::xarray<T>::from_shape(shape);
      m_bundle.read(name, std::as_writable_bytes(std::span(a.data(), a.size())));
      return a;
    }
  }

  /// As TF's CheckpointReader::DebugString: `name (DT_FLOAT) [2,3]` per line.
  std::string debug_string() const {
    std::string s;
    for (const auto& [name, e] : m_bundle.entries())
      s += name + " (" + io::data_type_name(e.dtype) + ") " + io::bundle_reader::shape_string(e.shape) + "\n";
    return s;
  }

  const io::bundle_entry& entry(std::string_view name) const { return m_bundle.entry(name); }
  const io::bundle_reader& bundle() const { return m_bundle; }

 private:
  io::bundle_reader m_bundle;
};

/// tf.train.load_checkpoint for a checkpoint prefix (`dir/model-100`, the path without
/// `.index`); use latest_checkpoint(dir) to find the newest prefix of a directory.
inline CheckpointReader load_checkpoint(std::string prefix) { return CheckpointReader(std::move(prefix)); }

}  // namespace typeflow::train

#endif
