#ifndef TYPEFLOW_IO_TEXT_SCANNER_HPP
#define TYPEFLOW_IO_TEXT_SCANNER_HPP

// The tokens of protobuf's text format (what text_format.Parse reads and MessageToString
// writes), for the text readers of io/: the `checkpoint` file (checkpoint_state.hpp) and
// GraphDef text (text_format.hpp). It reads files others wrote, so every malformed token is a
// typeflow::error naming the input, the line and the column.
//
// Also the two printers whose output TensorFlow's files must match: CEscape (strings) and
// Python's repr of a float or double (numbers).

#include <cmath>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "../core/error.hpp"

namespace typeflow::io {

/// protobuf's CEscape, as Python's text_format writes a string or bytes field (as_utf8=False).
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

/// A number as Python's repr prints the shortest decimal that reads back to `v` (at most
/// `max_digits` significant digits: 9 for a float, 17 for a double): "0.1", "1.0", "1e-05",
/// "123456790.0", "1e+20", "inf", "nan". `is_exact` tells whether a candidate reads back.
template <class IsExact>
std::string python_repr(double v, int max_digits, IsExact is_exact) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[40];
  int precision = 1;
  for (; precision < max_digits; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*e", precision - 1, v);
    if (is_exact(buf)) break;
  }
  std::snprintf(buf, sizeof buf, "%.*e", precision - 1, v);
  // buf is [-]d[.ddd]e[+-]xx: split it into the digits and the decimal exponent.
  const std::string s = buf;
  const std::size_t e = s.find('e');
  const bool negative = s[0] == '-';
  std::string digits;
  for (std::size_t i = negative; i < e; ++i)
    if (s[i] != '.') digits += s[i];
  while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
  const int exponent = std::atoi(s.c_str() + e + 1);
  std::string out = negative ? "-" : "";
  const int n = static_cast<int>(digits.size());
  if (exponent < -4 || exponent >= 16) {  // repr's switch to scientific notation
    out += digits[0];
    if (n > 1) out += "." + digits.substr(1);
    char exp[16];
    std::snprintf(exp, sizeof exp, "e%c%02d", exponent < 0 ? '-' : '+', std::abs(exponent));
    return out + exp;
  }
  if (exponent < 0) return out + "0." + std::string(static_cast<std::size_t>(-exponent - 1), '0') + digits;
  if (n <= exponent + 1) return out + digits + std::string(static_cast<std::size_t>(exponent + 1 - n), '0') + ".0";
  return out + digits.substr(0, static_cast<std::size_t>(exponent + 1)) + "." +
         digits.substr(static_cast<std::size_t>(exponent + 1));
}

/// A double as Python's repr prints it.
inline std::string format_double(double v) {
  return python_repr(v, 17, [v](const char* s) { return std::strtod(s, nullptr) == v; });
}

/// A float as Python's text_format prints a float field: the shortest text that reads back to
/// the same float ("0.1", not the double 0.10000000149011612).
inline std::string format_float(float v) {
  return python_repr(v, 9, [v](const char* s) { return std::strtof(s, nullptr) == v; });
}

/// A cursor over protobuf text: whitespace and `#` comments between tokens are skipped by
/// skip_space(); each token reader throws (via fail) when the text does not hold one.
class text_scanner {
 public:
  /// `what` names the input in errors: a file's path, or "checkpoint state".
  text_scanner(std::string_view text, std::string what) : m_text(text), m_what(std::move(what)) {}

  [[noreturn]] void fail(const std::string& message) const { fail_at(m_pos, message); }

  /// An error at byte offset `pos`: "<what>: line L, column C: message".
  [[noreturn]] void fail_at(std::size_t pos, const std::string& message) const {
    std::size_t line = 1, column = 1;
    for (std::size_t i = 0; i < pos && i < m_text.size(); ++i) {
      if (m_text[i] == '\n') ++line, column = 1;
      else ++column;
    }
    throw error(m_what + ": line " + std::to_string(line) + ", column " + std::to_string(column) + ": " + message);
  }

  std::size_t pos() const { return m_pos; }
  bool at_end() const { return m_pos >= m_text.size(); }
  /// The next character, or '\0' at the end.
  char peek() const { return at_end() ? '\0' : m_text[m_pos]; }

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

  /// Consumes `c` (and the space after it) if it is next.
  bool try_consume(char c) {
    if (peek() != c || at_end()) return false;
    ++m_pos;
    skip_space();
    return true;
  }

  void expect(char c, std::string_view context) {
    if (!try_consume(c)) fail(std::string("expected '") + c + "' " + std::string(context) + ", got " + describe_next());
  }

  /// The next token as the user would recognise it, for "expected X, got Y" messages.
  std::string describe_next() const {
    if (at_end()) return "the end of the input";
    std::size_t end = m_pos + 1;
    if (is_ident(m_text[m_pos], false) || m_text[m_pos] == '-')
      while (end < m_text.size() && (is_ident(m_text[end], false) || m_text[end] == '.')) ++end;
    return "'" + std::string(m_text.substr(m_pos, end - m_pos)) + "'";
  }

  static bool is_ident(char c, bool first) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (!first && c >= '0' && c <= '9');
  }

  std::string_view identifier(std::string_view expected = "a field name") {
    const std::size_t start = m_pos;
    while (m_pos < m_text.size() && is_ident(m_text[m_pos], m_pos == start)) ++m_pos;
    if (m_pos == start) fail("expected " + std::string(expected) + ", got " + describe_next());
    const std::string_view id = m_text.substr(start, m_pos - start);
    skip_space();
    return id;
  }

  /// A number, identifier-like number (inf, nan) or enum name: the characters of one token.
  std::string_view scalar_token() {
    const std::size_t start = m_pos;
    while (m_pos < m_text.size()) {
      const char c = m_text[m_pos];
      if ((c >= '0' && c <= '9') || c == '.' || c == '-' || c == '+' || is_ident(c, true)) ++m_pos;
      else break;
    }
    if (m_pos == start) fail("expected a value, got " + describe_next());
    const std::string_view token = m_text.substr(start, m_pos - start);
    skip_space();
    return token;
  }

  /// A float or integer literal, or inf / nan (any case, optional sign and 'f' suffix).
  double number() {
    const std::size_t start = m_pos;
    const std::string_view token = scalar_token();
    double v = 0;
    if (!parse_double(token, v)) fail_at(start, "expected a number, got '" + std::string(token) + "'");
    return v;
  }

  static bool parse_double(std::string_view token_view, double& v) {
    std::string token(token_view);
    if (!token.empty() && (token.back() == 'f' || token.back() == 'F') &&
        token.find_first_of("xXnN") == std::string::npos)
      token.pop_back();
    std::string lower;
    for (char c : token) lower += static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
    const bool neg = !lower.empty() && lower[0] == '-';
    const std::string body = lower.substr(!lower.empty() && (lower[0] == '-' || lower[0] == '+'));
    if (body == "inf" || body == "infinity") return v = neg ? -HUGE_VAL : HUGE_VAL, true;
    if (body == "nan") return v = std::nan(""), true;
    if (body.empty() || body.find_first_not_of("0123456789.e+-") != std::string::npos) return false;
    char* end = nullptr;
    v = std::strtod(token.c_str(), &end);
    return end == token.c_str() + token.size();
  }

  /// `[a, b]` (the list syntax, possibly empty) or a single value; `value()` reads one.
  template <class F>
  void list(F value) {
    if (!try_consume('[')) return value();
    if (try_consume(']')) return;
    for (;;) {
      value();
      if (try_consume(']')) return;
      expect(',', "or ']' in a list");
    }
  }

  /// One or more adjacent quoted strings, joined, with C escapes decoded.
  std::string string_value() {
    if (peek() != '"' && peek() != '\'') fail("expected a quoted string, got " + describe_next());
    std::string out;
    while (peek() == '"' || peek() == '\'') {
      const std::size_t start = m_pos;
      const char quote = m_text[m_pos++];
      for (;;) {
        if (m_pos >= m_text.size() || m_text[m_pos] == '\n') fail_at(start, "unterminated string");
        const char c = m_text[m_pos++];
        if (c == quote) break;
        if (c != '\\') {
          out += c;
          continue;
        }
        if (m_pos >= m_text.size()) fail_at(start, "unterminated string");
        out += escape();
      }
      skip_space();
    }
    return out;
  }

 private:
  /// The character of the escape after a backslash.
  char escape() {
    const char e = m_text[m_pos++];
    switch (e) {
      case 'n': return '\n';
      case 'r': return '\r';
      case 't': return '\t';
      case 'a': return '\a';
      case 'b': return '\b';
      case 'f': return '\f';
      case 'v': return '\v';
      case '?':
      case '\\':
      case '\'':
      case '"': return e;
      case 'x':
      case 'X': {
        unsigned v = 0;
        int n = 0;
        for (; n < 2 && m_pos < m_text.size(); ++n) {
          const char h = m_text[m_pos];
          const bool digit = h >= '0' && h <= '9', letter = (h | 0x20) >= 'a' && (h | 0x20) <= 'f';
          if (!digit && !letter) break;
          v = v * 16 + static_cast<unsigned>(digit ? h - '0' : (h | 0x20) - 'a' + 10);
          ++m_pos;
        }
        if (n == 0) fail("\\x without hex digits");
        return static_cast<char>(v);
      }
      default:
        if (e < '0' || e > '7') fail(std::string("invalid escape '\\") + e + "'");
        unsigned v = static_cast<unsigned>(e - '0');
        for (int n = 1; n < 3 && m_pos < m_text.size() && m_text[m_pos] >= '0' && m_text[m_pos] <= '7'; ++n)
          v = v * 8 + static_cast<unsigned>(m_text[m_pos++] - '0');
        if (v > 0xff) fail("octal escape out of range");
        return static_cast<char>(v);
    }
  }

  std::string_view m_text;
  std::string m_what;
  std::size_t m_pos = 0;
};

}  // namespace typeflow::io

#endif
