// A pending transaction's signed bytes rebuilt from the node's JSON: what a bundle carries when
// it backruns someone else's transaction. Checked against the hash, so nothing else is sent.
#include <catch2/catch.hpp>

#include "chain/hex.hpp"
#include "chain/keccak.hpp"
#include "chain/rpc/json_codec.hpp"
#include "chain/rpc/raw_transaction.hpp"
#include "chain/transaction.hpp"

using namespace chain;
using namespace chain::rpc;

namespace {

// As anvil 1.7 answers eth_getTransactionByHash for a legacy (EIP-155) transaction still pending.
const Json kLegacy = Json::parse(R"({
  "type":"0x0","chainId":"0x7a69","nonce":"0x0","gasPrice":"0x77359400","gas":"0x5208",
  "to":"0x70997970c51812dc3a010c7d01b50e0d17dc79c8","value":"0xde0b6b3a7640000","input":"0x",
  "r":"0xa065f25625ee92f418f720274bdf633c4ef86074e18c48de2fc2d6a490ea1b5a",
  "s":"0x1363c2791edd58031b02bd65e949c4dd6485ea7efa26a241ae02944e121406a7","v":"0xf4f5",
  "hash":"0xfd7368dc672482eee7adfd0e8d2bdad7d92592ede85248663298d33d832d3abf",
  "blockHash":null,"blockNumber":null,"transactionIndex":null,
  "from":"0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266"})");

std::string quantity(const u256& v) { return to_hex_quantity(v); }

// A node's JSON for a transaction keeper signs itself (anvil's dev key 0), with an access list.
Json node_json(const SignedTx& signed_tx) {
  const auto& tx = std::get<Eip1559Tx>(signed_tx.tx);
  Json list = Json::array();
  for (const auto& e : tx.access_list) {
    Json keys = Json::array();
    for (const auto& k : e.storage_keys) keys.push_back(hex_encode(k));
    list.push_back({{"address", e.address.lower_hex()}, {"storageKeys", keys}});
  }
  return {{"type", "0x2"},
          {"chainId", quantity(u256{tx.chain_id})},
          {"nonce", quantity(u256{tx.nonce})},
          {"gas", quantity(u256{tx.gas_limit})},
          {"maxFeePerGas", quantity(tx.max_fee_per_gas)},
          {"maxPriorityFeePerGas", quantity(tx.max_priority_fee_per_gas)},
          {"gasPrice", quantity(tx.max_fee_per_gas)},
          {"to", tx.to->lower_hex()},
          {"value", quantity(tx.value)},
          {"input", hex_encode(tx.data)},
          {"accessList", list},
          {"v", quantity(u256{signed_tx.signature.y_parity})},
          {"yParity", quantity(u256{signed_tx.signature.y_parity})},
          {"r", quantity(signed_tx.signature.r)},
          {"s", quantity(signed_tx.signature.s)},
          {"hash", hex_encode(signed_tx.hash)},
          {"from", "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266"}};
}

SignedTx signed_update() {
  Eip1559Tx tx;
  tx.chain_id = 31337;
  tx.nonce = 42;
  tx.max_priority_fee_per_gas = u256{3'000'000'000ULL};
  tx.max_fee_per_gas = u256{40'000'000'000ULL};
  tx.gas_limit = 300'000;
  tx.to = Address::from_hex("0x5FbDB2315678afecb367f032d93F642f64180aa3").value();
  tx.data = hex_decode("0xa87a20ce00000000000000000000000000000000000000000000000000038d7ea4c68000")
                .value();
  tx.access_list.push_back({*tx.to, {keccak256(std::string_view{"slot"})}});
  const auto key =
      PrivateKey::from_hex("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80")
          .value();
  return sign_transaction(tx, key).value();
}

}  // namespace

TEST_CASE("a pending transaction's signed bytes are rebuilt exactly", "[rpc][pending]") {
  SECTION("legacy with EIP-155, as anvil shows it") {
    const auto tx = pending_transaction_from_json(kLegacy).value();
    const auto raw = signed_bytes(tx);
    REQUIRE(raw.has_value());
    CHECK(keccak256(*raw) == tx.hash);
    const auto decoded = decode_signed(*raw).value();
    CHECK(std::get<LegacyTx>(decoded.tx).chain_id == 31337);
    CHECK(recover_sender(decoded).value().lower_hex() ==
          "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266");
  }
  SECTION("EIP-1559 with an access list") {
    const auto signed_tx = signed_update();
    const auto tx = pending_transaction_from_json(node_json(signed_tx)).value();
    REQUIRE(tx.access_list.size() == 1);
    const auto raw = signed_bytes(tx);
    REQUIRE(raw.has_value());
    CHECK(*raw == signed_tx.raw);
  }
}

TEST_CASE("a pending transaction that cannot be rebuilt says why", "[rpc][pending]") {
  const Json base = node_json(signed_update());
  struct Row {
    const char* what;
    const char* field;
    Json value;  // null: the field is removed
    RawTxError want;
  };
  const Row rows[] = {
      {"a field the node altered", "nonce", "0x2b", RawTxError::hash_mismatch},
      {"an access list the node dropped", "accessList", Json::array(), RawTxError::hash_mismatch},
      {"no signature", "r", nullptr, RawTxError::missing_signature},
      {"a parity that is no parity", "yParity", "0x2", RawTxError::bad_v},
      {"no chain id", "chainId", nullptr, RawTxError::missing_field},
      {"an access-list (type 1) transaction", "type", "0x1", RawTxError::unsupported_type},
      {"a blob transaction", "type", "0x3", RawTxError::unsupported_type},
  };
  for (const auto& r : rows) {
    INFO(r.what);
    Json v = base;
    if (r.value.is_null())
      v.erase(r.field);
    else
      v[r.field] = r.value;
    const auto tx = pending_transaction_from_json(v);
    REQUIRE(tx.has_value());
    const auto raw = signed_bytes(*tx);
    REQUIRE_FALSE(raw.has_value());
    CHECK(raw.error() == r.want);
  }
  // A legacy v that is neither 27/28 nor an EIP-155 value.
  Json legacy = kLegacy;
  legacy["v"] = "0x5";
  CHECK(signed_bytes(pending_transaction_from_json(legacy).value()).error() == RawTxError::bad_v);
}
