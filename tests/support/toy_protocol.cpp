#include "tests/support/toy_protocol.hpp"

#include <algorithm>

#include "chain/uint256.hpp"

namespace keeper::testing {
namespace {

using chain::u256;
const u256 kUnit{1'000'000'000'000'000'000ULL};  // 18 decimals; also a health factor of 1

chain::Address address_of(const char* hex) { return chain::Address::from_hex(hex).value(); }

chain::Hash word(const u256& v) { return chain::to_be32(v); }

}  // namespace

const chain::Address ToyProtocol::kCollateral =
    address_of("0x00000000000000000000000000000000000000c0");
const chain::Address ToyProtocol::kDebt = address_of("0x00000000000000000000000000000000000000d0");
const chain::Address ToyProtocol::kMarket =
    address_of("0x0000000000000000000000000000000000000070");
const chain::Address ToyProtocol::kOracle =
    address_of("0x0000000000000000000000000000000000000071");
const chain::Address ToyProtocol::kCollateralFeed =
    address_of("0x0000000000000000000000000000000000000072");

chain::rpc::Log ToyProtocol::price_log(strategy::AssetId asset, const u256& price,
                                       std::uint64_t block) {
  chain::rpc::Log log;
  log.address = kOracle;
  log.topics = {chain::Hash{}, word(u256{asset}), word(price)};
  log.block_number = block;
  return log;
}

chain::Bytes ToyProtocol::liquidation_data(const chain::Address& account) {
  chain::Bytes out(1 + account.bytes.size(), 0x70);
  std::copy(account.bytes.begin(), account.bytes.end(), out.begin() + 1);
  return out;
}

tl::expected<strategy::BlockUpdate, strategy::ProtocolError> ToyProtocol::advance(
    const chain::rpc::BlockHeader& head) {
  strategy::BlockUpdate update;
  update.from = block_ + 1;
  update.to = head.number;
  for (const auto& [who, loan] : loans) update.touched.push_back(who);
  block_ = head.number;
  return update;
}

tl::expected<std::optional<chain::rpc::LogFilter>, strategy::ProtocolError>
ToyProtocol::follow_price_sources(std::uint64_t) {
  if (sources_announced_) return std::nullopt;
  sources_announced_ = true;
  chain::rpc::LogFilter filter;
  filter.addresses = {kOracle, kCollateralFeed};
  return filter;
}

std::vector<double> ToyProtocol::rank_prices(std::span<const strategy::PriceMove> moves) const {
  std::vector<double> out{chain::to_double(prices[0]), chain::to_double(prices[1])};
  for (const auto& m : moves)
    if (m.asset < out.size()) out[m.asset] = chain::to_double(m.price);
  return out;
}

void ToyProtocol::for_each_account(const std::function<void(const chain::Address&)>& visit) const {
  for (const auto& [who, loan] : loans) visit(who);
}

strategy::RankForm ToyProtocol::rank_form(const chain::Address& account, std::uint64_t) const {
  const auto it = loans.find(account);
  if (it == loans.end()) return {};
  const double collateral = chain::to_double(it->second.collateral) / 1e18 * 0.8;
  const double debt = chain::to_double(it->second.debt) / 1e18;
  return {{{0, false, collateral}, {1, true, debt}}, false};
}

u256 ToyProtocol::price_of(strategy::AssetId asset) const {
  return asset < 2 ? prices[asset] : u256{0};
}

std::optional<std::vector<strategy::PriceMove>> ToyProtocol::decode_price_log(
    const chain::rpc::Log& log) const {
  if (log.address != kOracle || log.topics.size() != 3) return std::nullopt;
  const auto asset = chain::from_be(log.topics[1]);
  const auto price = chain::from_be(log.topics[2]);
  if (!asset || !price || *asset > 1) return std::nullopt;
  if (prices[chain::low_u64(*asset)] == *price) return std::vector<strategy::PriceMove>{};
  return std::vector<strategy::PriceMove>{
      {static_cast<strategy::AssetId>(chain::low_u64(*asset)), *price}};
}

std::optional<std::vector<strategy::PriceMove>> ToyProtocol::price_moves_for_answer(
    const chain::Address& aggregator, const u256& answer) const {
  if (aggregator != kCollateralFeed) return std::nullopt;
  if (answer == 0 || (answer >> 255) != 0 || answer == prices[0])
    return std::vector<strategy::PriceMove>{};
  return std::vector<strategy::PriceMove>{{0, answer}};
}

u256 ToyProtocol::health(const Loan& loan, const u256 (&p)[2]) const {
  if (loan.debt == 0) return strategy::kNoDebt;
  return loan.collateral * p[0] * 8 / 10 * kUnit / (loan.debt * p[1]);
}

std::vector<strategy::Assessment> ToyProtocol::assess(
    std::span<const chain::Address> accounts, std::uint64_t, const strategy::LiquidationLimits&,
    std::span<const strategy::PriceMove> moves) const {
  u256 p[2] = {prices[0], prices[1]};
  for (const auto& m : moves)
    if (m.asset < 2) p[m.asset] = m.price;
  std::vector<strategy::Assessment> out;
  for (const auto& who : accounts) {
    const auto it = loans.find(who);
    if (it == loans.end()) continue;
    const Loan& loan = it->second;
    strategy::Assessment a{strategy::Assessment::Verdict::healthy, who, std::nullopt};
    const u256 hf = health(loan, p);
    if (hf < kUnit) {
      const u256 repay = loan.debt / 2;
      const u256 seized = repay * p[1] * 105 / 100 / p[0];
      const u256 gross = (seized * p[0] - repay * p[1]) / kUnit;
      a.verdict = strategy::Assessment::Verdict::liquidatable;
      a.best = strategy::Opportunity{who,    kCollateral, kDebt, repay,      repay,
                                     seized, hf,          gross, "TOYC/TOYD"};
    }
    out.push_back(std::move(a));
  }
  return out;
}

strategy::SeizureCurve ToyProtocol::seizure_curve(
    const strategy::Opportunity& o, std::uint64_t,
    std::span<const strategy::PriceMove> moves) const {
  u256 p[2] = {prices[0], prices[1]};
  for (const auto& m : moves)
    if (m.asset < 2) p[m.asset] = m.price;
  const auto it = loans.find(o.account);
  if (it == loans.end()) return {};
  const u256 max_repay = it->second.debt / 2;
  const u256 price_collateral = p[0];
  const u256 price_debt = p[1];
  return [=](const u256& debt_to_cover) -> std::optional<strategy::Seizure> {
    if (debt_to_cover == 0) return std::nullopt;
    const u256 repay = debt_to_cover < max_repay ? debt_to_cover : max_repay;
    return strategy::Seizure{repay, repay * price_debt * 105 / 100 / price_collateral};
  };
}

std::optional<u256> ToyProtocol::value_in_base(const chain::Address& asset, const u256& amount,
                                               std::span<const strategy::PriceMove> moves) const {
  const std::size_t id = asset == kCollateral ? 0 : 1;
  if (asset != kCollateral && asset != kDebt) return std::nullopt;
  u256 price = prices[id];
  for (const auto& m : moves)
    if (m.asset == id) price = m.price;
  return amount * price / kUnit;
}

u256 ToyProtocol::health_factor(const chain::Address& account, std::uint64_t) const {
  const auto it = loans.find(account);
  return it == loans.end() ? strategy::kNoDebt : health(it->second, prices);
}

strategy::Valuation ToyProtocol::valuation() const {
  return {u256{100'000'000}, prices[0]};  // the collateral is the native token
}

std::optional<chain::Address> ToyProtocol::asset_by_symbol(std::string_view symbol) const {
  if (symbol == "TOYC") return kCollateral;
  if (symbol == "TOYD") return kDebt;
  return std::nullopt;
}

strategy::ContractCall ToyProtocol::liquidation_call(const strategy::Opportunity& o, bool) const {
  return {kMarket, liquidation_data(o.account)};
}

tl::expected<strategy::ContractCall, strategy::ProtocolError>
ToyProtocol::contract_liquidation_call(const strategy::Opportunity& o,
                                       const chain::Address& contract, bool) const {
  return strategy::ContractCall{contract, liquidation_data(o.account)};
}

tl::expected<std::optional<chain::Address>, strategy::ProtocolError>
ToyProtocol::liquidation_target(const chain::rpc::PendingTransaction& tx) const {
  if (!tx.to || *tx.to != kMarket || tx.input.empty() || tx.input[0] != 0x70) return std::nullopt;
  if (tx.input.size() != 21)
    return tl::unexpected(strategy::ProtocolError{strategy::ProtocolErrorKind::bad_data, "toy"});
  chain::Address who;
  std::copy(tx.input.begin() + 1, tx.input.end(), who.bytes.begin());
  return who;
}

std::optional<strategy::Realised> ToyProtocol::realised(const chain::rpc::Receipt&,
                                                        const chain::Address&) const {
  if (!liquidations_land) return std::nullopt;
  return strategy::Realised{};
}

std::string ToyProtocol::symbol(const chain::Address& asset) const {
  return asset == kCollateral ? "TOYC" : asset == kDebt ? "TOYD" : asset.checksummed();
}

}  // namespace keeper::testing
