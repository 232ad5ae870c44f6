#ifndef TYPEFLOW_OPS_SUMMARY_HPP
#define TYPEFLOW_OPS_SUMMARY_HPP

// tf.summary's ops (TF1): scalar, histogram, text, image and merge. Each is a graph node whose
// value is a serialized Summary (io/summary.hpp), computed in the run that fetches it, from
// the same buffers as the run's other fetches: `sess.run(tf::fetch(summaries, train, loss))`
// computes the loss once. tf::summary::FileWriter (runtime/summary_writer.hpp) writes them.
//
// Design: a summary is a kernel op (op contract, graph/op_contract.hpp) whose value type is
// std::string and whose shape is a scalar, so the Session's executor runs it as any kernel:
// one buffer per node (an xt::xtensor<std::string, 0>; a scalar's and a merge's bytes reuse
// its capacity from run to run) that forward() fills, and a fetch yields a std::string. No
// second executor, no new fetch type; autodiff passes it by (a std::string is not floating
// point: no gradient flows).
//
// tf.summary.merge_all() has no typeflow counterpart: it collects the summaries a program
// made at run time, but a typeflow run computes what its fetches' types name, so the
// summaries are merged by listing them: tf::summary::merge(loss_summary, w_hist).

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <vector>

#include "../core/error.hpp"
#include "../core/tensor_ref.hpp"
#include "../graph/node.hpp"
#include "../io/png.hpp"
#include "../io/summary.hpp"

namespace typeflow {

namespace diagnostic {
/// tf::summary::scalar takes a tensor of one element; the static shape named here has more.
template <class Shape>
struct error_summary_scalar_needs_one_element;
/// tf::summary::image takes a real [batch, height, width, channels] tensor with 1, 3 or 4
/// channels; the shape named here is not one.
template <class Shape>
struct error_summary_image_needs_bhwc_with_1_3_or_4_channels;
/// tf::summary::merge takes summary nodes (their value is a serialized Summary); the node type
/// named here is not one.
template <class Node>
struct error_summary_merge_operand_is_not_a_summary;
}  // namespace diagnostic

namespace op {

/// What every summary op shares: a serialized Summary, a scalar (TF: a DT_STRING scalar),
/// through which no gradient flows.
struct summary_op {
  template <class... A>
  using value_type = std::string;
  template <class... A>
  using shape_type = shape<>;
  static constexpr bool differentiable(std::size_t) { return false; }
  template <std::size_t... R>
  static std::array<std::size_t, 0> result_dims(const std::array<std::size_t, R>&...) {
    return {};
  }
  bool operator==(const summary_op&) const = default;
};

/// tf.summary.scalar(tag, x): Summary{value{tag, simple_value: float(x)}}.
struct scalar_summary : summary_op {
  static constexpr std::string_view tf_name = "ScalarSummary";
  std::string m_tag;
  template <class T, std::size_t R>
  void forward(tensor_ref<std::string, 0> out, tensor_ref<const T, R> x) const {
    if (x.size() != 1)
      throw error("tf::summary::scalar('" + m_tag + "'): the tensor must have one element, it has " +
                  std::to_string(x.size()));
    io::summary::scalar(*out.data, m_tag, static_cast<float>(x.data[0]));
  }
  bool operator==(const scalar_summary&) const = default;
};

/// tf.summary.histogram(tag, x): x's values in TF's default buckets (a NaN or an infinity is
/// an error, as TF's "Nan in summary histogram").
struct histogram_summary : summary_op {
  static constexpr std::string_view tf_name = "HistogramSummary";
  std::string m_tag;
  template <class T, std::size_t R>
  void forward(tensor_ref<std::string, 0> out, tensor_ref<const T, R> x) const {
    io::summary::histogram h;
    for (std::size_t i = 0, n = x.size(); i < n; ++i) {
      const auto v = static_cast<double>(x.data[i]);
      if (!std::isfinite(v))
        throw error("tf::summary::histogram('" + m_tag + "'): the tensor holds a NaN or an infinity (at flat index " +
                    std::to_string(i) + ")");
      h.add(v);
    }
    *out.data = io::summary::histogram_value(m_tag, h);
  }
  bool operator==(const histogram_summary&) const = default;
};

/// tf.summary.text(tag, text): the text plugin's string tensor. typeflow has no string
/// tensors, so the text is the op's attribute (a node of no operands).
struct text_summary : summary_op {
  static constexpr std::string_view tf_name = "TensorSummaryV2";
  std::string m_tag;
  std::string m_text;
  void forward(tensor_ref<std::string, 0> out) const { *out.data = io::summary::text_value(m_tag, m_text); }
  bool operator==(const text_summary&) const = default;
};

/// tf.summary.image(tag, x, max_outputs): the first max_outputs images of x [b, h, w, c] as
/// PNGs, tagged `tag/image` (max_outputs 1) or `tag/image/<i>`. As TF's ImageSummary, each
/// image is scaled on its own into 0..255: by 255/max when no value is negative, else by
/// 127/max|v| around 128; a non-finite value becomes red.
struct image_summary : summary_op {
  static constexpr std::string_view tf_name = "ImageSummary";
  std::string m_tag;
  std::size_t m_max_outputs = 3;

  std::string tag(std::size_t i) const {
    return m_max_outputs == 1 ? m_tag + "/image" : m_tag + "/image/" + std::to_string(i);
  }

  template <class T>
  void forward(tensor_ref<std::string, 0> out, tensor_ref<const T, 4> x) const {
    const auto [b, h, w, c] = x.dims;
    if (c != 1 && c != 3 && c != 4)
      throw error("tf::summary::image('" + m_tag + "'): images have 1, 3 or 4 channels, not " + std::to_string(c));
    std::string& s = *out.data;
    s.clear();
    if (h == 0 || w == 0) return;
    const std::size_t pixels = h * w, size = pixels * c;
    std::vector<std::uint8_t> bytes(size);
    for (std::size_t i = 0; i < std::min(b, m_max_outputs); ++i) {
      const T* img = x.data + i * size;
      double lo = std::numeric_limits<double>::infinity(), hi = -lo;
      for (std::size_t k = 0; k < size; ++k)
        if (std::isfinite(static_cast<double>(img[k]))) {
          lo = std::min(lo, static_cast<double>(img[k]));
          hi = std::max(hi, static_cast<double>(img[k]));
        }
      double scale, offset;
      if (lo < 0) {
        const double m = std::max(std::abs(lo), std::abs(hi));
        scale = m < 1e-6 ? 0.0 : 127.0 / m;
        offset = 128.0;
      } else {
        scale = hi < 1e-6 ? 0.0 : 255.0 / hi;
        offset = 0.0;
      }
      for (std::size_t p = 0; p < pixels; ++p) {
        bool finite = true;
        for (std::size_t k = 0; k < c; ++k) finite = finite && std::isfinite(static_cast<double>(img[p * c + k]));
        for (std::size_t k = 0; k < c; ++k) {
          static constexpr std::uint8_t red[] = {255, 0, 0, 255};
          bytes[p * c + k] = finite ? static_cast<std::uint8_t>(static_cast<double>(img[p * c + k]) * scale + offset)
                                    : (c == 1 ? std::uint8_t{255} : red[k]);
        }
      }
      io::summary::append_image(s, tag(i), h, w, c, io::png::encode(bytes, h, w, c));
    }
  }
  bool operator==(const image_summary&) const = default;
};

/// tf.summary.merge([a, b, ...]): the operands' values, one Summary (concatenated).
struct merge_summary : summary_op {
  static constexpr std::string_view tf_name = "MergeSummary";
  template <class... In>
  static void forward(tensor_ref<std::string, 0> out, tensor_ref<const In, 0>... in) {
    std::string& s = *out.data;
    s.clear();
    ((s += *in.data), ...);
  }
};

}  // namespace op

namespace summary {

namespace detail {
template <class N>
inline constexpr bool is_summary_v = false;
template <class Op, class... A>
inline constexpr bool is_summary_v<graph::node<Op, A...>> = std::is_base_of_v<op::summary_op, Op>;

/// The tags a summary node yields (an image's for every output it may have).
template <class Op, class... A>
std::vector<std::string> tags_of(const graph::node<Op, A...>& n) {
  if constexpr (std::is_same_v<Op, op::merge_summary>) {
    std::vector<std::string> all;
    n.with_args([&](const auto&... a) {
      (
          [&] {
            for (auto& t : tags_of(a)) all.push_back(std::move(t));
          }(),
          ...);
    });
    return all;
  } else if constexpr (std::is_same_v<Op, op::image_summary>) {
    std::vector<std::string> all;
    for (std::size_t i = 0; i < n.op().m_max_outputs; ++i) all.push_back(n.op().tag(i));
    return all;
  } else {
    return {n.op().m_tag};
  }
}

inline void check_tag(std::string_view fn, const std::string& tag) {
  if (tag.empty()) throw error("tf::summary::" + std::string(fn) + ": the name (the summary's tag) is empty");
}
}  // namespace detail

/// tf.summary.scalar(name, x): x (one element) as a point of the curve `name` in TensorBoard.
template <tensor_node X>
auto scalar(const std::string& name, const X& x) {
  using S = shape_of_t<X>;
  if constexpr (S::fully_static && static_size_v<S> != 1) {
    // The tensor, whose static shape is named in this type, has more than one element.
    diagnostic::error_summary_scalar_needs_one_element<S> error;
  }
  detail::check_tag("scalar", name);
  return graph::node<op::scalar_summary, X>(op::scalar_summary{{}, name}, x);
}

/// tf.summary.histogram(name, x): the distribution of x's values.
template <tensor_node X>
auto histogram(const std::string& name, const X& x) {
  detail::check_tag("histogram", name);
  return graph::node<op::histogram_summary, X>(op::histogram_summary{{}, name}, x);
}

/// tf.summary.text(name, text): a string shown in TensorBoard's text dashboard (Markdown).
inline auto text(const std::string& name, std::string text) {
  detail::check_tag("text", name);
  return graph::node<op::text_summary>(op::text_summary{{}, name, std::move(text)});
}

/// tf.summary.image(name, x, max_outputs=3): x's first images, x [batch, height, width, channels].
template <tensor_node X>
auto image(const std::string& name, const X& x, std::size_t max_outputs = 3) {
  using S = shape_of_t<X>;
  if constexpr (S::rank != 4 || !std::is_arithmetic_v<value_t<X>>) {
    diagnostic::error_summary_image_needs_bhwc_with_1_3_or_4_channels<S> error;
  } else if constexpr (S::dims[3] != none && S::dims[3] != 1 && S::dims[3] != 3 && S::dims[3] != 4) {
    diagnostic::error_summary_image_needs_bhwc_with_1_3_or_4_channels<S> error;
  }
  detail::check_tag("image", name);
  if (max_outputs == 0) throw error("tf::summary::image('" + name + "'): max_outputs must be at least 1");
  return graph::node<op::image_summary, X>(op::image_summary{{}, name, max_outputs}, x);
}

/// A Summary of one value computed outside the graph (an epoch's mean loss), as TF1's
/// `tf.Summary(value=[tf.Summary.Value(tag=tag, simple_value=v)])`: for FileWriter::add_summary.
inline std::string scalar_value(const std::string& tag, double v) {
  detail::check_tag("scalar_value", tag);
  std::string s;
  io::summary::scalar(s, tag, static_cast<float>(v));
  return s;
}

/// tf.summary.merge([a, b, ...]): one Summary holding the values of summaries a, b, ...; two
/// values with one tag are an error (as TF's MergeSummary), here when the merge is made.
template <tensor_node... S>
auto merge(const S&... summaries) {
  if constexpr (sizeof...(S) == 0 || !(detail::is_summary_v<S> && ...)) {
    static_assert(sizeof...(S) > 0, "tf::summary::merge: give it the summaries to merge (at least one)");
    (
        [] {
          if constexpr (!detail::is_summary_v<S>) {
            // An operand, named in this type, is not a summary (tf::summary::scalar, histogram, ...).
            diagnostic::error_summary_merge_operand_is_not_a_summary<S> error;
          }
        }(),
        ...);
  } else {
    const auto merged = graph::node<op::merge_summary, S...>({}, summaries...);
    const auto tags = detail::tags_of(merged);
    for (std::size_t i = 0; i < tags.size(); ++i)
      for (std::size_t j = 0; j < i; ++j)
        if (tags[i] == tags[j]) throw error("tf::summary::merge: two summaries have the tag '" + tags[i] + "'");
    return merged;
  }
}

/// tf.summary.merge_all(): an error that says to list the summaries (see this header's comment).
template <class... None>
void merge_all() {
  static_assert(sizeof...(None) != 0,
                "tf::summary::merge_all(): a typeflow run computes the nodes its fetches' types name, so it cannot "
                "collect summaries at run time: list them, tf::summary::merge(loss_summary, w_hist, ...)");
}

}  // namespace summary
}  // namespace typeflow

#endif
