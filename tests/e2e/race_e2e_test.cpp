// keeper against a naive competitor on the same market: a polling bot written here (it polls the
// head, batches getUserAccountData for every borrower, and sends liquidationCall for each account
// below 1 with a fixed gas limit and a 1 gwei tip, never simulating). WETH falls 25% through the
// feed's storage (no oracle event), so both see it at the same head; anvil orders each block by
// tip. The chain's LiquidationCall events say who covered how much debt.
#include <catch2/catch.hpp>

#include <atomic>
#include <cmath>
#include <fstream>
#include <thread>

#include "chain/abi/signature.hpp"
#include "chain/hex.hpp"
#include "tests/support/live_devnet.hpp"
#include "tests/support/unlocked_send.hpp"

using namespace chain;
using keeper::testing::LiveDevnet;
using keeper::testing::metric;
using keeper::testing::of_kind;
using nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::seconds;

namespace {

// anvil's development account 2: unlocked, so the bot sends with eth_sendTransaction.
const Address kBot = Address::from_hex("0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC").value();
const u256 kOne{1'000'000'000'000'000'000ULL};

class PollingBot {
 public:
  PollingBot(const keeper::devnet::Deployment& d, std::chrono::steady_clock::time_point until)
      : d_{d}, until_{until}, thread_{[this] { run(); }} {}
  ~PollingBot() {
    stop_ = true;
    thread_.join();
  }
  PollingBot(const PollingBot&) = delete;
  PollingBot& operator=(const PollingBot&) = delete;
  [[nodiscard]] std::uint64_t sent() const { return sent_; }

 private:
  void run() {
    rpc::RpcClient rpc{rpc::RpcClientOptions::for_urls({d_.http_url})};
    const auto account_data =
        abi::parse_function(
            "getUserAccountData(address)(uint256,uint256,uint256,uint256,uint256,uint256)")
            .value();
    std::uint64_t last = 0;
    while (!stop_ && std::chrono::steady_clock::now() < until_) {
      const auto head = rpc.block("latest");
      if (!head || head->number == last) {
        std::this_thread::sleep_for(milliseconds{50});
        continue;
      }
      last = head->number;
      std::vector<rpc::Call> calls;
      for (const auto& b : d_.borrowers) {
        const auto data = account_data.encode_call(abi::Values{abi::Value{b.address}}).value();
        calls.push_back(
            {"eth_call", json::array({rpc::to_json(rpc::CallRequest{std::nullopt, d_.pool, data,
                                                                    std::nullopt, std::nullopt}),
                                      "latest"})});
      }
      const auto answers = rpc.batch(calls);
      if (!answers) continue;
      const u256 base = head->base_fee_per_gas.value_or(0);
      for (std::size_t i = 0; i < d_.borrowers.size(); ++i) {
        const auto& answer = (*answers)[i];
        if (!answer || !answer->is_string()) continue;
        const auto bytes = hex_decode(answer->get<std::string>());
        if (!bytes) continue;
        const auto fields = account_data.decode_output(*bytes);
        if (!fields || (*fields)[5].as_uint() >= kOne) continue;
        const auto& b = d_.borrowers[i];
        const auto* collateral = d_.asset(b.collateral.front());
        const auto* debt = d_.asset(b.debt);
        const auto data =
            abi::encode_call(
                "liquidationCall(address,address,address,uint256,bool)",
                abi::Values{abi::Value{collateral->token}, abi::Value{debt->token},
                            abi::Value{b.address}, abi::Value{kU256Max}, abi::Value{false}})
                .value();
        const u256 tip{1'000'000'000};
        const json tx{{"from", kBot.lower_hex()},
                      {"to", d_.pool.lower_hex()},
                      {"data", hex_encode(data)},
                      {"gas", "0x100000"},
                      {"maxPriorityFeePerGas", to_hex_quantity(tip)},
                      {"maxFeePerGas", to_hex_quantity(base * 2 + tip)}};
        if (rpc.call("eth_sendTransaction", json::array({tx}))) ++sent_;
      }
    }
  }

  const keeper::devnet::Deployment& d_;
  std::chrono::steady_clock::time_point until_;
  std::atomic<bool> stop_{false};
  std::atomic<std::uint64_t> sent_{0};
  std::thread thread_;
};

// The bot holds every debt asset and lets the Pool pull it, as a liquidator must.
void fund_bot(LiveDevnet& net) {
  for (const auto& a : net.deployment().assets) {
    u256 lots{10'000'000'000ULL};  // ten billion whole tokens
    for (unsigned i = 0; i < a.spec.decimals; ++i) lots *= 10;
    REQUIRE(keeper::testing::send_unlocked(net.rpc(), kBot, a.token, "mint(uint256)",
                                           {abi::Value{lots}}));
    REQUIRE(
        keeper::testing::send_unlocked(net.rpc(), kBot, a.token, "approve(address,uint256)",
                                       {abi::Value{net.deployment().pool}, abi::Value{kU256Max}}));
  }
}

struct Covered {
  double keeper_usd = 0;
  double bot_usd = 0;
  std::uint64_t keeper_calls = 0;
  std::uint64_t bot_calls = 0;
};

// Debt covered by each liquidator since `from`, in USD at the oracle's prices now.
Covered covered_since(LiveDevnet& net, std::uint64_t from) {
  const auto& d = net.deployment();
  rpc::LogFilter filter;
  filter.addresses = {d.pool};
  filter.topics = {
      {keccak256("LiquidationCall(address,address,address,uint256,uint256,address,bool)")}};
  filter.from_block = from;
  filter.to_block = net.rpc().block_number().value();
  const auto price_of = abi::parse_function("getAssetPrice(address)(uint256)").value();
  Covered out;
  const auto logs = net.rpc().logs(filter).value();
  for (const auto& log : logs) {
    const Address debt = Address::from_word(log.topics[2]);
    Hash word{};
    std::copy(log.data.begin(), log.data.begin() + 32, word.begin());
    const u256 amount = from_be(word).value();
    std::copy(log.data.begin() + 64, log.data.begin() + 96, word.begin());
    const Address liquidator = Address::from_word(word);
    const auto* asset = [&]() -> const keeper::devnet::DeployedAsset* {
      for (const auto& a : d.assets)
        if (a.token == debt) return &a;
      return nullptr;
    }();
    REQUIRE(asset != nullptr);
    const auto price_bytes =
        net.rpc()
            .eth_call({std::nullopt, d.oracle,
                       price_of.encode_call(abi::Values{abi::Value{debt}}).value(), std::nullopt,
                       std::nullopt},
                      "latest")
            .value();
    const double price = to_double(price_of.decode_output(price_bytes).value()[0].as_uint()) / 1e8;
    const double usd = to_double(amount) / std::pow(10.0, asset->spec.decimals) * price;
    if (liquidator == d.liquidator || liquidator == d.liquidator_contract) {
      out.keeper_usd += usd;
      ++out.keeper_calls;
    } else if (liquidator == kBot) {
      out.bot_usd += usd;
      ++out.bot_calls;
    }
  }
  return out;
}

}  // namespace

TEST_CASE("keeper wins the race against a polling bot on the same market", "[e2e][race]") {
  LiveDevnet net{"race"};
  fund_bot(net);
  const auto port = keeper::pick_free_port().value();
  const auto keeper = net.start_keeper(net.config(), port);
  const auto deadline = std::chrono::steady_clock::now() + seconds{45};
  PollingBot bot{net.deployment(), deadline};
  std::this_thread::sleep_for(seconds{2});  // both are following heads

  // WETH 2000 -> 1500 in the aggregator's storage: no transaction, no event; both learn it from
  // the next head. Mining pauses around the write so that the new price first exists in a block
  // (anvil's "latest" state would otherwise show it to eth_call before any block holds it).
  REQUIRE(net.rpc().call("evm_setIntervalMining", json::array({0})).has_value());
  const auto written_at = net.rpc().block_number().value();
  net.write_feed_answer("WETH", u256{150'000'000'000ULL});
  REQUIRE(net.rpc().call("evm_mine", json::array()).has_value());
  REQUIRE(net.rpc().call("evm_setIntervalMining", json::array({1})).has_value());
  std::this_thread::sleep_for(seconds{30});

  const auto covered = covered_since(net, written_at);
  const auto metrics = keeper::testing::http_get(port, "/metrics");
  REQUIRE(metrics.status == 200);
  INFO(metrics.body);
  INFO(keeper->output());
  CAPTURE(covered.keeper_usd, covered.bot_usd, covered.keeper_calls, covered.bot_calls, bot.sent());
  REQUIRE(covered.keeper_usd + covered.bot_usd > 0);
  CHECK(covered.keeper_usd / (covered.keeper_usd + covered.bot_usd) >= 0.90);
  CHECK(metric(metrics.body, "keeper_transactions_total{outcome=\"reverted\"}") == 0);
  CHECK(metric(metrics.body, "keeper_transactions_total{outcome=\"mined\"}") >= 1);
  // Nothing liquidatable with at least $1 of collateral is left.
  const auto head = net.rpc().block_number().value();
  const auto out = keeper::testing::run_command(keeper::testing::keeper_command(
      "scan --json --block " + std::to_string(head) + " --config " + net.config()));
  REQUIRE(out.exit_code == 0);
  std::vector<std::string> left;
  for (const auto& row : json::parse(out.output.substr(out.output.find('['))))
    // keeper run follows the config's first market (Aave V3); the scan lists Morpho's too.
    if (row.value("protocol", std::string{"aave-v3"}) == "aave-v3" &&
        u256_from_dec(row["health_factor"].get<std::string>()).value() < kOne &&
        u256_from_dec(row["total_collateral_base"].get<std::string>()).value() >= u256{100'000'000})
      left.push_back(row["account"].get<std::string>() + " collateral " +
                     row["total_collateral_base"].get<std::string>());
  CAPTURE(left);
  CHECK(left.empty());
}

TEST_CASE("a competitor's pending liquidation is outbid by replacing keeper's own", "[e2e][race]") {
  LiveDevnet net{"outbid"};
  fund_bot(net);
  // keeper opens with a token tip (a millionth of its margin), so a 1 gwei competitor is above it.
  std::string config_text;
  {
    std::ifstream in(net.config());
    config_text.assign(std::istreambuf_iterator<char>(in), {});
  }
  const auto at = config_text.find("[strategy]\n");
  REQUIRE(at != std::string::npos);
  config_text.insert(at + 11, "bid_share = 0.000001\n");
  const auto config = (net.dir() / "keeper-outbid.toml").string();
  { std::ofstream(config) << config_text; }
  const auto port = keeper::pick_free_port().value();
  const auto keeper = net.start_keeper(config, port);
  auto& k = *keeper;

  // Blocks only when the test mines them: keeper's liquidations wait in the pool meanwhile.
  REQUIRE(net.rpc().call("evm_setIntervalMining", json::array({0})).has_value());
  REQUIRE(net.rpc().call("evm_setAutomine", json::array({false})).has_value());
  net.write_feed_answer("WETH", u256{150'000'000'000ULL});
  REQUIRE(net.rpc().call("evm_mine", json::array()).has_value());
  const auto priced = net.rpc().block_number().value();
  REQUIRE(k.wait_for([](const auto& e) { return of_kind(e, "liquidation_sent").size() >= 40; },
                     milliseconds{20000}));
  // An Aave liquidation (the devnet's Morpho market is followed beside it).
  std::vector<json> sent;
  for (const auto& e : of_kind(k.events(), "liquidation_sent"))
    if (e.value("market", std::string{}) == "devnet") sent.push_back(e);
  REQUIRE_FALSE(sent.empty());
  const auto target = Address::from_hex(sent.front()["account"].get<std::string>()).value();
  const auto* borrower = [&]() -> const keeper::devnet::Borrower* {
    for (const auto& b : net.deployment().borrowers)
      if (b.address == target) return &b;
    return nullptr;
  }();
  REQUIRE(borrower != nullptr);

  // The competitor: the same account at a 1 gwei tip.
  const auto base = net.rpc().block("latest").value().base_fee_per_gas.value_or(0);
  const auto data =
      abi::encode_call(
          "liquidationCall(address,address,address,uint256,bool)",
          abi::Values{abi::Value{net.deployment().asset(borrower->collateral.front())->token},
                      abi::Value{net.deployment().asset(borrower->debt)->token}, abi::Value{target},
                      abi::Value{kU256Max}, abi::Value{false}})
          .value();
  const u256 tip{1'000'000'000};
  const json tx{{"from", kBot.lower_hex()},
                {"to", net.deployment().pool.lower_hex()},
                {"data", hex_encode(data)},
                {"gas", "0x100000"},
                {"maxPriorityFeePerGas", to_hex_quantity(tip)},
                {"maxFeePerGas", to_hex_quantity(base * 4 + tip)}};
  REQUIRE(net.rpc().call("eth_sendTransaction", json::array({tx})).has_value());
  const bool outbid = k.wait_for(
      [&](const auto& e) {
        for (const auto& o : of_kind(e, "outbid"))
          if (o["account"] == target.checksummed()) return true;
        return false;
      },
      milliseconds{10000});
  INFO(k.output());
  REQUIRE(outbid);

  // One block holds both: ordered by tip, keeper's replacement goes first.
  REQUIRE(net.rpc().call("evm_mine", json::array()).has_value());
  REQUIRE(net.rpc().call("evm_setAutomine", json::array({true})).has_value());
  rpc::LogFilter filter;
  filter.addresses = {net.deployment().pool};
  filter.topics = {
      {keccak256("LiquidationCall(address,address,address,uint256,uint256,address,bool)")},
      {},
      {},
      {[&] {
        Hash topic{};
        std::copy(target.bytes.begin(), target.bytes.end(), topic.begin() + 12);
        return topic;
      }()}};
  filter.from_block = priced + 1;
  filter.to_block = net.rpc().block_number().value();
  const auto logs = net.rpc().logs(filter).value();
  REQUIRE_FALSE(logs.empty());
  Hash word{};
  std::copy(logs.front().data.begin() + 64, logs.front().data.begin() + 96, word.begin());
  const Address first = Address::from_word(word);
  // What the block held, in order, for the failure message.
  std::string order;
  {
    const auto block = net.rpc().call("eth_getBlockByNumber",
                                      json::array({to_hex_quantity(u256{priced + 1}), true}));
    if (block && block->contains("transactions"))
      for (const auto& t : (*block)["transactions"])
        order += t.value("from", "") + " nonce " + t.value("nonce", "") + " tip " +
                 t.value("maxPriorityFeePerGas", "") + " hash " + t.value("hash", "") + "\n";
  }
  INFO(order);
  CAPTURE(hex_encode(logs.front().transaction_hash));
  CHECK((first == net.deployment().liquidator || first == net.deployment().liquidator_contract));
  const auto metrics = keeper::testing::http_get(port, "/metrics");
  CHECK(metric(metrics.body, "keeper_transactions_total{outcome=\"outbid\"}") >= 1);
  CHECK(metric(metrics.body, "keeper_events_total{kind=\"competitor_seen\"}") >= 1);
}
