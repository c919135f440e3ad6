#pragma once
// Typed views of what a node returns: block headers, logs, receipts, fee history.
#include <cstdint>
#include <optional>
#include <vector>

#include "chain/address.hpp"
#include "chain/bytes.hpp"
#include "chain/uint256.hpp"

namespace chain::rpc {

struct BlockHeader {
  std::uint64_t number = 0;
  Hash hash{};
  Hash parent_hash{};
  std::uint64_t timestamp = 0;
  std::optional<u256> base_fee_per_gas;
  // Zero when the node left them out; with the base fee they give the next block's base fee.
  std::uint64_t gas_used = 0;
  std::uint64_t gas_limit = 0;
};

struct Log {
  Address address;
  std::vector<Hash> topics;
  Bytes data;
  std::uint64_t block_number = 0;
  Hash block_hash{};
  Hash transaction_hash{};
  std::uint64_t transaction_index = 0;
  std::uint64_t log_index = 0;
  bool removed = false;  // the log's block left the canonical chain (reorg)
};

struct Receipt {
  Hash transaction_hash{};
  bool success = false;
  std::uint64_t gas_used = 0;
  u256 effective_gas_price;
  std::uint64_t block_number = 0;
  Hash block_hash{};
  std::optional<Address> contract_address;
  std::vector<Log> logs;
};

struct FeeHistory {
  std::uint64_t oldest_block = 0;
  std::vector<u256> base_fee_per_gas;  // one more than the blocks: the next block's base fee last
  std::vector<double> gas_used_ratio;
  std::vector<std::vector<u256>> reward;  // per block, per requested percentile
};

// eth_getLogs / eth_subscribe("logs") filter.
struct LogFilter {
  std::optional<std::uint64_t> from_block;
  std::optional<std::uint64_t> to_block;
  std::vector<Address> addresses;
  // Position i: any of these topics (empty = wildcard).
  std::vector<std::vector<Hash>> topics;
};

}  // namespace chain::rpc
