// MEV-Share hints: the events Flashbots documents parse field for field; hostile events give a
// typed error, never a crash.
#include <catch2/catch.hpp>

#include <string>

#include "chain/hex.hpp"
#include "keeper/ofa/mev_share_hint.hpp"

using namespace keeper::ofa;

namespace {

// docs.flashbots.net/flashbots-mev-share/searchers/event-stream, the curl example (Goerli).
constexpr const char* kDocsCurlEvent =
    R"({"hash":"0xc7dc06c994400830054ab815732d91275bc1241f9be62b62b687b7882f19b8d4","logs":null,)"
    R"("txs":[{"to":"0x0000c335bc9d5d1af0402cad63fa7f258363d71a","functionSelector":"0x696d2073",)"
    R"("callData":"0x696d20736861726969696969696e67"}]})";

// The same page's history example: no txs shared at all, gas figures present.
constexpr const char* kDocsHistoryHint =
    R"({"txs":null,"hash":"0x40a85a6e37b449033924da72c0cf9dabcf2ac726b5a88f0ceff330f11bd01913",)"
    R"("logs":null,"gasUsed":"0xaae60","mevGasPrice":"0x45a9b5b00"})";

}  // namespace

TEST_CASE("the event Flashbots' docs show parses field for field", "[ofa][hint]") {
  const auto hint = parse_hint(kDocsCurlEvent);
  REQUIRE(hint);
  CHECK(chain::hex_encode(hint->hash) ==
        "0xc7dc06c994400830054ab815732d91275bc1241f9be62b62b687b7882f19b8d4");
  CHECK(hint->logs.empty());
  REQUIRE(hint->txs.size() == 1);
  const HintTx& tx = hint->txs[0];
  REQUIRE(tx.to);
  CHECK(tx.to->lower_hex() == "0x0000c335bc9d5d1af0402cad63fa7f258363d71a");
  REQUIRE(tx.function_selector);
  CHECK(chain::hex_encode(*tx.function_selector) == "0x696d2073");
  REQUIRE(tx.call_data);
  CHECK(chain::hex_encode(*tx.call_data) == "0x696d20736861726969696969696e67");
  CHECK_FALSE(hint->gas_used);
}

TEST_CASE("a hint that shares nothing but its hash and gas parses", "[ofa][hint]") {
  const auto hint = parse_hint(kDocsHistoryHint);
  REQUIRE(hint);
  CHECK(hint->txs.empty());
  REQUIRE(hint->gas_used);
  CHECK(*hint->gas_used == 0xaae60);
  REQUIRE(hint->mev_gas_price);
  CHECK(*hint->mev_gas_price == chain::u256{0x45a9b5b00ULL});
}

TEST_CASE("a hint's logs parse with their topics and data", "[ofa][hint]") {
  const auto hint = parse_hint(
      R"({"hash":"0xb756c9f6c34309d32c32daf1289c96d64a1068dfc2ead5e9bd0504640b91249e","logs":[)"
      R"({"address":"0xc02aaa39b223fe8d0a0e5c4f27ead9083c756cc2","topics":[)"
      R"("0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef",)"
      R"("0x0000000000000000000000001b59718eafa2bffe5318e07c1c3cb2edde354f9c"],)"
      R"("data":"0x000000000000000000000000000000000000000000000000161545fdcf782a85"}],"txs":[]})");
  REQUIRE(hint);
  REQUIRE(hint->logs.size() == 1);
  CHECK(hint->logs[0].address.lower_hex() == "0xc02aaa39b223fe8d0a0e5c4f27ead9083c756cc2");
  CHECK(hint->logs[0].topics.size() == 2);
  CHECK(hint->logs[0].data.size() == 32);
}

TEST_CASE("malformed events are typed errors", "[ofa][hint]") {
  const std::string hash =
      R"("hash":"0xc7dc06c994400830054ab815732d91275bc1241f9be62b62b687b7882f19b8d4")";
  std::string many_txs = "{" + hash + R"(,"txs":[)";
  for (int i = 0; i < 65; ++i) many_txs += std::string{i == 0 ? "" : ","} + "{}";
  many_txs += "]}";
  struct Case {
    std::string text;
    HintError error;
  };
  const std::vector<Case> cases{
      {"", HintError::not_json},
      {"{\"hash\":", HintError::not_json},
      {"[1,2]", HintError::not_an_object},
      {"{}", HintError::bad_hash},
      {R"({"hash":"0x1234"})", HintError::bad_hash},
      {R"({"hash":12})", HintError::bad_hash},
      {"{" + hash + R"(,"txs":{}})", HintError::bad_txs},
      {"{" + hash + R"(,"txs":[1]})", HintError::bad_txs},
      {"{" + hash + R"(,"txs":[{"to":"0x12"}]})", HintError::bad_tx_field},
      {"{" + hash + R"(,"txs":[{"functionSelector":"0x1234"}]})", HintError::bad_tx_field},
      {"{" + hash + R"(,"txs":[{"callData":"0xzz"}]})", HintError::bad_tx_field},
      {"{" + hash + R"(,"txs":[{"callData":"0x123"}]})", HintError::bad_tx_field},
      {"{" + hash + R"(,"logs":"x"})", HintError::bad_logs},
      {"{" + hash + R"(,"logs":[{"topics":[]}]})", HintError::bad_log_field},
      {"{" + hash +
           R"(,"logs":[{"address":"0xc02aaa39b223fe8d0a0e5c4f27ead9083c756cc2","topics":["0x1"]}]})",
       HintError::bad_log_field},
      {"{" + hash + R"(,"gasUsed":"0x10000000000000000"})", HintError::bad_gas},
      {"{" + hash + R"(,"mevGasPrice":7})", HintError::bad_gas},
      {many_txs, HintError::too_many_items},
  };
  for (const auto& c : cases) {
    INFO(c.text.substr(0, 120));
    const auto hint = parse_hint(c.text);
    REQUIRE_FALSE(hint);
    CHECK(hint.error() == c.error);
    CHECK_FALSE(describe(hint.error()).empty());
  }
}
