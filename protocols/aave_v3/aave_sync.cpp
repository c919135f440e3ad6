#include "protocols/aave_v3/aave_sync.hpp"

#include <set>

#include "chain/rpc/batch_call.hpp"
#include "protocols/aave_v3/events.hpp"

namespace protocols::aave_v3 {
namespace {

using chain::Address;
using chain::abi::Value;
using chain::abi::Values;
using chain::rpc::batch_eth_call;
using chain::rpc::decode_view;
using chain::rpc::view_call;
using chain::rpc::view_function;
using chain::rpc::ViewCall;
namespace aave = protocols::aave_v3;

std::uint64_t small(const Value& v) { return chain::low_u64(v.as_uint()); }

constexpr const char* kGetPool = "getPool()(address)";
constexpr const char* kGetOracle = "getPriceOracle()(address)";
constexpr const char* kGetDataProvider = "getPoolDataProvider()(address)";
constexpr const char* kReservesList = "getReservesList()(address[])";
constexpr const char* kReserveData =
    "getReserveData(address)(((uint256),uint128,uint128,uint128,uint128,uint128,uint40,uint16,"
    "address,address,"
    "address,address,uint128,uint128,uint128))";
constexpr const char* kAssetPrice = "getAssetPrice(address)(uint256)";
constexpr const char* kSourceOf = "getSourceOfAsset(address)(address)";
constexpr const char* kBaseUnit = "BASE_CURRENCY_UNIT()(uint256)";
constexpr const char* kFlashPremium = "FLASHLOAN_PREMIUM_TOTAL()(uint128)";
constexpr const char* kEMode = "getEModeCategoryData(uint8)((uint16,uint16,uint16,address,string))";
constexpr const char* kSymbol = "symbol()(string)";
constexpr const char* kUserConfig = "getUserConfiguration(address)((uint256))";
constexpr const char* kUserEMode = "getUserEMode(address)(uint256)";
constexpr const char* kScaled = "scaledBalanceOf(address)(uint256)";
constexpr const char* kPrincipal = "principalBalanceOf(address)(uint256)";
constexpr const char* kStableRate = "getUserStableRate(address)(uint256)";
constexpr const char* kLastUpdated = "getUserLastUpdated(address)(uint40)";

}  // namespace

tl::expected<AaveContracts, std::string> AaveSync::contracts(std::uint64_t block) {
  auto out = batch_eth_call(rpc_,
                            {view_call(provider_, view_function(kGetPool), {}),
                             view_call(provider_, view_function(kGetOracle), {}),
                             view_call(provider_, view_function(kGetDataProvider), {})},
                            block);
  if (!out)
    return tl::unexpected("PoolAddressesProvider " + provider_.checksummed() + ": " + out.error());
  auto pool = decode_view(kGetPool, (*out)[0]);
  auto oracle = decode_view(kGetOracle, (*out)[1]);
  auto data_provider = decode_view(kGetDataProvider, (*out)[2]);
  if (!pool) return tl::unexpected(pool.error());
  if (!oracle) return tl::unexpected(oracle.error());
  if (!data_provider) return tl::unexpected(data_provider.error());
  const AaveContracts c{provider_, (*pool)[0].as_address(), (*oracle)[0].as_address(),
                        (*data_provider)[0].as_address()};
  if (c.pool.is_zero())
    return tl::unexpected("PoolAddressesProvider " + provider_.checksummed() +
                          " has no Pool (is it the right address and chain?)");
  return c;
}

tl::expected<aave::Market, std::string> AaveSync::market(const AaveContracts& c,
                                                         std::uint64_t block) {
  // The flash loan's premium is read with every market read, so a configurator's change reaches
  // the next head's quotes.
  auto head = batch_eth_call(rpc_,
                             {view_call(c.pool, view_function(kReservesList), {}),
                              view_call(c.oracle, view_function(kBaseUnit), {}),
                              view_call(c.pool, view_function(kFlashPremium), {})},
                             block);
  if (!head) return tl::unexpected(head.error());
  auto list = decode_view(kReservesList, (*head)[0]);
  auto unit = decode_view(kBaseUnit, (*head)[1]);
  auto premium = decode_view(kFlashPremium, (*head)[2]);
  if (!list) return tl::unexpected(list.error());
  if (!unit) return tl::unexpected(unit.error());
  if (!premium) return tl::unexpected(premium.error());
  aave::Market m;
  m.base_currency_unit = (*unit)[0].as_uint();
  // Basis points; the Pool keeps it within 10000 (PercentageMath).
  const auto premium_bps = (*premium)[0].as_uint();
  if (premium_bps > 10'000)
    return tl::unexpected("FLASHLOAN_PREMIUM_TOTAL " + chain::to_dec(premium_bps) +
                          " is above 100%");
  m.flash_loan_premium_bps = static_cast<std::uint32_t>(chain::low_u64(premium_bps));
  const auto& assets = (*list)[0].as_list();
  std::vector<ViewCall> calls;
  for (const auto& a : assets) {
    calls.push_back(view_call(c.pool, view_function(kReserveData), {a}));
    calls.push_back(view_call(c.oracle, view_function(kAssetPrice), {a}));
    calls.push_back(view_call(c.oracle, view_function(kSourceOf), {a}));
    calls.push_back(view_call(a.as_address(), view_function(kSymbol), {}));
  }
  auto out = batch_eth_call(rpc_, calls, block);
  if (!out) return tl::unexpected(out.error());
  std::set<std::uint8_t> emode_ids;
  for (std::size_t i = 0; i < assets.size(); ++i) {
    auto data = decode_view(kReserveData, (*out)[4 * i]);
    auto price = decode_view(kAssetPrice, (*out)[4 * i + 1]);
    auto source = decode_view(kSourceOf, (*out)[4 * i + 2]);
    if (!data) return tl::unexpected(data.error());
    if (!price) return tl::unexpected(price.error());
    if (!source) return tl::unexpected(source.error());
    const auto& d = (*data)[0].as_list();
    aave::Reserve r;
    r.asset = assets[i].as_address();
    r.config_raw = d[0].as_list()[0].as_uint();
    r.config = aave::ReserveConfig::decode(r.config_raw);
    r.liquidity_index = d[1].as_uint();
    r.liquidity_rate = d[2].as_uint();
    r.variable_borrow_index = d[3].as_uint();
    r.variable_borrow_rate = d[4].as_uint();
    r.stable_borrow_rate = d[5].as_uint();
    r.last_update = small(d[6]);
    r.id = static_cast<std::uint16_t>(small(d[7]));
    r.a_token = d[8].as_address();
    r.stable_debt_token = d[9].as_address();
    r.variable_debt_token = d[10].as_address();
    r.price = (*price)[0].as_uint();
    r.price_source = (*source)[0].as_address();
    if (auto sym = view_function(kSymbol).decode_output((*out)[4 * i + 3]))
      r.symbol = (*sym)[0].as_string();
    if (r.config.emode_category != 0) emode_ids.insert(r.config.emode_category);
    if (r.id != i)
      return tl::unexpected("reserve " + r.asset.checksummed() + " has id " + std::to_string(r.id) +
                            " but sits at position " + std::to_string(i));
    m.reserves.push_back(std::move(r));
  }
  std::vector<ViewCall> emode_calls;
  emode_calls.reserve(emode_ids.size());
  for (const auto id : emode_ids)
    emode_calls.push_back(view_call(c.pool, view_function(kEMode), {Value{std::uint64_t{id}}}));
  auto emodes = batch_eth_call(rpc_, emode_calls, block);
  if (!emodes) return tl::unexpected(emodes.error());
  std::size_t k = 0;
  for (const auto id : emode_ids) {
    auto v = decode_view(kEMode, (*emodes)[k++]);
    if (!v) return tl::unexpected(v.error());
    const auto& e = (*v)[0].as_list();
    aave::EModeCategory cat;
    cat.ltv = static_cast<std::uint16_t>(small(e[0]));
    cat.liquidation_threshold = static_cast<std::uint16_t>(small(e[1]));
    cat.liquidation_bonus = static_cast<std::uint16_t>(small(e[2]));
    cat.price_source = e[3].as_address();
    cat.label = e[4].as_string();
    if (!cat.price_source.is_zero()) {
      auto p = batch_eth_call(
          rpc_, {view_call(c.oracle, view_function(kAssetPrice), {Value{cat.price_source}})},
          block);
      if (!p) return tl::unexpected(p.error());
      auto price = decode_view(kAssetPrice, (*p)[0]);
      if (!price) return tl::unexpected(price.error());
      cat.price = (*price)[0].as_uint();
    }
    m.emodes[id] = cat;
  }
  return m;
}

tl::expected<std::vector<Address>, std::string> AaveSync::discover_accounts(
    const AaveContracts& c, std::uint64_t from, std::uint64_t to,
    const chain::rpc::ProgressHandler& progress) {
  std::set<Address> seen;
  chain::rpc::LogFilter filter;
  filter.addresses = {c.pool};
  const auto pool_topics = aave::pool_event_topics();
  filter.topics = {std::vector<chain::Hash>(pool_topics.begin(), pool_topics.end())};
  auto done = chain::rpc::backfill_logs(
      rpc_, filter, from, to, {},
      [&](std::uint64_t, std::uint64_t, std::vector<chain::rpc::Log>&& logs) {
        for (const auto& log : logs) {
          auto ev = aave::decode_event({log.address, log.topics, log.data});
          if (!ev) continue;
          aave::add_accounts_changed(*ev, seen);
        }
        return true;
      },
      progress);
  if (!done) return tl::unexpected("backfilling Pool logs: " + done.error().to_string());
  return std::vector<Address>(seen.begin(), seen.end());
}

tl::expected<std::map<Address, aave::Account>, std::string> AaveSync::accounts(
    const AaveContracts& c, const aave::Market& market, const std::vector<Address>& who,
    std::uint64_t block) {
  std::vector<ViewCall> calls;
  for (const auto& a : who) {
    calls.push_back(view_call(c.pool, view_function(kUserConfig), {Value{a}}));
    calls.push_back(view_call(c.pool, view_function(kUserEMode), {Value{a}}));
  }
  auto heads = batch_eth_call(rpc_, calls, block);
  if (!heads) return tl::unexpected(heads.error());
  std::map<Address, aave::Account> out;
  // Second pass: the balances of the reserves each account uses.
  struct Pending {
    Address account;
    std::uint16_t reserve;
    bool collateral;
    bool borrowing;
  };
  std::vector<Pending> pending;
  std::vector<ViewCall> balance_calls;
  for (std::size_t i = 0; i < who.size(); ++i) {
    auto config = decode_view(kUserConfig, (*heads)[2 * i]);
    auto emode = decode_view(kUserEMode, (*heads)[2 * i + 1]);
    if (!config) return tl::unexpected(config.error());
    if (!emode) return tl::unexpected(emode.error());
    aave::Account acc;
    acc.config.data = (*config)[0].as_list()[0].as_uint();
    acc.emode = static_cast<std::uint8_t>(small((*emode)[0]));
    for (const auto& r : market.reserves) {
      const bool collateral = acc.config.using_as_collateral(r.id);
      const bool borrowing = acc.config.borrowing(r.id);
      if (!collateral && !borrowing) continue;
      pending.push_back({who[i], r.id, collateral, borrowing});
      const Value user{who[i]};
      balance_calls.push_back(view_call(r.a_token, view_function(kScaled), {user}));
      balance_calls.push_back(view_call(r.variable_debt_token, view_function(kScaled), {user}));
      balance_calls.push_back(view_call(r.stable_debt_token, view_function(kPrincipal), {user}));
      balance_calls.push_back(view_call(r.stable_debt_token, view_function(kStableRate), {user}));
      balance_calls.push_back(view_call(r.stable_debt_token, view_function(kLastUpdated), {user}));
    }
    out.emplace(who[i], std::move(acc));
  }
  auto balances = batch_eth_call(rpc_, balance_calls, block);
  if (!balances) return tl::unexpected(balances.error());
  for (std::size_t k = 0; k < pending.size(); ++k) {
    const auto word = [&](std::size_t j,
                          const char* sig) -> tl::expected<chain::u256, std::string> {
      auto v = decode_view(sig, (*balances)[5 * k + j]);
      if (!v) return tl::unexpected(v.error());
      return (*v)[0].as_uint();
    };
    auto a_token = word(0, kScaled);
    auto variable = word(1, kScaled);
    auto principal = word(2, kPrincipal);
    auto rate = word(3, kStableRate);
    auto updated = word(4, kLastUpdated);
    for (const auto* e : {&a_token, &variable, &principal, &rate, &updated})
      if (!*e) return tl::unexpected(e->error());
    aave::Position p;
    p.reserve = pending[k].reserve;
    p.scaled_a_token = *a_token;
    p.scaled_variable_debt = *variable;
    p.stable_principal = *principal;
    p.stable_rate = *rate;
    p.stable_last_update = chain::low_u64(*updated);
    out[pending[k].account].positions.push_back(p);  // reserves visited in id order: stays sorted
  }
  return out;
}

}  // namespace protocols::aave_v3
