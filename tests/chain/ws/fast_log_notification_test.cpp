#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "chain/rpc/json_codec.hpp"
#include "chain/ws/fast_log_notification.hpp"

using chain::ws::parse_log_notification;

namespace {

const nlohmann::json kLog{
    {"address", "0x87870bca3f3fd6335c3f4ce8392d69350b4fa4e2"},
    {"topics",
     {"0xb3d084820fb1a9decffb176436bd02558d15fac9b0ddfed8c465bc7359d7dce0",
      "0x000000000000000000000000c02aaa39b223fe8d0a0e5c4f27ead9083c756cc2"}},
    {"data", "0x0000000000000000000000000000000000000000000000000de0b6b3a7640000"},
    {"blockNumber", "0x11a3c4b"},
    {"transactionHash", "0x6c1f9ea1b1f0fd4b0d5b51a0d9d7a6b0e9a0d2c1b3e4f5a6b7c8d9e0f1a2b3c4"},
    {"transactionIndex", "0x5"},
    {"blockHash", "0x8a1e2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8"},
    {"logIndex", "0x2a"},
    {"removed", true}};

std::string replace_first(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

nlohmann::json notification(const nlohmann::json& log) {
  return {{"jsonrpc", "2.0"},
          {"method", "eth_subscription"},
          {"params", {{"subscription", "0xabc"}, {"result", log}}}};
}

}  // namespace

TEST_CASE("the fast log parser agrees with the general one", "[ws][fast]") {
  // nlohmann orders keys alphabetically; also try pretty-printed text.
  for (const auto& text : {notification(kLog).dump(), notification(kLog).dump(2)}) {
    const auto fast = parse_log_notification(text);
    REQUIRE(fast.has_value());
    CHECK(fast->subscription == "0xabc");
    const auto slow = chain::rpc::log_from_json(kLog).value();
    CHECK(fast->log.address == slow.address);
    CHECK(fast->log.topics == slow.topics);
    CHECK(fast->log.data == slow.data);
    CHECK(fast->log.block_number == slow.block_number);
    CHECK(fast->log.block_hash == slow.block_hash);
    CHECK(fast->log.transaction_hash == slow.transaction_hash);
    CHECK(fast->log.transaction_index == 5);
    CHECK(fast->log.log_index == 42);
    CHECK(fast->log.removed);
  }
}

TEST_CASE("anything unusual falls back to the general parser", "[ws][fast]") {
  auto missing = kLog;
  missing.erase("logIndex");
  auto bad_hex = kLog;
  bad_hex["data"] = "0xzz";
  auto five_topics = kLog;
  for (int i = 0; i < 3; ++i) five_topics["topics"].push_back(kLog["topics"][0]);
  const std::vector<std::string> rows{
      notification(missing).dump(),
      notification(bad_hex).dump(),
      notification(five_topics).dump(),
      R"({"jsonrpc":"2.0","id":1,"result":"0x1"})",
      R"({"jsonrpc":"2.0","method":"eth_subscription","params":{"subscription":"0x\u0061","result":{}}})",
      notification(kLog).dump() + "x",
      notification(kLog).dump().substr(0, 100),
      "",
      // Bytes that are not ASCII go to the general parser, which validates UTF-8: found by
      // fuzz/ws_frame_fuzz.cpp, where an invalid byte in an unused key passed the fast path.
      replace_first(notification(kLog).dump(), "removed",
                    "remov\x94"
                    "d"),
      replace_first(notification(kLog).dump(), "0xabc", "0xab\xc3\xa9"),
      // A mixed-case address must carry a valid EIP-55 checksum, as in the general path (also
      // found by ws_frame_fuzz).
      replace_first(notification(kLog).dump(), "0x87870bca3f3fd6335c3f4ce8392d69350b4fa4e2",
                    "0x87870bca3f3fd6335c3f4ce8392d69350bAfa4e2"),
  };
  for (const auto& text : rows) {
    CAPTURE(text);
    CHECK_FALSE(parse_log_notification(text).has_value());
  }
}
