#include <catch2/catch.hpp>

#include <algorithm>
#include <set>

#include "protocols/aave_v3/aave_v3_protocol.hpp"
#include "protocols/aave_v3/wad_ray_math.hpp"
#include "strategy/evaluator/watchlist.hpp"

using namespace chain;
namespace aave = protocols::aave_v3;

namespace {

Address addr(std::uint8_t b) {
  Address a{};
  a.bytes[19] = b;
  return a;
}

aave::Reserve reserve(std::uint16_t id, unsigned decimals, std::uint64_t price, std::uint32_t lt) {
  aave::Reserve r;
  r.id = id;
  r.asset = addr(static_cast<std::uint8_t>(100 + id));
  r.config.decimals = decimals;
  r.config.liquidation_threshold = lt;
  r.config.ltv = lt - 500;
  r.liquidity_index = aave::kRay;
  r.variable_borrow_index = aave::kRay;
  r.last_update = 1'000;
  r.price = price;
  return r;
}

// `weth` whole WETH supplied as collateral, `usdc` whole USDC borrowed.
aave::Account account(std::uint64_t weth, std::uint64_t usdc) {
  aave::Account a;
  a.config.data = usdc == 0 ? 0b0010 : 0b0110;
  a.positions.push_back({0, u256{weth} * aave::pow10(18), 0, 0, 0, 0});
  if (usdc != 0) a.positions.push_back({1, 0, u256{usdc} * aave::pow10(6), 0, 0, 0});
  return a;
}

}  // namespace

TEST_CASE("the watchlist ranks by health and a tick finds exactly the crossed accounts",
          "[evaluator]") {
  aave::Market m;
  m.reserves = {reserve(0, 18, 2000'00000000ULL, 8250), reserve(1, 6, 1'00000000ULL, 8000)};
  // Health at WETH $2000 (LT 82.5%): A 1.1, B 1.03125, C 0.97059; D owes nothing.
  const std::map<Address, aave::Account> positions{{addr(1), account(1, 1500)},
                                                   {addr(2), account(1, 1600)},
                                                   {addr(3), account(1, 1700)},
                                                   {addr(4), account(1, 0)}};
  const protocols::aave_v3::AaveV3Protocol protocol{m, positions, 1, {}, {}};
  strategy::Watchlist w;
  w.refresh_all(protocol, 1'000);
  const auto pass = w.scan(protocol, 1.05);
  CHECK(std::set<Address>(pass.candidates.begin(), pass.candidates.end()) ==
        std::set<Address>{addr(2), addr(3)});
  CHECK(pass.in_band == 2);
  REQUIRE(pass.health.size() == 3);
  auto health = pass.health;
  std::sort(health.begin(), health.end());
  CHECK(health[0] == Approx(2000.0 * 0.825 / 1700.0).epsilon(1e-12));
  CHECK(health[1] == Approx(1.03125).epsilon(1e-12));
  CHECK(health[2] == Approx(1.1).epsilon(1e-12));

  // Liquidation prices of WETH: A 1818.18, B 1939.39, C 2060.61 (already under).
  struct Row {
    const char* name;
    double from;
    double to;
    std::set<Address> crossed;
  };
  const std::vector<Row> rows{
      {"2000 -> 1950: nobody", 2000e8, 1950e8, {}},
      {"2000 -> 1900: B", 2000e8, 1900e8, {addr(2)}},
      {"2000 -> 1800: A and B", 2000e8, 1800e8, {addr(1), addr(2)}},
      {"2100 -> 2000: C", 2100e8, 2000e8, {addr(3)}},
      {"a rise crosses no collateral trigger", 1800e8, 2100e8, {}},
  };
  for (const auto& row : rows) {
    CAPTURE(row.name);
    const auto got = w.crossed(0, row.from, row.to);
    CHECK(std::set<Address>(got.begin(), got.end()) == row.crossed);
  }
  // A rising debt price crosses debt triggers: USDC at 1.1 puts B under 1 (1650 / 1760 < 1).
  const auto up = w.crossed(1, 1e8, 1.1e8);
  CHECK(std::set<Address>(up.begin(), up.end()) == std::set<Address>{addr(2)});

  // An account the block touched gets its form rebuilt: A borrows 200 more and joins the band.
  auto changed = positions;
  changed[addr(1)] = account(1, 1700);
  const std::vector<Address> touched{addr(1)};
  const protocols::aave_v3::AaveV3Protocol after_borrow{m, changed, 2, {}, {}};
  w.refresh(after_borrow, touched, 1'000);
  const auto after = w.scan(after_borrow, 1.05);
  CHECK(std::set<Address>(after.candidates.begin(), after.candidates.end()) ==
        std::set<Address>{addr(1), addr(2), addr(3)});
}
