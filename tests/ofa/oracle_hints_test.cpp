// Hint -> pending update: the forms Chainlink SVR and MEV-Share share, table-driven, on a real
// mainnet OCR2 report (tests/oracles/chainlink/vectors/ethusd.hex, median 250790000000) wrapped
// as SVR sends it (tests/ofa/vectors/README.md).
#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <string>

#include "chain/hex.hpp"
#include "keeper/ofa/oracle_hints.hpp"
#include "keeper/process/source_dir.hpp"
#include "oracles/chainlink/svr_forward.hpp"

using namespace keeper::ofa;
using chain::Address;

namespace {

std::string vector_hex(const std::string& path) {
  std::ifstream in(::keeper::process::source_dir() + "/" + path);
  std::string text;
  in >> text;
  REQUIRE_FALSE(text.empty());
  return text;
}

const std::string kHash = "0x1111111111111111111111111111111111111111111111111111111111111111";
// The BTC/USD Aave SVR aggregator the SVR docs list, and a forwarder (the docs' example `to`).
const Address kSvrAggregator =
    Address::from_hex("0x85355da30ee4b35F4B30759Bd49a1EBE3fc41Bdb").value();
const std::string kForwarder = "0x45ab36b69e02e59d3c49b863b31f530c991dd554";
const std::string kOther = "0x0000c335bc9d5d1af0402cad63fa7f258363d71a";

std::string word_hex(const std::string& digits) {
  return std::string(64 - digits.size(), '0') + digits;
}

std::string tx_json(const std::string& to, const std::string& calldata) {
  std::string out = R"({"to":")" + to + R"(")";
  if (!calldata.empty())
    out += R"(,"functionSelector":")" + calldata.substr(0, 10) + R"(","callData":")" + calldata +
           R"(")";
  return out + "}";
}

std::string hint_json(const std::string& txs, const std::string& logs = "null") {
  return R"({"hash":")" + kHash + R"(","txs":[)" + txs + R"(],"logs":)" + logs + "}";
}

}  // namespace

TEST_CASE("SVR's forwarded transmitSecondary, direct calls and logs yield the update",
          "[ofa][hints]") {
  const std::string forwarded = vector_hex("tests/ofa/vectors/svr_forward_ethusd.hex");
  const std::string transmit = vector_hex("tests/oracles/chainlink/vectors/ethusd.hex");
  const std::string secondary = "0xba0cb29e" + transmit.substr(10);
  const std::string agg = kSvrAggregator.lower_hex();
  // NewTransmission(uint32 indexed roundId, int192 answer, ...): the answer is data word 0.
  const std::string new_transmission_log = R"({"address":")" + agg + R"(","topics":[")" +
                                           chain::hex_encode(ocr2_new_transmission_topic()) +
                                           R"(",")" + "0x" + word_hex("2a") + R"("],"data":"0x)" +
                                           word_hex("3a643fb580") + word_hex("0") + R"("})";
  // AnswerUpdated(int256 indexed current, uint256 indexed roundId, uint256 updatedAt).
  const std::string answer_updated_log =
      R"({"address":")" + agg + R"(","topics":[")" + chain::hex_encode(answer_updated_topic()) +
      R"(","0x)" + std::string(56, 'f') + R"(ffffff9c","0x)" + word_hex("2a") + R"("],"data":"0x)" +
      word_hex("0") + R"("})";

  struct Case {
    const char* name;
    std::string hint;
    HintedUpdateKind kind;
    chain::i256 answer;
  };
  const std::vector<Case> cases{
      {"forward(aggregator, transmitSecondary) from a forwarder (what SVR sends)",
       hint_json(tx_json(kForwarder, forwarded)), HintedUpdateKind::forwarded_call,
       chain::i256{250790000000LL}},
      {"the same in a bundle event, behind someone else's transaction",
       hint_json(tx_json(kOther, "0x696d2073") + "," + tx_json(kForwarder, forwarded)),
       HintedUpdateKind::forwarded_call, chain::i256{250790000000LL}},
      {"transmitSecondary sent straight to the aggregator", hint_json(tx_json(agg, secondary)),
       HintedUpdateKind::direct_call, chain::i256{250790000000LL}},
      {"OCR2 transmit sent straight to the aggregator", hint_json(tx_json(agg, transmit)),
       HintedUpdateKind::direct_call, chain::i256{250790000000LL}},
      {"only the NewTransmission log is shared", hint_json("", "[" + new_transmission_log + "]"),
       HintedUpdateKind::log, chain::i256{250790000000LL}},
      {"only the AnswerUpdated log is shared (a negative answer)",
       hint_json("", "[" + answer_updated_log + "]"), HintedUpdateKind::log, chain::i256{-100}},
      {"calldata and log together: the calldata wins, one update",
       hint_json(tx_json(kForwarder, forwarded), "[" + answer_updated_log + "]"),
       HintedUpdateKind::forwarded_call, chain::i256{250790000000LL}},
  };
  for (const auto& c : cases) {
    INFO(c.name);
    OracleHintReader reader{{kSvrAggregator}};
    const auto hint = parse_hint(c.hint);
    REQUIRE(hint);
    const HintReading reading = reader.read(*hint);
    REQUIRE(reading.updates.size() == 1);
    CHECK_FALSE(reading.skip);
    const HintedUpdate& u = reading.updates[0];
    CHECK(chain::hex_encode(u.update_hash) == kHash);
    CHECK(u.aggregator == kSvrAggregator);
    CHECK(u.kind == c.kind);
    CHECK(u.answer == c.answer);
    CHECK(reader.counts().updates == 1);
  }
}

TEST_CASE("hints that carry no answer for a followed aggregator are skipped with a reason",
          "[ofa][hints]") {
  const std::string forwarded = vector_hex("tests/ofa/vectors/svr_forward_ethusd.hex");
  const std::string agg = kSvrAggregator.lower_hex();
  // transmitSecondary's report offset (inner bytes 100..131; the inner call starts at byte 100
  // of forward's calldata) pointed far past the end: the forward layer is sound, the update not.
  std::string broken_report = forwarded;
  broken_report.replace(2 + 2 * (100 + 4 + 96 + 27), 2, "7f");
  const std::string other_aggregator = "0x" + std::string(40, 'a');
  std::string forward_elsewhere = forwarded;
  forward_elsewhere.replace(10 + 24, 40, std::string(40, 'a'));  // forward's `to` word

  struct Case {
    const char* name;
    std::string hint;
    HintSkip skip;
  };
  const std::vector<Case> cases{
      {"someone's swap (Flashbots' docs example)",
       hint_json(tx_json(kOther, "0x696d20736861726969696969696e67")), HintSkip::not_followed},
      {"a forward call to an aggregator keeper does not follow",
       hint_json(tx_json(kForwarder, forward_elsewhere)), HintSkip::not_followed},
      {"a transaction to the aggregator with no calldata or logs shared",
       hint_json(tx_json(agg, "")), HintSkip::no_answer_shared},
      {"an unknown call to the aggregator", hint_json(tx_json(agg, "0x12345678")),
       HintSkip::malformed_update},
      {"a forward whose transmitSecondary is cut short",
       hint_json(tx_json(kForwarder, broken_report)), HintSkip::malformed_update},
      {"a NewTransmission log whose answer is not an int192",
       hint_json("", R"([{"address":")" + agg + R"(","topics":[")" +
                         chain::hex_encode(ocr2_new_transmission_topic()) + R"("],"data":"0x)" +
                         std::string(64, 'f').replace(0, 2, "7f") + R"("}])"),
       HintSkip::malformed_update},
      {"nothing shared at all", R"({"hash":")" + kHash + R"("})", HintSkip::not_followed},
  };
  for (const auto& c : cases) {
    INFO(c.name);
    OracleHintReader reader{{kSvrAggregator}};
    const auto hint = parse_hint(c.hint);
    REQUIRE(hint);
    const HintReading reading = reader.read(*hint);
    CHECK(reading.updates.empty());
    REQUIRE(reading.skip);
    CHECK(*reading.skip == c.skip);
    CHECK(reader.counts().hints == 1);
    CHECK(reader.counts().updates == 0);
  }
}

TEST_CASE("forward(address,bytes) is read with its bounds checked", "[ofa][hints]") {
  const auto data =
      chain::hex_decode(vector_hex("tests/ofa/vectors/svr_forward_ethusd.hex")).value();
  const auto call = oracles::chainlink::decode_forward(data);
  REQUIRE(call);
  CHECK(call->to == kSvrAggregator);
  const auto transmit =
      chain::hex_decode(vector_hex("tests/oracles/chainlink/vectors/ethusd.hex")).value();
  CHECK(call->inner.size() == transmit.size());  // transmitSecondary: same arguments
  CHECK(std::equal(transmit.begin() + 4, transmit.end(), call->inner.begin() + 4));
  const auto update = oracles::chainlink::decode_update(call->inner);
  REQUIRE(update);
  CHECK(update->answer == chain::i256{250790000000LL});
  CHECK(update->observations == 31);
  for (const std::size_t cut : {0UL, 3UL, 4UL, 35UL, 67UL, 99UL, 100UL}) {
    INFO(cut);
    CHECK_FALSE(oracles::chainlink::decode_forward(chain::BytesView{data}.first(cut)));
  }
  auto dirty = data;
  dirty[4] = 1;  // the address word's high bytes
  CHECK_FALSE(oracles::chainlink::decode_forward(dirty));
  auto far = data;
  far[4 + 32 + 27] = 0x7f;  // the bytes offset points past the end
  CHECK(oracles::chainlink::decode_forward(far).error() ==
        oracles::chainlink::UpdateError::offset_out_of_range);
}
