#ifndef TYPEFLOW_OPS_RUN_TIME_AXES_HPP
#define TYPEFLOW_OPS_RUN_TIME_AXES_HPP

// TF's rules for ops whose axis is a run-time value: the .pb runner's (an axis read from a
// Const input) and eager mode's (an int argument). Graph mode takes axes as template
// arguments and checks the same rules on static shapes, in the op tags (ops/shape.hpp).

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "../core/error.hpp"
#include "../core/shape.hpp"

namespace typeflow::op {

/// Axis a of a rank-`rank` tensor, in [-rank, rank) (TF's negative axes count from the end).
inline std::size_t axis_of(std::int64_t a, std::size_t rank, std::string_view what) {
  const auto r = static_cast<std::int64_t>(rank);
  if (a < -r || a >= r)
    throw error(std::string(what) + ": axis " + std::to_string(a) + " is out of range for rank " +
                std::to_string(rank));
  return static_cast<std::size_t>(a < 0 ? a + r : a);
}

/// ConcatV2's result dims: n operands, operand k's dims dims_of(k) (a reference to a range of
/// dims), all of one rank and equal off `axis`, joined along it; else TF's error naming both.
template <class DimsOf>
auto concat_result_dims(std::size_t n, std::size_t axis, const DimsOf& dims_of) {
  const auto& first = dims_of(0);
  auto out = first;
  for (std::size_t k = 1; k < n; ++k) {
    const auto& d = dims_of(k);
    bool ok = d.size() == first.size();
    for (std::size_t i = 0; ok && i < d.size(); ++i) ok = i == axis || d[i] == first[i];
    if (!ok)
      throw error("ConcatV2: dimensions of inputs should match: shape[0] = " + shape_string(first) + " vs. shape[" +
                  std::to_string(k) + "] = " + shape_string(d));
    out[axis] += d[axis];
  }
  return out;
}

}  // namespace typeflow::op

#endif
