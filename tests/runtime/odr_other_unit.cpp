// A second translation unit for the ODR test in test_session.cpp: it names the same variable
// type and must see the value that the other unit's session initialised (one slot per type,
// one default graph, across the whole program).

#include <typeflow/typeflow.hpp>

namespace tf = typeflow;

xt::xtensor<float, 1> read_odr_variable(tf::Session& sess) {
  tf::graph::variable<tf::name<'o', 'd', 'r'>, float, tf::shape<2>> v;
  return sess.run(v * 2.0f);
}
