#ifndef TYPEFLOW_RUNTIME_VARIABLES_HPP
#define TYPEFLOW_RUNTIME_VARIABLES_HPP

#include <string>
#include <vector>

#include "../core/dtype.hpp"
#include "../core/fixed_string.hpp"
#include "../graph/variable.hpp"
#include "graph.hpp"
#include "initializers.hpp"

namespace typeflow {

/// tf.Variable(initializer, name="W") of a static shape:
/// `auto W = tf::Variable<"W", float, 3, 1>(tf::random_normal(0.0, 1.0, 1));`.
/// Its value lives in each Session, set by running tf::global_variables_initializer().
template <fixed_string Name, dtype T, std::int64_t... Dims, class Init>
auto Variable(const Init& init) {
  using V = decltype(detail::make_leaf<graph::variable, name_of<Name>, T, shape<Dims...>>());
  const std::string name(V::name_type::view());
  get_default_graph().add_variable({name,
                                    std::string(dtype_name<T>()),
                                    {Dims...},
                                    [init, name](eval::variable_store& s) {
                                      auto& v = s.get(V{});
                                      v.value.resize({static_cast<std::size_t>(Dims)...});
                                      detail::initialize(init, v.value, name);
                                      v.initialized = true;
                                    },
                                    [](eval::variable_store& s) { return s.bytes(V{}); }});
  return V{};
}

/// The operation that initialises every variable declared so far.
struct initializer_op {};

/// tf.global_variables_initializer().
inline initializer_op global_variables_initializer() { return {}; }

}  // namespace typeflow

#endif
