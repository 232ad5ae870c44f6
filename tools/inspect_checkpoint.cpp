// typeflow-inspect-checkpoint: TensorFlow's inspect_checkpoint for V2 checkpoints.
//
//   typeflow-inspect-checkpoint --file_name=PREFIX                     name (DT_FLOAT) [2,3] per line
//   typeflow-inspect-checkpoint --file_name=PREFIX --tensor_name=NAME  that tensor's values
//   typeflow-inspect-checkpoint --file_name=PREFIX --all_tensors       every tensor's values
//   typeflow-inspect-checkpoint --file_name=PREFIX --all_tensor_names  every name
//
// Values print as NumPy prints them (closely, not exactly). Exit code 1, with a message on
// stderr, for a missing or corrupted checkpoint or an unknown tensor; 2 for bad arguments.

#include <charconv>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <string>
#include <string_view>
#include <typeflow/runtime/train/checkpoint_reader.hpp>
#include <vector>

namespace tf = typeflow;
namespace io = typeflow::io;

namespace {

template <class T>
std::string format_value(const T& v) {
  if constexpr (std::is_same_v<T, bool>) {
    return v ? "True" : "False";
  } else if constexpr (std::is_same_v<T, std::string>) {
    std::string s = "b'";
    for (unsigned char c : v) {
      if (c == '\\' || c == '\'') s += std::string("\\") + static_cast<char>(c);
      else if (c >= 0x20 && c < 0x7f) s += static_cast<char>(c);
      else {
        char b[8];
        std::snprintf(b, sizeof b, "\\x%02x", c);
        s += b;
      }
    }
    return s + "'";
  } else if constexpr (std::is_floating_point_v<T>) {
    char b[64];
    const auto r = std::to_chars(b, b + sizeof b, v);
    std::string s(b, r.ptr);
    if (s == "inf" || s == "-inf" || s == "nan" || s == "-nan") return s;
    if (s.find_first_of(".e") == std::string::npos) s += '.';  // NumPy's "2."
    return s;
  } else {
    return std::to_string(v);
  }
}

template <class T>
void print_tensor(const xt::xarray<T>& a) {
  std::vector<std::string> cells;
  std::size_t width = 0;
  for (const T& v : a) {
    cells.push_back(format_value(v));
    width = std::max(width, cells.back().size());
  }
  const auto& shape = a.shape();
  if (shape.empty()) {
    std::cout << cells[0] << "\n";
    return;
  }
  std::string out;
  std::size_t next = 0;
  // Nested brackets, rows on their own lines, as NumPy's repr.
  auto rec = [&](auto&& self, std::size_t axis) -> void {
    out += '[';
    for (std::size_t i = 0; i < shape[axis]; ++i) {
      if (axis + 1 == shape.size()) {
        if (i) out += ' ';
        const std::string& c = cells[next++];
        if constexpr (!std::is_same_v<T, std::string>) out.append(width - c.size(), ' ');
        out += c;
      } else {
        if (i) {
          out.append(shape.size() - axis - 1, '\n');
          out.append(axis + 1, ' ');
        }
        self(self, axis + 1);
      }
    }
    out += ']';
  };
  rec(rec, 0);
  std::cout << out << "\n";
}

void print_tensor(const tf::train::CheckpointReader& r, const std::string& name) {
  switch (r.entry(name).dtype) {
    case io::DT_FLOAT: return print_tensor(r.get_tensor<float>(name));
    case io::DT_DOUBLE: return print_tensor(r.get_tensor<double>(name));
    case io::DT_INT32: return print_tensor(r.get_tensor<std::int32_t>(name));
    case io::DT_INT64: return print_tensor(r.get_tensor<std::int64_t>(name));
    case io::DT_UINT8: return print_tensor(r.get_tensor<std::uint8_t>(name));
    case io::DT_INT8: return print_tensor(r.get_tensor<std::int8_t>(name));
    case io::DT_INT16: return print_tensor(r.get_tensor<std::int16_t>(name));
    case io::DT_UINT16: return print_tensor(r.get_tensor<std::uint16_t>(name));
    case io::DT_UINT32: return print_tensor(r.get_tensor<std::uint32_t>(name));
    case io::DT_UINT64: return print_tensor(r.get_tensor<std::uint64_t>(name));
    case io::DT_BOOL: return print_tensor(r.get_tensor<bool>(name));
    case io::DT_STRING: return print_tensor(r.get_tensor<std::string>(name));
    default: std::cout << "<" << io::dtype_name(r.entry(name).dtype) << " values are not printed>\n";
  }
}

bool flag_value(std::string_view arg, std::string_view name, std::string& value) {
  if (arg.substr(0, name.size()) != name) return false;
  if (arg.size() == name.size()) {
    value = "true";
    return true;
  }
  if (arg[name.size()] != '=') return false;
  value = std::string(arg.substr(name.size() + 1));
  return true;
}

bool truthy(const std::string& v) { return v == "true" || v == "True" || v == "1"; }

int usage() {
  std::cerr << "usage: typeflow-inspect-checkpoint --file_name=PREFIX [--tensor_name=NAME] [--all_tensors] "
               "[--all_tensor_names]\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string file_name, tensor_name, v;
  bool all_tensors = false, all_tensor_names = false;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (flag_value(a, "--file_name", v)) file_name = v;
    else if (flag_value(a, "--tensor_name", v)) tensor_name = v;
    else if (flag_value(a, "--all_tensors", v)) all_tensors = truthy(v);
    else if (flag_value(a, "--all_tensor_names", v)) all_tensor_names = truthy(v);
    else if (flag_value(a, "--printoptions", v)) {
    }  // NumPy print options: not applicable
    else if (a == "--help" || a == "-h")
      return usage(), 0;
    else {
      std::cerr << "typeflow-inspect-checkpoint: unknown argument " << a << "\n";
      return usage();
    }
  }
  if (file_name.empty()) return usage();
  try {
    const auto reader = tf::train::load_checkpoint(file_name);
    if (all_tensors || all_tensor_names) {
      for (const auto& [name, shape] : reader.get_variable_to_shape_map()) {
        std::cout << "tensor_name:  " << name << "\n";
        if (all_tensors) print_tensor(reader, name);
      }
    } else if (!tensor_name.empty()) {
      if (!reader.has_tensor(tensor_name)) {
        std::cerr << "Tensor " << tensor_name << " not found in checkpoint\n";
        return 1;
      }
      std::cout << "tensor_name:  " << tensor_name << "\n";
      print_tensor(reader, tensor_name);
    } else {
      std::cout << reader.debug_string();
    }
  } catch (const std::exception& e) {
    std::cout.flush();
    std::cerr << "typeflow-inspect-checkpoint: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
