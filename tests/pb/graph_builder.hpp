#ifndef TYPEFLOW_TESTS_PB_GRAPH_BUILDER_HPP
#define TYPEFLOW_TESTS_PB_GRAPH_BUILDER_HPP

// GraphDefs written node by node, as TensorFlow writes them, for the imported-graph tests.

#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <typeflow/io/graph_def.hpp>

namespace pb_test {

namespace io = typeflow::io;

struct graph_builder {
  typeflow::GraphDef graph;

  io::node_def& add(std::string name, std::string op, std::vector<std::string> inputs = {}) {
    graph.node.push_back({std::move(name), std::move(op), std::move(inputs), {}});
    return graph.node.back();
  }
  /// A Placeholder; dims -1 where unknown; `unknown_rank` leaves the shape attr out.
  io::node_def& placeholder(std::string name, io::data_type t, std::vector<std::int64_t> dims,
                            bool unknown_rank = false) {
    auto& n = add(std::move(name), "Placeholder");
    n.set_attr("dtype", io::attr::type(t));
    if (!unknown_rank) n.set_attr("shape", io::attr::shape(dims));
    return n;
  }
  template <class T>
  io::node_def& constant(std::string name, std::vector<std::int64_t> dims, std::vector<T> values) {
    auto& n = add(std::move(name), "Const");
    n.set_attr("dtype", io::attr::type(io::data_type_of<T>));
    if constexpr (std::is_same_v<T, bool>) {
      std::vector<char> bytes(values.begin(), values.end());
      io::protobuf::writer t;
      t.enum_field(1, io::DT_BOOL);
      t.bytes_field(2, io::tensor_shape_proto(dims));
      t.bytes_field(4, std::string_view(bytes.data(), bytes.size()));
      n.set_attr("value", io::attr::tensor(t.release()));
    } else {
      n.set_attr("value", io::attr::tensor(io::tensor_proto<T>(dims, std::span<const T>(values))));
    }
    return n;
  }
  /// An op node with attr T.
  io::node_def& op(std::string name, std::string op, std::vector<std::string> inputs, io::data_type t = io::DT_FLOAT) {
    auto& n = add(std::move(name), std::move(op), std::move(inputs));
    n.set_attr("T", io::attr::type(t));
    return n;
  }
};

}  // namespace pb_test

#endif
