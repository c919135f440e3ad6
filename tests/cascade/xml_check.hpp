#pragma once
// The plot tests' XML check, shared by the unit and the devnet tests.
#include <algorithm>
#include <cctype>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include <tl/expected.hpp>

namespace keeper::testing {

// A minimal XML well-formedness check (what a browser's parser requires of an SVG): tags nest and
// close, attributes are quoted, and text and attribute values hold no bare '<' or '&' outside an
// entity. Returns the elements' names in document order, or an error.
inline tl::expected<std::vector<std::pair<std::string, std::string>>, std::string> parse_xml(
    const std::string& s) {
  std::vector<std::pair<std::string, std::string>> elements;  // name, raw attributes
  std::vector<std::string> open;
  const auto entity_ok = [&](std::size_t at) {
    for (const char* e : {"&amp;", "&lt;", "&gt;", "&quot;", "&apos;"})
      if (s.compare(at, std::strlen(e), e) == 0) return true;
    return false;
  };
  std::size_t i = 0;
  bool root_closed = false;
  while (i < s.size()) {
    if (s[i] != '<') {
      if (s[i] == '&' && !entity_ok(i)) return tl::unexpected("bare '&' at " + std::to_string(i));
      if (open.empty() && !std::isspace(static_cast<unsigned char>(s[i])))
        return tl::unexpected("text outside the root at " + std::to_string(i));
      ++i;
      continue;
    }
    if (root_closed) return tl::unexpected("a second root at " + std::to_string(i));
    const bool closing = i + 1 < s.size() && s[i + 1] == '/';
    std::size_t j = i + (closing ? 2 : 1);
    const std::size_t name_start = j;
    while (j < s.size() && (std::isalnum(static_cast<unsigned char>(s[j])) || s[j] == '-' ||
                            s[j] == ':' || s[j] == '_'))
      ++j;
    const std::string name = s.substr(name_start, j - name_start);
    if (name.empty()) return tl::unexpected("a tag without a name at " + std::to_string(i));
    // Attributes: name="value" (no '<' and no bare '&' in the value).
    const std::size_t attrs_start = j;
    bool self_closing = false;
    while (true) {
      while (j < s.size() && std::isspace(static_cast<unsigned char>(s[j]))) ++j;
      if (j >= s.size()) return tl::unexpected("unterminated tag " + name);
      if (s[j] == '>') break;
      if (s[j] == '/' && j + 1 < s.size() && s[j + 1] == '>') {
        self_closing = true;
        ++j;
        break;
      }
      if (closing) return tl::unexpected("attributes on a closing tag " + name);
      const std::size_t a = j;
      while (j < s.size() && s[j] != '=' && !std::isspace(static_cast<unsigned char>(s[j]))) ++j;
      if (j == a || j + 1 >= s.size() || s[j] != '=' || (s[j + 1] != '"' && s[j + 1] != '\''))
        return tl::unexpected("an unquoted attribute in " + name);
      const char quote = s[j + 1];
      j += 2;
      while (j < s.size() && s[j] != quote) {
        if (s[j] == '<') return tl::unexpected("'<' in an attribute of " + name);
        if (s[j] == '&' && !entity_ok(j))
          return tl::unexpected(std::string{"bare '&' in an attribute"});
        ++j;
      }
      if (j >= s.size()) return tl::unexpected("unterminated attribute in " + name);
      ++j;
    }
    const std::string attrs = s.substr(attrs_start, j - attrs_start);
    i = j + 1;
    if (closing) {
      if (open.empty() || open.back() != name)
        return tl::unexpected("</" + name + "> closes " + (open.empty() ? "nothing" : open.back()));
      open.pop_back();
      root_closed = open.empty();
      continue;
    }
    elements.emplace_back(name, attrs);
    if (self_closing) {
      root_closed = open.empty();
    } else {
      open.push_back(name);
    }
  }
  if (!open.empty()) return tl::unexpected("<" + open.back() + "> never closed");
  if (elements.empty()) return tl::unexpected(std::string{"no element"});
  return elements;
}

inline std::size_t count_of(const std::vector<std::pair<std::string, std::string>>& elements,
                            const std::string& name) {
  return static_cast<std::size_t>(std::count_if(elements.begin(), elements.end(),
                                                [&](const auto& e) { return e.first == name; }));
}

}  // namespace keeper::testing
