#include "keeper/commands/morpho_positions.hpp"

#include <cstdio>

#include "protocols/morpho_blue/morpho_blue_protocol.hpp"

namespace keeper {
namespace {

namespace mb = protocols::morpho_blue;

std::string units(const chain::u256& amount, unsigned decimals) {
  std::string digits = chain::to_dec(amount);
  if (decimals == 0) return digits;
  if (digits.size() <= decimals) digits.insert(0, decimals - digits.size() + 1, '0');
  std::string out =
      digits.substr(0, digits.size() - decimals) + "." + digits.substr(digits.size() - decimals);
  while (out.back() == '0') out.pop_back();
  if (out.back() == '.') out.pop_back();
  return out;
}

}  // namespace

tl::expected<std::vector<MorphoRow>, std::string> morpho_rows(
    chain::rpc::RpcClient& rpc, const config::MarketConfig& market, std::uint64_t block,
    std::uint64_t timestamp, const std::optional<chain::Address>& account) {
  mb::MorphoBook book{rpc, market.morpho, market.market_ids, market.start_block};
  if (auto ok = book.load(block, timestamp); !ok)
    return tl::unexpected("market " + market.name + ": " + ok.error());
  const mb::MorphoBlueProtocol protocol{book};
  std::vector<MorphoRow> rows;
  for (const auto& [who, in] : book.accounts()) {
    if (account && who != *account) continue;
    for (const auto& v : protocol.positions_of(who, timestamp)) {
      if (v.position.borrow_shares == 0 && v.position.collateral == 0) continue;  // a lender
      const auto& c = book.assets()[v.market->collateral_asset];
      const auto& l = book.assets()[v.market->loan_asset];
      MorphoRow r;
      r.account = who;
      r.market_name = market.name;
      r.market_id = mb::market_id_hex(v.market->state.id);
      char lltv[16];
      std::snprintf(lltv, sizeof lltv, " %.4g%%",
                    chain::to_double(v.market->state.params.lltv) / 1e16);
      r.label = c.symbol + "/" + l.symbol + lltv;
      r.collateral = v.position.collateral;
      r.borrow_shares = v.position.borrow_shares;
      r.borrowed = v.health.borrowed;
      r.max_borrow = v.health.max_borrow;
      r.health_factor = mb::health_factor(v.health);
      r.healthy = v.health.healthy();
      r.collateral_decimals = c.decimals;
      r.loan_decimals = l.decimals;
      rows.push_back(std::move(r));
    }
  }
  return rows;
}

nlohmann::json to_json(const MorphoRow& r) {
  return {{"protocol", "morpho-blue"},
          {"market", r.market_name},
          {"market_id", r.market_id},
          {"label", r.label},
          {"account", r.account.checksummed()},
          {"health_factor", chain::to_dec(r.health_factor)},
          {"healthy", r.healthy},
          {"collateral", chain::to_dec(r.collateral)},
          {"borrow_shares", chain::to_dec(r.borrow_shares)},
          {"borrowed", chain::to_dec(r.borrowed)},
          {"max_borrow", chain::to_dec(r.max_borrow)}};
}

std::string table_header() {
  char line[200];
  std::snprintf(line, sizeof line, "%-42s %-16s %10s %18s %18s %18s\n", "account", "market",
                "health", "collateral", "borrowed", "max borrow");
  return line;
}

std::string table_line(const MorphoRow& r) {
  char line[256];
  const double hf =
      r.health_factor == chain::kU256Max ? 0.0 : chain::to_double(r.health_factor) / 1e18;
  std::snprintf(line, sizeof line, "%-42s %-16s %10.4f %18s %18s %18s%s\n",
                r.account.checksummed().c_str(), r.label.c_str(), hf,
                units(r.collateral, r.collateral_decimals).c_str(),
                units(r.borrowed, r.loan_decimals).c_str(),
                units(r.max_borrow, r.loan_decimals).c_str(), r.healthy ? "" : "  liquidatable");
  return line;
}

}  // namespace keeper
