#include "chain/abi/type.hpp"

#include <charconv>

namespace chain::abi {
namespace {

bool parse_size(std::string_view digits, std::size_t& out) {
  if (digits.empty() || (digits.size() > 1 && digits[0] == '0')) return false;
  const auto* end = digits.data() + digits.size();
  const auto [ptr, ec] = std::from_chars(digits.data(), end, out);
  return ec == std::errc{} && ptr == end;
}

// Splits a comma-separated list at depth 0.
tl::expected<std::vector<std::string_view>, AbiError> split_top(std::string_view text) {
  std::vector<std::string_view> parts;
  if (text.empty()) return parts;
  int depth = 0;
  std::size_t start = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '(') ++depth;
    if (text[i] == ')' && --depth < 0) return tl::unexpected(AbiError::bad_type);
    if (text[i] == ',' && depth == 0) {
      parts.push_back(text.substr(start, i - start));
      start = i + 1;
    }
  }
  if (depth != 0) return tl::unexpected(AbiError::bad_type);
  parts.push_back(text.substr(start));
  return parts;
}

tl::expected<Type, AbiError> parse_at_depth(std::string_view text, std::size_t depth);

tl::expected<Type, AbiError> parse_base(std::string_view t, std::size_t depth) {
  if (depth > kMaxNesting) return tl::unexpected(AbiError::too_deep);
  if (!t.empty() && t.front() == '(') {
    if (t.back() != ')') return tl::unexpected(AbiError::bad_type);
    auto parts = split_top(t.substr(1, t.size() - 2));
    if (!parts) return tl::unexpected(parts.error());
    std::vector<Type> members;
    for (const auto part : *parts) {
      auto member = parse_at_depth(part, depth + 1);
      if (!member) return member;
      members.push_back(std::move(*member));
    }
    return Type::tuple(std::move(members));
  }
  if (t == "address") return Type::address();
  if (t == "bool") return Type::boolean();
  if (t == "string") return Type::string();
  if (t == "bytes") return Type::bytes();
  if (t == "uint") return Type::uint();
  if (t == "int") return Type::int_();
  std::size_t n = 0;
  if (t.starts_with("uint") || t.starts_with("int")) {
    const bool is_signed = t.starts_with("int");
    if (!parse_size(t.substr(is_signed ? 3 : 4), n) || n == 0 || n > 256 || n % 8 != 0)
      return tl::unexpected(AbiError::bad_type);
    return is_signed ? Type::int_(n) : Type::uint(n);
  }
  if (t.starts_with("bytes")) {
    if (!parse_size(t.substr(5), n) || n == 0 || n > 32) return tl::unexpected(AbiError::bad_type);
    return Type::fixed_bytes(n);
  }
  return tl::unexpected(AbiError::bad_type);
}

tl::expected<Type, AbiError> parse_at_depth(std::string_view text, std::size_t depth) {
  if (depth > kMaxNesting) return tl::unexpected(AbiError::too_deep);
  if (text.empty()) return tl::unexpected(AbiError::bad_type);
  if (text.back() != ']') return parse_base(text, depth);
  const auto open = text.rfind('[');
  if (open == std::string_view::npos) return tl::unexpected(AbiError::bad_type);
  auto element = parse_at_depth(text.substr(0, open), depth + 1);
  if (!element) return element;
  const auto inside = text.substr(open + 1, text.size() - open - 2);
  if (inside.empty()) return Type::array(std::move(*element));
  std::size_t n = 0;
  if (!parse_size(inside, n) || n == 0 || n > (1u << 20)) return tl::unexpected(AbiError::bad_type);
  return Type::fixed_array(std::move(*element), n);
}

}  // namespace

std::string_view describe(AbiError e) noexcept {
  switch (e) {
    case AbiError::bad_type: return "not a valid ABI type";
    case AbiError::bad_signature: return "not a valid function or event signature";
    case AbiError::value_mismatch: return "value does not match its ABI type";
    case AbiError::truncated: return "ABI data is shorter than its types require";
    case AbiError::bad_offset: return "ABI offset points outside the data";
    case AbiError::bad_length: return "ABI length exceeds the data";
    case AbiError::dirty_padding: return "ABI word has non-zero padding bits";
    case AbiError::bad_bool: return "ABI bool is neither 0 nor 1";
    case AbiError::too_deep: return "ABI types are nested too deeply";
    case AbiError::trailing_data: return "ABI data continues after the last value";
    case AbiError::bad_json: return "JSON ABI entry is malformed";
    case AbiError::topic_mismatch: return "log topics do not match the event";
  }
  return "unknown ABI error";
}

bool Type::is_dynamic() const noexcept {
  switch (kind) {
    case Kind::bytes:
    case Kind::string:
    case Kind::array: return true;
    case Kind::fixed_array: return children[0].is_dynamic();
    case Kind::tuple:
      for (const auto& c : children)
        if (c.is_dynamic()) return true;
      return false;
    default: return false;
  }
}

std::size_t Type::head_size() const noexcept {
  if (is_dynamic()) return 32;
  if (kind == Kind::fixed_array) return size * children[0].head_size();
  if (kind == Kind::tuple) {
    std::size_t total = 0;
    for (const auto& c : children) total += c.head_size();
    return total;
  }
  return 32;
}

std::string Type::canonical() const {
  switch (kind) {
    case Kind::uint_: return "uint" + std::to_string(size);
    case Kind::int_: return "int" + std::to_string(size);
    case Kind::address: return "address";
    case Kind::bool_: return "bool";
    case Kind::fixed_bytes: return "bytes" + std::to_string(size);
    case Kind::bytes: return "bytes";
    case Kind::string: return "string";
    case Kind::array: return children[0].canonical() + "[]";
    case Kind::fixed_array: return children[0].canonical() + "[" + std::to_string(size) + "]";
    case Kind::tuple: {
      std::string out = "(";
      for (std::size_t i = 0; i < children.size(); ++i) {
        if (i) out += ',';
        out += children[i].canonical();
      }
      return out + ")";
    }
  }
  return {};
}

tl::expected<Type, AbiError> parse_type(std::string_view text) { return parse_at_depth(text, 0); }

tl::expected<std::vector<Type>, AbiError> parse_type_list(std::string_view text) {
  auto parts = split_top(text);
  if (!parts) return tl::unexpected(parts.error());
  std::vector<Type> types;
  for (const auto part : *parts) {
    auto t = parse_type(part);
    if (!t) return tl::unexpected(t.error());
    types.push_back(std::move(*t));
  }
  return types;
}

}  // namespace chain::abi
