#include "keeper/devnet/devnet_command.hpp"

#include <signal.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "chain/hex.hpp"
#include "keeper/devnet/borrowers.hpp"
#include "keeper/devnet/liquidator_contract.hpp"
#include "keeper/devnet/market_deploy.hpp"
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

struct Args {
  std::vector<std::string> positional;
  std::map<std::string, std::string> options;
  std::set<std::string> flags;
};

int fail(const std::string& message) {
  std::cerr << "keeper devnet: " << message << '\n';
  return 1;
}

tl::expected<Args, std::string> parse(int argc, char** argv, const std::set<std::string>& valued,
                                      const std::set<std::string>& flags) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg.rfind("--", 0) == 0 &&
        !(arg.size() > 2 && (std::isdigit(static_cast<unsigned char>(arg[2]))))) {
      if (flags.count(arg)) {
        a.flags.insert(arg);
      } else if (valued.count(arg)) {
        if (i + 1 >= argc) return tl::unexpected(arg + " needs a value");
        a.options[arg] = argv[++i];
      } else {
        return tl::unexpected("unknown option " + arg);
      }
    } else {
      a.positional.push_back(arg);
    }
  }
  return a;
}

template <class T>
tl::expected<T, std::string> number(const std::string& text, const std::string& what) {
  T value{};
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || ptr != text.data() + text.size())
    return tl::unexpected(what + " must be a number, got '" + text + "'");
  return value;
}

fs::path dir_of(const Args& a) {
  return a.options.count("--dir") ? fs::path{a.options.at("--dir")} : fs::path{".devnet"};
}

chain::rpc::RpcClient client_for(const Deployment& d) {
  return chain::rpc::RpcClient{chain::rpc::RpcClientOptions::for_urls({d.http_url})};
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
         d.addresses_provider.checksummed() +
         "\"\nstart_block = 0\n\n[wallet]\nprivate_key_env = \"KEEPER_PRIVATE_KEY\"\n"
         "\n[strategy]\n# gas is valued at the fee expected to be paid; the caps are only guards\n"
         "min_profit_usd = 1.0\nmax_fee_per_gas_gwei = 20\nmax_priority_fee_per_gas_gwei = 2\n"
         "native_asset = \"" +
         d.asset("WETH")->token.checksummed() +
         "\"\n"
         "\n[state]\nsnapshot_path = \"keeper-state.json\"\nsnapshot_every_blocks = 10\n"
         "\n# keeper's own liquidator contract, owned by the liquidator account above\n"
         "[liquidator]\naddress = \"" +
         d.liquidator_contract.checksummed() + "\"\n";
}

int up(int argc, char** argv) {
  auto args = parse(argc, argv, {"--borrowers", "--seed", "--port", "--block-time", "--dir"}, {});
  if (!args) return fail(args.error());
  const fs::path dir = dir_of(*args);
  auto borrowers = number<std::size_t>(
      args->options.count("--borrowers") ? args->options["--borrowers"] : "200", "--borrowers");
  auto seed = number<std::uint64_t>(args->options.count("--seed") ? args->options["--seed"] : "1",
                                    "--seed");
  auto port = number<std::uint16_t>(
      args->options.count("--port") ? args->options["--port"] : "8545", "--port");
  std::optional<double> block_time;
  if (args->options.count("--block-time")) {
    try {
      block_time = std::stod(args->options["--block-time"]);
    } catch (const std::exception&) {
      return fail("--block-time must be a number of seconds");
    }
    if (!(*block_time >= 1) || *block_time != std::floor(*block_time))
      return fail("--block-time must be a whole number of seconds, at least 1");
  }
  if (!borrowers) return fail(borrowers.error());
  if (!seed) return fail(seed.error());
  if (!port) return fail(port.error());
  if (*borrowers > 20000) return fail("--borrowers is limited to 20000");
  // Refuse before touching anything: never a half-deployed chain.
  if (fs::exists(dir / "deployment.json") || fs::exists(dir / "anvil.pid"))
    return fail(dir.string() + " already holds a devnet; run `keeper devnet down --dir " +
                dir.string() + "` or choose another --dir");
  if (keeper::port_accepts(*port))
    return fail("port " + std::to_string(*port) + " on 127.0.0.1 is already in use");
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return fail("cannot create " + dir.string() + ": " + ec.message());

  const auto started = std::chrono::steady_clock::now();
  keeper::AnvilOptions options;
  options.port = *port;
  options.log_path = fs::absolute(dir / "anvil.log");
  auto anvil = keeper::Anvil::start(options);
  if (!anvil) return fail(anvil.error());

  Deployment d;
  d.http_url = anvil->http_url();
  d.ws_url = anvil->ws_url();
  d.port = anvil->port();
  d.seed = *seed;
  d.admin = kAdmin;
  d.liquidator = kLiquidator;
  auto rpc = client_for(d);
  DevChain chain{rpc};
  if (auto ok = deploy_market(chain, d); !ok) return fail("deploying the market: " + ok.error());
  if (auto ok = populate_borrowers(chain, d, *borrowers, *seed); !ok)
    return fail("populating borrowers: " + ok.error());
  if (auto ok = deploy_liquidator_contract(chain, d); !ok)
    return fail("deploying the liquidator contract: " + ok.error());
  auto head = rpc.block_number();
  if (!head) return fail(head.error().to_string());
  d.deployed_at_block = *head;
  if (block_time) {
    if (auto r =
            rpc.call("evm_setIntervalMining",
                     nlohmann::json::array({std::max<std::int64_t>(1, std::llround(*block_time))}));
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
            << "\n  anvil pid: " << d.anvil_pid << "\n  pool:      " << d.pool.checksummed()
            << "\n  provider:  " << d.addresses_provider.checksummed()
            << "\n  liquidator contract: " << d.liquidator_contract.checksummed()
            << "\n  borrowers: " << d.borrowers.size()
            << "\n  files:     " << (dir / "deployment.json").string() << ", "
            << (dir / "keeper.toml").string() << '\n';
  return 0;
}

int down(int argc, char** argv) {
  auto args = parse(argc, argv, {"--dir"}, {});
  if (!args) return fail(args.error());
  const fs::path dir = dir_of(*args);
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

int price(int argc, char** argv) {
  auto args = parse(argc, argv, {"--dir"}, {});
  if (!args) return fail(args.error());
  if (args->positional.size() != 2)
    return fail("usage: keeper devnet price ASSET (+N% | -N% | ABSOLUTE_USD)");
  auto d = read_deployment(dir_of(*args) / "deployment.json");
  if (!d) return fail(d.error());
  const auto* asset = d->asset(args->positional[0]);
  if (!asset) return fail("unknown asset " + args->positional[0]);
  auto rpc = client_for(*d);
  DevChain chain{rpc};
  auto current = chain.view(asset->aggregator, "latestAnswer()(int256)", {});
  if (!current) return fail(current.error());
  const chain::i256 old_answer = (*current)[0].as_int();
  const std::string& move = args->positional[1];
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
  auto data = calldata("updateAnswer(int256)", {Value::from_int(answer)});
  if (!data) return fail(data.error());
  auto receipt = chain.send(d->admin, asset->aggregator, *data, "updateAnswer");
  if (!receipt) return fail(receipt.error());
  std::cout << asset->spec.symbol << ": " << old_answer << " -> " << answer
            << " (8 decimals) in block " << receipt->block_number << '\n';
  return 0;
}

int advance(int argc, char** argv) {
  auto args = parse(argc, argv, {"--dir"}, {});
  if (!args) return fail(args.error());
  if (args->positional.size() != 1) return fail("usage: keeper devnet advance SECONDS");
  auto seconds = number<std::uint64_t>(args->positional[0], "SECONDS");
  if (!seconds) return fail(seconds.error());
  auto d = read_deployment(dir_of(*args) / "deployment.json");
  if (!d) return fail(d.error());
  auto rpc = client_for(*d);
  if (auto r = rpc.call("evm_increaseTime", nlohmann::json::array({*seconds})); !r)
    return fail(r.error().to_string());
  if (auto r = rpc.call("evm_mine", nlohmann::json::array()); !r)
    return fail(r.error().to_string());
  auto head = rpc.block("latest");
  if (!head) return fail(head.error().to_string());
  std::cout << "advanced " << *seconds << " s: block " << head->number << " at timestamp "
            << head->timestamp << '\n';
  return 0;
}

int report(int argc, char** argv) {
  auto args = parse(argc, argv, {"--dir"}, {"--json"});
  if (!args) return fail(args.error());
  auto d = read_deployment(dir_of(*args) / "deployment.json");
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
  if (args->flags.count("--json")) {
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
  const std::string usage =
      "usage: keeper devnet up [--borrowers N] [--seed S] [--port P] [--block-time T] [--dir DIR]\n"
      "       keeper devnet down [--dir DIR]\n"
      "       keeper devnet price ASSET (+N% | -N% | ABSOLUTE) [--dir DIR]\n"
      "       keeper devnet advance SECONDS [--dir DIR]\n"
      "       keeper devnet report [--json] [--dir DIR]";
  if (argc < 1) return fail(usage);
  const std::string sub = argv[0];
  if (sub == "up") return up(argc, argv);
  if (sub == "down") return down(argc, argv);
  if (sub == "price") return price(argc, argv);
  if (sub == "advance") return advance(argc, argv);
  if (sub == "report") return report(argc, argv);
  return fail("unknown subcommand '" + sub + "'\n" + usage);
}

}  // namespace keeper::devnet
