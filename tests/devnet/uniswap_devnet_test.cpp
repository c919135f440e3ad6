// `keeper devnet up` deploys Uniswap V3 with pools at the oracle's prices and names it in
// keeper.toml's [dex]; `keeper devnet price` moves the pools with the oracle unless told not to.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <chrono>
#include <cmath>
#include <map>
#include <thread>

#include "chain/abi/signature.hpp"
#include "chain/rpc/rpc_client.hpp"
#include "config/keeper_config.hpp"
#include "keeper/devnet/deployment.hpp"
#include "keeper/devnet/uniswap_pool_math.hpp"
#include "keeper/process/anvil.hpp"
#include "keeper/process/source_dir.hpp"
#include "tests/support/devnet_guard.hpp"
#include "tests/support/run_command.hpp"

using namespace chain;
using keeper::testing::keeper_command;
using keeper::testing::run_command;
namespace fs = std::filesystem;

namespace {

class PoolsDevnet {
 public:
  explicit PoolsDevnet(const std::string& extra_options = " --block-time 0")
      : guard_{fs::temp_directory_path() / ("keeper-uniswap-test-" + std::to_string(::getpid()))} {
    fs::remove_all(guard_.dir);
    const auto up = run_command(keeper_command(
        "devnet up --borrowers 4 --seed 2 --pool-depth-usd 20000000 --port " +
        std::to_string(keeper::pick_free_port().value()) + extra_options + dir_arg()));
    INFO(up.output);
    REQUIRE(up.exit_code == 0);
    d_ = keeper::devnet::read_deployment(guard_.dir / "deployment.json").value();
    rpc_ = std::make_unique<rpc::RpcClient>(rpc::RpcClientOptions::for_urls({d_.http_url}));
  }

  const keeper::devnet::Deployment& deployment() const { return d_; }
  const fs::path& dir() const { return guard_.dir; }
  rpc::RpcClient& rpc() { return *rpc_; }
  std::string dir_arg() const { return " --dir " + guard_.dir.string(); }

  abi::Values view(const Address& to, const std::string& signature, const abi::Values& args) {
    const auto fn = abi::parse_function(signature).value();
    const auto out = rpc_->eth_call(
        {std::nullopt, to, fn.encode_call(args).value(), std::nullopt, std::nullopt}, "latest");
    INFO(signature);
    REQUIRE(out.has_value());
    return fn.decode_output(*out).value();
  }

  u256 sqrt_price(const keeper::devnet::DeployedPool& pool) {
    return view(pool.address, "slot0()(uint160,int24,uint16,uint16,uint16,uint8,bool)", {})[0]
        .as_uint();
  }

  // token1 per token0 in whole tokens: the pool's, and the one the two feeds answer now.
  double pool_price(const keeper::devnet::DeployedPool& pool) {
    return keeper::devnet::price_of_token0(sqrt_price(pool), d_.asset(pool.token0)->spec.decimals,
                                           d_.asset(pool.token1)->spec.decimals);
  }
  double oracle_price(const keeper::devnet::DeployedPool& pool) {
    const auto answer = [&](const std::string& symbol) {
      return to_double(
          view(d_.asset(symbol)->aggregator, "latestAnswer()(int256)", {})[0].as_uint());
    };
    return answer(pool.token0) / answer(pool.token1);
  }
  // The pool's price of `base` in the pool's other token.
  double pool_price_of(const keeper::devnet::DeployedPool& pool, const std::string& base) {
    const double price = pool_price(pool);
    return base == pool.token0 ? price : 1.0 / price;
  }

 private:
  keeper::testing::DevnetGuard guard_;
  keeper::devnet::Deployment d_;
  std::unique_ptr<rpc::RpcClient> rpc_;
};

}  // namespace

TEST_CASE(
    "devnet up --block-time 0 opens Uniswap V3 pools at the oracle's prices and names them in "
    "[dex]",
    "[devnet][uniswap]") {
  PoolsDevnet net;
  const auto& d = net.deployment();
  REQUIRE(d.uniswap.has_value());
  const auto& u = *d.uniswap;

  const auto config = config::load_config_file(net.dir() / "keeper.toml");
  INFO((config ? std::string{} : config.error().to_string()));
  REQUIRE(config.has_value());
  REQUIRE(config->dex.has_value());
  CHECK(config->dex->uniswap_v3_factory == u.factory);
  CHECK(config->dex->uniswap_v3_router == u.router);
  REQUIRE(config->dex->uniswap_v3_quoter.has_value());
  CHECK(*config->dex->uniswap_v3_quoter == u.quoter);
  // The shipped example config shows the same deterministic addresses.
  const auto example =
      config::load_config_file(::keeper::process::source_dir() + "/config/examples/devnet.toml");
  REQUIRE(example.has_value());
  REQUIRE(example->dex.has_value());
  CHECK(example->dex->uniswap_v3_factory == u.factory);
  CHECK(example->dex->uniswap_v3_router == u.router);
  CHECK(example->dex->uniswap_v3_quoter == u.quoter);
  CHECK(net.view(u.router, "factory()(address)", {})[0].as_address() == u.factory);
  CHECK(net.view(u.quoter, "factory()(address)", {})[0].as_address() == u.factory);
  CHECK(net.view(u.position_manager, "factory()(address)", {})[0].as_address() == u.factory);

  const std::vector<std::pair<std::string, std::string>> pairs{
      {"WETH", "USDC"}, {"WBTC", "USDC"}, {"DAI", "USDC"}, {"WETH", "DAI"}, {"WBTC", "WETH"}};
  REQUIRE(u.pools.size() == pairs.size());
  for (const auto& [a, b] : pairs) {
    CAPTURE(a, b);
    const auto* pool = u.pool(a, b);
    REQUIRE(pool != nullptr);
    const auto* t0 = d.asset(pool->token0);
    const auto* t1 = d.asset(pool->token1);
    CHECK(t0->token < t1->token);
    CHECK(net.view(u.factory, "getPool(address,address,uint24)(address)",
                   {abi::Value{t0->token}, abi::Value{t1->token}, abi::Value{pool->fee}})[0]
              .as_address() == pool->address);
    CHECK(net.pool_price(*pool) == Approx(net.oracle_price(*pool)).epsilon(0.001));
    // Both halves are worth $10M at the oracle (the position manager takes all of one side and
    // what the price asks of the other), and the full-range position is all active liquidity.
    for (const auto* t : {t0, t1}) {
      const double held = to_double(net.view(t->token, "balanceOf(address)(uint256)",
                                             {abi::Value{pool->address}})[0]
                                        .as_uint()) /
                          std::pow(10.0, t->spec.decimals) * static_cast<double>(t->spec.price) /
                          1e8;
      CHECK(held == Approx(10'000'000.0).epsilon(0.001));
    }
    CHECK(net.view(pool->address, "liquidity()(uint128)", {})[0].as_uint() > 0);
  }

  // SwapRouter and QuoterV2 compute pool addresses from POOL_INIT_CODE_HASH: a quote through the
  // WETH/USDC pool finds it and prices 1 WETH at $2000 less the 0.05% fee and a little impact.
  const auto* weth = d.asset("WETH");
  const auto* usdc = d.asset("USDC");
  const abi::Values quote_params{abi::Value{weth->token}, abi::Value{usdc->token},
                                 abi::Value{u256{1'000'000'000'000'000'000ULL}},
                                 abi::Value{u.pool("WETH", "USDC")->fee}, abi::Value{u256{0}}};
  const auto quote = net.view(u.quoter,
                              "quoteExactInputSingle((address,address,uint256,uint24,uint160))"
                              "(uint256,uint160,uint32,uint256)",
                              {abi::Value{quote_params}});
  const double usdc_out = to_double(quote[0].as_uint()) / 1e6;
  CHECK(usdc_out < 2000.0 * 0.9995);
  CHECK(usdc_out > 2000.0 * 0.9995 * 0.9998);
}

TEST_CASE("devnet price moves the asset's pools with the oracle, unless --no-pools",
          "[devnet][uniswap]") {
  PoolsDevnet net;
  const auto& u = *net.deployment().uniswap;
  std::map<std::string, u256> before;
  for (const auto& pool : u.pools) before[pool.token0 + pool.token1] = net.sqrt_price(pool);

  const auto crash = run_command(keeper_command("devnet price WETH -25%" + net.dir_arg()));
  INFO(crash.output);
  REQUIRE(crash.exit_code == 0);
  CHECK_THAT(crash.output, Catch::Contains("pool"));
  for (const auto& pool : u.pools) {
    CAPTURE(pool.token0, pool.token1);
    const bool holds_weth = pool.token0 == "WETH" || pool.token1 == "WETH";
    if (holds_weth) {
      CHECK(net.sqrt_price(pool) != before[pool.token0 + pool.token1]);
      CHECK(net.pool_price(pool) == Approx(net.oracle_price(pool)).epsilon(0.001));
    } else {
      CHECK(net.sqrt_price(pool) == before[pool.token0 + pool.token1]);
    }
  }
  CHECK(net.pool_price_of(*u.pool("WETH", "USDC"), "WETH") == Approx(1500.0).epsilon(0.001));

  const auto* wbtc_usdc = u.pool("WBTC", "USDC");
  const u256 wbtc_before = net.sqrt_price(*wbtc_usdc);
  const auto quiet =
      run_command(keeper_command("devnet price WBTC +10% --no-pools" + net.dir_arg()));
  INFO(quiet.output);
  REQUIRE(quiet.exit_code == 0);
  CHECK(net.sqrt_price(*wbtc_usdc) == wbtc_before);
  CHECK(net.pool_price_of(*wbtc_usdc, "WBTC") == Approx(60000.0).epsilon(0.001));
  // A later move of the asset catches the pool up with the oracle.
  REQUIRE(run_command(keeper_command("devnet price WBTC +0%" + net.dir_arg())).exit_code == 0);
  CHECK(net.pool_price_of(*wbtc_usdc, "WBTC") == Approx(66000.0).epsilon(0.001));
}

TEST_CASE("moving the pools keeps a devnet that mines on an interval mining on its interval",
          "[devnet][uniswap]") {
  PoolsDevnet net{" --block-time 1"};
  const auto* pool = net.deployment().uniswap->pool("WETH", "USDC");
  const auto move = run_command(keeper_command("devnet price WETH -10%" + net.dir_arg()));
  INFO(move.output);
  REQUIRE(move.exit_code == 0);
  CHECK(net.pool_price_of(*pool, "WETH") == Approx(1800.0).epsilon(0.001));
  // With nothing sent, blocks still come every second (automine would mine none).
  const auto first = net.rpc().block_number().value();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{10};
  auto head = first;
  while (head < first + 2 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds{200});
    head = net.rpc().block_number().value();
  }
  CHECK(head >= first + 2);
}
