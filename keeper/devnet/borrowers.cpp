#include "keeper/devnet/borrowers.hpp"

#include <cmath>
#include <map>

#include "chain/hex.hpp"
#include "chain/keccak.hpp"

namespace keeper::devnet {
namespace {

using chain::u256;
using chain::abi::Value;

// splitmix64: the same numbers from the same seed on every platform (std distributions are not).
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : state_{seed} {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  double unit() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

 private:
  std::uint64_t state_;
};

Address derived_address(std::string_view label, std::uint64_t seed, std::uint64_t i) {
  const std::string text =
      std::string{label} + ":" + std::to_string(seed) + ":" + std::to_string(i);
  return Address::from_word(chain::keccak256(text));
}

struct Plan {
  Borrower borrower;
  std::vector<std::pair<const DeployedAsset*, u256>> supplies;  // first one carries the extra
  u256 extra;
  const DeployedAsset* debt = nullptr;
  u256 debt_amount;
};

}  // namespace

tl::expected<void, std::string> populate_borrowers(DevChain& chain, Deployment& d,
                                                   std::size_t count, std::uint64_t seed) {
  const auto* weth = d.asset("WETH");
  const auto* usdc = d.asset("USDC");
  const auto* wbtc = d.asset("WBTC");
  const auto* dai = d.asset("DAI");
  if (!weth || !usdc || !wbtc || !dai)
    return tl::unexpected(std::string{"market is missing a default asset"});
  const u256 max = chain::kU256Max;
  Rng rng{seed};

  std::vector<Plan> plans;
  std::map<const DeployedAsset*, u256> borrowed;
  for (std::size_t i = 0; i < count; ++i) {
    Plan p;
    p.borrower.address = derived_address("keeper-devnet-borrower", seed, i);
    const double kind = rng.unit();
    const auto collateral_usd = static_cast<std::uint64_t>(1000 + rng.unit() * 49000);
    const double u = rng.unit();
    p.borrower.target_health = 1.01 + 1.99 * u * u;  // more accounts near 1, where keepers work
    double threshold = 0;
    if (kind < 0.2) {  // eMode: stablecoin against stablecoin
      p.borrower.emode = true;
      p.supplies = {{usdc, units_for(*usdc, collateral_usd)}};
      p.debt = dai;
      threshold = 0.95;
    } else if (kind < 0.5) {  // two collaterals
      const auto btc_usd = collateral_usd / 3;
      p.supplies = {{weth, units_for(*weth, collateral_usd - btc_usd)},
                    {wbtc, units_for(*wbtc, btc_usd)}};
      p.debt = rng.unit() < 0.5 ? usdc : dai;
      threshold = (0.825 * static_cast<double>(collateral_usd - btc_usd) +
                   0.75 * static_cast<double>(btc_usd)) /
                  static_cast<double>(collateral_usd);
    } else {
      const bool eth = rng.unit() < 0.7;
      p.supplies = {{eth ? weth : wbtc, units_for(eth ? *weth : *wbtc, collateral_usd)}};
      p.debt = eth ? (rng.unit() < 0.5 ? usdc : dai) : weth;
      threshold = eth ? 0.825 : 0.75;
    }
    const auto debt_usd = static_cast<std::uint64_t>(static_cast<double>(collateral_usd) *
                                                     threshold / p.borrower.target_health);
    p.debt_amount = units_for(*p.debt, debt_usd);
    // Loans cannot open below HF = LT/LTV: supply as much again, borrow, then withdraw it.
    p.extra = p.supplies[0].second;
    for (const auto& [asset, amount] : p.supplies)
      p.borrower.collateral.push_back(asset->spec.symbol);
    p.borrower.debt = p.debt->spec.symbol;
    borrowed[p.debt] += p.debt_amount;
    plans.push_back(std::move(p));
  }

  // Impersonated accounts with gas money: anvil lets us act as any address on our own chain.
  if (auto r = chain.rpc().call("anvil_autoImpersonateAccount", nlohmann::json::array({true})); !r)
    return tl::unexpected("anvil_autoImpersonateAccount: " + r.error().to_string());
  d.liquidity_provider = derived_address("keeper-devnet-liquidity", seed, 0);
  std::vector<chain::rpc::Call> funding{
      {"anvil_setBalance", {d.liquidity_provider.lower_hex(), "0x56bc75e2d63100000"}}};  // 100 ETH
  for (const auto& p : plans)
    funding.push_back(
        {"anvil_setBalance", {p.borrower.address.lower_hex(), "0x8ac7230489e80000"}});  // 10 ETH
  for (std::size_t first = 0; first < funding.size(); first += 500) {
    std::vector<chain::rpc::Call> part(
        funding.begin() + static_cast<std::ptrdiff_t>(first),
        funding.begin() + static_cast<std::ptrdiff_t>(std::min(funding.size(), first + 500)));
    auto r = chain.rpc().batch(part);
    if (!r) return tl::unexpected("anvil_setBalance: " + r.error().to_string());
  }

  const auto tx = [](const Address& from, const Address& to, std::string_view sig,
                     const chain::abi::Values& args,
                     std::string what) -> tl::expected<TxRequest, std::string> {
    auto data = calldata(sig, args);
    if (!data) return tl::unexpected(data.error());
    return TxRequest{from, to, std::move(*data), std::move(what)};
  };
  std::vector<TxRequest> round1, round2, round3;
  const auto push = [](std::vector<TxRequest>& round,
                       tl::expected<TxRequest, std::string> r) -> tl::expected<void, std::string> {
    if (!r) return tl::unexpected(r.error());
    round.push_back(std::move(*r));
    return {};
  };
#define KEEPER_PUSH(round, expr) \
  if (auto ok_ = push(round, expr); !ok_) return tl::unexpected(ok_.error())

  // The liquidity provider keeps utilisation near 80% in every reserve.
  for (const auto& a : d.assets) {
    const u256 liquidity = borrowed[&a] * 5 / 4 + units_for(a, 1'000'000);
    const Address& lp = d.liquidity_provider;
    KEEPER_PUSH(round1, tx(lp, a.token, "mint(uint256)", {Value{liquidity}},
                           "liquidity mint " + a.spec.symbol));
    KEEPER_PUSH(round1, tx(lp, a.token, "approve(address,uint256)", {Value{d.pool}, Value{max}},
                           "liquidity approve"));
    KEEPER_PUSH(round1, tx(lp, d.pool, "supply(address,uint256,address,uint16)",
                           {Value{a.token}, Value{liquidity}, Value{lp}, Value{std::uint64_t{0}}},
                           "liquidity supply " + a.spec.symbol));
  }
  // The suggested liquidator starts with $10M of every asset (it still has to approve the Pool).
  for (const auto& a : d.assets)
    KEEPER_PUSH(round1, tx(d.liquidator, a.token, "mint(uint256)",
                           {Value{units_for(a, 10'000'000)}}, "liquidator mint " + a.spec.symbol));
  for (const auto& p : plans) {
    const Address& b = p.borrower.address;
    const std::string who = " for " + b.checksummed();
    for (std::size_t k = 0; k < p.supplies.size(); ++k) {
      const auto& [asset, amount] = p.supplies[k];
      const u256 total = k == 0 ? amount + p.extra : amount;
      KEEPER_PUSH(round1, tx(b, asset->token, "mint(uint256)", {Value{total}}, "mint" + who));
      KEEPER_PUSH(round1, tx(b, asset->token, "approve(address,uint256)",
                             {Value{d.pool}, Value{max}}, "approve" + who));
      KEEPER_PUSH(round1, tx(b, d.pool, "supply(address,uint256,address,uint16)",
                             {Value{asset->token}, Value{total}, Value{b}, Value{std::uint64_t{0}}},
                             "supply " + asset->spec.symbol + who));
    }
    if (p.borrower.emode)
      KEEPER_PUSH(round1, tx(b, d.pool, "setUserEMode(uint8)", {Value{std::uint64_t{1}}},
                             "setUserEMode" + who));
    KEEPER_PUSH(round2, tx(b, d.pool, "borrow(address,uint256,uint256,uint16,address)",
                           {Value{p.debt->token}, Value{p.debt_amount}, Value{std::uint64_t{2}},
                            Value{std::uint64_t{0}}, Value{b}},
                           "borrow " + p.debt->spec.symbol + who));
    KEEPER_PUSH(round3, tx(b, d.pool, "withdraw(address,uint256,address)",
                           {Value{p.supplies[0].first->token}, Value{p.extra}, Value{b}},
                           "withdraw extra" + who));
  }
#undef KEEPER_PUSH
  for (auto* round : {&round1, &round2, &round3}) {
    if (auto ok = chain.send_round(*round); !ok) return tl::unexpected(ok.error());
  }
  d.borrowers.clear();
  for (auto& p : plans) d.borrowers.push_back(std::move(p.borrower));
  return {};
}

}  // namespace keeper::devnet
