// The cascade ledger keeps the verdict of accounts that no pair can liquidate (dust collateral
// against a debt) from one round to the next while their prices allow it: here against the
// protocol's own evaluation, which keeps nothing, over whole cascades and price by price.
#include <catch2/catch.hpp>

#include <random>

#include "cascade/report.hpp"
#include "protocols/aave_v3/cascade_ledger.hpp"
#include "protocols/aave_v3/wad_ray_math.hpp"
#include "strategy/cascade/depth_curve.hpp"
#include "strategy/cascade/shock.hpp"
#include "strategy/cascade/simulation.hpp"

using namespace chain;
namespace aave = protocols::aave_v3;
namespace sc = strategy::cascade;
using Verdict = strategy::Assessment::Verdict;

namespace {

constexpr std::uint64_t kThen = 1'000;
constexpr std::uint64_t kNow = kThen + 3600;  // interest accrues for an hour

aave::Reserve reserve(std::uint16_t id, const char* symbol, unsigned decimals, std::uint64_t price,
                      std::uint32_t lt, std::uint32_t bonus) {
  aave::Reserve r;
  r.id = id;
  r.symbol = symbol;
  r.asset.bytes[19] = static_cast<std::uint8_t>(100 + id);
  r.config.decimals = decimals;
  r.config.liquidation_threshold = lt;
  r.config.ltv = lt - 500;
  r.config.liquidation_bonus = bonus;
  r.config.liquidation_protocol_fee = 1000;
  r.config.active = true;
  r.liquidity_index = aave::kRay + aave::kRay / 50 + id;
  r.variable_borrow_index = aave::kRay + aave::kRay / 20 + 7 * id;
  r.variable_borrow_rate = aave::kRay / 25;
  r.liquidity_rate = aave::kRay / 50;
  r.last_update = kThen;
  r.price = price;
  return r;
}

// WETH 0, USDC 1, WBTC 2, DAI 3.
aave::Market market() {
  aave::Market m;
  m.reserves = {reserve(0, "WETH", 18, 2000'00000000ULL, 8250, 10500),
                reserve(1, "USDC", 6, 1'00000000ULL, 8500, 10400),
                reserve(2, "WBTC", 8, 60000'00000000ULL, 7800, 10650),
                reserve(3, "DAI", 18, 1'00000000ULL, 8000, 10500)};
  return m;
}

Address who(std::uint32_t n) {
  Address a{};
  a.bytes[0] = 0xdd;
  for (std::size_t b = 0; b < 4; ++b) a.bytes[19 - b] = static_cast<std::uint8_t>(n >> (8 * b));
  return a;
}

// Collateral and debt by reserve, in the token's smallest units (scaled by the indexes' 1.0x).
struct Holding {
  std::uint16_t reserve;
  u256 amount;
};
aave::Account account(std::vector<Holding> collateral, std::vector<Holding> debt) {
  aave::Account a;
  std::map<std::uint16_t, aave::Position> by_reserve;
  for (const auto& c : collateral) {
    a.config.data |= u256{1} << (2 * c.reserve + 1);
    by_reserve[c.reserve].reserve = c.reserve;
    by_reserve[c.reserve].scaled_a_token = c.amount;
  }
  for (const auto& d : debt) {
    a.config.data |= u256{1} << (2 * d.reserve);
    by_reserve[d.reserve].reserve = d.reserve;
    by_reserve[d.reserve].scaled_variable_debt = d.amount;
  }
  for (const auto& [reserve, p] : by_reserve) a.positions.push_back(p);
  return a;
}

// Healthy accounts (1.0 .. 1.6) a shock pushes under 1 round after round, so that liquidations
// leave dust collateral behind; WETH or WBTC collateral (or both), USDC, DAI or WBTC debt.
void add_spread(std::map<Address, aave::Account>& out, std::size_t n, std::uint32_t first) {
  std::mt19937_64 rng{17};
  std::uniform_real_distribution<double> usd(500.0, 400'000.0);
  std::uniform_real_distribution<double> health(1.0, 1.6);
  std::uniform_int_distribution<int> coin(0, 3);
  for (std::size_t i = 0; i < n; ++i) {
    const int pick = coin(rng);
    const double weth = pick == 3 ? 0 : usd(rng);
    const double wbtc = pick >= 2 ? usd(rng) : 0;
    const int owes = coin(rng);
    const double debt_usd = (weth * 0.825 + wbtc * 0.78) / health(rng);
    std::vector<Holding> collateral;
    if (weth > 0)
      collateral.push_back(
          {0, u256{static_cast<std::uint64_t>(weth / 2000 * 1e9)} * u256{1'000'000'000ULL}});
    if (wbtc > 0) collateral.push_back({2, u256{static_cast<std::uint64_t>(wbtc / 60000 * 1e8)}});
    std::vector<Holding> debt;
    if (owes == 0 && wbtc == 0)  // WBTC debt against WETH: a debt price the cascade moves
      debt.push_back({2, u256{static_cast<std::uint64_t>(debt_usd / 60000 * 1e8)}});
    else if (owes % 2 == 0)
      debt.push_back({1, u256{static_cast<std::uint64_t>(debt_usd * 1e6)}});
    else
      debt.push_back(
          {3, u256{static_cast<std::uint64_t>(debt_usd * 1e9)} * u256{1'000'000'000ULL}});
    out.emplace(who(first + static_cast<std::uint32_t>(i)), account(collateral, debt));
  }
}

// The same ledger, assessed by the protocol's own evaluation (AaveV3Protocol::assess over the
// same positions, which apply() changes): nothing kept from one call to the next.
class ProtocolLedger final : public sc::Ledger {
 public:
  explicit ProtocolLedger(aave::CascadeLedger& inner) : inner_{inner} {}
  const strategy::LendingProtocol& protocol() const override { return inner_.protocol(); }
  const std::vector<sc::AssetInfo>& assets() const override { return inner_.assets(); }
  std::optional<strategy::AssetId> asset_id(const Address& asset) const override {
    return inner_.asset_id(asset);
  }
  std::size_t account_count() const override { return inner_.account_count(); }
  const Address& address(strategy::AccountId id) const override { return inner_.address(id); }
  strategy::RankForm rank_form(strategy::AccountId id, std::uint64_t timestamp) const override {
    return inner_.rank_form(id, timestamp);
  }
  void health_bound(strategy::AccountId id, std::uint64_t timestamp,
                    sc::HealthBound& out) const override {
    inner_.health_bound(id, timestamp, out);
  }
  strategy::Assessment assess(strategy::AccountId id, std::uint64_t timestamp,
                              std::span<const u256> prices) const override {
    std::vector<strategy::PriceMove> moves;
    for (std::size_t i = 0; i < prices.size(); ++i)
      moves.push_back({static_cast<strategy::AssetId>(i), prices[i]});
    const std::vector<Address> one{inner_.address(id)};
    return inner_.protocol().assess(one, timestamp, {}, moves).at(0);
  }
  sc::AccountTotals totals(strategy::AccountId id, std::uint64_t timestamp,
                           std::span<const u256> prices) const override {
    return inner_.totals(id, timestamp, prices);
  }
  tl::expected<sc::Applied, std::string> apply(strategy::AccountId id,
                                               const strategy::Opportunity& o,
                                               std::uint64_t timestamp,
                                               std::span<const u256> prices) override {
    return inner_.apply(id, o, timestamp, prices);
  }
  std::vector<strategy::AccountId> changed() const override { return inner_.changed(); }
  void restore() override { inner_.restore(); }

 private:
  aave::CascadeLedger& inner_;
};

std::vector<u256> prices_of(const aave::CascadeLedger& ledger) {
  std::vector<u256> out;
  for (const auto& r : ledger.market().reserves) out.push_back(r.price);
  return out;
}

}  // namespace

TEST_CASE("cascades that keep dust verdicts are those of the protocol's own evaluation",
          "[cascade]") {
  std::map<Address, aave::Account> positions;
  add_spread(positions, 1500, 0);
  // Dust from the start: WETH against USDC; WETH and WBTC against DAI; WETH against WBTC (its
  // debt price falls when the cascade sells WBTC: 2e11 wei of WETH, $4e-4, repays nothing
  // while a satoshi is worth more, from WBTC at $40,000 down).
  positions.emplace(who(90'000), account({{0, u256{300'000'000}}}, {{1, u256{2'290'000'000}}}));
  positions.emplace(who(90'001), account({{0, u256{5}}, {2, u256{1}}}, {{3, aave::kWad * 900}}));
  positions.emplace(who(90'002), account({{0, u256{200'000'000'000ULL}}}, {{2, u256{100'000}}}));
  aave::CascadeLedger ledger{market(), positions, 7, {}, {}};
  ProtocolLedger reference_ledger{ledger};
  const sc::DepthCurveExchange curve{ledger.assets(), u256{100'000'000}, {{0, 1.0}, {2, 1.0}}};
  sc::Cascade kept{ledger, {.timestamp = kNow, .max_rounds = 40}};
  sc::Cascade reference{reference_ledger, {.timestamp = kNow, .max_rounds = 40}};
  sc::Cascade totals_only{ledger, {.timestamp = kNow, .max_rounds = 40, .list_accounts = false}};
  const cascade::ReportContext context{7, kNow, ledger.assets(), u256{100'000'000}};

  struct Row {
    const char* symbol;
    std::int32_t bp;
  };
  std::size_t dust_liquidated_late = 0;  // WETH-against-WBTC dust liquidated after round 1
  for (const auto& row : std::vector<Row>{{"WETH", -1000},
                                          {"WETH", -3000},
                                          {"WETH", -5000},
                                          {"WBTC", -3000},
                                          {"WBTC", -3100},
                                          {"WBTC", -3300},
                                          {"WBTC", -5000},
                                          {"USDC", -2000}}) {
    INFO(row.symbol << " " << row.bp << " bp");
    const std::size_t reused = ledger.verdicts_reused();
    const auto k = kept.run({row.symbol, row.bp}, curve);
    REQUIRE(k.has_value());
    const auto reused_here = ledger.verdicts_reused() - reused;
    const auto r = reference.run({row.symbol, row.bp}, curve);
    REQUIRE(r.has_value());
    REQUIRE(k->rounds.size() == r->rounds.size());
    // Every round the same accounts under 1 with the same health factors and verdicts, the
    // same liquidations to the wei, the same sales, prices and bad debt.
    for (std::size_t i = 0; i < k->rounds.size(); ++i) {
      INFO("round " << i + 1);
      CHECK(k->rounds[i].under_one == r->rounds[i].under_one);
      CHECK(k->rounds[i].liquidated == r->rounds[i].liquidated);
      CHECK(k->rounds[i].prices_after == r->rounds[i].prices_after);
      CHECK(k->rounds[i].bad_debt_base == r->rounds[i].bad_debt_base);
      for (const auto& l : r->rounds[i].accounts)
        dust_liquidated_late +=
            i > 0 && l.account == who(90'002) && l.verdict == Verdict::liquidatable;
    }
    CHECK(cascade::cascade_json(context, *k).dump() == cascade::cascade_json(context, *r).dump());
    const auto t = totals_only.run({row.symbol, row.bp}, curve);
    REQUIRE(t.has_value());
    CHECK(cascade::sweep_json(context, {*t}).dump() == cascade::sweep_json(context, {*r}).dump());
    // Deep cascades leave dust that later rounds no longer evaluate.
    if (k->rounds.size() > 2) CHECK(reused_here > 0);
    CHECK(ledger.changed().empty());
  }
  // The table moved a dust account's debt price down between rounds far enough to make it
  // liquidatable: a verdict kept across that move would have missed it.
  CHECK(dust_liquidated_late > 0);
  CHECK(ledger.verdicts_reused() > 100);
}

TEST_CASE("a kept dust verdict is reused only while the prices cannot change it", "[cascade]") {
  // 2e11 wei of WETH ($4e-4) against 0.001 WBTC, and 3e8 wei ($6e-7) against $2,290 of USDC:
  // no pair repays a unit at the prices as read. Each row moves prices from there; the verdict
  // must be the protocol's, and is reused only for moves that provably keep it.
  struct Row {
    const char* what;
    std::uint32_t account;                                      // 0: against WBTC, 1: against USDC
    std::vector<std::pair<std::uint16_t, std::int32_t>> moves;  // reserve, basis points
    bool reused;
    Verdict verdict;
  };
  const std::vector<Row> rows{
      {"the same prices", 0, {}, true, Verdict::no_allowed_pair},
      {"the collateral falls", 0, {{0, -3000}}, true, Verdict::no_allowed_pair},
      {"an unrelated asset moves", 0, {{3, -2000}, {1, 500}}, true, Verdict::no_allowed_pair},
      {"the collateral rises", 0, {{0, 5000}}, false, Verdict::liquidatable},
      {"the debt price falls", 0, {{2, -3400}}, false, Verdict::liquidatable},
      {"the debt price falls a little", 0, {{2, -100}}, false, Verdict::no_allowed_pair},
      {"the debt price rises", 0, {{2, 1000}}, false, Verdict::no_allowed_pair},
      {"both fall", 0, {{0, -1000}, {2, -4000}}, false, Verdict::liquidatable},
      {"USDC dust, WETH falls", 1, {{0, -5000}}, true, Verdict::no_allowed_pair},
      {"USDC dust, USDC falls by half", 1, {{1, -5000}}, false, Verdict::liquidatable},
  };
  for (const auto& row : rows) {
    INFO(row.what);
    std::map<Address, aave::Account> positions;
    positions.emplace(who(0), account({{0, u256{200'000'000'000ULL}}}, {{2, u256{100'000}}}));
    positions.emplace(who(1), account({{0, u256{300'000'000}}}, {{1, u256{2'290'000'000}}}));
    aave::CascadeLedger ledger{market(), positions, 7, {}, {}};
    ProtocolLedger reference{ledger};
    auto prices = prices_of(ledger);
    const strategy::AccountId id = row.account;
    REQUIRE(ledger.assess(id, kNow, prices).verdict == Verdict::no_allowed_pair);
    REQUIRE(ledger.verdicts_reused() == 0);
    for (const auto& [reserve, bp] : row.moves)
      prices[reserve] = sc::shocked_price(prices[reserve], bp);
    const auto a = ledger.assess(id, kNow, prices);
    const auto expected = reference.assess(id, kNow, prices);
    CHECK(a.verdict == row.verdict);
    CHECK(a.verdict == expected.verdict);
    CHECK(a.best.has_value() == expected.best.has_value());
    if (a.best && expected.best) {
      CHECK(a.best->debt_repaid == expected.best->debt_repaid);
      CHECK(a.best->collateral_seized == expected.best->collateral_seized);
    }
    CHECK(ledger.verdicts_reused() == (row.reused ? 1U : 0U));
  }
}

TEST_CASE("dust verdicts are not kept where the health factor could cross 1 or 0.95", "[cascade]") {
  // WBTC paused: no pair with it is allowed, yet it counts for the health factor. With WETH
  // dust beside it the account has no pair at all, and its health factor is WBTC's. Within a
  // basis point of 1 or of 0.95 the floor of the average threshold could lift it across when
  // WETH falls (at WBTC's 78%, one basis point of threshold is 1.3e-4 of the health factor), so
  // the verdict is not kept there; further away it is.
  struct Row {
    double health;
    bool kept;
  };
  for (const auto& row : std::vector<Row>{
           {0.5, true}, {0.9, true}, {0.94994, false}, {0.96, true}, {0.99994, false}}) {
    INFO("health " << row.health);
    auto m = market();
    m.reserves[2].config.paused = true;
    const double wbtc_usd = 1'000'000.0;
    // Scaled amounts: the collateral's index is 1.02 and the debt's 1.05 (then an hour of 2% and
    // 4% a year).
    const double indexes = 1.02 / 1.05 * (1 - 2.29e-6);
    const double debt_usd = wbtc_usd * 0.78 * indexes / row.health;
    std::map<Address, aave::Account> positions;
    positions.emplace(who(0),
                      account({{0, u256{300'000'000}},
                               {2, u256{static_cast<std::uint64_t>(wbtc_usd / 60000 * 1e8)}}},
                              {{1, u256{static_cast<std::uint64_t>(debt_usd * 1e6)}}}));
    aave::CascadeLedger ledger{m, positions, 7, {}, {}};
    ProtocolLedger reference{ledger};
    auto prices = prices_of(ledger);
    REQUIRE(ledger.assess(0, kNow, prices).verdict == Verdict::no_allowed_pair);
    CHECK(to_double(ledger.totals(0, kNow, prices).health_factor) / 1e18 ==
          Approx(row.health).margin(1e-5));
    prices[0] = sc::shocked_price(prices[0], -1000);
    const auto a = ledger.assess(0, kNow, prices);
    CHECK(a.verdict == reference.assess(0, kNow, prices).verdict);
    CHECK(ledger.verdicts_reused() == (row.kept ? 1U : 0U));
  }
}

TEST_CASE("health bounds kept for the accounts as read follow liquidations and their undo",
          "[cascade]") {
  // The ledger keeps each unchanged account's bound from the first time it is asked: asked
  // again, after liquidations (then from the positions as they stand: those of a new ledger over
  // them) and after restore(), it must give what computing it afresh gives.
  std::map<Address, aave::Account> positions;
  add_spread(positions, 300, 0);
  aave::CascadeLedger ledger{market(), positions, 7, {}, {}};
  const auto same = [](const sc::HealthBound& a, const sc::HealthBound& b) {
    if (a.slack != b.slack || a.terms.size() != b.terms.size()) return false;
    for (std::size_t k = 0; k < a.terms.size(); ++k)
      if (a.terms[k].asset != b.terms[k].asset || a.terms[k].coefficient != b.terms[k].coefficient)
        return false;
    return true;
  };
  std::vector<sc::HealthBound> first(ledger.account_count());
  for (strategy::AccountId id = 0; id < ledger.account_count(); ++id) {
    ledger.health_bound(id, kNow, first[id]);
    sc::HealthBound again;
    ledger.health_bound(id, kNow, again);
    CHECK(same(first[id], again));
  }
  auto prices = prices_of(ledger);
  prices[0] = sc::shocked_price(prices[0], -3000);
  prices[2] = sc::shocked_price(prices[2], -3000);
  std::size_t liquidated = 0;
  for (strategy::AccountId id = 0; id < ledger.account_count(); ++id) {
    const auto a = ledger.assess(id, kNow, prices);
    if (a.verdict != Verdict::liquidatable) continue;
    REQUIRE(ledger.apply(id, *a.best, kNow, prices).has_value());
    ++liquidated;
  }
  REQUIRE(liquidated > 20);
  const auto& now = dynamic_cast<const aave::AaveV3Protocol&>(ledger.protocol()).positions();
  aave::CascadeLedger fresh{market(), now, 7, {}, {}};
  for (strategy::AccountId id = 0; id < ledger.account_count(); ++id) {
    sc::HealthBound kept, afresh;
    ledger.health_bound(id, kNow, kept);
    fresh.health_bound(id, kNow, afresh);
    CHECK(same(kept, afresh));
  }
  ledger.restore();
  for (strategy::AccountId id = 0; id < ledger.account_count(); ++id) {
    sc::HealthBound back;
    ledger.health_bound(id, kNow, back);
    CHECK(same(back, first[id]));
  }
}
