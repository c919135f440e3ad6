#pragma once
// ABI encoding and strict, bounds-checked decoding of call data, return data and log data.
#include <span>

#include <tl/expected.hpp>

#include "chain/abi/type.hpp"
#include "chain/abi/value.hpp"

namespace chain::abi {

[[nodiscard]] tl::expected<Bytes, AbiError> encode(std::span<const Type> types,
                                                   std::span<const Value> values);
// Decodes a tuple of `types` from the start of `data`; extra trailing bytes are allowed, as the
// EVM's return data and Solidity's decoder allow them.
[[nodiscard]] tl::expected<Values, AbiError> decode(std::span<const Type> types, BytesView data);
// As decode, but the encoding must use exactly `data` (no bytes after the last tail).
[[nodiscard]] tl::expected<Values, AbiError> decode_exact(std::span<const Type> types,
                                                          BytesView data);

// One static word, as in a log topic: uintN/intN/address/bool/bytesN.
[[nodiscard]] tl::expected<Value, AbiError> decode_word(const Type& type, const Hash& word);

}  // namespace chain::abi
