// The markets: each Aave PoolAddressesProvider answers with a Pool and reserves, each Morpho has
// code, and each start_block is a block the node has.
#include "keeper/doctor/checks.hpp"

namespace keeper::doctor {

namespace {

// Aave V3: the PoolAddressesProvider answers with a Pool and its reserves.
void check_aave(Context& c, const config::MarketConfig& m, const std::string& name, bool first) {
  protocols::aave_v3::AaveSync sync{c.rpc, m.pool_addresses_provider};
  auto contracts = sync.contracts(c.head->number);
  if (!contracts) {
    c.report.fail(name, "PoolAddressesProvider " + m.pool_addresses_provider.checksummed() +
                            " does not answer as Aave V3's: " + contracts.error());
  } else {
    auto market = sync.market(*contracts, c.head->number);
    if (!market) {
      c.report.fail(name, "reading the market of Pool " + contracts->pool.checksummed() + ": " +
                              market.error());
    } else {
      c.report.ok(name, "Pool " + contracts->pool.checksummed() + ", " +
                            std::to_string(market->reserves.size()) + " reserves");
      if (first) {
        c.first_market = *contracts;
        for (const auto& r : market->reserves) c.reserves.push_back({r.symbol, r.asset});
      }
    }
  }
}

// Morpho Blue: a contract at the configured address (its markets are read by the adapter).
void check_morpho(Context& c, const config::MarketConfig& m, const std::string& name) {
  auto code = c.rpc.code(m.morpho, "latest");
  if (!code) {
    c.report.fail(name,
                  "reading Morpho " + m.morpho.checksummed() + ": " + code.error().to_string());
    return;
  }
  if (code->empty()) {
    c.report.fail(name, "Morpho " + m.morpho.checksummed() + " holds no contract on this chain");
    return;
  }
  c.report.ok(name, "Morpho Blue " + m.morpho.checksummed() + ", " +
                        (m.market_ids.empty() ? std::string{"every market it created"}
                                              : std::to_string(m.market_ids.size()) + " markets"));
}

}  // namespace

void check_markets(Context& c) {
  for (std::size_t i = 0; i < c.cfg.markets.size(); ++i) {
    const auto& m = c.cfg.markets[i];
    const std::string label = m.name.empty() ? "markets[" + std::to_string(i) + "]" : m.name;
    const std::string name = "market " + label;
    if (m.protocol == "morpho-blue") {
      check_morpho(c, m, name);
    } else {
      check_aave(c, m, name, i == 0);
    }
    const std::string where =
        c.cfg.source + (m.start_block_line != 0 ? ":" + std::to_string(m.start_block_line) : "");
    if (m.start_block > c.head->number) {
      c.report.fail("start_block " + label,
                    where + ": start_block = " + std::to_string(m.start_block) +
                        " is past the head " + std::to_string(c.head->number) +
                        ": keeper would find no account there and refuses to start");
    } else {
      c.report.ok("start_block " + label,
                  std::to_string(m.start_block) + ", " +
                      std::to_string(c.head->number - m.start_block) +
                      " blocks before the head to backfill (once; snapshots resume after)");
    }
  }
}

}  // namespace keeper::doctor
