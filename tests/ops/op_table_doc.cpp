// Prints the README's tables of elementwise ops, generated from the rows of op_table.hpp:
//
//   op_table_doc --markdown
//
// tests/docs/check_op_table.py compares the output with README.md's section between the
// op-table markers (meson test readme_op_table) and, with --write, replaces that section.

#include <cstddef>
#include <cstring>
#include <iostream>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>

#include "op_table.hpp"

namespace {

namespace tf = typeflow;
namespace ot = test::op_table;

/// TensorFlow's call: a lambda's body, or the callable applied to x, y, z.
std::string tf_call(std::string_view expr, std::size_t arity) {
  if (expr.substr(0, 7) == "lambda ") return std::string(expr.substr(expr.find(':') + 2));
  std::string call(expr);
  const char* operands[] = {"x", "y", "z"};
  for (std::size_t i = 0; i < arity; ++i) call += std::string(i ? ", " : "(") + operands[i];
  return call + ")";
}

/// Which operands get a gradient: "yes" (all), "no", or the ones that do.
template <class Row>
std::string gradient_of(const Row& row) {
  if constexpr (Row::boolean) {
    return "no (bool)";
  } else {
    return [&]<std::size_t... I>(std::index_sequence<I...>) {
      const auto xs = std::tuple{tf::placeholder<"a", double, 3>(), tf::placeholder<"b", double, 3>(),
                                 tf::placeholder<"c", double, 3>()};
      using Y = decltype(row.fn(std::get<I>(xs)...));
      constexpr bool has[] = {tf::depends_on_v<Y, std::remove_cvref_t<decltype(std::get<I>(xs))>>...};
      std::string some;
      std::size_t count = 0;
      for (std::size_t i = 0; i < sizeof...(I); ++i)
        if (has[i]) some += std::string(count++ ? ", " : "to ") + "xyz"[i];
      return count == sizeof...(I) ? std::string("yes") : count == 0 ? std::string("no") : some;
    }
    (std::make_index_sequence<Row::arity>{});
  }
}

template <class Row>
std::string dtypes_of(const Row&) {
  if constexpr (Row::boolean) return "bool";
  else return Row::types == ot::dtypes::numeric ? "float, double, int32, int64" : "float, double";
}

template <class Row>
std::string notes_of(const Row& row) {
  std::string notes(row.note);
  if (row.simd != ot::simd_form::all)
    notes += std::string(notes.empty() ? "" : "; ") +
             (row.simd == ot::simd_form::none ? "no SIMD form (xsimd has none)" : "SIMD in float only");
  return notes;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2 || std::strcmp(argv[1], "--markdown") != 0) {
    std::cerr << "usage: " << argv[0] << " --markdown\n";
    return 2;
  }
  bool first = true;
  ot::for_each_family([&](const auto& fam) {
    if (!first) std::cout << "\n";
    first = false;
    std::cout << "**" << fam.title << "**\n\n"
              << "| TensorFlow | typeflow | dtypes | gradient | notes |\n"
              << "|---|---|---|---|---|\n";
    ot::for_each_row(fam, [](const auto& row) {
      std::cout << "| `" << tf_call(row.tf, row.arity) << "` | " << row.api << " | " << dtypes_of(row) << " | "
                << gradient_of(row) << " | " << notes_of(row) << " |\n";
    });
  });
}
