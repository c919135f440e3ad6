#include "config/toml_nesting.hpp"

#include <limits>
#include <utility>
#include <vector>

namespace config {
namespace {

// Where the scanner is: ordinary TOML, or inside something whose brackets and dots mean nothing.
enum class Mode { code, comment, basic, literal, multi_basic, multi_literal };

bool starts_with(std::string_view text, std::size_t at, std::string_view what) {
  return text.substr(at, what.size()) == what;
}

// A backslash escapes the next character (so \" ends nothing), except a line break, which the
// caller must still see to count lines.
bool escapes_next(std::string_view text, std::size_t i) {
  return text[i] == '\\' && i + 1 < text.size() && text[i + 1] != '\n';
}

bool word_char(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

class Scanner {
 public:
  explicit Scanner(std::string_view text) : text_{text} {}

  // Binary integer literals in values with more than 63 significant bits, as (offset, length).
  [[nodiscard]] const std::vector<std::pair<std::size_t, std::size_t>>& long_binaries() const {
    return long_binaries_;
  }

  tl::expected<void, NestingError> run(std::size_t max_depth) {
    for (i_ = 0; i_ < text_.size(); ++i_) {
      if (text_[i_] == '\n') ++line_;
      step();
      if (open_.size() + dots_ > max_depth)
        return tl::unexpected(NestingError{line_, open_.size() + dots_});
    }
    return {};
  }

 private:
  void enter(Mode mode, std::size_t length) {
    mode_ = mode;
    i_ += length - 1;
  }

  void end_line_string() {  // an unterminated one-line string: toml11 reports it
    mode_ = Mode::code;
    in_key_ = open_.empty();
  }

  void step() {
    const char c = text_[i_];
    switch (mode_) {
      case Mode::comment:
        if (c == '\n') mode_ = Mode::code;
        return;
      case Mode::basic:
        if (escapes_next(text_, i_))
          ++i_;
        else if (c == '"')
          mode_ = Mode::code;
        else if (c == '\n')
          end_line_string();
        return;
      case Mode::literal:
        if (c == '\'')
          mode_ = Mode::code;
        else if (c == '\n')
          end_line_string();
        return;
      case Mode::multi_basic:
        if (escapes_next(text_, i_))
          ++i_;
        else if (starts_with(text_, i_, R"(""")"))
          enter(Mode::code, 3);
        return;
      case Mode::multi_literal:
        if (starts_with(text_, i_, "'''")) enter(Mode::code, 3);
        return;
      case Mode::code: code(c); return;
    }
  }

  // A `0b…` literal in a value: toml11 reads it into an int64 with `*= 2`, a signed overflow
  // (undefined behaviour) past 63 bits, so such literals are reported before it parses them.
  void note_binary_literal() {
    if (in_key_ || !starts_with(text_, i_, "0b") || (i_ > 0 && word_char(text_[i_ - 1]))) return;
    std::size_t end = i_ + 2, significant = 0;
    for (; end < text_.size() && (text_[end] == '0' || text_[end] == '1' || text_[end] == '_');
         ++end)
      if (text_[end] == '1' || (text_[end] == '0' && significant != 0)) ++significant;
    if (significant > 63) long_binaries_.emplace_back(i_, end - i_);
  }

  void code(char c) {
    if (c == '0') note_binary_literal();
    if (c == '#') {
      mode_ = Mode::comment;
    } else if (starts_with(text_, i_, R"(""")")) {
      enter(Mode::multi_basic, 3);
    } else if (starts_with(text_, i_, "'''")) {
      enter(Mode::multi_literal, 3);
    } else if (c == '"') {
      mode_ = Mode::basic;
    } else if (c == '\'') {
      mode_ = Mode::literal;
    } else if (c == '[' || c == '{') {
      open_.push_back(c);
      // A '[' where a key is due opens a table header, whose dots nest; in a value, an array.
      in_key_ = c == '{' || in_key_;
      dots_ = 0;
    } else if (c == ']' || c == '}') {
      if (!open_.empty()) open_.pop_back();
      dots_ = 0;
    } else if (c == '=') {
      in_key_ = false;
      dots_ = 0;
    } else if (c == ',') {
      in_key_ = !open_.empty() && open_.back() == '{';
    } else if (c == '.' && in_key_) {
      ++dots_;
    } else if (c == '\n') {
      in_key_ = open_.empty();
      dots_ = 0;
    }
  }

  std::string_view text_;
  std::size_t i_ = 0;
  std::size_t line_ = 1;
  Mode mode_ = Mode::code;
  std::vector<char> open_;  // '[' or '{' per open array, inline table or table header
  bool in_key_ = true;      // reading a key (where dots nest tables), not a value
  std::size_t dots_ = 0;    // dotted-key segments of the key being read
  std::vector<std::pair<std::size_t, std::size_t>> long_binaries_;
};

}  // namespace

tl::expected<void, NestingError> check_toml_nesting(std::string_view text, std::size_t max_depth) {
  return Scanner{text}.run(max_depth);
}

std::string widen_long_binary_literals(std::string_view text) {
  Scanner scanner{text};
  (void)scanner.run(std::numeric_limits<std::size_t>::max());
  std::string out{text};
  const auto& spans = scanner.long_binaries();
  for (auto it = spans.rbegin(); it != spans.rend(); ++it)
    out.replace(it->first, it->second, kOversizedDecimal);
  return out;
}

}  // namespace config
