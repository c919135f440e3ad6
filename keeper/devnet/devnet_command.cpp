#include "keeper/devnet/devnet_command.hpp"

#include <signal.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "chain/hex.hpp"
#include "keeper/commands/command_line.hpp"
#include "keeper/devnet/borrowers.hpp"
#include "keeper/devnet/liquidator_contract.hpp"
#include "keeper/devnet/market_deploy.hpp"
#include "keeper/devnet/morpho_deploy.hpp"
#include "keeper/devnet/oracle_transmit.hpp"
#include "keeper/devnet/pool_arbitrage.hpp"
#include "keeper/devnet/uniswap_deploy.hpp"
#include "keeper/devnet/uniswap_pool_math.hpp"
#include "keeper/process/anvil.hpp"

namespace keeper::devnet {
namespace {

using chain::u256;
using chain::abi::Value;
namespace fs = std::filesystem;

// anvil's first dev account: the devnet's administrator and price-feed owner.
const Address kAdmin =  // NOLINT(cert-err58-cpp): a constant address; tests parse it
    Address::from_hex("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266").value();
// anvil's second dev account: funded, its published dev key goes in the keeper's env var.
const Address kLiquidator =  // NOLINT(cert-err58-cpp): a constant address; tests parse it
    Address::from_hex("0x70997970C51812dc3A010C7d01b50e0d17dc79C8").value();

// Everything `keeper devnet` reads from its command line; each subcommand uses its part.
struct DevnetOptions {
  std::string dir = ".devnet";
  std::size_t borrowers = 200;  // up
  std::uint64_t seed = 1;
  std::uint16_t port = 8545;  // 0: anvil picks a free port
  // Seconds between blocks, mainnet's shape by default; 0 (stored as none): a block per
  // transaction, for tests that want each call mined at once.
  std::optional<std::uint64_t> block_time = 2;
  // USD value of each Uniswap pool's liquidity: a crash's liquidations sell into these pools.
  std::uint64_t pool_depth_usd = 50'000'000;
  std::string asset;  // price
  std::string move;
  bool no_pools = false;      // price: leave the Uniswap pools where they are
  bool mempool = false;       // price: send the transmit and return before it is mined
  double tip_gwei = 1;        // price: the transmit's priority fee
  std::uint64_t seconds = 0;  // advance
  bool json = false;          // report
};

int fail(const std::string& message) {
  std::cerr << "keeper devnet: " << message << '\n';
  return 1;
}

chain::rpc::RpcClient client_for(const Deployment& d) {
  return chain::rpc::RpcClient{chain::rpc::RpcClientOptions::for_urls({d.http_url})};
}

std::string dex_toml(const Deployment& d) {
  if (!d.uniswap) return "";
  return "\n# Uniswap V3 on this devnet: pools at the oracle's prices, moved by `keeper devnet "
         "price`\n"
         "[dex]\nuniswap_v3_factory = \"" +
         d.uniswap->factory.checksummed() + "\"\nuniswap_v3_router = \"" +
         d.uniswap->router.checksummed() + "\"   # SwapRouter\nuniswap_v3_quoter = \"" +
         d.uniswap->quoter.checksummed() + "\"   # QuoterV2\n";
}

std::string morpho_toml(const Deployment& d) {
  if (!d.morpho) return "";
  return "\n# Morpho Blue on this devnet: every market created on it (`market_ids` would narrow "
         "it)\n"
         "[[markets]]\nprotocol = \"morpho-blue\"\nname = \"devnet-morpho\"\nmorpho = \"" +
         d.morpho->morpho.checksummed() +
         "\"\nstart_block = " + std::to_string(d.morpho->deployed_at_block) +
         "\n# Executed through keeper's contract (liquidateMorpho, the seized collateral sold in "
         "Morpho's\n# callback); execute set to false would only watch it (would_liquidate "
         "lines).\n"
         "execute = true\n";
}

std::string keeper_toml(const Deployment& d) {
  return "# Written by `keeper devnet up`: a keeper config for this local devnet.\n"
         "# The liquidator key is read from the environment, never from this file: set\n"
         "# KEEPER_PRIVATE_KEY to the key of " +
         d.liquidator.checksummed() +
         ", anvil's development account (1),\n"
         "# which anvil itself lists in anvil.log next to this file.\n"
         "chain_id = " +
         std::to_string(d.chain_id) + "\n\n[node]\nhttp_url = \"" + d.http_url + "\"\nws_url = \"" +
         d.ws_url +
         "\"\n\n[[markets]]\nprotocol = \"aave-v3\"\nname = \"devnet\"\npool_addresses_provider = "
         "\"" +
         d.addresses_provider.checksummed() + "\"\nstart_block = 0\n" + morpho_toml(d) +
         "\n[wallet]\nprivate_key_env = \"KEEPER_PRIVATE_KEY\"\n"
         "\n[strategy]\n# gas is valued at the fee expected to be paid; the caps are only guards\n"
         "min_profit_usd = 1.0\nmax_fee_per_gas_gwei = 20\nmax_priority_fee_per_gas_gwei = 2\n"
         "native_asset = \"" +
         d.asset("WETH")->token.checksummed() + "\"\n" +
         (d.uniswap ? "# no inventory: the debt asset is flash-borrowed, the collateral sold on "
                      "Uniswap V3\nfunding = \"flash\"\n"
                    : "") +
         "\n[state]\nsnapshot_path = \"keeper-state.json\"\nsnapshot_every_blocks = 10\n"
         "\n# keeper's own liquidator contract, owned by the liquidator account above\n"
         "[liquidator]\naddress = \"" +
         d.liquidator_contract.checksummed() + "\"\n" + dex_toml(d);
}

int up(const DevnetOptions& options) {
  const fs::path dir = options.dir;
  // Refuse before touching anything: never a half-deployed chain.
  if (fs::exists(dir / "deployment.json") || fs::exists(dir / "anvil.pid"))
    return fail(dir.string() + " already holds a devnet; run `keeper devnet down --dir " +
                dir.string() + "` or choose another --dir");
  if (keeper::port_accepts(options.port))
    return fail("port " + std::to_string(options.port) + " on 127.0.0.1 is already in use");
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return fail("cannot create " + dir.string() + ": " + ec.message());

  const auto started = std::chrono::steady_clock::now();
  keeper::AnvilOptions anvil_options;
  anvil_options.port = options.port;
  anvil_options.log_path = fs::absolute(dir / "anvil.log");
  if (options.block_time) {
    // Mainnet's shape: blocks on a clock, the pool ordered by tip (anvil's default, stated so
    // that a backrun's place behind the update it follows never depends on a default).
    anvil_options.block_time_s = static_cast<double>(*options.block_time);
    anvil_options.extra_args = {"--order", "fees"};
  }
  auto anvil = keeper::Anvil::start(anvil_options);
  if (!anvil) return fail(anvil.error());

  Deployment d;
  d.http_url = anvil->http_url();
  d.ws_url = anvil->ws_url();
  d.port = anvil->port();
  d.seed = options.seed;
  d.admin = kAdmin;
  d.liquidator = kLiquidator;
  d.block_time = options.block_time;
  auto rpc = client_for(d);
  DevChain chain{rpc};
  // Deploy at a block per transaction, not one per block time; interval mining resumes below.
  if (options.block_time) {
    if (auto r = rpc.call("evm_setAutomine", nlohmann::json::array({true})); !r)
      return fail("evm_setAutomine: " + r.error().to_string());
  }
  if (auto ok = deploy_market(chain, d); !ok) return fail("deploying the market: " + ok.error());
  if (auto ok = populate_borrowers(chain, d, options.borrowers, options.seed); !ok)
    return fail("populating borrowers: " + ok.error());
  if (auto ok = deploy_liquidator_contract(chain, d); !ok)
    return fail("deploying the liquidator contract: " + ok.error());
  if (auto ok = deploy_uniswap(chain, d, default_pool_specs(), options.pool_depth_usd); !ok)
    return fail("deploying Uniswap V3: " + ok.error());
  if (auto ok = deploy_morpho(chain, d, options.seed, fs::absolute(dir / "morpho-compile.log"));
      !ok)
    return fail("deploying Morpho Blue: " + ok.error());
  auto head = rpc.block_number();
  if (!head) return fail(head.error().to_string());
  d.deployed_at_block = *head;
  if (options.block_time) {
    if (auto r = rpc.call("evm_setIntervalMining", nlohmann::json::array({*options.block_time}));
        !r)
      return fail("evm_setIntervalMining: " + r.error().to_string());
  }
  d.anvil_pid = anvil->pid();
  if (auto ok = write_deployment(d, dir / "deployment.json"); !ok) return fail(ok.error());
  {
    std::ofstream toml(dir / "keeper.toml");
    toml << keeper_toml(d);
    std::ofstream pid(dir / "anvil.pid");
    pid << d.anvil_pid << '\n';
    if (!toml || !pid) return fail("cannot write into " + dir.string());
  }
  anvil->detach();
  const auto seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::cout << "keeper devnet is up in " << seconds << " s\n"
            << "  http:      " << d.http_url << "\n  ws:        " << d.ws_url
            << "\n  anvil pid: " << d.anvil_pid << "\n  blocks:    "
            << (d.block_time ? "every " + std::to_string(*d.block_time) + " s, ordered by fees"
                             : std::string{"one per transaction"})
            << "\n  pool:      " << d.pool.checksummed()
            << "\n  provider:  " << d.addresses_provider.checksummed()
            << "\n  liquidator contract: " << d.liquidator_contract.checksummed()
            << "\n  uniswap v3 router:   " << d.uniswap->router.checksummed() << " ("
            << d.uniswap->pools.size() << " pools of $" << options.pool_depth_usd << ")"
            << "\n  morpho blue:         " << d.morpho->morpho.checksummed() << " ("
            << d.morpho->markets.size() << " markets, " << d.morpho->borrowers.size()
            << " borrowers)"
            << "\n  borrowers: " << d.borrowers.size()
            << "\n  files:     " << (dir / "deployment.json").string() << ", "
            << (dir / "keeper.toml").string() << '\n';
  return 0;
}

int down(const DevnetOptions& options) {
  const fs::path dir = options.dir;
  std::ifstream in(dir / "anvil.pid");
  long pid = 0;
  if (!(in >> pid) || pid <= 1) return fail("no devnet PID in " + (dir / "anvil.pid").string());
  auto process = keeper::ChildProcess::adopt(static_cast<pid_t>(pid));
  if (!process.stop()) return fail("anvil (pid " + std::to_string(pid) + ") did not stop");
  fs::remove(dir / "anvil.pid");
  fs::remove(dir / "deployment.json");
  std::cout << "keeper devnet is down (anvil pid " << pid << " stopped)\n";
  return 0;
}

// The oracle's half of `devnet price`: an OCR2 transmit from the admin, mined (the default) or
// left in the mempool. With --mempool on a devnet with a block time it is sent just after a new
// block, so the whole block time passes before it is mined: what a backrunning keeper gets.
int transmit_answer(DevChain& chain, const Deployment& d, const DeployedAsset& asset,
                    const chain::i256& old_answer, const chain::i256& answer,
                    const DevnetOptions& options) {
  auto& rpc = chain.rpc();
  TransmitOptions transmit;
  transmit.tip_wei = chain::u256{static_cast<std::uint64_t>(std::llround(options.tip_gwei * 1e9))};
  const auto block_time = std::chrono::seconds{d.block_time.value_or(0)};
  if (options.mempool && d.block_time) {
    auto head = rpc.block_number();
    if (!head) return fail(head.error().to_string());
    if (auto next = wait_for_block_after(rpc, *head, 3 * block_time + std::chrono::seconds{2});
        !next)
      return fail(next.error());
  }
  auto sent = send_transmit(chain, d, asset, answer, transmit);
  if (!sent) return fail(sent.error());
  const std::string hash = chain::hex_encode(sent->hash);
  if (options.mempool) {
    std::cout << asset.spec.symbol << ": " << old_answer << " -> " << answer
              << " (8 decimals) transmit " << hash << " in the mempool after block " << sent->head
              << " (epoch " << (sent->epoch_and_round >> 8) << " round "
              << (sent->epoch_and_round & 0xff) << ", gas " << sent->gas << ")"
              << (d.block_time ? "" : "; this devnet mines a block per transaction") << '\n';
    return 0;
  }
  auto receipt = wait_for_receipt(rpc, sent->hash, std::chrono::seconds{20} + 2 * block_time);
  if (!receipt) return fail(receipt.error());
  std::cout << asset.spec.symbol << ": " << old_answer << " -> " << answer
            << " (8 decimals) in block " << receipt->block_number << " by transmit " << hash
            << '\n';
  return 0;
}

int price(const DevnetOptions& options) {
  auto d = read_deployment(fs::path{options.dir} / "deployment.json");
  if (!d) return fail(d.error());
  const auto* asset = d->asset(options.asset);
  if (!asset) return fail("unknown asset " + options.asset);
  auto rpc = client_for(*d);
  DevChain chain{rpc};
  auto current = chain.view(asset->aggregator, "latestAnswer()(int256)", {});
  if (!current) return fail(current.error());
  const chain::i256 old_answer = (*current)[0].as_int();
  const std::string& move = options.move;
  chain::i256 answer;
  try {
    if (!move.empty() && move.back() == '%') {
      const double pct = std::stod(move.substr(0, move.size() - 1));
      if (pct <= -100) return fail("a price cannot fall by 100% or more");
      // basis points of a percent, exact in integers
      const auto bp = static_cast<std::int64_t>(std::llround(pct * 100));
      answer = old_answer * (10000 + bp) / 10000;
    } else {
      const double usd = std::stod(move);
      if (!(usd > 0)) return fail("an absolute price must be positive");
      answer = chain::i256{static_cast<std::int64_t>(std::llround(usd * 1e8))};
    }
  } catch (const std::exception&) {
    return fail("price move must look like +10%, -25% or 1850.5, got '" + move + "'");
  }
  if (answer <= 0) return fail("the new price must be positive");
  // Arbitrageurs move the pools first and the oracle follows (Chainlink publishes on deviation),
  // as on a real chain: a liquidation decided on the oracle's update meets the pools it moved.
  std::vector<PoolMove> moves;
  if (!options.no_pools) {
    auto moved =
        align_pools_with_oracle(chain, *d, asset->spec.symbol, static_cast<chain::u256>(answer));
    if (!moved) return fail("moving the Uniswap pools: " + moved.error());
    moves = std::move(*moved);
  }
  if (auto ok = transmit_answer(chain, *d, *asset, old_answer, answer, options); ok != 0) return ok;
  for (const auto& m : moves) {
    const auto* t0 = d->asset(m.pool->token0);
    const auto* t1 = d->asset(m.pool->token1);
    const auto price = [&](const u256& sqrt_price) {
      return price_of_token0(sqrt_price, t0->spec.decimals, t1->spec.decimals);
    };
    std::cout << "  pool " << m.pool->token0 << "/" << m.pool->token1 << " ("
              << m.pool->fee / 100.0 / 100.0 << "%): " << price(m.sqrt_price_before) << " -> "
              << price(m.sqrt_price_after) << ' ' << m.pool->token1 << " per " << m.pool->token0
              << '\n';
  }
  return 0;
}

int advance(const DevnetOptions& options) {
  auto d = read_deployment(fs::path{options.dir} / "deployment.json");
  if (!d) return fail(d.error());
  auto rpc = client_for(*d);
  if (auto r = rpc.call("evm_increaseTime", nlohmann::json::array({options.seconds})); !r)
    return fail(r.error().to_string());
  if (auto r = rpc.call("evm_mine", nlohmann::json::array()); !r)
    return fail(r.error().to_string());
  auto head = rpc.block("latest");
  if (!head) return fail(head.error().to_string());
  std::cout << "advanced " << options.seconds << " s: block " << head->number << " at timestamp "
            << head->timestamp << '\n';
  return 0;
}

int report(const DevnetOptions& options) {
  auto d = read_deployment(fs::path{options.dir} / "deployment.json");
  if (!d) return fail(d.error());
  auto rpc = client_for(*d);
  auto fn = chain::abi::parse_function(
      "getUserAccountData(address)(uint256,uint256,uint256,uint256,uint256,uint256)");
  struct Row {
    Address account;
    chain::abi::Values values;
  };
  std::vector<Row> rows;
  constexpr std::size_t kBatch = 250;
  for (std::size_t first = 0; first < d->borrowers.size(); first += kBatch) {
    std::vector<chain::rpc::Call> calls;
    const auto last = std::min(d->borrowers.size(), first + kBatch);
    for (std::size_t i = first; i < last; ++i) {
      chain::rpc::CallRequest call{
          std::nullopt, d->pool,
          fn->encode_call(chain::abi::Values{Value{d->borrowers[i].address}}).value(), std::nullopt,
          std::nullopt};
      calls.push_back({"eth_call", nlohmann::json::array({chain::rpc::to_json(call), "latest"})});
    }
    auto results = rpc.batch(calls);
    if (!results) return fail(results.error().to_string());
    for (std::size_t i = 0; i < results->size(); ++i) {
      const auto& r = (*results)[i];
      if (!r) return fail("getUserAccountData: " + r.error().to_string());
      auto bytes = chain::hex_decode(r->get<std::string>());
      if (!bytes) return fail("getUserAccountData returned non-hex data");
      auto values = fn->decode_output(*bytes);
      if (!values) return fail("getUserAccountData returned malformed data");
      rows.push_back({d->borrowers[first + i].address, std::move(*values)});
    }
  }
  std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
    return a.values[5].as_uint() < b.values[5].as_uint();
  });
  const u256 one{1'000'000'000'000'000'000ULL};
  const auto below = static_cast<std::size_t>(std::count_if(
      rows.begin(), rows.end(), [&](const Row& r) { return r.values[5].as_uint() < one; }));
  if (options.json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& r : rows)
      out.push_back({{"account", r.account.checksummed()},
                     {"total_collateral_base", chain::to_dec(r.values[0].as_uint())},
                     {"total_debt_base", chain::to_dec(r.values[1].as_uint())},
                     {"available_borrows_base", chain::to_dec(r.values[2].as_uint())},
                     {"current_liquidation_threshold", chain::to_dec(r.values[3].as_uint())},
                     {"ltv", chain::to_dec(r.values[4].as_uint())},
                     {"health_factor", chain::to_dec(r.values[5].as_uint())}});
    std::cout << nlohmann::json{{"accounts", out}, {"below_one", below}}.dump(2) << '\n';
    return 0;
  }
  std::cout << "account                                     health   collateral(USD)   debt(USD)\n";
  for (const auto& r : rows) {
    const double hf = chain::to_double(r.values[5].as_uint()) / 1e18;
    char line[160];
    std::snprintf(line, sizeof line, "%s  %7.4f  %16.2f  %10.2f\n", r.account.checksummed().c_str(),
                  hf, chain::to_double(r.values[0].as_uint()) / 1e8,
                  chain::to_double(r.values[1].as_uint()) / 1e8);
    std::cout << line;
  }
  // Below 1 with nothing left to seize is bad debt, not an opportunity anyone can take.
  std::size_t bad_debt = 0;
  for (const auto& r : rows)
    if (r.values[0].as_uint() == 0 && r.values[1].as_uint() != 0) ++bad_debt;
  std::cout << below << " of " << rows.size() << " accounts below health factor 1";
  if (bad_debt != 0) std::cout << " (" << bad_debt << " with no collateral left: bad debt)";
  std::cout << '\n';
  return 0;
}

}  // namespace

int run_devnet_command(int argc, char** argv) {
  DevnetOptions options;
  CLI::App app{"A local anvil with the real Aave V3 market.", "keeper devnet"};
  apply_keeper_conventions(app);
  require_a_subcommand(app);
  const auto add_dir = [&options](CLI::App& sub) {
    sub.add_option("--dir", options.dir, "the devnet's files (default .devnet)")->type_name("DIR");
  };

  auto* up_app = app.add_subcommand("up", "start anvil, deploy the market, open borrowers");
  add_integer_option(*up_app, "--borrowers", options.borrowers, {0, 20000},
                     "borrowers to open (default 200)");
  add_integer_option(*up_app, "--seed", options.seed, {}, "borrowers' random seed (default 1)")
      ->type_name("S");
  add_integer_option(*up_app, "--port", options.port, {0, 65535},
                     "anvil's port on 127.0.0.1 (default 8545, 0: any free port)")
      ->type_name("P");
  add_integer_option(
      *up_app, "--block-time",
      [&options](std::uint64_t t) {
        options.block_time = t == 0 ? std::nullopt : std::optional<std::uint64_t>{t};
      },
      {.min = 0, .max = 3600},
      "mine a block every T seconds, ordered by fees (default 2; 0: one per transaction)")
      ->type_name("T");
  add_integer_option(*up_app, "--pool-depth-usd", options.pool_depth_usd,
                     {1'000, 1'000'000'000'000},
                     "USD value of each Uniswap V3 pool's full-range liquidity (default 50000000)")
      ->type_name("USD");
  add_dir(*up_app);

  auto* down_app = app.add_subcommand("down", "stop the devnet's anvil");
  add_dir(*down_app);

  auto* price_app = app.add_subcommand("price", "move an asset's price feed");
  auto* asset = price_app->add_option("ASSET", options.asset, "a symbol of the market (WETH, ...)");
  auto* move = price_app->add_option("MOVE", options.move, "+N%, -N% or an absolute USD price");
  require_options(*price_app, {{asset, "ASSET"}, {move, "a price MOVE"}});
  price_app->add_flag("--no-pools", options.no_pools,
                      "leave the Uniswap pools at their prices (default: an arbitrage swap moves "
                      "every pool of ASSET to the new oracle price)");
  price_app->add_flag("--mempool", options.mempool,
                      "send the oracle's OCR2 transmit and return without waiting for it to be "
                      "mined (on a --block-time devnet, just after a block: it waits in the "
                      "mempool for the next one); the pools are still moved and mined first");
  price_app
      ->add_option("--tip-gwei", options.tip_gwei,
                   "the transmit's priority fee in gwei (default 1)")
      ->check(CLI::Range(0.0, 1000.0))
      ->type_name("GWEI");
  add_dir(*price_app);

  auto* advance_app = app.add_subcommand("advance", "move the chain's clock and mine a block");
  auto* seconds = add_integer_option(*advance_app, "SECONDS", options.seconds, {},
                                     "seconds to add to the clock");
  require_options(*advance_app, {{seconds, "SECONDS"}});
  add_dir(*advance_app);

  auto* report_app = app.add_subcommand("report", "every borrower's health factor");
  report_app->add_flag("--json", options.json, "print JSON instead of a table");
  add_dir(*report_app);

  if (auto exit_code = parse_command_line(app, argc, argv)) return *exit_code;
  if (up_app->parsed()) return up(options);
  if (down_app->parsed()) return down(options);
  if (price_app->parsed()) return price(options);
  if (advance_app->parsed()) return advance(options);
  return report(options);
}

}  // namespace keeper::devnet
