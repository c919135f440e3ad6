#include <catch2/catch.hpp>

#include <functional>
#include <map>

#include <nlohmann/json.hpp>

#include "chain/abi/codec.hpp"
#include "chain/abi/signature.hpp"
#include "chain/hex.hpp"
#include "dex/uniswap_v3/pool_loader.hpp"
#include "tests/support/scripted_http_server.hpp"

using namespace dex::uniswap_v3;
using keeper::testing::ScriptedHttpServer;
using keeper::testing::ScriptedResponse;
namespace abi = chain::abi;
using Json = nlohmann::json;

namespace {

const chain::Address kPool =
    chain::Address::from_hex("0x1111111111111111111111111111111111111111").value();

std::string word(const abi::Value& v, const abi::Type& t) {
  return chain::hex_encode(abi::encode(std::vector{t}, std::vector{v}).value());
}

// A pool answered by a scripted node: each eth_call's answer (return data hex, or a JSON-RPC
// error object) by the called function's signature, with the argument for tickBitmap/ticks.
struct FakePool {
  // fee 3000, spacing 60, at tick -1 (just below price 1), with ticks -60 (word -1) and 15360
  // (word 1, bit 0).
  std::map<std::string, std::function<Json(std::int64_t)>> answers{
      {"slot0()",
       [](std::int64_t) {
         const auto price = get_sqrt_ratio_at_tick(-1).value() + 5;
         return Json{chain::hex_encode(
             abi::encode(std::vector{abi::Type::uint(160), abi::Type::int_(24), abi::Type::uint(16),
                                     abi::Type::uint(16), abi::Type::uint(16), abi::Type::uint(8),
                                     abi::Type::boolean()},
                         std::vector<abi::Value>{price, abi::Value{-1}, 0U, 1U, 1U, 0U, true})
                 .value())};
       }},
      {"liquidity()", [](std::int64_t) { return Json{word(u256{777}, abi::Type::uint(128))}; }},
      {"fee()", [](std::int64_t) { return Json{word(3000U, abi::Type::uint(24))}; }},
      {"tickSpacing()",
       [](std::int64_t) { return Json{word(abi::Value{60}, abi::Type::int_(24))}; }},
      {"token0()", [](std::int64_t) { return Json{word(chain::Address{}, abi::Type::address())}; }},
      {"token1()", [](std::int64_t) { return Json{word(kPool, abi::Type::address())}; }},
      {"tickBitmap(int16)",
       [](std::int64_t w) {
         u256 bits = 0;
         if (w == -1) bits = u256{1} << 255;  // compressed -1: tick -60
         if (w == 1) bits = 1;                // compressed 256: tick 15360
         return Json{word(bits, abi::Type::uint())};
       }},
      {"ticks(int24)",
       [](std::int64_t t) {
         const chain::i256 net = t < 0 ? chain::i256{777} : chain::i256{-777};
         return Json{chain::hex_encode(
             abi::encode(std::vector{abi::Type::uint(128), abi::Type::int_(128), abi::Type::uint(),
                                     abi::Type::uint(), abi::Type::int_(56), abi::Type::uint(160),
                                     abi::Type::uint(32), abi::Type::boolean()},
                         std::vector<abi::Value>{u256{777}, abi::Value::from_int(net), 0U, 0U, 0,
                                                 0U, 0U, true})
                 .value())};
       }},
  };

  [[nodiscard]] Json answer_call(const Json& call) const {
    const auto data = chain::hex_decode(call["params"][0]["data"].get<std::string>()).value();
    for (const auto& [signature, answer] : answers) {
      const auto sel = abi::selector(signature);
      if (!std::equal(sel.begin(), sel.end(), data.begin())) continue;
      std::int64_t arg = 0;
      if (data.size() >= 36) {
        chain::Hash w{};
        std::copy(data.begin() + 4, data.begin() + 36, w.begin());
        arg = static_cast<std::int64_t>(abi::decode_word(abi::Type::int_(24), w).value().as_int());
      }
      const Json a = answer(arg)[0];
      if (a.is_object()) return Json{{"jsonrpc", "2.0"}, {"id", call["id"]}, {"error", a}};
      return Json{{"jsonrpc", "2.0"}, {"id", call["id"]}, {"result", a}};
    }
    return Json{{"jsonrpc", "2.0"}, {"id", call["id"]}, {"result", "0x"}};
  }

  [[nodiscard]] ScriptedResponse respond(const std::string& body) const {
    const Json req = Json::parse(body);
    if (!req.is_array())
      return {200, Json{{"jsonrpc", "2.0"}, {"id", req["id"]}, {"result", "0x10"}}.dump(), "",
              false};
    Json out = Json::array();
    for (const auto& call : req) out.push_back(answer_call(call));
    return {200, out.dump(), "", false};
  }
};

chain::rpc::RpcClientOptions fast(const std::string& url) {
  auto o = chain::rpc::RpcClientOptions::for_urls({url});
  o.max_attempts = 2;
  o.backoff_base = std::chrono::milliseconds{5};
  o.backoff_cap = std::chrono::milliseconds{10};
  o.http.request_timeout = std::chrono::milliseconds{500};
  o.call_budget = std::chrono::milliseconds{2000};
  return o;
}

tl::expected<LoadedPool, LoadError> load_from(const FakePool& fake, std::int32_t radius = 1) {
  ScriptedHttpServer node([&](const std::string& body) { return fake.respond(body); });
  chain::rpc::RpcClient client{fast(node.url())};
  LoadOptions options;
  options.words_each_side = radius;
  return load_pool(client, kPool, options);
}

}  // namespace

TEST_CASE("the loader reads a pool at one block and turns bitmap bits into ticks",
          "[uniswap][loader]") {
  const FakePool fake;
  const auto loaded = load_from(fake, 2);
  REQUIRE(loaded.has_value());
  CHECK(loaded->block == 16);
  const PoolState& s = loaded->state;
  CHECK(s.fee == 3000);
  CHECK(s.tick_spacing() == 60);
  CHECK(s.tick == -1);
  CHECK(s.liquidity == 777);
  CHECK(s.token1 == kPool);
  REQUIRE(s.ticks.ticks().size() == 2);
  CHECK(s.ticks.ticks()[0] == TickLiquidity{-60, 777, 777});
  CHECK(s.ticks.ticks()[1] == TickLiquidity{15360, 777, -777});
  CHECK(s.ticks.knows_word(-3));
  CHECK(s.ticks.knows_word(1));
  CHECK(!s.ticks.knows_word(2));  // radius 2 around word -1

  // Radius 1 stops at word 0: the tick in word 1 is not there, and the table says so.
  const auto narrow = load_from(fake, 1);
  REQUIRE(narrow.has_value());
  CHECK(narrow->state.ticks.ticks().size() == 1);
  CHECK(!narrow->state.ticks.knows_word(1));
}

TEST_CASE(
    "loader errors say whether to retry (rpc), give up on the address (reverted) or distrust "
    "the data (bad_data)",
    "[uniswap][loader]") {
  struct Row {
    const char* name;
    std::string signature;
    std::function<Json(std::int64_t)> answer;
    LoadErrorKind kind;
  };
  const Json reverted{{"code", 3}, {"message", "execution reverted"}, {"data", "0x"}};
  const Row rows[] = {
      {"a call reverts", "fee()", [&](std::int64_t) { return Json{reverted}; },
       LoadErrorKind::reverted},
      {"no code: empty return data", "slot0()", [](std::int64_t) { return Json{"0x"}; },
       LoadErrorKind::reverted},
      {"node busy", "liquidity()",
       [](std::int64_t) {
         return Json{Json{{"code", -32005}, {"message", "limit exceeded"}}};
       },
       LoadErrorKind::rpc},
      {"fee of 100%", "fee()",
       [](std::int64_t) { return Json{word(1'000'000U, abi::Type::uint(24))}; },
       LoadErrorKind::bad_data},
      {"zero tick spacing", "tickSpacing()",
       [](std::int64_t) { return Json{word(abi::Value{0}, abi::Type::int_(24))}; },
       LoadErrorKind::bad_data},
      {"truncated return data", "liquidity()", [](std::int64_t) { return Json{"0x0102"}; },
       LoadErrorKind::bad_data},
      {"uint128 with dirty high bits", "liquidity()",
       [](std::int64_t) { return Json{word(u256{1} << 200, abi::Type::uint())}; },
       LoadErrorKind::bad_data},
      {"slot0 tick far from its price", "slot0()",
       [](std::int64_t) {
         return Json{chain::hex_encode(
             abi::encode(
                 std::vector{abi::Type::uint(160), abi::Type::int_(24), abi::Type::uint(16),
                             abi::Type::uint(16), abi::Type::uint(16), abi::Type::uint(8),
                             abi::Type::boolean()},
                 std::vector<abi::Value>{u256{1} << 96, abi::Value{500}, 0U, 1U, 1U, 0U, true})
                 .value())};
       },
       LoadErrorKind::bad_data},
      {"a set bit whose tick holds nothing", "ticks(int24)",
       [](std::int64_t) {
         return Json{chain::hex_encode(
             abi::encode(std::vector{abi::Type::uint(128), abi::Type::int_(128), abi::Type::uint(),
                                     abi::Type::uint(), abi::Type::int_(56), abi::Type::uint(160),
                                     abi::Type::uint(32), abi::Type::boolean()},
                         std::vector<abi::Value>{0U, 0, 0U, 0U, 0, 0U, 0U, false})
                 .value())};
       },
       LoadErrorKind::bad_data},
  };
  for (const Row& r : rows) {
    CAPTURE(r.name);
    FakePool fake;
    fake.answers[r.signature] = r.answer;
    const auto loaded = load_from(fake);
    REQUIRE(!loaded.has_value());
    CHECK(loaded.error().kind == r.kind);
    CHECK(!loaded.error().message.empty());
  }

  // Nothing listens: a transport failure, worth a retry.
  chain::rpc::RpcClient dead{fast("http://127.0.0.1:1")};
  const auto none = load_pool(dead, kPool);
  REQUIRE(!none.has_value());
  CHECK(none.error().kind == LoadErrorKind::rpc);
}
