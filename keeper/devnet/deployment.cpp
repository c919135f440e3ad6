#include "keeper/devnet/deployment.hpp"

#include <fstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace keeper::devnet {

chain::u256 units_for(const DeployedAsset& a, std::uint64_t usd) {
  chain::u256 scale = 1;
  for (unsigned i = 0; i < a.spec.decimals; ++i) scale *= 10;
  return chain::u256{usd} * scale * 100'000'000 /
         chain::u256{static_cast<std::uint64_t>(a.spec.price)};
}

using Json = nlohmann::json;

std::vector<AssetSpec> default_assets() {
  return {
      {"WETH", 18, 2000'00000000, 8000, 8250, 10500, 0},
      {"USDC", 6, 1'00000000, 7700, 8000, 10450, 1},
      {"WBTC", 8, 60000'00000000, 7000, 7500, 10650, 0},
      {"DAI", 18, 1'00000000, 7500, 8000, 10500, 1},
  };
}

std::vector<EModeSpec> default_emodes() { return {{1, 9300, 9500, 10100, "Stablecoins"}}; }

const DeployedAsset* Deployment::asset(const std::string& symbol) const {
  for (const auto& a : assets)
    if (a.spec.symbol == symbol) return &a;
  return nullptr;
}

const DeployedPool* UniswapDeployment::pool(const std::string& a, const std::string& b) const {
  for (const auto& p : pools)
    if ((p.token0 == a && p.token1 == b) || (p.token0 == b && p.token1 == a)) return &p;
  return nullptr;
}

const MorphoMarketDeployment* MorphoDeployment::market(const std::string& id) const {
  for (const auto& m : markets)
    if (m.id == id) return &m;
  return nullptr;
}

namespace {

Address address_field(const Json& j, const char* key) {
  return Address::from_hex(j.at(key).get<std::string>()).value();
}

Json uniswap_json(const UniswapDeployment& u) {
  Json pools = Json::array();
  for (const auto& p : u.pools)
    pools.push_back({{"token0", p.token0},
                     {"token1", p.token1},
                     {"fee", p.fee},
                     {"address", p.address.checksummed()}});
  return {{"factory", u.factory.checksummed()},
          {"router", u.router.checksummed()},
          {"position_manager", u.position_manager.checksummed()},
          {"quoter", u.quoter.checksummed()},
          {"pools", pools}};
}

UniswapDeployment uniswap_from_json(const Json& j) {
  UniswapDeployment u;
  u.factory = address_field(j, "factory");
  u.router = address_field(j, "router");
  u.position_manager = address_field(j, "position_manager");
  u.quoter = address_field(j, "quoter");
  for (const auto& p : j.at("pools"))
    u.pools.push_back({p.at("token0").get<std::string>(), p.at("token1").get<std::string>(),
                       p.at("fee").get<std::uint32_t>(), address_field(p, "address")});
  return u;
}

Json morpho_json(const MorphoDeployment& m) {
  Json markets = Json::array();
  for (const auto& x : m.markets)
    markets.push_back({{"loan", x.loan},
                       {"collateral", x.collateral},
                       {"oracle", x.oracle.checksummed()},
                       {"lltv", chain::to_dec(x.lltv)},
                       {"id", x.id}});
  Json borrowers = Json::array();
  for (const auto& b : m.borrowers)
    borrowers.push_back(
        {{"address", b.address.checksummed()}, {"market", b.market}, {"target_ltv", b.target_ltv}});
  return {{"morpho", m.morpho.checksummed()},
          {"irm", m.irm.checksummed()},
          {"deployed_at_block", m.deployed_at_block},
          {"markets", markets},
          {"borrowers", borrowers}};
}

MorphoDeployment morpho_from_json(const Json& j) {
  MorphoDeployment m;
  m.morpho = address_field(j, "morpho");
  m.irm = address_field(j, "irm");
  m.deployed_at_block = j.at("deployed_at_block").get<std::uint64_t>();
  for (const auto& x : j.at("markets")) {
    auto lltv = chain::u256_from_dec(x.at("lltv").get<std::string>());
    if (!lltv) throw std::runtime_error("morpho market lltv is not a decimal number");
    m.markets.push_back({x.at("loan").get<std::string>(), x.at("collateral").get<std::string>(),
                         address_field(x, "oracle"), *lltv, x.at("id").get<std::string>()});
  }
  for (const auto& b : j.at("borrowers"))
    m.borrowers.push_back({address_field(b, "address"), b.at("market").get<std::string>(),
                           b.at("target_ltv").get<double>()});
  return m;
}

}  // namespace

tl::expected<void, std::string> write_deployment(const Deployment& d,
                                                 const std::filesystem::path& path) {
  Json assets = Json::array();
  for (const auto& a : d.assets) {
    assets.push_back({{"symbol", a.spec.symbol},
                      {"decimals", a.spec.decimals},
                      {"price", a.spec.price},
                      {"ltv", a.spec.ltv},
                      {"liquidation_threshold", a.spec.liquidation_threshold},
                      {"liquidation_bonus", a.spec.liquidation_bonus},
                      {"emode", a.spec.emode},
                      {"token", a.token.checksummed()},
                      {"a_token", a.a_token.checksummed()},
                      {"stable_debt_token", a.stable_debt_token.checksummed()},
                      {"variable_debt_token", a.variable_debt_token.checksummed()},
                      {"aggregator", a.aggregator.checksummed()},
                      {"feed", a.feed.checksummed()}});
  }
  Json emodes = Json::array();
  for (const auto& e : d.emodes)
    emodes.push_back({{"id", e.id},
                      {"ltv", e.ltv},
                      {"liquidation_threshold", e.liquidation_threshold},
                      {"liquidation_bonus", e.liquidation_bonus},
                      {"label", e.label}});
  Json borrowers = Json::array();
  for (const auto& b : d.borrowers)
    borrowers.push_back({{"address", b.address.checksummed()},
                         {"collateral", b.collateral},
                         {"debt", b.debt},
                         {"emode", b.emode},
                         {"target_health", b.target_health}});
  Json doc{{"chain_id", d.chain_id},
           {"http_url", d.http_url},
           {"ws_url", d.ws_url},
           {"anvil_pid", d.anvil_pid},
           {"port", d.port},
           {"seed", d.seed},
           {"deployed_at_block", d.deployed_at_block},
           {"admin", d.admin.checksummed()},
           {"pool_addresses_provider", d.addresses_provider.checksummed()},
           {"pool", d.pool.checksummed()},
           {"pool_configurator", d.pool_configurator.checksummed()},
           {"oracle", d.oracle.checksummed()},
           {"data_provider", d.data_provider.checksummed()},
           {"acl_manager", d.acl_manager.checksummed()},
           {"assets", assets},
           {"emodes", emodes},
           {"liquidity_provider", d.liquidity_provider.checksummed()},
           {"liquidator", d.liquidator.checksummed()},
           {"liquidator_contract", d.liquidator_contract.checksummed()},
           {"borrowers", borrowers}};
  doc["block_time"] = d.block_time ? Json(*d.block_time) : Json(nullptr);
  if (d.uniswap) doc["uniswap"] = uniswap_json(*d.uniswap);
  if (d.morpho) doc["morpho"] = morpho_json(*d.morpho);
  const auto tmp = path.string() + ".tmp";
  {
    std::ofstream out(tmp);
    if (!out) return tl::unexpected("cannot write " + tmp);
    out << doc.dump(2) << '\n';
    if (!out.flush()) return tl::unexpected("cannot write " + tmp);
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);  // never a half-written deployment.json
  if (ec) return tl::unexpected("cannot rename " + tmp + ": " + ec.message());
  return {};
}

tl::expected<Deployment, std::string> read_deployment(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in)
    return tl::unexpected("no deployment at " + path.string() + " (run `keeper devnet up` first)");
  const Json doc = Json::parse(in, nullptr, false);
  if (doc.is_discarded()) return tl::unexpected(path.string() + " is not valid JSON");
  try {
    Deployment d;
    d.chain_id = doc.at("chain_id").get<std::uint64_t>();
    d.http_url = doc.at("http_url").get<std::string>();
    d.ws_url = doc.at("ws_url").get<std::string>();
    d.anvil_pid = doc.at("anvil_pid").get<std::int64_t>();
    d.port = doc.at("port").get<std::uint16_t>();
    d.seed = doc.at("seed").get<std::uint64_t>();
    d.deployed_at_block = doc.at("deployed_at_block").get<std::uint64_t>();
    d.admin = address_field(doc, "admin");
    d.addresses_provider = address_field(doc, "pool_addresses_provider");
    d.pool = address_field(doc, "pool");
    d.pool_configurator = address_field(doc, "pool_configurator");
    d.oracle = address_field(doc, "oracle");
    d.data_provider = address_field(doc, "data_provider");
    d.acl_manager = address_field(doc, "acl_manager");
    d.liquidity_provider = address_field(doc, "liquidity_provider");
    d.liquidator = address_field(doc, "liquidator");
    d.liquidator_contract = address_field(doc, "liquidator_contract");
    for (const auto& a : doc.at("assets")) {
      DeployedAsset x;
      x.spec = {a.at("symbol").get<std::string>(),
                a.at("decimals").get<std::uint8_t>(),
                a.at("price").get<std::int64_t>(),
                a.at("ltv").get<std::uint16_t>(),
                a.at("liquidation_threshold").get<std::uint16_t>(),
                a.at("liquidation_bonus").get<std::uint16_t>(),
                a.at("emode").get<std::uint8_t>()};
      x.token = address_field(a, "token");
      x.a_token = address_field(a, "a_token");
      x.stable_debt_token = address_field(a, "stable_debt_token");
      x.variable_debt_token = address_field(a, "variable_debt_token");
      x.aggregator = address_field(a, "aggregator");
      x.feed = address_field(a, "feed");
      d.assets.push_back(std::move(x));
    }
    for (const auto& e : doc.at("emodes"))
      d.emodes.push_back({e.at("id").get<std::uint8_t>(), e.at("ltv").get<std::uint16_t>(),
                          e.at("liquidation_threshold").get<std::uint16_t>(),
                          e.at("liquidation_bonus").get<std::uint16_t>(),
                          e.at("label").get<std::string>()});
    for (const auto& b : doc.at("borrowers"))
      d.borrowers.push_back({address_field(b, "address"),
                             b.at("collateral").get<std::vector<std::string>>(),
                             b.at("debt").get<std::string>(), b.at("emode").get<bool>(),
                             b.at("target_health").get<double>()});
    // Absent in deployments from before it was recorded: those mined a block per transaction
    // unless told otherwise, which nothing else recorded either.
    if (doc.contains("block_time") && !doc.at("block_time").is_null())
      d.block_time = doc.at("block_time").get<std::uint64_t>();
    if (doc.contains("uniswap")) d.uniswap = uniswap_from_json(doc.at("uniswap"));
    if (doc.contains("morpho")) d.morpho = morpho_from_json(doc.at("morpho"));
    return d;
  } catch (const std::exception& e) {
    // nlohmann reports the missing or mistyped key; the deployment file is ours but may be edited.
    return tl::unexpected(path.string() + " is malformed: " + e.what());
  }
}

}  // namespace keeper::devnet
