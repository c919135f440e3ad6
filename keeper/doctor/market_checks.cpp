// The markets: each PoolAddressesProvider answers with a Pool and reserves, and each start_block
// is a block the node has.
#include "keeper/doctor/checks.hpp"

namespace keeper::doctor {

void check_markets(Context& c) {
  for (std::size_t i = 0; i < c.cfg.markets.size(); ++i) {
    const auto& m = c.cfg.markets[i];
    const std::string label = m.name.empty() ? "markets[" + std::to_string(i) + "]" : m.name;
    const std::string name = "market " + label;
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
        if (i == 0) {
          c.first_market = *contracts;
          for (const auto& r : market->reserves) c.reserves.push_back({r.symbol, r.asset});
        }
      }
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
