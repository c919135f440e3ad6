#include "cascade/report.hpp"

#include <cstdio>

namespace cascade {
namespace {

using nlohmann::json;
using strategy::cascade::CascadeResult;
using strategy::cascade::Round;

double usd(const ReportContext& c, const chain::u256& base) {
  return c.base_unit == 0 ? 0.0 : chain::to_double(base) / chain::to_double(c.base_unit);
}

json by_symbol(const ReportContext& c, const std::vector<chain::u256>& values, bool skip_zero) {
  json out = json::object();
  for (std::size_t i = 0; i < values.size() && i < c.assets.size(); ++i)
    if (!skip_zero || values[i] != 0) out[c.assets[i].symbol] = chain::to_dec(values[i]);
  return out;
}

std::string symbol_of(const ReportContext& c, const chain::Address& asset) {
  for (const auto& a : c.assets)
    if (a.address == asset) return a.symbol;
  return asset.checksummed();
}

std::size_t shocked_id(const ReportContext& c, const CascadeResult& r) {
  for (std::size_t i = 0; i < c.assets.size(); ++i)
    if (c.assets[i].symbol == r.shock.symbol) return i;
  return 0;
}

json round_json(const ReportContext& c, const Round& r, std::size_t number) {
  json accounts = json::array();
  for (const auto& l : r.accounts) {
    json a{{"account", l.account.checksummed()},
           {"health_factor", chain::to_dec(l.health_factor)},
           {"verdict", std::string{strategy::to_string(l.verdict)}},
           {"debt_repaid", chain::to_dec(l.debt_repaid)},
           {"collateral_seized", chain::to_dec(l.collateral_seized)}};
    if (l.verdict == strategy::Assessment::Verdict::liquidatable) {
      a["collateral_asset"] = symbol_of(c, l.collateral_asset);
      a["debt_asset"] = symbol_of(c, l.debt_asset);
      a["debt_to_cover"] = chain::to_dec(l.debt_to_cover);
      a["bonus_base"] = chain::to_dec(l.bonus_base);
    }
    accounts.push_back(std::move(a));
  }
  json sales = json::array();
  for (const auto& s : r.sales)
    sales.push_back(
        {{"asset", c.assets[s.asset].symbol},
         {"how", s.how},
         {"venue", s.venue.is_zero() ? json(nullptr) : json(s.venue.checksummed())},
         {"amount_in", chain::to_dec(s.amount_in)},
         {"amount_out", chain::to_dec(s.amount_out)},
         {"proceeds_asset", s.proceeds ? json(c.assets[*s.proceeds].symbol) : json(nullptr)},
         {"price_before", chain::to_dec(s.price_before)},
         {"price_after", chain::to_dec(s.price_after)}});
  return {{"round", number},
          {"prices", by_symbol(c, r.prices, false)},
          {"accounts", std::move(accounts)},
          {"liquidated", r.liquidated},
          {"debt_repaid", by_symbol(c, r.debt_repaid, true)},
          {"collateral_seized", by_symbol(c, r.collateral_seized, true)},
          {"totals",
           {{"debt_repaid_base", chain::to_dec(r.debt_repaid_base)},
            {"collateral_seized_base", chain::to_dec(r.collateral_seized_base)},
            {"bonus_paid_base", chain::to_dec(r.bonus_base)}}},
          {"sales", std::move(sales)},
          {"prices_after", by_symbol(c, r.prices_after, false)},
          {"bad_debt",
           {{"accounts", r.bad_debt_accounts}, {"debt_base", chain::to_dec(r.bad_debt_base)}}}};
}

std::size_t liquidations(const CascadeResult& r) {
  std::size_t n = 0;
  for (const auto& round : r.rounds) n += round.liquidated;
  return n;
}

}  // namespace

json cascade_json(const ReportContext& c, const CascadeResult& r) {
  json rounds = json::array();
  for (std::size_t i = 0; i < r.rounds.size(); ++i)
    rounds.push_back(round_json(c, r.rounds[i], i + 1));
  return {{"block", c.block},
          {"timestamp", c.timestamp},
          {"base_unit", chain::to_dec(c.base_unit)},
          {"shock",
           {{"asset", r.shock.symbol},
            {"percent", strategy::cascade::percent_text(r.shock.basis_points)}}},
          {"settled", r.settled},
          {"rounds", std::move(rounds)}};
}

json sweep_json(const ReportContext& c, const std::vector<CascadeResult>& runs) {
  json points = json::array();
  for (const auto& r : runs) {
    json path = json::array();
    const auto id = shocked_id(c, r);
    for (const auto& round : r.rounds) path.push_back(chain::to_dec(round.prices[id]));
    if (!r.rounds.empty()) path.push_back(chain::to_dec(r.rounds.back().prices_after[id]));
    points.push_back({{"shock", strategy::cascade::percent_text(r.shock.basis_points)},
                      {"rounds", r.rounds.size()},
                      {"settled", r.settled},
                      {"liquidations", liquidations(r)},
                      {"collateral_seized_base", chain::to_dec(r.total_collateral_seized_base())},
                      {"debt_repaid_base", chain::to_dec(r.total_debt_repaid_base())},
                      {"bad_debt_base", chain::to_dec(r.final_bad_debt_base())},
                      {"price_path", std::move(path)}});
  }
  return {{"block", c.block},
          {"timestamp", c.timestamp},
          {"base_unit", chain::to_dec(c.base_unit)},
          {"asset", runs.empty() ? std::string{} : runs.front().shock.symbol},
          {"sweep", std::move(points)}};
}

std::string cascade_text(const ReportContext& c, const CascadeResult& r) {
  std::string out;
  char line[256];
  const auto id = shocked_id(c, r);
  std::snprintf(line, sizeof line, "block %llu: %s %s, %zu round%s%s\n",
                static_cast<unsigned long long>(c.block), r.shock.symbol.c_str(),
                strategy::cascade::percent_text(r.shock.basis_points).c_str(), r.rounds.size(),
                r.rounds.size() == 1 ? "" : "s", r.settled ? "" : " (round limit reached)");
  out += line;
  std::snprintf(line, sizeof line, "%5s %14s %9s %9s %16s %16s %14s %16s %14s\n", "round",
                (r.shock.symbol + " $").c_str(), "under 1", "liquid.", "debt repaid $", "seized $",
                "bonus $", "bad debt $", "after $");
  out += line;
  for (std::size_t i = 0; i < r.rounds.size(); ++i) {
    const auto& x = r.rounds[i];
    std::snprintf(line, sizeof line, "%5zu %14.2f %9zu %9zu %16.2f %16.2f %14.2f %16.2f %14.2f\n",
                  i + 1, usd(c, x.prices[id]), x.under_one, x.liquidated,
                  usd(c, x.debt_repaid_base), usd(c, x.collateral_seized_base),
                  usd(c, x.bonus_base), usd(c, x.bad_debt_base), usd(c, x.prices_after[id]));
    out += line;
    for (const auto& s : x.sales) {
      std::snprintf(line, sizeof line, "      sold %s %s via %s: $%.2f -> $%.2f\n",
                    chain::to_dec(s.amount_in).c_str(), c.assets[s.asset].symbol.c_str(),
                    s.how.c_str(), usd(c, s.price_before), usd(c, s.price_after));
      out += line;
    }
  }
  return out;
}

std::string sweep_text(const ReportContext& c, const std::vector<CascadeResult>& runs) {
  std::string out;
  char line[256];
  std::snprintf(line, sizeof line, "block %llu: sweep of %zu shocks\n",
                static_cast<unsigned long long>(c.block), runs.size());
  out += line;
  std::snprintf(line, sizeof line, "%8s %7s %13s %18s %18s %16s %14s\n", "shock", "rounds",
                "liquidations", "seized $", "debt repaid $", "bad debt $", "final price $");
  out += line;
  for (const auto& r : runs) {
    const auto id = shocked_id(c, r);
    const double final_price = r.rounds.empty() ? 0 : usd(c, r.rounds.back().prices_after[id]);
    std::snprintf(line, sizeof line, "%8s %7zu %13zu %18.2f %18.2f %16.2f %14.2f\n",
                  strategy::cascade::percent_text(r.shock.basis_points).c_str(), r.rounds.size(),
                  liquidations(r), usd(c, r.total_collateral_seized_base()),
                  usd(c, r.total_debt_repaid_base()), usd(c, r.final_bad_debt_base()), final_price);
    out += line;
  }
  return out;
}

}  // namespace cascade
