#include "keeper/devnet/morpho_deploy.hpp"

#include <cmath>
#include <string>

#include "chain/hex.hpp"
#include "chain/keccak.hpp"
#include "keeper/devnet/morpho_artifact.hpp"
#include "keeper/devnet/try.hpp"
#include "protocols/morpho_blue/market_params.hpp"

namespace keeper::devnet {
namespace {

using chain::u256;
using chain::abi::Value;
using chain::abi::Values;
namespace mb = protocols::morpho_blue;

const u256 kWad{1'000'000'000'000'000'000ULL};
const u256 kLltv = kWad * 86 / 100;
// 2% a year at no utilisation, +20% at full: ~18% at the devnet's 80%, so a year's interest
// visibly moves health.
const u256 kBaseRatePerYear = kWad * 2 / 100;
const u256 kSlopePerYear = kWad * 20 / 100;
// The market fee (a tenth of the interest, to the admin), so accruals mint fee shares.
const u256 kFee = kWad / 10;

const std::string kParams = mb::kMarketParamsTuple;

Address derived_address(std::uint64_t seed, std::size_t i) {
  const std::string text = "keeper-devnet-morpho:" + std::to_string(seed) + ":" + std::to_string(i);
  return Address::from_word(chain::keccak256(text));
}

tl::expected<TxRequest, std::string> tx(const Address& from, const Address& to,
                                        const std::string& signature, const Values& args,
                                        std::string what) {
  auto data = calldata(signature, args);
  if (!data) return tl::unexpected(data.error());
  return TxRequest{from, to, std::move(*data), std::move(what)};
}

struct Plan {
  MorphoBorrower borrower;
  mb::MarketParams params;
  const DeployedAsset* collateral = nullptr;
  u256 collateral_amount;
  u256 borrow_amount;
};

}  // namespace

std::vector<double> morpho_target_ltvs() {
  return {0.30, 0.40, 0.50, 0.55, 0.60, 0.66, 0.70, 0.74, 0.78, 0.82, 0.84, 0.855};
}

tl::expected<void, std::string> deploy_morpho(DevChain& chain, Deployment& d, std::uint64_t seed,
                                              const std::filesystem::path& compile_log) {
  const DeployedAsset* usdc = d.asset("USDC");
  if (usdc == nullptr) return tl::unexpected(std::string{"the devnet has no USDC"});
  KEEPER_TRY(morpho_code, morpho_artifact(compile_log));
  MorphoDeployment m;
  {
    auto head = chain.rpc().block_number();
    if (!head) return tl::unexpected(head.error().to_string());
    m.deployed_at_block = *head + 1;  // automine: Morpho's deployment is the next block
  }
  KEEPER_TRY(morpho, chain.deploy(d.admin, *morpho_code, {}, {Value{d.admin}}));
  m.morpho = *morpho;
  KEEPER_TRY(irm_code, find_artifact("MorphoDevIrm"));
  KEEPER_TRY(irm,
             chain.deploy(d.admin, *irm_code, {}, {Value{kBaseRatePerYear}, Value{kSlopePerYear}}));
  m.irm = *irm;
  const auto admin_send = [&](const std::string& signature,
                              const Values& args) -> tl::expected<void, std::string> {
    auto data = calldata(signature, args);
    if (!data) return tl::unexpected(data.error());
    auto r = chain.send(d.admin, m.morpho, *data, signature);
    if (!r) return tl::unexpected(r.error());
    return {};
  };
  KEEPER_TRY_VOID(admin_send("enableIrm(address)", {Value{m.irm}}));
  KEEPER_TRY_VOID(admin_send("enableLltv(uint256)", {Value{kLltv}}));
  KEEPER_TRY_VOID(admin_send("setFeeRecipient(address)", {Value{d.admin}}));

  KEEPER_TRY(oracle_code, find_artifact("MorphoDevOracle"));
  std::vector<mb::MarketParams> params;
  for (const char* symbol : {"WETH", "WBTC"}) {
    const DeployedAsset* collateral = d.asset(symbol);
    if (collateral == nullptr) return tl::unexpected(std::string{"the devnet has no "} + symbol);
    KEEPER_TRY(
        oracle,
        chain.deploy(d.admin, *oracle_code, {},
                     {Value{collateral->feed}, Value{std::uint64_t{collateral->spec.decimals}},
                      Value{usdc->feed}, Value{std::uint64_t{usdc->spec.decimals}}}));
    const mb::MarketParams p{usdc->token, collateral->token, *oracle, m.irm, kLltv};
    KEEPER_TRY_VOID(admin_send("createMarket(" + kParams + ")", {mb::to_abi(p)}));
    KEEPER_TRY_VOID(admin_send("setFee(" + kParams + ",uint256)", {mb::to_abi(p), Value{kFee}}));
    const auto id = mb::market_id(p);
    // Our Id must be Morpho's: the market exists under it, with these parameters.
    KEEPER_TRY(
        stored,
        chain.view(m.morpho, "idToMarketParams(bytes32)(address,address,address,address,uint256)",
                   {Value{chain::Bytes(id.begin(), id.end())}}));
    if ((*stored)[1].as_address() != collateral->token || (*stored)[4].as_uint() != kLltv)
      return tl::unexpected("Morpho does not know market " + mb::market_id_hex(id) +
                            " under the Id keeper computes");
    m.markets.push_back({"USDC", symbol, *oracle, kLltv, mb::market_id_hex(id)});
    params.push_back(p);
  }

  // Borrowers: every target LTV in every market, collateral worth $10k to $100k.
  std::vector<Plan> plans;
  std::map<std::size_t, u256> borrowed_by_market;
  const auto ltvs = morpho_target_ltvs();
  for (std::size_t k = 0; k < m.markets.size(); ++k) {
    const DeployedAsset* collateral = d.asset(m.markets[k].collateral);
    for (std::size_t i = 0; i < ltvs.size(); ++i) {
      const std::size_t n = k * ltvs.size() + i;
      Plan p;
      p.borrower = {derived_address(seed, n), m.markets[k].id, ltvs[i]};
      p.params = params[k];
      p.collateral = collateral;
      const std::uint64_t collateral_usd = 10'000 * (1 + (n * 7 + seed) % 10);
      p.collateral_amount = units_for(*collateral, collateral_usd);
      p.borrow_amount = units_for(
          *usdc,
          static_cast<std::uint64_t>(std::floor(static_cast<double>(collateral_usd) * ltvs[i])));
      borrowed_by_market[k] += p.borrow_amount;
      plans.push_back(std::move(p));
    }
  }

  if (auto r = chain.rpc().call("anvil_autoImpersonateAccount", nlohmann::json::array({true})); !r)
    return tl::unexpected("anvil_autoImpersonateAccount: " + r.error().to_string());
  std::vector<chain::rpc::Call> funding;
  for (const auto& p : plans)
    funding.push_back(
        {"anvil_setBalance", {p.borrower.address.lower_hex(), "0x8ac7230489e80000"}});  // 10 ETH
  if (auto r = chain.rpc().batch(funding); !r)
    return tl::unexpected("anvil_setBalance: " + r.error().to_string());

  std::vector<TxRequest> round1, round2;
#define KEEPER_PUSH(round, expr)                \
  do {                                          \
    auto r_ = (expr);                           \
    if (!r_) return tl::unexpected(r_.error()); \
    (round).push_back(std::move(*r_));          \
  } while (false)
  const Address& lp = d.liquidity_provider;
  const chain::Bytes no_data;
  // Utilisation ~80% in each market, plus $100k.
  for (std::size_t k = 0; k < params.size(); ++k) {
    const u256 liquidity = borrowed_by_market[k] * 5 / 4 + units_for(*usdc, 100'000);
    KEEPER_PUSH(round1, tx(lp, usdc->token, "mint(uint256)", {Value{liquidity}}, "morpho LP mint"));
    KEEPER_PUSH(round1, tx(lp, usdc->token, "approve(address,uint256)",
                           {Value{m.morpho}, Value{chain::kU256Max}}, "morpho LP approve"));
    KEEPER_PUSH(round1, tx(lp, m.morpho, "supply(" + kParams + ",uint256,uint256,address,bytes)",
                           {mb::to_abi(params[k]), Value{liquidity}, Value{u256{0}}, Value{lp},
                            Value{no_data}},
                           "morpho LP supply " + m.markets[k].collateral + " market"));
  }
  for (const auto& p : plans) {
    const Address& b = p.borrower.address;
    const std::string who = " for " + b.checksummed();
    KEEPER_PUSH(round1, tx(b, p.collateral->token, "mint(uint256)", {Value{p.collateral_amount}},
                           "mint" + who));
    KEEPER_PUSH(round1, tx(b, p.collateral->token, "approve(address,uint256)",
                           {Value{m.morpho}, Value{chain::kU256Max}}, "approve Morpho" + who));
    KEEPER_PUSH(round1,
                tx(b, m.morpho, "supplyCollateral(" + kParams + ",uint256,address,bytes)",
                   {mb::to_abi(p.params), Value{p.collateral_amount}, Value{b}, Value{no_data}},
                   "supplyCollateral" + who));
    KEEPER_PUSH(round2, tx(b, m.morpho, "borrow(" + kParams + ",uint256,uint256,address,address)",
                           {mb::to_abi(p.params), Value{p.borrow_amount}, Value{u256{0}}, Value{b},
                            Value{b}},
                           "morpho borrow" + who));
  }
#undef KEEPER_PUSH
  KEEPER_TRY_VOID(chain.send_round(round1));
  KEEPER_TRY_VOID(chain.send_round(round2));
  for (auto& p : plans) m.borrowers.push_back(std::move(p.borrower));
  d.morpho = std::move(m);
  return {};
}

}  // namespace keeper::devnet
