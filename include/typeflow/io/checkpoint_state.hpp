#ifndef TYPEFLOW_IO_CHECKPOINT_STATE_HPP
#define TYPEFLOW_IO_CHECKPOINT_STATE_HPP

// The `checkpoint` file of a checkpoint directory: a CheckpointState proto in protobuf's text
// format, as TensorFlow writes it (tensorflow/python/training/checkpoint_state.proto):
//
//   model_checkpoint_path: "model-200"
//   all_model_checkpoint_paths: "model-100"
//   all_model_checkpoint_paths: "model-200"
//
// The parser takes what protobuf's text format allows for these fields (any order, comments,
// `:` optional before a message, adjacent string literals joined, C escapes, numbers in any
// float syntax), skips nothing it does not know (an unknown field is an error, as in TF) and
// throws typeflow::error on any malformed input: it reads files others wrote.

#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "../core/error.hpp"

namespace typeflow::io {

struct checkpoint_state {
  std::string model_checkpoint_path;                    // field 1: the newest prefix
  std::vector<std::string> all_model_checkpoint_paths;  // field 2: kept prefixes, oldest first
  std::vector<double> all_model_checkpoint_timestamps;  // field 3 (tf.train.CheckpointManager only)
  double last_preserved_timestamp = 0;                  // field 4 (idem)
};

namespace detail {

/// protobuf's CEscape, as Python's text_format writes a string with as_utf8=False.
inline std::string c_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '"': out += "\\\""; break;
      case '\'': out += "\\'"; break;
      case '\\': out += "\\\\"; break;
      default:
        if (c < 0x20 || c >= 0x7f) {
          char buf[5];
          std::snprintf(buf, sizeof buf, "\\%03o", static_cast<unsigned>(c));
          out += buf;
        } else {
          out += ch;
        }
    }
  }
  return out;
}

/// A double as the shortest text that reads back to the same value (Python's repr).
inline std::string format_double(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[32];
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  return buf;
}

/// A tokenizer and parser for the text format of CheckpointState.
class state_parser {
 public:
  explicit state_parser(std::string_view text) : m_text(text) {}

  checkpoint_state parse() {
    checkpoint_state s;
    for (skip_space(); m_pos < m_text.size(); skip_space()) {
      const std::string_view field = identifier();
      skip_space();
      if (m_pos >= m_text.size() || m_text[m_pos] != ':') fail("expected ':' after '" + std::string(field) + "'");
      ++m_pos;
      skip_space();
      if (field == "model_checkpoint_path") {
        s.model_checkpoint_path = string_value();  // a repeated scalar: the last one wins
      } else if (field == "all_model_checkpoint_paths") {
        list(s.all_model_checkpoint_paths, [&] { return string_value(); });
      } else if (field == "all_model_checkpoint_timestamps") {
        list(s.all_model_checkpoint_timestamps, [&] { return number(); });
      } else if (field == "last_preserved_timestamp") {
        s.last_preserved_timestamp = number();
      } else {
        fail("unknown field '" + std::string(field) + "'");
      }
      skip_space();
      if (m_pos < m_text.size() && (m_text[m_pos] == ',' || m_text[m_pos] == ';')) ++m_pos;
    }
    return s;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    std::size_t line = 1;
    for (std::size_t i = 0; i < m_pos && i < m_text.size(); ++i) line += m_text[i] == '\n';
    throw error("checkpoint state: line " + std::to_string(line) + ": " + what);
  }

  void skip_space() {
    while (m_pos < m_text.size()) {
      const char c = m_text[m_pos];
      if (c == '#') {
        while (m_pos < m_text.size() && m_text[m_pos] != '\n') ++m_pos;
      } else if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f') {
        ++m_pos;
      } else {
        break;
      }
    }
  }

  static bool is_ident(char c, bool first) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (!first && c >= '0' && c <= '9');
  }

  std::string_view identifier() {
    const std::size_t start = m_pos;
    while (m_pos < m_text.size() && is_ident(m_text[m_pos], m_pos == start)) ++m_pos;
    if (m_pos == start) fail("expected a field name");
    return m_text.substr(start, m_pos - start);
  }

  /// `[a, b]` (the list syntax) or a single value.
  template <class T, class F>
  void list(std::vector<T>& out, F value) {
    if (m_pos < m_text.size() && m_text[m_pos] == '[') {
      ++m_pos;
      skip_space();
      if (m_pos < m_text.size() && m_text[m_pos] == ']') {
        ++m_pos;
        return;
      }
      for (;;) {
        out.push_back(value());
        skip_space();
        if (m_pos >= m_text.size()) fail("unterminated list");
        if (m_text[m_pos] == ']') break;
        if (m_text[m_pos] != ',') fail("expected ',' or ']' in a list");
        ++m_pos;
        skip_space();
      }
      ++m_pos;
    } else {
      out.push_back(value());
    }
  }

  /// One or more adjacent quoted strings, joined, with C escapes decoded.
  std::string string_value() {
    if (m_pos >= m_text.size() || (m_text[m_pos] != '"' && m_text[m_pos] != '\'')) fail("expected a quoted string");
    std::string out;
    while (m_pos < m_text.size() && (m_text[m_pos] == '"' || m_text[m_pos] == '\'')) {
      const char quote = m_text[m_pos++];
      for (;;) {
        if (m_pos >= m_text.size() || m_text[m_pos] == '\n') fail("unterminated string");
        const char c = m_text[m_pos++];
        if (c == quote) break;
        if (c != '\\') {
          out += c;
          continue;
        }
        if (m_pos >= m_text.size()) fail("unterminated string");
        const char e = m_text[m_pos++];
        switch (e) {
          case 'n': out += '\n'; break;
          case 'r': out += '\r'; break;
          case 't': out += '\t'; break;
          case 'a': out += '\a'; break;
          case 'b': out += '\b'; break;
          case 'f': out += '\f'; break;
          case 'v': out += '\v'; break;
          case '?': out += '?'; break;
          case '\\':
          case '\'':
          case '"': out += e; break;
          case 'x':
          case 'X': {
            unsigned v = 0;
            int n = 0;
            while (n < 2 && m_pos < m_text.size() && std::isxdigit(static_cast<unsigned char>(m_text[m_pos]))) {
              const char h = m_text[m_pos++];
              v = v * 16 + static_cast<unsigned>(h <= '9' ? h - '0' : (h | 0x20) - 'a' + 10);
              ++n;
            }
            if (n == 0) fail("\\x without hex digits");
            out += static_cast<char>(v);
            break;
          }
          default:
            if (e >= '0' && e <= '7') {
              unsigned v = static_cast<unsigned>(e - '0');
              for (int n = 1; n < 3 && m_pos < m_text.size() && m_text[m_pos] >= '0' && m_text[m_pos] <= '7'; ++n)
                v = v * 8 + static_cast<unsigned>(m_text[m_pos++] - '0');
              if (v > 0xff) fail("octal escape out of range");
              out += static_cast<char>(v);
            } else {
              fail(std::string("invalid escape '\\") + e + "'");
            }
        }
      }
      skip_space();
    }
    return out;
  }

  /// A float or integer literal, or inf / nan (any case, optional sign and 'f' suffix).
  double number() {
    const std::size_t start = m_pos;
    while (m_pos < m_text.size()) {
      const char c = m_text[m_pos];
      if ((c >= '0' && c <= '9') || c == '.' || c == '-' || c == '+' || is_ident(c, true)) ++m_pos;
      else break;
    }
    std::string token(m_text.substr(start, m_pos - start));
    if (!token.empty() && (token.back() == 'f' || token.back() == 'F') &&
        token.find_first_of("xXnN") == std::string::npos)
      token.pop_back();
    std::string lower;
    for (char c : token) lower += static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
    const bool neg = !lower.empty() && lower[0] == '-';
    const std::string body = lower.substr(!lower.empty() && (lower[0] == '-' || lower[0] == '+'));
    if (body == "inf" || body == "infinity") return neg ? -HUGE_VAL : HUGE_VAL;
    if (body == "nan") return std::nan("");
    if (body.empty() || body.find_first_not_of("0123456789.e+-") != std::string::npos) fail("expected a number");
    char* end = nullptr;
    const double v = std::strtod(token.c_str(), &end);
    if (end != token.c_str() + token.size()) fail("expected a number, got '" + token + "'");
    return v;
  }

  std::string_view m_text;
  std::size_t m_pos = 0;
};

}  // namespace detail

/// The text of a `checkpoint` file, as TensorFlow's text_format.MessageToString writes it.
inline std::string to_text(const checkpoint_state& s) {
  std::string out = "model_checkpoint_path: \"" + detail::c_escape(s.model_checkpoint_path) + "\"\n";
  for (const auto& p : s.all_model_checkpoint_paths)
    out += "all_model_checkpoint_paths: \"" + detail::c_escape(p) + "\"\n";
  for (double t : s.all_model_checkpoint_timestamps)
    out += "all_model_checkpoint_timestamps: " + detail::format_double(t) + "\n";
  if (s.last_preserved_timestamp != 0)
    out += "last_preserved_timestamp: " + detail::format_double(s.last_preserved_timestamp) + "\n";
  return out;
}

/// Parses the text of a `checkpoint` file; throws typeflow::error naming the line on bad input.
inline checkpoint_state parse_checkpoint_state(std::string_view text) { return detail::state_parser(text).parse(); }

}  // namespace typeflow::io

#endif
