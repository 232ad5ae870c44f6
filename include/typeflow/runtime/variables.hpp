#ifndef TYPEFLOW_RUNTIME_VARIABLES_HPP
#define TYPEFLOW_RUNTIME_VARIABLES_HPP

#include <string>
#include <vector>

#include "../core/dtype.hpp"
#include "../core/fixed_string.hpp"
#include "../graph/variable.hpp"
#include "constant.hpp"
#include "graph.hpp"
#include "initializers.hpp"

namespace typeflow {

/// tf.Variable(initial_value, name="W") of a static shape:
/// `auto W = tf::Variable<"W", float, 3, 1>(tf::random_normal(0.0, 1.0, 1));`. The initial
/// value is an initializer (tf::random_normal, ...), a number (`tf::Variable<"w", float>(0.5)`),
/// a constant node broadcastable to the shape, or an xtensor array of the variable's shape.
/// Its value lives in each Session, set by running tf::global_variables_initializer().
template <fixed_string Name, dtype T, std::int64_t... Dims, class Init>
auto Variable(const Init& init) {
  using V = decltype(detail::make_leaf<graph::variable, name_of<Name>, T, shape<Dims...>>());
  const std::string name(V::name_type::view());
  if constexpr (xt::is_xexpression<Init>::value) {
    // An array's values are copied now, as tf.Variable(np_array) does; its shape must be the variable's.
    const auto& sh = init.shape();
    if (sh.size() != sizeof...(Dims) || !matches_static<shape<Dims...>>(sh))
      throw error("Variable '" + name + "': initial value of shape " + shape_string(sh) + " does not match shape " +
                  shape_string(shape<Dims...>::dims));
    return Variable<Name, T, Dims...>(constant<Dims...>(xt::xtensor<T, sizeof...(Dims)>(xt::cast<T>(init))));
  } else {
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
}

/// tf.Variable(initial_value) with the dtype and shape of the initial value: a number
/// (`tf::Variable<"w">(0.5f)`, rank 0), `tf::constant(2.0)`, or a constant of static shape
/// (`tf::Variable<"W">(tf::zeros<784, 10>())`).
template <fixed_string Name, auto..., class Init>
  requires(dtype<Init> || is_scalar_v<Init> || is_constant_v<Init>)
auto Variable(const Init& init) {
  if constexpr (dtype<Init>) {
    return Variable<Name, Init>(init);
  } else {
    static_assert(shape_of_t<Init>::fully_static,
                  "tf::Variable<name>(tf::constant(array)): the array's dims are not static; give them, as in "
                  "tf::Variable<\"W\", float, 3, 1>(array)");
    return [&]<std::int64_t... D>(shape<D...>) { return Variable<Name, value_t<Init>, D...>(init); }
    (shape_of_t<Init>{});
  }
}

/// The operation that initialises every variable declared so far.
struct initializer_op {};

/// tf.global_variables_initializer().
inline initializer_op global_variables_initializer() { return {}; }

}  // namespace typeflow

#endif
