#pragma once
// Typed views of what a node returns: block headers, logs, receipts, fee history, pending
// transactions.
#include <algorithm>
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

// A transaction the node holds but has not mined: a competitor's liquidation or an oracle update
// keeper wants to see before it lands. Fee fields are optional because they depend on `type`.
struct PendingTransaction {
  Hash hash{};
  Address from;
  std::optional<Address> to;  // nullopt: contract creation
  std::uint64_t nonce = 0;
  Bytes input;
  u256 value;
  std::uint64_t gas = 0;
  std::uint8_t type = 0;  // 0 legacy, 1 access list, 2 EIP-1559, 3 blob, 4 set-code
  std::optional<u256> gas_price;
  std::optional<u256> max_fee_per_gas;
  std::optional<u256> max_priority_fee_per_gas;
  // What rebuilding the signed bytes needs (a bundle carries the transaction it backruns): the
  // signature, and the fields of typed transactions. Absent when the node left them out.
  std::optional<std::uint64_t> chain_id;
  std::vector<std::pair<Address, std::vector<Hash>>> access_list;
  std::optional<u256> v;  // legacy: 27/28 or chainId*2+35/36; typed: the y parity
  std::optional<u256> r;
  std::optional<u256> s;
};

// What the block producer earns per gas from `tx` at `base_fee`: how competing transactions are
// ordered. The EIP-1559 fields win when present, because nodes also fill `gasPrice` of a pending
// 1559 transaction (with its max fee). Zero when the transaction cannot pay the base fee.
[[nodiscard]] inline u256 effective_tip(const PendingTransaction& tx, const u256& base_fee) {
  if (tx.max_fee_per_gas && tx.max_priority_fee_per_gas) {
    if (*tx.max_fee_per_gas <= base_fee) return 0;
    return std::min(*tx.max_priority_fee_per_gas, u256{*tx.max_fee_per_gas - base_fee});
  }
  if (tx.gas_price && *tx.gas_price > base_fee) return *tx.gas_price - base_fee;
  return 0;
}

// eth_getLogs / eth_subscribe("logs") filter.
struct LogFilter {
  std::optional<std::uint64_t> from_block;
  std::optional<std::uint64_t> to_block;
  std::vector<Address> addresses;
  // Position i: any of these topics (empty = wildcard).
  std::vector<std::vector<Hash>> topics;
};

}  // namespace chain::rpc
