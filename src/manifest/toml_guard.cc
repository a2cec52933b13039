#include "manifest/toml_guard.h"

namespace foley::manifest {
namespace {

// Walks the text byte by byte, tracking line and column (in code points).
class Scanner {
 public:
  explicit Scanner(std::string_view text) : text_(text) {}

  bool done() const { return pos_ >= text_.size(); }
  unsigned char peek(size_t ahead = 0) const {
    return pos_ + ahead < text_.size() ? static_cast<unsigned char>(text_[pos_ + ahead]) : 0;
  }
  bool starts_with(std::string_view s) const { return text_.substr(pos_, s.size()) == s; }

  void advance() {
    unsigned char c = peek();
    ++pos_;
    if (c == '\n') {
      ++line_;
      col_ = 1;
    } else if ((c & 0xC0) != 0x80) {
      ++col_;  // continuation bytes belong to the previous code point
    }
  }
  void advance(size_t n) {
    for (size_t i = 0; i < n && !done(); ++i) advance();
  }

  GuardProblem problem(std::string message) const { return GuardProblem{line_, col_, std::move(message)}; }

 private:
  std::string_view text_;
  size_t pos_ = 0;
  int line_ = 1;
  int col_ = 1;
};

// Skips a closing delimiter of a multi-line string, plus the up to two extra
// quotes TOML allows right before it (`""""` ends with one quote of content).
void close_multiline(Scanner& s, char quote) {
  s.advance(3);
  for (int i = 0; i < 2 && s.peek() == static_cast<unsigned char>(quote); ++i) s.advance();
}

std::optional<GuardProblem> scan_multiline_basic(Scanner& s) {
  s.advance(3);
  while (!s.done()) {
    if (s.starts_with("\"\"\"")) {
      close_multiline(s, '"');
      return std::nullopt;
    }
    if (s.peek() != '\\') {
      s.advance();
      continue;
    }
    // An escape. A line-ending backslash trims all whitespace that follows.
    size_t ahead = 1;
    while (s.peek(ahead) == ' ' || s.peek(ahead) == '\t') ++ahead;
    bool line_ending = s.peek(ahead) == '\n' || (s.peek(ahead) == '\r' && s.peek(ahead + 1) == '\n');
    if (!line_ending) {
      s.advance(2);
      continue;
    }
    s.advance(ahead);
    while (s.peek() == ' ' || s.peek() == '\t' || s.peek() == '\n' || s.peek() == '\r') s.advance();
    if (s.peek() >= 0x80) {
      return s.problem("a non-ASCII character right after a line-ending backslash cannot be parsed safely by "
                       "toml++ 3.3; write it as a \\uXXXX escape or put it on the backslash's line");
    }
  }
  return std::nullopt;
}

void scan_single_line(Scanner& s, char quote, bool escapes) {
  s.advance();
  while (!s.done() && s.peek() != '\n') {
    if (escapes && s.peek() == '\\') {
      s.advance(2);
      continue;
    }
    if (s.peek() == static_cast<unsigned char>(quote)) {
      s.advance();
      return;
    }
    s.advance();
  }
}

}  // namespace

std::optional<GuardProblem> find_unsafe_non_ascii(std::string_view text) {
  Scanner s(text);
  while (!s.done()) {
    unsigned char c = s.peek();
    if (c == '#') {
      while (!s.done() && s.peek() != '\n') s.advance();
    } else if (s.starts_with("\"\"\"")) {
      if (auto problem = scan_multiline_basic(s)) return problem;
    } else if (s.starts_with("'''")) {
      s.advance(3);
      while (!s.done() && !s.starts_with("'''")) s.advance();
      if (!s.done()) close_multiline(s, '\'');
    } else if (c == '"') {
      scan_single_line(s, '"', true);
    } else if (c == '\'') {
      scan_single_line(s, '\'', false);
    } else if (c >= 0x80) {
      return s.problem("non-ASCII character outside a string or comment (bare keys use A-Z a-z 0-9 _ -; "
                       "quote the key or the value)");
    } else {
      s.advance();
    }
  }
  return std::nullopt;
}

}  // namespace foley::manifest
