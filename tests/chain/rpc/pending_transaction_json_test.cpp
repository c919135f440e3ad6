#include <catch2/catch.hpp>

#include "chain/hex.hpp"
#include "chain/rpc/json_codec.hpp"

using namespace chain;
using namespace chain::rpc;

namespace {

// Both bodies as anvil 1.7 answers eth_getTransactionByHash for a transaction still pending.
const Json kLegacy = Json::parse(R"({
  "type":"0x0","chainId":"0x7a69","nonce":"0x0","gasPrice":"0x77359400","gas":"0x5208",
  "to":"0x70997970c51812dc3a010c7d01b50e0d17dc79c8","value":"0xde0b6b3a7640000","input":"0x",
  "r":"0xa065f25625ee92f418f720274bdf633c4ef86074e18c48de2fc2d6a490ea1b5a",
  "s":"0x1363c2791edd58031b02bd65e949c4dd6485ea7efa26a241ae02944e121406a7","v":"0xf4f5",
  "hash":"0xfd7368dc672482eee7adfd0e8d2bdad7d92592ede85248663298d33d832d3abf",
  "blockHash":null,"blockNumber":null,"transactionIndex":null,
  "from":"0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266"})");

const Json kEip1559 = Json::parse(R"({
  "type":"0x2","chainId":"0x7a69","nonce":"0x7","gas":"0x7a120","maxFeePerGas":"0xb2d05e00",
  "maxPriorityFeePerGas":"0x3b9aca00","to":"0x87870bca3f3fd6335c3f4ce8392d69350b4fa4e2",
  "value":"0x0","accessList":[],
  "input":"0x00a718a9000000000000000000000000c02aaa39b223fe8d0a0e5c4f27ead9083c756cc2",
  "r":"0x49d1665a9f31e4ea6ecba4d70addcfdcdcf2a554f02a5f474475621d6d982bf7",
  "s":"0x79d83f8661d46bc308ba084184a395ebe047ff37acec8f7d0893b931da8b1918","yParity":"0x1",
  "v":"0x1","hash":"0x20a4db6a50259030fa78b7ae0d87c16ad353f06e47587a575b7055525897f570",
  "blockHash":null,"blockNumber":null,"transactionIndex":null,
  "from":"0x70997970c51812dc3a010c7d01b50e0d17dc79c8","gasPrice":"0x77359400"})");

u256 gwei(std::uint64_t n) { return u256{n} * 1'000'000'000ULL; }

}  // namespace

TEST_CASE("a pending legacy transaction decodes with its gas price", "[rpc][pending]") {
  const auto tx = pending_transaction_from_json(kLegacy);
  REQUIRE(tx.has_value());
  CHECK(hex_encode(tx->hash) ==
        "0xfd7368dc672482eee7adfd0e8d2bdad7d92592ede85248663298d33d832d3abf");
  CHECK(tx->from.lower_hex() == "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266");
  REQUIRE(tx->to.has_value());
  CHECK(tx->to->lower_hex() == "0x70997970c51812dc3a010c7d01b50e0d17dc79c8");
  CHECK(tx->nonce == 0);
  CHECK(tx->input.empty());
  CHECK(tx->value == u256{1'000'000'000'000'000'000ULL});
  CHECK(tx->gas == 21000);
  CHECK(tx->type == 0);
  CHECK(tx->gas_price == gwei(2));
  CHECK_FALSE(tx->max_fee_per_gas.has_value());
  CHECK_FALSE(tx->max_priority_fee_per_gas.has_value());
}

TEST_CASE("a pending EIP-1559 transaction decodes with both fee caps", "[rpc][pending]") {
  const auto tx = pending_transaction_from_json(kEip1559);
  REQUIRE(tx.has_value());
  CHECK(tx->from.lower_hex() == "0x70997970c51812dc3a010c7d01b50e0d17dc79c8");
  CHECK(tx->to->lower_hex() == "0x87870bca3f3fd6335c3f4ce8392d69350b4fa4e2");
  CHECK(tx->nonce == 7);
  CHECK(hex_encode(tx->input) ==
        "0x00a718a9000000000000000000000000c02aaa39b223fe8d0a0e5c4f27ead9083c756cc2");
  CHECK(tx->value == 0);
  CHECK(tx->gas == 500000);
  CHECK(tx->type == 2);
  CHECK(tx->max_fee_per_gas == gwei(3));
  CHECK(tx->max_priority_fee_per_gas == gwei(1));
  CHECK(tx->gas_price == gwei(2));  // the node's fill-in; the tip ignores it
}

TEST_CASE("a contract creation has no recipient, null or absent", "[rpc][pending]") {
  Json v = kEip1559;
  v["to"] = nullptr;
  CHECK_FALSE(pending_transaction_from_json(v).value().to.has_value());
  v.erase("to");
  CHECK_FALSE(pending_transaction_from_json(v).value().to.has_value());
}

TEST_CASE("the effective tip is what the block producer earns per gas", "[rpc][pending]") {
  const auto legacy = pending_transaction_from_json(kLegacy).value();    // gasPrice 2 gwei
  const auto dynamic = pending_transaction_from_json(kEip1559).value();  // max 3, tip 1 gwei
  CHECK(effective_tip(legacy, gwei(1)) == gwei(1));
  CHECK(effective_tip(legacy, gwei(2)) == 0);
  CHECK(effective_tip(legacy, gwei(5)) == 0);  // cannot pay the base fee: no tip, not negative
  CHECK(effective_tip(dynamic, 0) == gwei(1));
  CHECK(effective_tip(dynamic, gwei(1)) == gwei(1));          // the priority fee caps it
  CHECK(effective_tip(dynamic, gwei(5) / 2) == gwei(1) / 2);  // the max fee caps it
  CHECK(effective_tip(dynamic, gwei(3)) == 0);
  CHECK(effective_tip(dynamic, gwei(4)) == 0);
}

TEST_CASE("malformed pending transactions are errors naming the field", "[rpc][pending]") {
  struct Case {
    const char* why;
    const Json& base;
    const char* field;
    Json value;  // null: remove the field
  };
  const std::vector<Case> cases{
      {"hash missing", kLegacy, "hash", nullptr},
      {"hash short", kLegacy, "hash", "0xfd73"},
      {"hash a number", kLegacy, "hash", 12},
      {"from missing", kLegacy, "from", nullptr},
      {"from bad hex", kLegacy, "from", "0xzz9fd6e51aad88f6f4ce6ab8827279cfffb92266"},
      {"to too long", kLegacy, "to", "0x70997970c51812dc3a010c7d01b50e0d17dc79c800"},
      {"to a number", kLegacy, "to", 5},
      {"nonce over 64 bits", kLegacy, "nonce", "0x10000000000000000"},
      {"nonce decimal number", kLegacy, "nonce", 3},
      {"input missing", kLegacy, "input", nullptr},
      {"input odd length", kLegacy, "input", "0xabc"},
      {"value not hex", kLegacy, "value", "1000"},
      {"gas missing", kLegacy, "gas", nullptr},
      {"type beyond a byte", kLegacy, "type", "0x100"},
      {"type a bool", kLegacy, "type", true},
      {"legacy without gas price", kLegacy, "gasPrice", nullptr},
      {"1559 without max fee", kEip1559, "maxFeePerGas", nullptr},
      {"1559 without tip", kEip1559, "maxPriorityFeePerGas", nullptr},
      {"gas price an object", kEip1559, "gasPrice", Json::object()},
  };
  for (const auto& c : cases) {
    CAPTURE(c.why);
    Json v = c.base;
    if (c.value.is_null()) {
      v.erase(c.field);
    } else {
      v[c.field] = c.value;
    }
    const auto tx = pending_transaction_from_json(v);
    REQUIRE_FALSE(tx.has_value());
    CHECK(tx.error().kind == RpcErrorKind::malformed);
    CHECK_THAT(tx.error().message, Catch::Contains(c.field));
  }
  for (const Json& not_object : {Json(nullptr), Json("0xfd73"), Json::array(), Json(1)}) {
    CAPTURE(not_object.dump());
    CHECK_FALSE(pending_transaction_from_json(not_object).has_value());
  }
}

TEST_CASE("transaction types keeper does not know keep the fees they name", "[rpc][pending]") {
  Json v = kLegacy;
  v["type"] = "0x7e";  // an OP-stack deposit: no fee fields at all
  v.erase("gasPrice");
  const auto tx = pending_transaction_from_json(v);
  REQUIRE(tx.has_value());
  CHECK(tx->type == 0x7e);
  CHECK(effective_tip(*tx, 0) == 0);
  Json untyped = kLegacy;  // a node from before typed transactions
  untyped.erase("type");
  CHECK(pending_transaction_from_json(untyped).value().type == 0);
}
