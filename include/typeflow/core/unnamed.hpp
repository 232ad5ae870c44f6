#ifndef TYPEFLOW_CORE_UNNAMED_HPP
#define TYPEFLOW_CORE_UNNAMED_HPP

// Names known only at run time: a variable declared without a name (TF's `Variable`,
// `Variable_1`, ...), and names made from one (its optimizer slots, `Variable/Adam`).

#include <cstdint>
#include <string>

namespace typeflow {

/// The name of a variable declared without one. Its identity is Id, a type unique to the
/// place of the declaration; its name is given when it is declared in a graph, in order of
/// declaration as TF's (runtime/variables.hpp), and read at run time.
template <class Id>
struct unnamed {
  struct state {
    std::string name;
    std::uint64_t graph = 0;  // the graph that named it (runtime/graph.hpp's Graph::id)
  };
  static state& given() {
    static state s;
    return s;
  }
  static std::string view() { return given().name; }
};

/// Names joined at run time (a slot of an unnamed variable: `Variable/Adam`).
template <class... Ns>
struct joined_name {
  static std::string view() { return (std::string(Ns::view()) + ...); }
};

}  // namespace typeflow

#endif
