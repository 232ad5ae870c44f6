#ifndef TYPEFLOW_RUNTIME_NAMED_NODES_HPP
#define TYPEFLOW_RUNTIME_NAMED_NODES_HPP

// Naming a node, as TF1's `name=` argument does, so that a frozen graph, a .meta or TensorFlow
// can fetch it by that name:
//
//   auto y = tf::identity<"op_to_store">(tf::matmul(x, W) + b);   // tf.identity(y, name='op_to_store')
//   auto logits = tf::named<"logits">(tf::matmul(h, W2) + b2);     // name= on the op itself
//
// The name is a template argument, as placeholders' and variables' are, so that one spelling
// names every kind of node; unlike theirs it is not part of the node's type (a named node is
// the same computation as the unnamed one: it fuses and is shared as before). The name is
// recorded in the default graph at run time, as a variable is, for sess.graph_def() and the
// Saver's .meta. tf::identity<"y"> adds an Identity node called y; tf::named<"y"> gives the
// name to the node itself (an Identity of that name reads it when the node is not an op
// exported there for the first time: a placeholder, a variable, or a node already named).

#include <memory>
#include <string>
#include <typeindex>

#include "../core/fixed_string.hpp"
#include "../io/meta_graph.hpp"
#include "../ops/shape.hpp"
#include "graph.hpp"

namespace typeflow {

namespace detail {

/// Records `node` under `name` in the default graph.
template <tensor_node N>
void name_node(std::string name, const N& node) {
  auto copy = std::make_shared<const N>(node);
  get_default_graph().add_named_node({
      name,
      std::type_index(typeid(N)),
      copy,
      [](const void* a, const void* b) { return *static_cast<const N*>(a) == *static_cast<const N*>(b); },
      [copy, name](io::graph_exporter& g) { g.add_output(name, *copy); },
      io::placeholder_names(node),
  });
}

}  // namespace detail

/// tf.identity(x, name="y"): x's values in a node named y.
template <fixed_string Name, tensor_node X>
auto identity(const X& x) {
  const auto y = identity(x);
  detail::name_node(std::string(name_of<Name>::view()), y);
  return y;
}

/// `name=` on any op: x itself, known to the graph as Name.
template <fixed_string Name, tensor_node X>
X named(const X& x) {
  detail::name_node(std::string(name_of<Name>::view()), x);
  return x;
}

}  // namespace typeflow

#endif
