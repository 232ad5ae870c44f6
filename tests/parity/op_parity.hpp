// The harness of the per-op parity test (op_parity.py runs it and compares with TensorFlow).
//
// A case is a name, TensorFlow's op as a Python expression, an expression over up to four
// typeflow placeholders (a, b, c, d) and one input spec per placeholder: its dtype, static
// shape and how its values are drawn (tests/input_gen.hpp). For each case the harness draws
// the inputs (a generator seeded by the case's name, so adding or removing a case changes no
// other), evaluates y, and, when y is floating, draws an upstream weight w of y's shape and
// evaluates tf::gradients(tf::reduce_sum(y * w), x...) for every floating input x that y
// depends on through a differentiable path. Floating inputs without such a path
// (stop_gradient, comparisons, sign, integer casts) are recorded as "none": typeflow cuts them
// at compile time where TensorFlow returns None or zeros. The elementwise ops' cases come
// from the rows of tests/ops/op_table.hpp (run_rows below); the others are run_case lines.
//
// File format (text, one record per line; tensors as a header line and one line of values):
//
//   typeflow-op-parity 3
//   case NAME
//   tf EXPR                           (TensorFlow's op: a Python expression, called with the
//                                      inputs in order; op_parity.py evaluates it with `tf`,
//                                      `nn` = tf.nn and `mm` = tf.linalg.matmul in scope)
//   graph HEX                         (the case's forward graph as typeflow exports it, a GraphDef
//                                      whose node `output` is the result: TensorFlow imports and
//                                      runs it; or `graph none REASON` where export refuses)
//   input I DTYPE RANK DIMS...        (I = 0, 1, ...: the placeholders a, b, ... in order)
//   VALUES...
//   output DTYPE RANK DIMS...
//   VALUES...
//   weight DTYPE RANK DIMS...         (only when the output is floating)
//   VALUES...
//   grad I DTYPE RANK DIMS...         (or `grad I none`), one per floating input
//   VALUES...
//   end
//
// DTYPE is TensorFlow's name (float32, float64, int32, int64, bool); a rank-0 tensor has no
// dims and one value. Values are row-major, separated by spaces: floats with
// max_digits10 significant digits (so they read back as the exact value), nan/inf/-inf as
// printf writes them, integers and bools (0/1) as integers. EXPR is the rest of its line.

#ifndef TYPEFLOW_TESTS_PARITY_OP_PARITY_HPP
#define TYPEFLOW_TESTS_PARITY_OP_PARITY_HPP

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <fstream>
#include <limits>
#include <random>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <typeflow/typeflow.hpp>
#include <utility>
#include <vector>

#include "../input_gen.hpp"

namespace tf = typeflow;

namespace parity {

using test::away;
using test::boolean;
using test::draw;
using test::gen;
using test::grid;
using test::list;
using test::seed_of;
using test::simplex;
using test::uniform;

/// An input: dtype T, static shape [D...], values drawn by `g`.
template <class T, std::int64_t... D>
struct in {
  gen g = uniform(-2, 2);
};

template <std::size_t I, class T, std::int64_t... D>
constexpr auto make_placeholder(const in<T, D...>&) {
  if constexpr (I == 0) return tf::placeholder<"a", T, D...>();
  else if constexpr (I == 1) return tf::placeholder<"b", T, D...>();
  else if constexpr (I == 2) return tf::placeholder<"c", T, D...>();
  else if constexpr (I == 3) return tf::placeholder<"d", T, D...>();
  else {
    static_assert(I == 4, "a case has at most five inputs");
    return tf::placeholder<"e", T, D...>();
  }
}

template <class T, std::int64_t... D>
constexpr auto weight_placeholder(tf::shape<D...>) {
  return tf::placeholder<"w", T, D...>();
}

template <class T, std::int64_t... D>
std::array<std::size_t, sizeof...(D)> dims_of(const in<T, D...>&) {
  return {static_cast<std::size_t>(D)...};
}
template <std::int64_t... D>
std::array<std::size_t, sizeof...(D)> dims_of(tf::shape<D...>) {
  return {static_cast<std::size_t>(D)...};
}

/// The file op_parity.py reads, and the cases selected on the command line (all if none).
class output {
 public:
  output(const std::string& path, std::set<std::string> only) : m_out(path), m_only(std::move(only)) {
    if (!m_out) throw std::runtime_error("cannot write " + path);
    m_out << "typeflow-op-parity 3\n";
  }
  bool selected(const std::string& name) const { return m_only.empty() || m_only.count(name) != 0; }
  void begin(const std::string& name, std::string_view tf_expr) {
    if (!m_names.insert(name).second) throw std::runtime_error("two cases are named " + name);
    if (tf_expr.empty() || tf_expr.find('\n') != std::string_view::npos)
      throw std::runtime_error("case " + name + ": the TensorFlow expression must be one non-empty line");
    m_out << "case " << name << "\ntf " << tf_expr << "\n";
  }
  template <class T, std::size_t R>
  void tensor(const std::string& label, const xt::xtensor<T, R>& t) {
    m_out << label << " " << tf::dtype_name<T>() << " " << R;
    for (auto d : t.shape()) m_out << " " << d;
    m_out << "\n";
    std::ostringstream line;
    if constexpr (std::is_floating_point_v<T>) line.precision(std::numeric_limits<T>::max_digits10);
    bool first = true;
    for (const T& v : t) {
      if (!first) line << " ";
      first = false;
      if constexpr (std::is_same_v<T, bool>) line << (v ? 1 : 0);
      else line << v;
    }
    m_out << line.str() << "\n";
  }
  void line(const std::string& s) { m_out << s << "\n"; }
  /// The forward graph of y as a GraphDef (placeholders a, b, ...; the result named `output`).
  template <class Y>
  void graph(const Y& y) {
    std::string bytes;
    try {
      tf::io::graph_exporter g;
      for (const auto& p : tf::io::placeholder_names(y)) g.reserve_name(p);
      g.add_output("output", y);
      tf::GraphDef def;
      def.node = g.nodes();
      bytes = def.SerializeToString();
    } catch (const tf::error& e) {
      m_out << "graph none " << e.what() << "\n";
      return;
    }
    static constexpr char hex[] = "0123456789abcdef";
    std::string line = "graph ";
    for (const unsigned char c : bytes) line += {hex[c >> 4], hex[c & 15]};
    m_out << line << "\n";
  }
  void end() {
    m_out << "end\n";
    if (!m_out) throw std::runtime_error("write error");
    ++m_count;
  }
  std::size_t count() const { return m_count; }

 private:
  std::ofstream m_out;
  std::set<std::string> m_only;
  std::set<std::string> m_names;
  std::size_t m_count = 0;
};

template <class X>
inline constexpr bool floating_v = std::is_floating_point_v<tf::value_t<X>>;

/// Which placeholders Xs get a gradient from Loss: the floating ones it depends on through
/// differentiable edges. at(j) is the j-th such placeholder's index, slot(k) the position of
/// placeholder k among them (count if it has none).
template <class Loss, class... Xs>
struct differentiated {
  static constexpr auto picked = [] {
    std::array<std::size_t, sizeof...(Xs) + 1> p{};
    std::size_t n = 0, i = 0;
    ((floating_v<Xs> && tf::depends_on_v<Loss, Xs> ? (p[n++] = i, ++i) : ++i), ...);
    return std::pair{p, n};
  }();
  static constexpr std::size_t count = picked.second;
  static constexpr std::size_t at(std::size_t j) { return picked.first[j]; }
  static constexpr std::size_t slot(std::size_t k) {
    for (std::size_t j = 0; j < count; ++j)
      if (picked.first[j] == k) return j;
    return count;
  }
};

/// Runs one case and writes its record (see the file format above): `tf_expr` is the same op in
/// TensorFlow, e.g. "tf.math.erf" or "lambda a, b: tf.concat([a, b], 1)".
template <class F, class... S>
void run_case(output& out, const std::string& name, std::string_view tf_expr, F f, const S&... specs) {
  if (!out.selected(name)) return;
  std::mt19937_64 rng(seed_of(name));
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    const auto xs = std::tuple{make_placeholder<I>(specs)...};
    // Drawn in order (a braced list sequences its elements).
    const auto values =
        std::tuple{draw<tf::value_t<decltype(make_placeholder<I>(specs))>>(specs.g, dims_of(specs), rng)...};
    const auto y = f(std::get<I>(xs)...);
    using Y = std::remove_cvref_t<decltype(y)>;
    using T = tf::value_t<Y>;
    out.begin(name, tf_expr);
    out.graph(y);
    (out.tensor("input " + std::to_string(I), std::get<I>(values)), ...);
    tf::Session sess;
    if constexpr (!std::is_floating_point_v<T>) {
      const auto [value] = sess.run(tf::fetch(y), tf::feed(std::get<I>(xs), std::get<I>(values))...);
      out.tensor("output", value);
    } else {
      const auto w = weight_placeholder<T>(tf::shape_of_t<Y>{});
      const auto W = draw<T>(uniform(-1, 1), dims_of(tf::shape_of_t<Y>{}), rng);
      const auto loss = tf::reduce_sum(y * w);
      using P = differentiated<std::remove_cvref_t<decltype(loss)>, std::remove_cvref_t<decltype(std::get<I>(xs))>...>;
      [&]<std::size_t... J>(std::index_sequence<J...>) {
        const auto results = [&] {
          if constexpr (sizeof...(J) == 0) {
            return sess.run(tf::fetch(y), tf::feed(std::get<I>(xs), std::get<I>(values))..., tf::feed(w, W));
          } else {
            const auto grads = tf::gradients(loss, std::get<P::at(J)>(xs)...);
            return sess.run(tf::fetch(y, tf::get<J>(grads)...), tf::feed(std::get<I>(xs), std::get<I>(values))...,
                            tf::feed(w, W));
          }
        }();
        out.tensor("output", std::get<0>(results));
        out.tensor("weight", W);
        const auto grad_line = [&]<std::size_t K>() {
          if constexpr (floating_v<std::remove_cvref_t<decltype(std::get<K>(xs))>>) {
            if constexpr (P::slot(K) == P::count) out.line("grad " + std::to_string(K) + " none");
            else out.tensor("grad " + std::to_string(K), std::get<P::slot(K) + 1>(results));
          }
        };
        (grad_line.template operator()<I>(), ...);
      }
      (std::make_index_sequence<P::count>{});
    }
    out.end();
  }
  (std::index_sequence_for<S...>{});
}

/// The cases of a row of tests/ops/op_table.hpp: NAME (float32, operands [3, 4] drawn from the
/// row's domain; bool for a logical op), NAME_f64, and NAME_hard (float32) and NAME_hard_f64 at
/// the row's hard inputs `hard` and `hard_f64`, where it has them (each list cycled to 16
/// values, so the operands' lists should have one length).
template <class Row>
void run_row(output& out, const Row& row) {
  const std::string name(row.name);
  if (row.domain.size() != Row::arity || (!row.hard.empty() && row.hard.size() != Row::arity) ||
      (!row.hard_f64.empty() && row.hard_f64.size() != Row::arity))
    throw std::runtime_error(name + ": the row needs a domain (and hard inputs) per operand");
  const auto cases = [&]<class T>(const std::string& suffix) {
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      run_case(out, name + suffix, row.tf, row.fn, in<T, 3, 4>{row.domain[I]}...);
      const auto& hard = std::is_same_v<T, double> ? row.hard_f64 : row.hard;
      if (!hard.empty()) {
        for (const gen& g : hard)
          if (g.k != gen::list || g.values.size() > 16)
            throw std::runtime_error(name + ": hard inputs are lists of at most 16 values");
        run_case(out, name + "_hard" + suffix, row.tf, row.fn, in<T, 16>{hard[I]}...);
      }
    }
    (std::make_index_sequence<Row::arity>{});
  };
  if constexpr (Row::boolean) {
    cases.template operator()<bool>("");
  } else {
    cases.template operator()<float>("");
    cases.template operator()<double>("_f64");
  }
}

}  // namespace parity

#endif
