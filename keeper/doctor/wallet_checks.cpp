// The wallet: its key loads (the key itself is never printed), and it holds gas for a cascade.
#include <cstdio>

#include "keeper/doctor/checks.hpp"
#include "keeper/wallet/wallet_loader.hpp"

namespace keeper::doctor {

void check_wallet_key(Context& c) {
  if (!c.cfg.wallet)
    return c.report.fail("wallet key", c.cfg.source +
                                           " has no [wallet] section: keeper run needs a key to "
                                           "sign liquidations");
  // The loader's errors name the variable or file, never secret material.
  auto key = load_wallet(*c.cfg.wallet, c.cfg.base_dir);
  if (!key) return c.report.fail("wallet key", key.error());
  c.wallet = key->address();
  c.report.ok("wallet key", "loads; address " + c.wallet->checksummed());
}

void check_wallet_gas(Context& c) {
  if (!c.wallet) return c.report.skip("wallet gas", "no wallet address (see wallet key)");
  auto wei = c.rpc.balance(*c.wallet, std::string{"latest"});
  if (!wei) return c.report.fail("wallet gas", "eth_getBalance: " + wei.error().to_string());
  const auto& cap = c.cfg.strategy.max_fee_per_gas_wei;
  const auto needed = ops::gas_reserve_wei(cap, c.options.liquidations_in_reserve);
  char why[200];
  std::snprintf(
      why, sizeof why,
      "at least %s: %llu liquidations x %llu gas at the %.0f gwei fee cap "
      "([strategy] max_fee_per_gas_gwei)",
      eth_text(needed).c_str(), static_cast<unsigned long long>(c.options.liquidations_in_reserve),
      static_cast<unsigned long long>(ops::kGasPerLiquidation), chain::to_double(cap) / 1e9);
  if (*wei < needed)
    return c.report.fail("wallet gas", c.wallet->checksummed() + " holds " + eth_text(*wei) +
                                           ", needs " + why +
                                           ": a cascade would stop for want of gas");
  c.report.ok("wallet gas", eth_text(*wei) + ", needs " + why);
}

}  // namespace keeper::doctor
