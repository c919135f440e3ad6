// The whole in-process path from a price to a transaction, as the daemon runs it: an aggregator's
// AnswerUpdated notification as the bytes the socket delivers -> parsed and dispatched -> decoded
// -> the tick planned through the trigger index over 1M tracked accounts -> exact evaluation of the
// candidates -> the strategy's pair, amount and bid -> calldata -> the EIP-1559 transaction signed,
// raw bytes ready to write. One account of the million crosses; the others are never visited.
#include <benchmark/benchmark.h>

#include <boost/asio/io_context.hpp>
#include <map>
#include <memory>
#include <optional>
#include <random>

#include "chain/hex.hpp"
#include "chain/signer.hpp"
#include "chain/transaction.hpp"
#include "chain/ws/ws_client.hpp"
#include "keeper/engine/price_tick.hpp"
#include "keeper/tx/tx_manager.hpp"
#include "protocols/aave_v3/aave_v3_protocol.hpp"
#include "protocols/aave_v3/calldata.hpp"
#include "protocols/aave_v3/events.hpp"
#include "protocols/aave_v3/wad_ray_math.hpp"
#include "strategy/liquidation_strategy.hpp"

namespace {

namespace aave = protocols::aave_v3;
using chain::Address;
using chain::u256;

constexpr std::size_t kAccounts = 1'000'000;
constexpr std::uint64_t kWethUsd = 2000;
const Address kAggregator = Address::from_hex("0x5f4eC3Df9cbd43714FE2740f5E3616155c5b8419").value();

aave::Market make_market() {
  aave::Market m;
  aave::Reserve weth;
  weth.asset = Address::from_hex("0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2").value();
  weth.symbol = "WETH";
  weth.id = 0;
  weth.config = {8000, 8250, 10500, 18, true};
  weth.config.liquidation_protocol_fee = 1000;
  weth.liquidity_index = aave::kRay;
  weth.variable_borrow_index = aave::kRay;
  weth.price = u256{kWethUsd} * 100'000'000;
  aave::Reserve usdc = weth;
  usdc.asset = Address::from_hex("0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48").value();
  usdc.symbol = "USDC";
  usdc.id = 1;
  usdc.config = {7700, 8000, 10450, 6, true};
  usdc.price = 100'000'000;
  m.reserves = {weth, usdc};
  return m;
}

// 10 WETH against USDC debt: HF 1.2..3 for everyone but one account at HF ~1.004, which a 1% fall
// of WETH makes liquidatable.
struct World {
  aave::Market market = make_market();
  std::map<Address, aave::Account> accounts;
  std::optional<aave::AaveV3Protocol> protocol;
  strategy::Watchlist watchlist;
  std::vector<Address> band;
};

Address address_of(std::uint64_t i) {
  Address a;
  for (std::size_t b = 0; b < 8; ++b) a.bytes[19 - b] = static_cast<std::uint8_t>(i >> (8 * b));
  a.bytes[0] = 0x11;
  return a;
}

World& world() {
  static std::unique_ptr<World> w = [] {
    auto out = std::make_unique<World>();
    std::mt19937_64 rng{7};
    std::uniform_real_distribution<double> health(1.2, 3.0);
    const double collateral_usd = 10.0 * kWethUsd * 0.825;  // at the liquidation threshold
    for (std::size_t i = 0; i < kAccounts; ++i) {
      const double hf = i == kAccounts / 2 ? 1.004 : health(rng);
      aave::Account a;
      a.config.data = 0b0110;  // WETH collateral, USDC borrowed
      const auto debt = static_cast<std::uint64_t>(collateral_usd / hf * 1e6);
      a.positions = {{0, u256{10} * aave::kWad, 0, 0, 0, 0}, {1, 0, u256{debt}, 0, 0, 0}};
      out->accounts.emplace(address_of(i), std::move(a));
    }
    const aave::AaveContracts contracts{
        {}, Address::from_hex("0x87870Bca3F3fD6335C3F4ce8392D69350B4fA4E2").value(), {}, {}};
    out->protocol.emplace(out->market, out->accounts, 1, contracts,
                          aave::ProtocolOptions{out->market.reserves[0].asset});
    out->protocol->use_price_feeds({{kAggregator, {0}}});
    out->watchlist.refresh_all(*out->protocol, 1);
    out->band = out->watchlist.scan(*out->protocol, 1.001).candidates;  // the last head's band
    return out;
  }();
  return *w;
}

std::string notification(const u256& answer) {
  return R"({"jsonrpc":"2.0","method":"eth_subscription","params":{"subscription":"0x1","result":{"address":")" +
         kAggregator.lower_hex() + R"(","topics":[")" +
         chain::hex_encode(aave::answer_updated_topic()) + R"(",")" +
         chain::hex_encode(chain::to_be32(answer)) +
         R"(","0x0000000000000000000000000000000000000000000000000000000000000007"],"data":"0x0000000000000000000000000000000000000000000000000000000065f0c0de","blockNumber":"0x11a3c4b","transactionHash":"0x6c1f9ea1b1f0fd4b0d5b51a0d9d7a6b0e9a0d2c1b3e4f5a6b7c8d9e0f1a2b3c4","transactionIndex":"0x5","blockHash":"0x8a1e2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8","logIndex":"0x2a","removed":false}}})";
}

void BM_PriceFrameToSignedLiquidation(benchmark::State& state) {
  World& w = world();
  const auto key = chain::PrivateKey::from_hex(
                       "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d")
                       .value();  // anvil's published development key 1
  strategy::LiquidationStrategy strat{strategy::LiquidationStrategyConfig{}};
  const strategy::FeeContext fees{u256{1'000'000'000}, 0};
  const auto frame = notification(u256{kWethUsd * 99} * 1'000'000);  // WETH -1%
  const auto& protocol = *w.protocol;

  boost::asio::io_context io;
  chain::ws::WsOptions options;
  options.url = "ws://127.0.0.1:1";
  auto client = chain::ws::WsClient::create(io, options);
  chain::Bytes raw;
  std::size_t crossed = 0;
  client->subscribe_logs({}, [&](const chain::rpc::Log& log) {
    auto moves = protocol.decode_price_log(log);
    if (!moves || moves->empty()) return;
    const auto plan = keeper::engine::plan_tick(protocol, w.watchlist, w.band, std::move(*moves));
    strategy::MarketView view;
    view.protocol = &protocol;
    view.block = 1;
    view.timestamp = 2;
    view.candidates = &plan.candidates;
    view.moves = plan.moves;
    view.fees = &fees;
    const auto actions = strat.process_event(strategy::NewBlock{view});
    for (const auto& action : actions) {
      const auto* a = std::get_if<strategy::LiquidateAction>(&action);
      if (a == nullptr) continue;
      ++crossed;
      auto call = protocol.liquidation_call(a->opportunity, a->receive_collateral_deposit);
      const keeper::tx::Intent intent{"", call.to, std::move(call.data), 0};
      auto tx = chain::sign_transaction(
          keeper::tx::to_transaction(intent, 1, 7, a->gas_limit, a->bid.max_fee_per_gas,
                                     a->bid.max_priority_fee_per_gas),
          key);
      if (tx) raw = std::move(tx->raw);
    }
  });
  client->attach_server_id(1, "0x1");
  for (auto _ : state) {
    client->dispatch(frame);
    benchmark::DoNotOptimize(raw.data());
  }
  if (raw.empty() || crossed != static_cast<std::size_t>(state.iterations()))
    state.SkipWithError("the tick did not produce one signed liquidation per frame");
  state.counters["accounts"] = static_cast<double>(w.accounts.size());
  state.counters["band"] = static_cast<double>(w.band.size());
}
BENCHMARK(BM_PriceFrameToSignedLiquidation)
    ->Unit(benchmark::kMicrosecond)
    ->Repetitions(5)
    ->ReportAggregatesOnly(true);

}  // namespace
