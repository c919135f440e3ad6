#pragma once
// Heads for the engine's unit tests (no node): block `number` on a fixed clock, half full at a
// 1 gwei base fee, so the next block's base fee is 1 gwei too.
#include <cstdint>

#include "chain/rpc/types.hpp"

namespace keeper::testing {

inline chain::rpc::BlockHeader engine_head(std::uint64_t number) {
  chain::rpc::BlockHeader h;
  h.number = number;
  h.timestamp = 1'700'000'000 + number;
  h.base_fee_per_gas = chain::u256{1'000'000'000ULL};
  h.gas_used = 15'000'000;
  h.gas_limit = 30'000'000;
  return h;
}

}  // namespace keeper::testing
