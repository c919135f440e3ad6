// `keeper cascade` against what the chain then does: on a devnet, round 1 of a WETH -25% cascade
// names exactly the accounts Pool.getUserAccountData puts under 1 after the same shock, its
// repaid and seized amounts are those the LiquidationCall events of the real liquidations report
// (to the wei), and the price after round 1's sales is the pool's after the same swaps on chain.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "chain/abi/signature.hpp"
#include "chain/hex.hpp"
#include "chain/rpc/rpc_client.hpp"
#include "keeper/devnet/deployment.hpp"
#include "keeper/devnet/uniswap_pool_math.hpp"
#include "keeper/process/anvil.hpp"
#include "tests/cascade/xml_check.hpp"
#include "tests/support/devnet_guard.hpp"
#include "tests/support/run_command.hpp"

using namespace chain;
using keeper::testing::keeper_command;
using keeper::testing::run_command;
using keeper::testing::shell_quote;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

const u256 kOne{1'000'000'000'000'000'000ULL};
const std::string kLiquidationCall =
    "LiquidationCall(address indexed collateralAsset,address indexed debtAsset,address indexed "
    "user,uint256 debtToCover,uint256 liquidatedCollateralAmount,address liquidator,bool "
    "receiveAToken)";

class CascadeDevnet {
 public:
  CascadeDevnet()
      : guard_{fs::temp_directory_path() / ("keeper-cascade-test-" + std::to_string(::getpid()))} {
    fs::remove_all(guard_.dir);
    const auto up = run_command(keeper_command(
        "devnet up --block-time 0 --borrowers 200 --seed 1 --port " +
        std::to_string(keeper::pick_free_port().value()) + " --dir " + guard_.dir.string()));
    INFO(up.output);
    REQUIRE(up.exit_code == 0);
    d_ = keeper::devnet::read_deployment(guard_.dir / "deployment.json").value();
    rpc_ = std::make_unique<rpc::RpcClient>(rpc::RpcClientOptions::for_urls({d_.http_url}));
  }

  const keeper::devnet::Deployment& d() const { return d_; }
  rpc::RpcClient& rpc() { return *rpc_; }
  std::string config() const { return (guard_.dir / "keeper.toml").string(); }
  std::string dir_arg() const { return " --dir " + guard_.dir.string(); }
  const fs::path& dir() const { return guard_.dir; }

  json node(const std::string& method, json params) {
    auto r = rpc_->call(method, std::move(params));
    INFO(method);
    REQUIRE(r.has_value());
    return *r;
  }

  abi::Values view(const Address& to, const std::string& signature, const abi::Values& args) {
    const auto fn = abi::parse_function(signature).value();
    const auto out = rpc_->eth_call(
        {std::nullopt, to, fn.encode_call(args).value(), std::nullopt, std::nullopt}, "latest");
    INFO(signature);
    REQUIRE(out.has_value());
    return fn.decode_output(*out).value();
  }

  Hash submit(const Address& from, const Address& to, const std::string& signature,
              const abi::Values& args) {
    const json tx{{"from", from.lower_hex()},
                  {"to", to.lower_hex()},
                  {"data", hex_encode(abi::encode_call(signature, args).value())},
                  {"gas", "0x100000"}};
    return hex_decode_fixed<32>(node("eth_sendTransaction", json::array({tx})).get<std::string>())
        .value();
  }

  rpc::Receipt receipt(const Hash& h) {
    for (int i = 0; i < 500; ++i) {
      auto r = rpc_->receipt(h);
      REQUIRE(r.has_value());
      if (*r) return **r;
      std::this_thread::sleep_for(std::chrono::milliseconds{10});
    }
    FAIL("no receipt within 5 s");
    return {};
  }

  // Sent and mined (automine), and successful.
  rpc::Receipt send(const Address& from, const Address& to, const std::string& signature,
                    const abi::Values& args) {
    auto r = receipt(submit(from, to, signature, args));
    INFO(signature);
    REQUIRE(r.success);
    return r;
  }

  std::uint64_t timestamp_of_latest() {
    return rpc_->block(rpc::BlockTag{std::string{"latest"}}).value().timestamp;
  }

  json cascade(std::uint64_t block, std::uint64_t timestamp, const std::string& shock) {
    const auto out = run_command(keeper_command(
        "cascade --json --config " + config() + " --block " + std::to_string(block) +
        " --timestamp " + std::to_string(timestamp) + " --shock " + shell_quote(shock)));
    INFO(out.output);
    REQUIRE(out.exit_code == 0);
    return json::parse(out.output);
  }

  const keeper::devnet::DeployedAsset& asset(const std::string& symbol) {
    const auto* a = d_.asset(symbol);
    REQUIRE(a != nullptr);
    return *a;
  }

 private:
  keeper::testing::DevnetGuard guard_;
  keeper::devnet::Deployment d_;
  std::unique_ptr<rpc::RpcClient> rpc_;
};

u256 dec(const json& j) { return u256_from_dec(j.get<std::string>()).value(); }

}  // namespace

TEST_CASE("round 1 of a cascade is what the chain does after the same shock, to the wei",
          "[cascade][devnet]") {
  CascadeDevnet net;
  const auto& d = net.d();
  REQUIRE(d.uniswap.has_value());
  const std::uint64_t before = net.rpc().block_number().value();

  // The shock on chain, the oracle only (the pools stay where they were).
  const auto shock =
      run_command(keeper_command("devnet price WETH -25% --no-pools" + net.dir_arg()));
  INFO(shock.output);
  REQUIRE(shock.exit_code == 0);
  const auto shock_block = net.rpc().block_number().value();
  const auto shock_time = net.timestamp_of_latest();

  // 1. The accounts under 1, as the Pool says.
  std::set<std::string> on_chain_under;
  {
    const auto report = run_command(keeper_command("devnet report --json" + net.dir_arg()));
    INFO(report.output.substr(0, 400));
    REQUIRE(report.exit_code == 0);
    const auto doc = json::parse(report.output);
    for (const auto& row : doc.at("accounts"))
      if (dec(row.at("health_factor")) < kOne)
        on_chain_under.insert(row.at("account").get<std::string>());
    CHECK(on_chain_under.size() == doc.at("below_one").get<std::size_t>());
    REQUIRE(on_chain_under.size() >= 5);
  }
  {
    const auto c = net.cascade(before, shock_time, "WETH -25%");
    CHECK(c.at("block") == before);
    std::set<std::string> named;
    for (const auto& a : c.at("rounds").at(0).at("accounts"))
      named.insert(a.at("account").get<std::string>());
    CHECK(named == on_chain_under);
    INFO("shock block " << shock_block);
  }

  // 2. Every round-1 liquidation, carried out by the devnet's funded liquidator in one block at
  // a time the cascade is told in advance.
  for (const auto& a : d.assets)
    net.send(d.liquidator, a.token, "approve(address,uint256)",
             {abi::Value{d.pool}, abi::Value{kU256Max}});
  const std::uint64_t at = net.timestamp_of_latest() + 60;
  const auto c = net.cascade(before, at, "WETH -25%");
  const auto& round = c.at("rounds").at(0);
  struct Expected {
    std::string collateral;
    std::string debt;
    u256 repaid;
    u256 seized;
  };
  std::map<std::string, Expected> expected;  // by account, lower-case hex
  net.node("evm_setAutomine", json::array({false}));
  net.node("evm_setBlockGasLimit", json::array({"0x3b9aca00"}));  // 1e9: one block holds all
  std::vector<Hash> sent;
  for (const auto& a : round.at("accounts")) {
    if (a.at("verdict") != "liquidatable") continue;
    const auto user = Address::from_hex(a.at("account").get<std::string>()).value();
    const auto& collateral = net.asset(a.at("collateral_asset").get<std::string>());
    const auto& debt = net.asset(a.at("debt_asset").get<std::string>());
    expected[user.lower_hex()] = {collateral.spec.symbol, debt.spec.symbol,
                                  dec(a.at("debt_repaid")), dec(a.at("collateral_seized"))};
    sent.push_back(
        net.submit(d.liquidator, d.pool, "liquidationCall(address,address,address,uint256,bool)",
                   {abi::Value{collateral.token}, abi::Value{debt.token}, abi::Value{user},
                    abi::Value{dec(a.at("debt_to_cover"))}, abi::Value{false}}));
  }
  REQUIRE(!sent.empty());
  net.node("evm_mine", json::array({at}));
  net.node("evm_setAutomine", json::array({true}));

  const auto event = abi::parse_event(kLiquidationCall).value();
  std::map<std::string, std::pair<u256, u256>> realised;
  std::set<std::uint64_t> blocks;
  for (const auto& h : sent) {
    const auto r = net.receipt(h);
    CHECK(r.success);
    blocks.insert(r.block_number);
    for (const auto& log : r.logs) {
      if (log.address != d.pool || log.topics.empty() || log.topics[0] != event.topic0) continue;
      const auto p = abi::decode_log(event, log.topics, log.data).value();
      realised[p[2].value.as_address().lower_hex()] = {p[3].value.as_uint(), p[4].value.as_uint()};
      const auto& e = expected[p[2].value.as_address().lower_hex()];
      CHECK(p[0].value.as_address() == net.asset(e.collateral).token);
      CHECK(p[1].value.as_address() == net.asset(e.debt).token);
    }
  }
  CHECK(blocks.size() == 1);
  REQUIRE(realised.size() == expected.size());
  for (const auto& [user, e] : expected) {
    INFO(user << " " << e.collateral << "/" << e.debt);
    CHECK(realised[user].first == e.repaid);
    CHECK(realised[user].second == e.seized);
  }
  std::cout << "cascade devnet: " << on_chain_under.size() << " accounts under 1 after WETH -25%, "
            << expected.size() << " liquidations equal to the wei\n";

  // 3. The pools follow the oracle (as arbitrageurs would), then the liquidator sells what it
  // seized where the cascade sold it: the pool's price is the cascade's next price.
  const auto align = run_command(keeper_command("devnet price WETH +0%" + net.dir_arg()));
  INFO(align.output);
  REQUIRE(align.exit_code == 0);
  REQUIRE(!round.at("sales").empty());
  for (const auto& sale : round.at("sales")) {
    INFO(sale.dump());
    REQUIRE(!sale.at("venue").is_null());
    const auto& sold = net.asset(sale.at("asset").get<std::string>());
    const auto& bought = net.asset(sale.at("proceeds_asset").get<std::string>());
    const auto pool = Address::from_hex(sale.at("venue").get<std::string>()).value();
    const auto fee = net.view(pool, "fee()(uint24)", {})[0].as_uint();
    net.send(d.liquidator, sold.token, "approve(address,uint256)",
             {abi::Value{d.uniswap->router}, abi::Value{kU256Max}});
    const abi::Value params{std::vector<abi::Value>{
        abi::Value{sold.token}, abi::Value{bought.token}, abi::Value{fee}, abi::Value{d.liquidator},
        abi::Value{u256{at + 100000}}, abi::Value{dec(sale.at("amount_in"))}, abi::Value{u256{0}},
        abi::Value{u256{0}}}};
    net.send(d.liquidator, d.uniswap->router,
             "exactInputSingle((address,address,uint24,address,uint256,uint256,uint256,uint160))",
             {params});
    const auto sqrt_price =
        net.view(pool, "slot0()(uint160,int24,uint16,uint16,uint16,uint8,bool)", {})[0].as_uint();
    const bool sold_is_token0 = sold.token < bought.token;
    const auto& t0 = sold_is_token0 ? sold : bought;
    const auto& t1 = sold_is_token0 ? bought : sold;
    const double token0_in_token1 =
        keeper::devnet::price_of_token0(sqrt_price, t0.spec.decimals, t1.spec.decimals);
    const double in_bought = sold_is_token0 ? token0_in_token1 : 1.0 / token0_in_token1;
    const double bought_usd =
        to_double(net.view(bought.aggregator, "latestAnswer()(int256)", {})[0].as_uint()) / 1e8;
    const double pool_usd = in_bought * bought_usd;
    const double cascade_usd = to_double(dec(sale.at("price_after"))) / 1e8;
    std::cout << "cascade devnet: " << sold.spec.symbol << " after round 1's sales: cascade $"
              << cascade_usd << ", pool on chain $" << pool_usd << "\n";
    CHECK(std::fabs(cascade_usd / pool_usd - 1) < 0.001);
    CHECK(dec(round.at("prices_after").at(sold.spec.symbol)) == dec(sale.at("price_after")));
  }
}

TEST_CASE("keeper cascade --plot writes a well-formed SVG for --shock and --sweep",
          "[cascade][devnet]") {
  CascadeDevnet net;
  const auto read = [](const fs::path& path) {
    std::ifstream in(path);
    return std::string{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  };
  const auto polyline_points = [](const std::vector<std::pair<std::string, std::string>>& e) {
    std::vector<std::size_t> out;
    for (const auto& [name, attrs] : e) {
      if (name != "polyline") continue;
      const auto at = attrs.find("points=\"");
      REQUIRE(at != std::string::npos);
      std::istringstream list(attrs.substr(at + 8, attrs.find('"', at + 8) - at - 8));
      std::size_t k = 0;
      for (std::string pair; list >> pair;) ++k;
      out.push_back(k);
    }
    return out;
  };
  struct Row {
    const char* args;
    std::size_t shocks;
  };
  for (const auto& row :
       std::vector<Row>{{"--shock 'WETH -25%'", 1}, {"--sweep 'WETH -5%..-50%/5'", 10}}) {
    INFO(row.args);
    const auto plot = net.dir() / "plot.svg";
    fs::remove(plot);
    const auto out =
        run_command(keeper_command("cascade --json --no-pools --depth WETH=1 --config " +
                                   net.config() + " " + row.args + " --plot " + plot.string()));
    INFO(out.output);
    REQUIRE(out.exit_code == 0);
    const auto j = json::parse(out.output);
    const auto svg = read(plot);
    const auto parsed = keeper::testing::parse_xml(svg);
    INFO(svg.substr(0, 300));
    REQUIRE(parsed.has_value());
    CHECK(parsed->front().first == "svg");
    // A price path per shock: the shock's price, then one point per round.
    const auto points = polyline_points(*parsed);
    REQUIRE(points.size() == row.shocks);
    if (row.shocks == 1) CHECK(points[0] == j.at("rounds").size() + 1);
    // Liquidations per shock: collateral and bad-debt bars, besides the background and legend.
    CHECK(keeper::testing::count_of(*parsed, "rect") == 2 * row.shocks + 3);
    CHECK(svg.find("WETH price after each round's sales") != std::string::npos);
    CHECK(svg.find(">-25%<") != std::string::npos);
  }
  // A plot that cannot be written is an error, not a silent success.
  const auto bad = run_command(keeper_command("cascade --no-pools --config " + net.config() +
                                              " --shock 'WETH -25%' --plot " +
                                              (net.dir() / "missing" / "plot.svg").string()));
  CHECK(bad.exit_code != 0);
  CHECK(bad.output.find("cannot write") != std::string::npos);
}
