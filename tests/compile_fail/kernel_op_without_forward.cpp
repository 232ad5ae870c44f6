// A kernel op tag (not elementwise) that a Session runs but that has no forward for these
// operands: Session::run names the tag, one step from this line.
#include <array>
#include <cstddef>
#include <string_view>
#include <typeflow/typeflow.hpp>

namespace tf = typeflow;

struct row_sums {
  static constexpr std::string_view tf_name = "RowSums";
  template <class A>
  using value_type = tf::value_t<A>;
  template <class A>
  using shape_type = tf::shape<tf::shape_of_t<A>::dims[0]>;
  static std::array<std::size_t, 1> result_dims(const std::array<std::size_t, 2>& x) { return {x[0]}; }
#ifndef TYPEFLOW_SHOULD_FAIL
  template <class T>
  static void forward(tf::tensor_ref<T, 1> out, tf::tensor_ref<const T, 2> x) {
    for (std::size_t i = 0; i < x.dims[0]; ++i) {
      out.data[i] = 0;
      for (std::size_t j = 0; j < x.dims[1]; ++j) out.data[i] += x.data[i * x.dims[1] + j];
    }
  }
#endif
};

int main() {
  auto x = tf::placeholder<"x", float, 2, 3>();
  auto X = xt::xtensor<float, 2>::from_shape({2, 3});
  tf::Session sess;
  // max-chars-gcc: 1700
  // max-chars-clang: 1600
  // expect-error: the fetches need a kernel op
  // expect-error: has_forward<typeflow::type_list<row_sums>
  auto v = sess.run(tf::graph::node<row_sums, decltype(x)>({}, x), tf::feed(x, X));
  (void)v;
}
