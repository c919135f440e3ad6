#include "config/read_sections.hpp"

#include <string>

namespace config::detail {
namespace {

// A contract address: 0x-prefixed, 20 bytes, a valid checksum when mixed case, not zero.
tl::expected<chain::Address, ConfigError> read_contract_address(const Reader& r, const Value& t,
                                                                const std::string& prefix,
                                                                const std::string& key) {
  KEEPER_CFG(text, r.required<std::string>(t, prefix, key));
  auto address = chain::Address::from_hex(*text);
  if (!address)
    return tl::unexpected(
        r.error(t.at(key), prefix + key, std::string{chain::describe(address.error())}));
  if (address->is_zero())
    return tl::unexpected(r.error(t.at(key), prefix + key, "is the zero address"));
  return *address;
}

}  // namespace

tl::expected<LiquidatorConfig, ConfigError> read_liquidator(const Reader& r, const Value& t) {
  if (!t.is_table()) return tl::unexpected(r.error(t, "liquidator", "must be a table"));
  KEEPER_CFG(ok, r.only(t, "liquidator.", {"address"}));
  KEEPER_CFG(text, r.required<std::string>(t, "liquidator.", "address"));
  auto address = chain::Address::from_hex(*text);
  if (!address)
    return tl::unexpected(r.error(t.at("address"), "liquidator.address",
                                  std::string{chain::describe(address.error())}));
  if (address->is_zero())
    return tl::unexpected(r.error(t.at("address"), "liquidator.address", "is the zero address"));
  return LiquidatorConfig{*address};
}

tl::expected<DexConfig, ConfigError> read_dex(const Reader& r, const Value& t) {
  if (!t.is_table()) return tl::unexpected(r.error(t, "dex", "must be a table"));
  KEEPER_CFG(ok,
             r.only(t, "dex.", {"uniswap_v3_factory", "uniswap_v3_router", "uniswap_v3_quoter"}));
  DexConfig c;
  KEEPER_CFG(factory, read_contract_address(r, t, "dex.", "uniswap_v3_factory"));
  KEEPER_CFG(router, read_contract_address(r, t, "dex.", "uniswap_v3_router"));
  c.uniswap_v3_factory = *factory;
  c.uniswap_v3_router = *router;
  if (t.contains("uniswap_v3_quoter")) {
    KEEPER_CFG(quoter, read_contract_address(r, t, "dex.", "uniswap_v3_quoter"));
    c.uniswap_v3_quoter = *quoter;
  }
  return c;
}

}  // namespace config::detail
