#ifndef TYPEFLOW_OPS_CAST_HPP
#define TYPEFLOW_OPS_CAST_HPP

// tf.cast(x, dtype), written tf::cast<T>(x): converts elementwise as static_cast does
// (floating to integer truncates toward zero, as TensorFlow's Cast; bool to a number gives 0 or 1, a
// number to bool is x != 0). The gradient is cast back when both dtypes are floating; none
// flows through an integer or bool end (graph/node.hpp: differentiable_v).

#include <string_view>
#include <tuple>
#include <type_traits>

#include "../core/dtype.hpp"
#include "../graph/node.hpp"
#include "batch_math.hpp"
#include "elementwise.hpp"

namespace typeflow {
namespace op {

template <dtype To>
struct cast : elementwise_unary {
  static constexpr std::string_view tf_name = "Cast";
  template <class A>
  using value_type = To;
  static void tf_attrs(auto& node) {  // TF's Cast has SrcT and DstT, no T
    node.remove_attr("T");
    node.attr_dtype("SrcT", node.input_dtype(0));
    node.attr_type("DstT", To{});
    node.attr_bool("Truncate", false);
  }

  template <class From>
  constexpr To operator()(From a) const {
    return static_cast<To>(a);
  }
  // The batch arrives already converted to To: the plan computes a cast in its result dtype
  // and gives an operand computed in another dtype a buffer, which xsimd loads converting.
  // A bool operand arrives as a batch_bool; a bool result leaves as one.
  template <class B>
  constexpr auto simd_apply(const B& a) const {
    if constexpr (std::is_same_v<To, bool>) return a != B(0);
    else if constexpr (requires { typename B::batch_type; })
      return batch_math::select_of(a, typename B::batch_type(1), typename B::batch_type(0));
    else return a;
  }

  // d cast(x) = cast back(dx)
  static constexpr auto vjp(const auto& g, const auto& n);
};

}  // namespace op

/// tf.cast(x, T): `tf::cast<float>(tf::equal(a, b))`. Casting to x's own dtype returns x.
template <dtype To, tensor_node A>
constexpr auto cast(const A& a) {
  if constexpr (std::is_same_v<To, value_t<A>>) return a;
  else return graph::node<op::cast<To>, A>({}, a);
}

template <dtype To>
constexpr auto op::cast<To>::vjp(const auto& g, const auto& n) {
  return op::parts{typeflow::cast<value_t<decltype(n.template arg<0>())>>(g)};
}

}  // namespace typeflow

#endif
