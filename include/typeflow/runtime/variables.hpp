#ifndef TYPEFLOW_RUNTIME_VARIABLES_HPP
#define TYPEFLOW_RUNTIME_VARIABLES_HPP

#include <string>
#include <vector>

#include "../core/dtype.hpp"
#include "../core/fixed_string.hpp"
#include "../core/unnamed.hpp"
#include "../graph/variable.hpp"
#include "constant.hpp"
#include "graph.hpp"
#include "initializers.hpp"

namespace typeflow {

namespace detail {

/// Records variable V (of static shape [Dims...]) with its initial value in the default graph.
template <class V, std::int64_t... Dims, class Init>
V declare_variable(const Init& init) {
  const std::string name(V::name_type::view());
  if constexpr (xt::is_xexpression<Init>::value) {
    // An array's values are copied now, as tf.Variable(np_array) does; its shape must be the variable's.
    const auto& sh = init.shape();
    if (sh.size() != sizeof...(Dims) || !matches_static<shape<Dims...>>(sh))
      throw error("Variable '" + name + "': initial value of shape " + shape_string(sh) + " does not match shape " +
                  shape_string(shape<Dims...>::dims));
    using T = value_t<V>;
    return declare_variable<V, Dims...>(constant<Dims...>(xt::xtensor<T, sizeof...(Dims)>(xt::cast<T>(init))));
  } else {
    get_default_graph().add_variable({name,
                                      std::string(dtype_name<value_t<V>>()),
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

/// An unnamed variable's name in the default graph: TF's "Variable", "Variable_1", ..., given
/// at its first declaration in this graph and kept when the same declaration runs again.
template <class Id>
void name_unnamed() {
  auto& given = unnamed<Id>::given();
  const Graph& g = get_default_graph();
  if (given.graph != g.id()) given = {g.unique_name("Variable"), g.id()};
}

/// Whether an initial value carries its dtype and shape: a number, tf::constant(2.0f), tf::zeros<3, 2>().
template <class Init>
concept typed_initial_value = dtype<Init> || is_scalar_v<Init> || is_constant_v<Init>;

/// Calls F<T, Dims...>() with the dtype and static shape of an initial value that carries them.
template <class Init, class F>
auto with_type_of(F f) {
  if constexpr (dtype<Init>) {
    return f.template operator()<Init>();
  } else {
    static_assert(shape_of_t<Init>::fully_static,
                  "tf::Variable(tf::constant(array)): the array's dims are not static; give them, as in "
                  "tf::Variable<\"W\", float, 3, 1>(array)");
    return [&]<std::int64_t... D>(shape<D...>) { return f.template operator()<value_t<Init>, D...>(); }
    (shape_of_t<Init>{});
  }
}

}  // namespace detail

/// tf.Variable(initial_value, name="W") of a static shape:
/// `auto W = tf::Variable<"W", float, 3, 1>(tf::random_normal(0.0, 1.0, 1));`. The initial
/// value is an initializer (tf::random_normal, ...), a number (`tf::Variable<"w", float>(0.5)`),
/// a constant node broadcastable to the shape, or an xtensor array of the variable's shape.
/// Its value lives in each Session, set by running tf::global_variables_initializer(). The
/// name is its identity: a second declaration of "W" is the same variable.
template <fixed_string Name, dtype T, std::int64_t... Dims, class Init>
auto Variable(const Init& init) {
  using V = decltype(detail::make_leaf<graph::variable, name_of<Name>, T, shape<Dims...>>());
  return detail::declare_variable<V, Dims...>(init);
}

/// tf.Variable(initial_value, name="w") with the dtype and shape of the initial value: a number
/// (`tf::Variable<"w">(0.5f)`, rank 0), `tf::constant(2.0)`, or a constant of static shape
/// (`tf::Variable<"W">(tf::zeros<784, 10>())`).
template <fixed_string Name, auto..., detail::typed_initial_value Init>
auto Variable(const Init& init) {
  return detail::with_type_of<Init>([&]<dtype T, std::int64_t... D>() { return Variable<Name, T, D...>(init); });
}

/// tf.Variable(initial_value) without a name: `tf::Variable<float, 3, 1>(tf::random_normal())`.
/// Its identity is the place of the declaration (a declaration run again, in a loop or a
/// function called twice, is the same variable, where TF would make another); its name is TF's
/// `Variable`, `Variable_1`, ... in order of declaration, in checkpoints and errors.
template <dtype T, std::int64_t... Dims, class Init, class Id = decltype([] {})>
auto Variable(const Init& init) {
  using V = graph::variable<unnamed<Id>, T, shape<Dims...>>;
  detail::name_unnamed<Id>();
  return detail::declare_variable<V, Dims...>(init);
}

/// tf.Variable(initial_value) without a name, with the initial value's dtype and shape:
/// `tf::Variable(tf::zeros<784, 10>())`, `tf::Variable(0.5f)`.
template <detail::typed_initial_value Init, class Id = decltype([] {})>
auto Variable(const Init& init) {
  return detail::with_type_of<Init>([&]<dtype T, std::int64_t... D>() {
    using V = graph::variable<unnamed<Id>, T, shape<D...>>;
    detail::name_unnamed<Id>();
    return detail::declare_variable<V, D...>(init);
  });
}

/// The operation that initialises every variable declared so far.
struct initializer_op {};

/// tf.global_variables_initializer().
inline initializer_op global_variables_initializer() { return {}; }

}  // namespace typeflow

#endif
