#pragma once
// Solidity ABI types, parsed from their canonical text ("uint256", "(address,bool)[]", ...).
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

namespace chain::abi {

enum class AbiError {
  bad_type,        // a type string that is not a valid ABI type
  bad_signature,   // "name(types)" malformed
  value_mismatch,  // a value does not match its type (kind, size, range)
  truncated,       // data shorter than the type requires
  bad_offset,      // an offset points outside the data or overflows
  bad_length,      // a length larger than the data can hold
  dirty_padding,   // non-zero bits where the type requires zeros (strict decoding)
  bad_bool,        // a bool word other than 0 or 1
  too_deep,        // nesting beyond the limit
  trailing_data,   // decode_exact only
  bad_json,        // a JSON ABI entry without the expected fields
  topic_mismatch,  // a log whose topics do not fit the event
};

[[nodiscard]] std::string_view describe(AbiError e) noexcept;

enum class Kind {
  uint_,
  int_,
  address,
  bool_,
  fixed_bytes,
  bytes,
  string,
  array,
  fixed_array,
  tuple
};

struct Type {
  Kind kind = Kind::uint_;
  std::size_t size = 0;        // bits for uint/int, bytes for fixed_bytes, length for fixed_array
  std::vector<Type> children;  // element type for arrays, members for tuples

  [[nodiscard]] bool is_dynamic() const noexcept;
  // Bytes this type takes in the head of its enclosing tuple.
  [[nodiscard]] std::size_t head_size() const noexcept;
  [[nodiscard]] std::string canonical() const;

  static Type uint(std::size_t bits = 256) { return {Kind::uint_, bits, {}}; }
  static Type int_(std::size_t bits = 256) { return {Kind::int_, bits, {}}; }
  static Type address() { return {Kind::address, 0, {}}; }
  static Type boolean() { return {Kind::bool_, 0, {}}; }
  static Type fixed_bytes(std::size_t n) { return {Kind::fixed_bytes, n, {}}; }
  static Type bytes() { return {Kind::bytes, 0, {}}; }
  static Type string() { return {Kind::string, 0, {}}; }
  static Type array(Type element) { return {Kind::array, 0, {std::move(element)}}; }
  static Type fixed_array(Type element, std::size_t n) {
    return {Kind::fixed_array, n, {std::move(element)}};
  }
  static Type tuple(std::vector<Type> members) { return {Kind::tuple, 0, std::move(members)}; }

  friend bool operator==(const Type&, const Type&) = default;
};

inline constexpr std::size_t kMaxNesting = 32;

[[nodiscard]] tl::expected<Type, AbiError> parse_type(std::string_view text);
// "a,b,(c,d)[]" (without the outer parentheses); empty text is the empty list.
[[nodiscard]] tl::expected<std::vector<Type>, AbiError> parse_type_list(std::string_view text);

}  // namespace chain::abi
