#include "keeper/engine/reporting.hpp"

#include <cstdio>

#include "chain/abi/revert.hpp"

namespace keeper::engine {

double hf_value(const chain::u256& hf) {
  return hf == strategy::kNoDebt ? -1.0 : chain::to_double(hf) / 1e18;
}

std::string hf_text(const chain::u256& hf) {
  return hf == strategy::kNoDebt ? std::string{"no debt"} : std::to_string(hf_value(hf));
}

std::string money(double usd) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "$%.2f", usd);
  return buf;
}

std::string simulation_text(const tl::expected<chain::Bytes, chain::rpc::RpcError>& r) {
  if (r) return "ok";
  if (r.error().revert_data) return chain::abi::decode_revert(*r.error().revert_data).to_string();
  return r.error().to_string();
}

std::string intent_key(const strategy::Opportunity& o) {
  return "liquidation:" + o.account.checksummed() + ":" + o.collateral_asset.checksummed() + ":" +
         o.debt_asset.checksummed() + ":" + chain::to_dec(o.debt_repaid);
}

}  // namespace keeper::engine
