#include "protocols/morpho_blue/events.hpp"

#include <algorithm>

#include "chain/keccak.hpp"

namespace protocols::morpho_blue {
namespace {

struct Spec {
  EventKind kind;
  const char* signature;
  int account_topic;  // the topic holding the position's owner; -1: none
};

const Spec kSpecs[] = {
    {EventKind::create_market, "CreateMarket(bytes32,(address,address,address,address,uint256))",
     -1},
    {EventKind::supply, "Supply(bytes32,address,address,uint256,uint256)", 3},
    {EventKind::withdraw, "Withdraw(bytes32,address,address,address,uint256,uint256)", 2},
    {EventKind::borrow, "Borrow(bytes32,address,address,address,uint256,uint256)", 2},
    {EventKind::repay, "Repay(bytes32,address,address,uint256,uint256)", 3},
    {EventKind::supply_collateral, "SupplyCollateral(bytes32,address,address,uint256)", 3},
    {EventKind::withdraw_collateral, "WithdrawCollateral(bytes32,address,address,address,uint256)",
     2},
    {EventKind::liquidate,
     "Liquidate(bytes32,address,address,uint256,uint256,uint256,uint256,uint256)", 3},
    {EventKind::accrue_interest, "AccrueInterest(bytes32,uint256,uint256,uint256)", -1},
    {EventKind::set_fee, "SetFee(bytes32,uint256)", -1},
};

const std::vector<chain::Hash>& topics() {
  static const std::vector<chain::Hash> all = [] {
    std::vector<chain::Hash> out;
    for (const auto& s : kSpecs) out.push_back(chain::keccak256(std::string_view{s.signature}));
    return out;
  }();
  return all;
}

// The address in a topic or word, if its top 12 bytes are zero (an ABI address).
std::optional<Address> address_in(const chain::Hash& word) {
  for (std::size_t i = 0; i < 12; ++i)
    if (word[i] != 0) return std::nullopt;
  return Address::from_word(word);
}

std::optional<u256> word_at(const chain::Bytes& data, std::size_t i) {
  if (data.size() < 32 * (i + 1)) return std::nullopt;
  return chain::from_be(chain::BytesView{data}.subspan(32 * i, 32));
}

std::optional<Address> address_at(const chain::Bytes& data, std::size_t i) {
  if (data.size() < 32 * (i + 1)) return std::nullopt;
  chain::Hash word{};
  std::copy_n(data.begin() + static_cast<std::ptrdiff_t>(32 * i), 32, word.begin());
  return address_in(word);
}

}  // namespace

std::string_view to_string(EventKind k) noexcept {
  switch (k) {
    case EventKind::create_market: return "CreateMarket";
    case EventKind::supply: return "Supply";
    case EventKind::withdraw: return "Withdraw";
    case EventKind::borrow: return "Borrow";
    case EventKind::repay: return "Repay";
    case EventKind::supply_collateral: return "SupplyCollateral";
    case EventKind::withdraw_collateral: return "WithdrawCollateral";
    case EventKind::liquidate: return "Liquidate";
    case EventKind::accrue_interest: return "AccrueInterest";
    case EventKind::set_fee: return "SetFee";
  }
  return "unknown";
}

const std::vector<chain::Hash>& followed_topics() { return topics(); }

std::optional<MorphoEvent> decode_event(const chain::rpc::Log& log) {
  if (log.topics.size() < 2) return std::nullopt;
  const auto& all = topics();
  for (std::size_t i = 0; i < all.size(); ++i) {
    if (log.topics[0] != all[i]) continue;
    const Spec& spec = kSpecs[i];
    MorphoEvent e;
    e.kind = spec.kind;
    e.market = log.topics[1];
    if (spec.account_topic >= 0) {
      const auto t = static_cast<std::size_t>(spec.account_topic);
      if (log.topics.size() <= t) return std::nullopt;
      e.account = address_in(log.topics[t]);
      if (!e.account) return std::nullopt;
    }
    if (spec.kind == EventKind::create_market) {
      auto loan = address_at(log.data, 0);
      auto collateral = address_at(log.data, 1);
      auto oracle = address_at(log.data, 2);
      auto irm = address_at(log.data, 3);
      auto lltv = word_at(log.data, 4);
      if (!loan || !collateral || !oracle || !irm || !lltv) return std::nullopt;
      e.params = MarketParams{*loan, *collateral, *oracle, *irm, *lltv};
      // A log claiming an Id its parameters do not hash to is not Morpho's.
      if (market_id(*e.params) != e.market) return std::nullopt;
    }
    return e;
  }
  return std::nullopt;
}

std::optional<LiquidateEvent> decode_liquidate(const chain::rpc::Log& log) {
  if (log.topics.size() != 4 || log.topics[0] != topics()[7]) return std::nullopt;
  LiquidateEvent e;
  e.market = log.topics[1];
  auto caller = address_in(log.topics[2]);
  auto borrower = address_in(log.topics[3]);
  if (!caller || !borrower) return std::nullopt;
  e.caller = *caller;
  e.borrower = *borrower;
  u256* fields[] = {&e.repaid_assets, &e.repaid_shares, &e.seized_assets, &e.bad_debt_assets,
                    &e.bad_debt_shares};
  for (std::size_t i = 0; i < 5; ++i) {
    auto w = word_at(log.data, i);
    if (!w) return std::nullopt;
    *fields[i] = *w;
  }
  return e;
}

const chain::Hash& answer_updated_topic() {
  static const chain::Hash topic =
      chain::keccak256(std::string_view{"AnswerUpdated(int256,uint256,uint256)"});
  return topic;
}

}  // namespace protocols::morpho_blue
