#pragma once
// ABI values: a small recursive variant matching chain::abi::Type.
#include <concepts>
#include <string>
#include <variant>
#include <vector>

#include "chain/address.hpp"
#include "chain/bytes.hpp"
#include "chain/uint256.hpp"

namespace chain::abi {

struct Value;
using Values = std::vector<Value>;

// uintN and intN are both held as u256; intN in two's complement (see from_int/as_int).
// fixed bytes and dynamic bytes are both Bytes; arrays and tuples are both Values.
struct Value {
  std::variant<u256, Address, bool, Bytes, std::string, Values> data;

  Value() : data{u256{0}} {}
  Value(u256 v) : data{std::move(v)} {}  // NOLINT: implicit by design
  template <std::unsigned_integral T>
  requires(!std::same_as<T, bool>) Value(T v) : data{u256{v}} {}  // NOLINT
  // Signed integers become two's complement words, as intN expects.
  template <std::signed_integral T>
  Value(T v)  // NOLINT
      : data{v < 0 ? u256{~u256{static_cast<std::uint64_t>(-(v + 1))}}
                   : u256{static_cast<std::uint64_t>(v)}} {}
  Value(Address v) : data{v} {}                   // NOLINT
  Value(bool v) : data{v} {}                      // NOLINT
  Value(Bytes v) : data{std::move(v)} {}          // NOLINT
  Value(std::string v) : data{std::move(v)} {}    // NOLINT
  Value(const char* v) : data{std::string{v}} {}  // NOLINT
  Value(Values v) : data{std::move(v)} {}         // NOLINT

  static Value from_int(const i256& v) {
    if (v < 0) return Value{u256{~static_cast<u256>(-(v + 1))}};
    return Value{static_cast<u256>(v)};
  }

  [[nodiscard]] const u256& as_uint() const { return std::get<u256>(data); }
  [[nodiscard]] i256 as_int() const {
    const u256& u = as_uint();
    return (u >> 255) != 0 ? -static_cast<i256>(~u) - 1 : static_cast<i256>(u);
  }
  [[nodiscard]] const Address& as_address() const { return std::get<Address>(data); }
  [[nodiscard]] bool as_bool() const { return std::get<bool>(data); }
  [[nodiscard]] const Bytes& as_bytes() const { return std::get<Bytes>(data); }
  [[nodiscard]] const std::string& as_string() const { return std::get<std::string>(data); }
  [[nodiscard]] const Values& as_list() const { return std::get<Values>(data); }

  friend bool operator==(const Value&, const Value&) = default;
};

}  // namespace chain::abi
