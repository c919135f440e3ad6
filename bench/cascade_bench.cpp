// The cascade what-if at scale: a sweep of 10 WETH shocks (-5% .. -50%) over a synthetic Aave V3
// market of 100k accounts, each shock run round by round until nothing more falls, with the
// seized collateral sold along a depth curve. Target: under 1 s on one core.
#include <benchmark/benchmark.h>

#include <map>
#include <random>

#include "protocols/aave_v3/cascade_ledger.hpp"
#include "protocols/aave_v3/wad_ray_math.hpp"
#include "strategy/cascade/debt_at_risk.hpp"
#include "strategy/cascade/depth_curve.hpp"
#include "strategy/cascade/simulation.hpp"

namespace {

namespace aave = protocols::aave_v3;
namespace sc = strategy::cascade;
using chain::u256;

constexpr std::uint64_t kNow = 1'700'000'000;

chain::Address address_of(std::uint32_t n, std::uint8_t tag) {
  chain::Address a{};
  a.bytes[0] = tag;
  for (std::size_t i = 0; i < 4; ++i) a.bytes[19 - i] = static_cast<std::uint8_t>(n >> (8 * i));
  return a;
}

aave::Reserve reserve(std::uint16_t id, const char* symbol, unsigned decimals, std::uint64_t price,
                      std::uint32_t lt, std::uint32_t bonus) {
  aave::Reserve r;
  r.id = id;
  r.symbol = symbol;
  r.asset = address_of(id, 0xaa);
  r.config.decimals = decimals;
  r.config.liquidation_threshold = lt;
  r.config.ltv = lt - 300;
  r.config.liquidation_bonus = bonus;
  r.config.liquidation_protocol_fee = 1000;
  r.config.active = true;
  r.liquidity_index = aave::kRay + aave::kRay / 50;
  r.variable_borrow_index = aave::kRay + aave::kRay / 20;
  r.variable_borrow_rate = aave::kRay / 25;  // 4% a year, accruing since last_update
  r.liquidity_rate = aave::kRay / 50;
  r.last_update = kNow - 3600;
  r.price = price;
  return r;
}

// WETH or WBTC collateral (sometimes both), USDC or DAI debt; health spread over [1.0, 3.0].
std::unique_ptr<aave::CascadeLedger> make_ledger(std::size_t accounts) {
  aave::Market m;
  m.reserves = {reserve(0, "WETH", 18, 2000'00000000ULL, 8250, 10500),
                reserve(1, "USDC", 6, 1'00000000ULL, 8500, 10400),
                reserve(2, "WBTC", 8, 60000'00000000ULL, 7800, 10650),
                reserve(3, "DAI", 18, 1'00000000ULL, 8000, 10500)};
  std::map<chain::Address, aave::Account> positions;
  std::mt19937_64 rng{11};
  std::uniform_real_distribution<double> usd(1'000.0, 100'000.0);
  std::uniform_real_distribution<double> health(1.0, 3.0);
  std::uniform_int_distribution<int> coin(0, 3);
  for (std::size_t i = 0; i < accounts; ++i) {
    aave::Account a;
    const int pick = coin(rng);
    const double weth_usd = pick == 3 ? 0 : usd(rng);
    const double wbtc_usd = pick >= 2 ? usd(rng) * 0.5 : 0;
    const std::uint16_t debt = coin(rng) % 2 == 0 ? 1 : 3;
    const double weighted = weth_usd * 0.825 + wbtc_usd * 0.78;
    const double debt_usd = weighted / health(rng);
    if (weth_usd > 0) {
      a.config.data |= u256{1} << 1;
      a.positions.push_back(
          {0, u256{static_cast<std::uint64_t>(weth_usd / 2000 * 1e9)} * u256{1'000'000'000ULL}, 0,
           0, 0, 0});
    }
    if (debt == 1) {
      a.config.data |= u256{1} << 2;
      a.positions.push_back({1, 0, u256{static_cast<std::uint64_t>(debt_usd * 1e6)}, 0, 0, 0});
    }
    if (wbtc_usd > 0) {
      a.config.data |= u256{1} << 5;
      a.positions.push_back(
          {2, u256{static_cast<std::uint64_t>(wbtc_usd / 60000 * 1e8)}, 0, 0, 0, 0});
    }
    if (debt == 3) {
      a.config.data |= u256{1} << 6;
      a.positions.push_back(
          {3, 0, u256{static_cast<std::uint64_t>(debt_usd * 1e9)} * u256{1'000'000'000ULL}, 0, 0,
           0});
    }
    positions.emplace(address_of(static_cast<std::uint32_t>(i), 0xbb), std::move(a));
  }
  return std::make_unique<aave::CascadeLedger>(std::move(m), std::move(positions), 1,
                                               aave::AaveContracts{}, aave::ProtocolOptions{});
}

aave::CascadeLedger& ledger_100k() {
  static const auto ledger = make_ledger(100'000);
  return *ledger;
}

// The whole `--sweep "WETH -5%..-50%/5"`: rank every account once, then ten cascades.
void BM_CascadeSweep10Shocks100kAccounts(benchmark::State& state) {
  auto& ledger = ledger_100k();
  const auto shocks = sc::parse_sweep("WETH -5%..-50%/5").value();
  // A market of ~$5B of collateral: 0.02% per $1M sold.
  const sc::DepthCurveExchange curve{ledger.assets(), u256{100'000'000}, {{0, 0.02}, {2, 0.02}}};
  std::size_t liquidations = 0;
  std::size_t rounds = 0;
  std::size_t evaluated = 0;
  std::size_t under_one = 0;
  for (auto _ : state) {
    // As `keeper cascade --sweep` runs it: totals per shock, no per-account listing.
    sc::Cascade cascade{ledger, {.timestamp = kNow, .max_rounds = 50, .list_accounts = false}};
    liquidations = 0;
    rounds = 0;
    evaluated = 0;
    under_one = 0;
    for (const auto& s : shocks) {
      auto r = cascade.run(s, curve);
      if (!r) {
        state.SkipWithError(r.error().message.c_str());
        return;
      }
      rounds += r->rounds.size();
      for (const auto& round : r->rounds) {
        liquidations += round.liquidated;
        evaluated += round.evaluated;
        under_one += round.under_one;
      }
    }
    benchmark::DoNotOptimize(liquidations);
  }
  state.counters["liquidations"] = static_cast<double>(liquidations);
  state.counters["rounds"] = static_cast<double>(rounds);
  state.counters["evaluated"] = static_cast<double>(evaluated);  // accounts evaluated exactly
  // Assessments that reused a verdict kept from an earlier round, over the ledger's life.
  state.counters["verdicts_reused"] = static_cast<double>(ledger.verdicts_reused());
  state.counters["under_one"] = static_cast<double>(under_one);  // of which found under 1
}
BENCHMARK(BM_CascadeSweep10Shocks100kAccounts)->Unit(benchmark::kMillisecond)->Iterations(1);

// The per-asset gauge over the same book: the WETH move that puts 10% of the debt under 1.
void BM_MoveFor10PercentOfDebt100k(benchmark::State& state) {
  auto& ledger = ledger_100k();
  strategy::RiskBook book;
  std::uint32_t id = 0;
  ledger.protocol().for_each_account([&](const chain::Address& who) {
    book.set(id++, ledger.protocol().rank_form(who, kNow).weights);
  });
  const auto prices = ledger.protocol().rank_prices({});
  for (auto _ : state) {
    const auto m = sc::move_for_debt_share(book, 0, prices, 0.1);
    benchmark::DoNotOptimize(m);
    state.counters["weth_fall_pct"] = m.fall ? *m.fall * 100 : 0;
  }
}
BENCHMARK(BM_MoveFor10PercentOfDebt100k)->Unit(benchmark::kMillisecond);

}  // namespace
