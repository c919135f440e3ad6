#pragma once
// Functions and events by signature: selectors, topics, call data, and decoding of logs.
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>
#include <tl/expected.hpp>

#include "chain/abi/codec.hpp"

namespace chain::abi {

struct Function {
  std::string name;
  std::vector<Type> inputs;
  std::vector<Type> outputs;
  FixedBytes<4> selector{};

  [[nodiscard]] std::string signature() const;  // canonical "name(t1,t2)"
  [[nodiscard]] tl::expected<Bytes, AbiError> encode_call(std::span<const Value> args) const;
  [[nodiscard]] tl::expected<Values, AbiError> decode_output(BytesView data) const;
};

struct EventParam {
  std::string name;
  Type type;
  bool indexed = false;
};

struct Event {
  std::string name;
  std::vector<EventParam> params;
  bool anonymous = false;
  Hash topic0{};

  [[nodiscard]] std::string signature() const;
};

struct DecodedParam {
  std::string_view name;
  Value value;  // an indexed dynamic value is its 32-byte Keccak hash, as bytes
};

[[nodiscard]] FixedBytes<4> selector(std::string_view canonical_signature);
[[nodiscard]] Hash event_topic(std::string_view canonical_signature);

// "transfer(address,uint256)" or with outputs "balanceOf(address)(uint256)"; names are optional:
// "Transfer(address indexed from,address indexed to,uint256 value)".
[[nodiscard]] tl::expected<Function, AbiError> parse_function(std::string_view signature);
[[nodiscard]] tl::expected<Event, AbiError> parse_event(std::string_view signature);

// From one entry of a Solidity JSON ABI (tuples via "components").
[[nodiscard]] tl::expected<Function, AbiError> function_from_json(const nlohmann::json& entry);
[[nodiscard]] tl::expected<Event, AbiError> event_from_json(const nlohmann::json& entry);

// Call data for `signature` with `args` in one step.
[[nodiscard]] tl::expected<Bytes, AbiError> encode_call(std::string_view signature,
                                                        std::span<const Value> args);

[[nodiscard]] tl::expected<std::vector<DecodedParam>, AbiError> decode_log(
    const Event& event, std::span<const Hash> topics, BytesView data);

}  // namespace chain::abi
