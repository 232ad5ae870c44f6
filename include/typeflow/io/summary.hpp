#ifndef TYPEFLOW_IO_SUMMARY_HPP
#define TYPEFLOW_IO_SUMMARY_HPP

// TensorFlow's Summary message (tensorflow/core/framework/summary.proto), encoded by hand: the
// serialized values that summary ops yield and that an event file stores. Field numbers:
//   Summary           value=1 (repeated Value)
//   Summary.Value     tag=1, simple_value=2 (float), image=4, histo=5, tensor=8, metadata=9
//   Summary.Image     height=1, width=2, colorspace=3, encoded_image_string=4
//   HistogramProto    min=1, max=2, num=3, sum=4, sum_squares=5, bucket_limit=6, bucket=7
//   SummaryMetadata   plugin_data=1 { plugin_name=1, content=2 }
// A Summary's only field is repeated, so the concatenation of serialized Summaries is their
// merge (what tf.summary.merge computes).

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "../core/error.hpp"
#include "protobuf.hpp"

namespace typeflow::io::summary {

/// TF's default histogram bucket limits (core/lib/histogram/histogram.cc): from 1e-12 up,
/// each 1.1 times the last, below 1e20, then DBL_MAX; mirrored for negatives, 0 between.
inline const std::vector<double>& default_bucket_limits() {
  static const std::vector<double> limits = [] {
    std::vector<double> pos;
    for (double v = 1.0e-12; v < 1.0e20; v *= 1.1) pos.push_back(v);
    pos.push_back(DBL_MAX);
    std::vector<double> all;
    all.reserve(2 * pos.size() + 1);
    for (auto it = pos.rbegin(); it != pos.rend(); ++it) all.push_back(-*it);
    all.push_back(0.0);
    all.insert(all.end(), pos.begin(), pos.end());
    return all;
  }();
  return limits;
}

/// TF's histogram::Histogram over the default buckets: a value falls into the first bucket
/// whose limit exceeds it.
class histogram {
 public:
  histogram() : m_counts(default_bucket_limits().size(), 0.0) {}

  void add(double v) {
    const auto& limits = default_bucket_limits();
    const auto b = static_cast<std::size_t>(std::upper_bound(limits.begin(), limits.end(), v) - limits.begin());
    m_counts[std::min(b, m_counts.size() - 1)] += 1.0;
    m_min = std::min(m_min, v);
    m_max = std::max(m_max, v);
    m_num += 1.0;
    m_sum += v;
    m_sum_squares += v * v;
  }

  /// HistogramProto as TF encodes it: each run of empty buckets collapsed into one entry (its
  /// last limit, count 0), and at least one bucket.
  std::string serialize() const {
    const auto& limits = default_bucket_limits();
    std::vector<double> limit_out, count_out;
    for (std::size_t i = 0; i < m_counts.size();) {
      double end = limits[i], count = m_counts[i];
      ++i;
      if (count <= 0.0)
        while (i < m_counts.size() && m_counts[i] <= 0.0) end = limits[i++];
      limit_out.push_back(end);
      count_out.push_back(count);
    }
    protobuf::writer h;
    h.double_field(1, m_min);
    h.double_field(2, m_max);
    h.double_field(3, m_num);
    h.double_field(4, m_sum);
    h.double_field(5, m_sum_squares);
    h.packed_double_field(6, limit_out);
    h.packed_double_field(7, count_out);
    return h.release();
  }

 private:
  std::vector<double> m_counts;
  double m_min = DBL_MAX, m_max = -DBL_MAX, m_num = 0, m_sum = 0, m_sum_squares = 0;
};

/// One Summary.Value around `fields` (its serialized fields after the tag), appended to out.
inline void append_value(std::string& out, std::string_view tag, std::string_view fields) {
  protobuf::writer v;
  v.string_field(1, tag);
  std::string inner = v.release();
  inner.append(fields);
  protobuf::put_varint(out, (1u << 3) | 2u);
  protobuf::put_varint(out, inner.size());
  out += inner;
}

/// Summary{value{tag, simple_value}} into out (replacing its content, reusing its capacity:
/// a scalar summary in a training loop allocates nothing once out has grown).
inline void scalar(std::string& out, std::string_view tag, float value) {
  const std::size_t inner = 1 + protobuf::varint_length(tag.size()) + tag.size() + 1 + 4;
  out.clear();
  protobuf::put_varint(out, (1u << 3) | 2u);
  protobuf::put_varint(out, inner);
  protobuf::put_varint(out, (1u << 3) | 2u);
  protobuf::put_varint(out, tag.size());
  out.append(tag);
  protobuf::put_varint(out, (2u << 3) | 5u);
  protobuf::put_fixed32(out, std::bit_cast<std::uint32_t>(value));
}

/// Summary{value{tag, histo}}.
inline std::string histogram_value(std::string_view tag, const histogram& h) {
  protobuf::writer f;
  f.bytes_field(5, h.serialize());
  std::string out;
  append_value(out, tag, f.bytes());
  return out;
}

/// Summary{value{tag, metadata{plugin_data{plugin_name: "text"}}, tensor{DT_STRING, [], text}}},
/// what TF1's tf.summary.text writes and TensorBoard's text plugin reads.
inline std::string text_value(std::string_view tag, std::string_view text) {
  protobuf::writer plugin, metadata, tensor, f;
  plugin.string_field(1, "text");
  metadata.message_field(1, plugin);
  tensor.enum_field(1, 7);  // DT_STRING
  tensor.message_field(2, protobuf::writer{});
  tensor.bytes_field(8, text);
  f.message_field(8, tensor);
  f.message_field(9, metadata);
  std::string out;
  append_value(out, tag, f.bytes());
  return out;
}

/// One Summary.Value{tag, image{height, width, colorspace (channels), PNG bytes}}, appended.
inline void append_image(std::string& out, std::string_view tag, std::size_t height, std::size_t width,
                         std::size_t channels, std::string_view png) {
  protobuf::writer image, f;
  image.int32_field(1, static_cast<std::int32_t>(height));
  image.int32_field(2, static_cast<std::int32_t>(width));
  image.int32_field(3, static_cast<std::int32_t>(channels));
  image.bytes_field(4, png);
  f.message_field(4, image);
  append_value(out, tag, f.bytes());
}

/// The tags of a serialized Summary's values, in order (an error names `what` where the
/// bytes are no Summary).
inline std::vector<std::string> tags(std::string_view summary, const std::string& what) {
  std::vector<std::string> out;
  protobuf::reader r(summary, what);
  while (r.next()) {
    if (r.field() != 1) {
      r.skip();
      continue;
    }
    auto v = r.read_message("value");
    std::string tag;
    while (v.next()) {
      if (v.field() == 1) tag = v.read_string();
      else v.skip();
    }
    out.push_back(std::move(tag));
  }
  return out;
}

}  // namespace typeflow::io::summary

#endif
