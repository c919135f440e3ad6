#include "keeper/devnet/market_deploy.hpp"

#include "keeper/devnet/try.hpp"

namespace keeper::devnet {
namespace {

using chain::u256;
using chain::abi::Value;
using chain::abi::Values;
using Libraries = std::map<std::string, Address>;

const u256 kRay =  // NOLINT(cert-err58-cpp): fixed-width arithmetic, no allocation
    u256{1'000'000'000ULL} * u256{1'000'000'000'000'000'000ULL};
u256 ray_percent(unsigned percent) { return kRay * percent / 100; }

class Deployer {
 public:
  Deployer(DevChain& chain, const Address& admin) : chain_{chain}, admin_{admin} {}

  tl::expected<Address, std::string> deploy(const std::string& name, const Values& args,
                                            const Libraries& libs = {}) {
    auto artifact = find_artifact(name);
    if (!artifact) return tl::unexpected(artifact.error());
    return chain_.deploy(admin_, *artifact, libs, args);
  }

  tl::expected<void, std::string> send(const Address& to, std::string_view signature,
                                       const Values& args) {
    auto data = calldata(signature, args);
    if (!data) return tl::unexpected(data.error());
    auto r = chain_.send(admin_, to, *data, std::string{signature});
    if (!r) return tl::unexpected(r.error());
    return {};
  }

  tl::expected<Address, std::string> view_address(const Address& to, const std::string& signature,
                                                  const Values& args = {}) {
    auto v = chain_.view(to, signature, args);
    if (!v) return tl::unexpected(v.error());
    return (*v)[0].as_address();
  }

  DevChain& chain() { return chain_; }

 private:
  DevChain& chain_;
  Address admin_;
};

tl::expected<Libraries, std::string> deploy_libraries(Deployer& deployer) {
  Libraries libs;
  // FlashLoanLogic links BorrowLogic, so BorrowLogic comes first.
  for (const char* name : {"SupplyLogic", "BorrowLogic", "LiquidationLogic", "EModeLogic",
                           "BridgeLogic", "PoolLogic", "FlashLoanLogic", "ConfiguratorLogic"}) {
    KEEPER_TRY(address, deployer.deploy(name, {}, libs));
    libs[name] = *address;
  }
  return libs;
}

}  // namespace

tl::expected<void, std::string> deploy_market(DevChain& chain, Deployment& d) {
  Deployer deployer{chain, d.admin};
  const Address zero;

  KEEPER_TRY(provider,
             deployer.deploy("PoolAddressesProvider", {Value{"keeper devnet"}, Value{d.admin}}));
  d.addresses_provider = *provider;
  // The ACL admin must exist before the ACLManager is deployed (Aave error 75 otherwise).
  KEEPER_TRY_VOID(deployer.send(*provider, "setACLAdmin(address)", {Value{d.admin}}));
  KEEPER_TRY(acl, deployer.deploy("ACLManager", {Value{*provider}}));
  d.acl_manager = *acl;
  KEEPER_TRY_VOID(deployer.send(*provider, "setACLManager(address)", {Value{*acl}}));
  KEEPER_TRY_VOID(deployer.send(*acl, "addPoolAdmin(address)", {Value{d.admin}}));
  KEEPER_TRY_VOID(deployer.send(*acl, "addRiskAdmin(address)", {Value{d.admin}}));
  KEEPER_TRY_VOID(deployer.send(*acl, "addAssetListingAdmin(address)", {Value{d.admin}}));

  KEEPER_TRY(libs, deploy_libraries(deployer));
  KEEPER_TRY(pool_impl, deployer.deploy("Pool", {Value{*provider}}, *libs));
  KEEPER_TRY_VOID(deployer.send(*provider, "setPoolImpl(address)", {Value{*pool_impl}}));
  KEEPER_TRY(pool, deployer.view_address(*provider, "getPool()(address)"));
  d.pool = *pool;
  KEEPER_TRY(configurator_impl, deployer.deploy("PoolConfigurator", {}, *libs));
  KEEPER_TRY_VOID(
      deployer.send(*provider, "setPoolConfiguratorImpl(address)", {Value{*configurator_impl}}));
  KEEPER_TRY(configurator, deployer.view_address(*provider, "getPoolConfigurator()(address)"));
  d.pool_configurator = *configurator;

  // Test tokens and their Chainlink-shaped feeds.
  d.assets.clear();
  for (const auto& spec : default_assets()) {
    DeployedAsset a;
    a.spec = spec;
    KEEPER_TRY(token, deployer.deploy("MintableERC20",
                                      {Value{"Test " + spec.symbol}, Value{spec.symbol},
                                       Value{static_cast<std::uint64_t>(spec.decimals)}}));
    a.token = *token;
    KEEPER_TRY(aggregator, deployer.deploy("FeedAggregator",
                                           {Value{std::uint64_t{8}}, Value{spec.symbol + " / USD"},
                                            Value{spec.price}}));
    a.aggregator = *aggregator;
    KEEPER_TRY(feed, deployer.deploy("FeedProxy", {Value{*aggregator}}));
    a.feed = *feed;
    d.assets.push_back(a);
  }
  Values assets, sources;
  for (const auto& a : d.assets) {
    assets.emplace_back(a.token);
    sources.emplace_back(a.feed);
  }
  KEEPER_TRY(oracle,
             deployer.deploy("AaveOracle", {Value{*provider}, Value{assets}, Value{sources},
                                            Value{zero}, Value{zero}, Value{u256{100'000'000}}}));
  d.oracle = *oracle;
  KEEPER_TRY_VOID(deployer.send(*provider, "setPriceOracle(address)", {Value{*oracle}}));
  KEEPER_TRY(data_provider, deployer.deploy("AaveProtocolDataProvider", {Value{*provider}}));
  d.data_provider = *data_provider;
  KEEPER_TRY_VOID(
      deployer.send(*provider, "setPoolDataProvider(address)", {Value{*data_provider}}));

  KEEPER_TRY(a_token_impl, deployer.deploy("AToken", {Value{*pool}}));
  KEEPER_TRY(stable_impl, deployer.deploy("StableDebtToken", {Value{*pool}}));
  KEEPER_TRY(variable_impl, deployer.deploy("VariableDebtToken", {Value{*pool}}));
  // 80% optimal usage, 7% then 75% slopes: a year at high utilisation visibly moves health.
  KEEPER_TRY(rates,
             deployer.deploy(
                 "DefaultReserveInterestRateStrategy",
                 {Value{*provider}, Value{ray_percent(80)}, Value{u256{0}}, Value{ray_percent(7)},
                  Value{ray_percent(75)}, Value{ray_percent(7)}, Value{ray_percent(75)},
                  Value{ray_percent(2)}, Value{ray_percent(5)}, Value{ray_percent(20)}}));

  Values inputs;
  for (const auto& a : d.assets) {
    const std::string& s = a.spec.symbol;
    inputs.emplace_back(Values{
        Value{*a_token_impl}, Value{*stable_impl}, Value{*variable_impl},
        Value{static_cast<std::uint64_t>(a.spec.decimals)}, Value{*rates}, Value{a.token},
        Value{d.admin}, Value{zero}, Value{"Aave devnet " + s}, Value{"a" + s},
        Value{"Aave devnet variable debt " + s}, Value{"variableDebt" + s},
        Value{"Aave devnet stable debt " + s}, Value{"stableDebt" + s}, Value{chain::Bytes{}}});
  }
  KEEPER_TRY_VOID(deployer.send(*configurator,
                                "initReserves((address,address,address,uint8,address,address,"
                                "address,address,string,string,string,string,"
                                "string,string,bytes)[])",
                                {Value{inputs}}));

  for (const auto& a : d.assets) {
    const Value asset{a.token};
    // initReserves leaves LTV at 0 and borrowing off: switch both on.
    KEEPER_TRY_VOID(deployer.send(*configurator,
                                  "configureReserveAsCollateral(address,uint256,uint256,uint256)",
                                  {asset, Value{std::uint64_t{a.spec.ltv}},
                                   Value{std::uint64_t{a.spec.liquidation_threshold}},
                                   Value{std::uint64_t{a.spec.liquidation_bonus}}}));
    KEEPER_TRY_VOID(
        deployer.send(*configurator, "setReserveBorrowing(address,bool)", {asset, Value{true}}));
    KEEPER_TRY_VOID(deployer.send(*configurator, "setReserveFactor(address,uint256)",
                                  {asset, Value{std::uint64_t{1000}}}));
    KEEPER_TRY_VOID(deployer.send(*configurator, "setLiquidationProtocolFee(address,uint256)",
                                  {asset, Value{std::uint64_t{1000}}}));
    // Reserves start with flash loans off; keeper's flash liquidations borrow every asset.
    KEEPER_TRY_VOID(
        deployer.send(*configurator, "setReserveFlashLoaning(address,bool)", {asset, Value{true}}));
  }
  // Mainnet's 0.05% (the Pool starts at 0): flash liquidations on the devnet pay what they would.
  KEEPER_TRY_VOID(deployer.send(*configurator, "updateFlashloanPremiumTotal(uint128)",
                                {Value{std::uint64_t{5}}}));
  d.emodes = default_emodes();
  for (const auto& e : d.emodes) {
    KEEPER_TRY_VOID(
        deployer.send(*configurator, "setEModeCategory(uint8,uint16,uint16,uint16,address,string)",
                      {Value{std::uint64_t{e.id}}, Value{std::uint64_t{e.ltv}},
                       Value{std::uint64_t{e.liquidation_threshold}},
                       Value{std::uint64_t{e.liquidation_bonus}}, Value{zero}, Value{e.label}}));
  }
  for (auto& a : d.assets) {
    if (a.spec.emode != 0)
      KEEPER_TRY_VOID(deployer.send(*configurator, "setAssetEModeCategory(address,uint8)",
                                    {Value{a.token}, Value{std::uint64_t{a.spec.emode}}}));
    KEEPER_TRY(tokens, chain.view(*data_provider,
                                  "getReserveTokensAddresses(address)(address,address,address)",
                                  {Value{a.token}}));
    a.a_token = (*tokens)[0].as_address();
    a.stable_debt_token = (*tokens)[1].as_address();
    a.variable_debt_token = (*tokens)[2].as_address();
  }
  return {};
}

}  // namespace keeper::devnet
