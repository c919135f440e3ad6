#pragma once
// Strict conversions between JSON-RPC values and chain types. Everything a node sends is
// validated: wrong types, bad hex, overflow and wrong lengths are malformed errors naming the
// field.
#include <string_view>

#include <nlohmann/json.hpp>
#include <tl/expected.hpp>

#include "chain/rpc/rpc_error.hpp"
#include "chain/rpc/types.hpp"

namespace chain::rpc {

using Json = nlohmann::json;

template <class T>
using Parsed = tl::expected<T, RpcError>;

[[nodiscard]] Parsed<u256> quantity_u256(const Json& v, std::string_view field);
[[nodiscard]] Parsed<std::uint64_t> quantity_u64(const Json& v, std::string_view field);
[[nodiscard]] Parsed<Address> address_of(const Json& v, std::string_view field);
[[nodiscard]] Parsed<Hash> hash_of(const Json& v, std::string_view field);
[[nodiscard]] Parsed<Bytes> data_of(const Json& v, std::string_view field);

[[nodiscard]] Parsed<BlockHeader> block_header_from_json(const Json& v);
[[nodiscard]] Parsed<Log> log_from_json(const Json& v);
[[nodiscard]] Parsed<std::vector<Log>> logs_from_json(const Json& v);
[[nodiscard]] Parsed<Receipt> receipt_from_json(const Json& v);
[[nodiscard]] Parsed<FeeHistory> fee_history_from_json(const Json& v);
// An eth_getTransactionByHash / newPendingTransactions body. Mined bodies decode too (their block
// fields are not read); the fee fields its `type` needs are required.
[[nodiscard]] Parsed<PendingTransaction> pending_transaction_from_json(const Json& v);

[[nodiscard]] Json to_json(const LogFilter& filter);
[[nodiscard]] std::string block_tag(std::uint64_t number);  // "0x…"

}  // namespace chain::rpc
