#include "protocols/morpho_blue/morpho_book.hpp"

#include <algorithm>
#include <functional>

#include "chain/abi/signature.hpp"
#include "chain/rpc/log_backfill.hpp"
#include "protocols/morpho_blue/events.hpp"
#include "protocols/morpho_blue/math.hpp"

namespace protocols::morpho_blue {
namespace {

using chain::abi::Value;
using chain::abi::Values;

tl::expected<Values, std::string> view(chain::rpc::RpcClient& rpc, const Address& to,
                                       const std::string& signature, const Values& args,
                                       std::uint64_t block) {
  auto fn = chain::abi::parse_function(signature);
  if (!fn) return tl::unexpected(signature + ": bad signature");
  auto data = fn->encode_call(args);
  if (!data)
    return tl::unexpected(signature + ": " + std::string{chain::abi::describe(data.error())});
  auto out = rpc.eth_call({std::nullopt, to, *data, std::nullopt, std::nullopt}, block);
  if (!out)
    return tl::unexpected(to.checksummed() + " " + signature + ": " + out.error().to_string());
  auto values = fn->decode_output(*out);
  if (!values)
    return tl::unexpected(to.checksummed() + " " + signature + " returned malformed data");
  return *values;
}

std::optional<Address> view_address(chain::rpc::RpcClient& rpc, const Address& to,
                                    const std::string& getter, std::uint64_t block) {
  auto v = view(rpc, to, getter + "()(address)", {}, block);
  if (!v) return std::nullopt;
  return (*v)[0].as_address();
}

// Reads the logs of Morpho in [from, to] and hands each decoded one to `on_event`.
tl::expected<std::size_t, std::string> scan_logs(
    chain::rpc::RpcClient& rpc, const Address& morpho, std::uint64_t from, std::uint64_t to,
    const std::function<void(const MorphoEvent&)>& on_event) {
  if (from > to) return std::size_t{0};
  chain::rpc::LogFilter filter;
  filter.addresses = {morpho};
  filter.topics = {followed_topics()};
  std::size_t count = 0;
  auto done = chain::rpc::backfill_logs(
      rpc, filter, from, to, {},
      [&](std::uint64_t, std::uint64_t, std::vector<chain::rpc::Log>&& logs) {
        for (const auto& log : logs) {
          if (log.removed || log.address != morpho) continue;
          if (auto e = decode_event(log)) {
            ++count;
            on_event(*e);
          }
        }
        return true;
      });
  if (!done) return tl::unexpected("Morpho logs: " + done.error().to_string());
  return count;
}

}  // namespace

std::optional<u256> oracle_price(const OracleForm& form, const std::vector<u256>& answers) {
  if (form.base_asset >= answers.size() || form.quote_asset >= answers.size()) return std::nullopt;
  const u256& base = answers[form.base_asset];
  const u256& quote = answers[form.quote_asset];
  if (base == 0 || quote == 0) return std::nullopt;
  return checked_mul_div_down(form.scale_factor, base, quote);
}

const BookMarket* MorphoBook::market(const MarketId& id) const {
  for (const auto& m : markets_)
    if (m.state.id == id) return &m;
  return nullptr;
}

bool MorphoBook::followed(const MarketId& id) const {
  return configured_.empty() ||
         std::find(configured_.begin(), configured_.end(), id) != configured_.end();
}

tl::expected<std::size_t, std::string> MorphoBook::add_asset(const Address& token,
                                                             std::uint64_t block) {
  for (std::size_t i = 0; i < assets_.size(); ++i)
    if (assets_[i].token == token) return i;
  Asset a;
  a.token = token;
  // Tokens that do not answer symbol() or decimals() are still followed, shown by address.
  auto symbol = view(rpc_, token, "symbol()(string)", {}, block);
  a.symbol = symbol ? (*symbol)[0].as_string() : token.checksummed();
  auto decimals = view(rpc_, token, "decimals()(uint8)", {}, block);
  if (decimals) a.decimals = static_cast<unsigned>(chain::low_u64((*decimals)[0].as_uint()));
  assets_.push_back(std::move(a));
  return assets_.size() - 1;
}

void MorphoBook::follow_oracle(BookMarket& m, std::uint64_t block) {
  const Address& oracle = m.state.params.oracle;
  const auto base = view_address(rpc_, oracle, "BASE_FEED_1", block);
  const auto quote = view_address(rpc_, oracle, "QUOTE_FEED_1", block);
  const auto base2 = view_address(rpc_, oracle, "BASE_FEED_2", block);
  const auto quote2 = view_address(rpc_, oracle, "QUOTE_FEED_2", block);
  const auto base_vault = view_address(rpc_, oracle, "BASE_VAULT", block);
  const auto quote_vault = view_address(rpc_, oracle, "QUOTE_VAULT", block);
  const auto scale = view(rpc_, oracle, "SCALE_FACTOR()(uint256)", {}, block);
  if (!base || !quote || !base2 || !quote2 || !base_vault || !quote_vault || !scale) return;
  if (base->is_zero() || quote->is_zero() || !base2->is_zero() || !quote2->is_zero() ||
      !base_vault->is_zero() || !quote_vault->is_zero())
    return;
  // Each side's token takes the feed; a token priced by another feed elsewhere cannot follow.
  const std::pair<std::size_t, Address> sides[] = {{m.collateral_asset, *base},
                                                   {m.loan_asset, *quote}};
  for (const auto& [index, feed] : sides) {
    Asset& a = assets_[index];
    if (a.feed && *a.feed != feed) return;
  }
  for (const auto& [index, feed] : sides) {
    Asset& a = assets_[index];
    if (a.feed) continue;
    a.feed = feed;
    // A proxy names its aggregator, which emits AnswerUpdated; a bare aggregator emits itself.
    a.emitter = view_address(rpc_, feed, "aggregator", block).value_or(feed);
    auto decimals = view(rpc_, feed, "decimals()(uint8)", {}, block);
    if (decimals) a.feed_decimals = static_cast<unsigned>(chain::low_u64((*decimals)[0].as_uint()));
  }
  m.oracle_form = OracleForm{m.collateral_asset, m.loan_asset, (*scale)[0].as_uint()};
}

tl::expected<void, std::string> MorphoBook::add_markets(const std::vector<MarketId>& ids,
                                                        std::uint64_t block) {
  std::vector<MarketId> fresh;
  for (const auto& id : ids)
    if (market(id) == nullptr && followed(id) &&
        std::find(fresh.begin(), fresh.end(), id) == fresh.end())
      fresh.push_back(id);
  if (fresh.empty()) return {};
  MorphoReader reader{rpc_, morpho_};
  auto states = reader.markets(fresh, block);
  if (!states) return tl::unexpected(states.error());
  for (auto& state : *states) {
    BookMarket m;
    auto loan = add_asset(state.params.loan_token, block);
    if (!loan) return tl::unexpected(loan.error());
    auto collateral = add_asset(state.params.collateral_token, block);
    if (!collateral) return tl::unexpected(collateral.error());
    m.loan_asset = *loan;
    m.collateral_asset = *collateral;
    m.state = std::move(state);
    follow_oracle(m, block);
    markets_.push_back(std::move(m));
  }
  return {};
}

tl::expected<void, std::string> MorphoBook::read_answers(std::uint64_t block) {
  for (auto& a : assets_) {
    if (!a.feed) continue;
    auto v =
        view(rpc_, *a.feed, "latestRoundData()(uint80,int256,uint256,uint256,uint80)", {}, block);
    if (!v) return tl::unexpected(v.error());
    const auto answer = (*v)[1].as_int();
    a.answer = answer > 0 ? static_cast<u256>(answer) : u256{0};
  }
  // A form that does not reproduce the oracle's own price is not the oracle's: drop it.
  std::vector<u256> answers;
  for (const auto& a : assets_) answers.push_back(a.answer);
  for (auto& m : markets_)
    if (m.oracle_form && oracle_price(*m.oracle_form, answers) != m.state.price)
      m.oracle_form.reset();
  return {};
}

tl::expected<void, std::string> MorphoBook::read_positions(
    const std::set<std::pair<MarketId, Address>>& which, std::uint64_t block) {
  std::vector<std::pair<MarketId, Address>> pairs;
  for (const auto& p : which)
    if (market(p.first) != nullptr) pairs.push_back(p);
  if (pairs.empty()) return {};
  MorphoReader reader{rpc_, morpho_};
  auto positions = reader.positions(pairs, block);
  if (!positions) return tl::unexpected(positions.error());
  for (std::size_t i = 0; i < pairs.size(); ++i) {
    const auto& [id, who] = pairs[i];
    std::size_t index = 0;
    while (markets_[index].state.id != id) ++index;
    auto& stored = markets_[index].state.positions;
    const Position& p = (*positions)[i];
    if (p.borrow_shares == 0 && p.collateral == 0 && p.supply_shares == 0) {
      stored.erase(who);
      if (auto it = accounts_.find(who); it != accounts_.end()) {
        it->second.erase(index);
        if (it->second.empty()) accounts_.erase(it);
      }
      continue;
    }
    stored[who] = p;
    accounts_[who].insert(index);
  }
  return {};
}

tl::expected<void, std::string> MorphoBook::load(std::uint64_t block, std::uint64_t timestamp) {
  markets_.clear();
  assets_.clear();
  accounts_.clear();
  std::vector<MarketId> ids = configured_;
  std::set<std::pair<MarketId, Address>> touched;
  auto logs = scan_logs(rpc_, morpho_, start_block_, block, [&](const MorphoEvent& e) {
    if (e.kind == EventKind::create_market && configured_.empty()) ids.push_back(e.market);
    if (e.account) touched.emplace(e.market, *e.account);
  });
  if (!logs) return tl::unexpected(logs.error());
  if (auto ok = add_markets(ids, block); !ok) return tl::unexpected(ok.error());
  if (auto ok = read_answers(block); !ok) return tl::unexpected(ok.error());
  if (auto ok = read_positions(touched, block); !ok) return tl::unexpected(ok.error());
  block_ = block;
  timestamp_ = timestamp;
  loaded_ = true;
  return {};
}

tl::expected<BookUpdate, std::string> MorphoBook::advance(std::uint64_t head,
                                                          std::uint64_t timestamp) {
  BookUpdate update;
  if (!loaded_) {
    if (auto ok = load(head, timestamp); !ok) return tl::unexpected(ok.error());
    update.to = head;
    update.new_markets = markets_.size();
    update.accounts_new = accounts_.size();
    for (const auto& [who, in] : accounts_) update.touched.push_back(who);
    return update;
  }
  if (head <= block_) return update;
  update.from = block_ + 1;
  update.to = head;
  std::vector<MarketId> created;
  std::set<std::pair<MarketId, Address>> touched;
  auto logs = scan_logs(rpc_, morpho_, block_ + 1, head, [&](const MorphoEvent& e) {
    ++update.events[std::string{to_string(e.kind)}];
    if (e.kind == EventKind::create_market) created.push_back(e.market);
    if (e.account) touched.emplace(e.market, *e.account);
  });
  if (!logs) return tl::unexpected(logs.error());
  update.logs = *logs;
  const std::size_t before = markets_.size();
  if (auto ok = add_markets(created, head); !ok) return tl::unexpected(ok.error());
  update.new_markets = markets_.size() - before;
  std::vector<MarketState> states;
  for (const auto& m : markets_) states.push_back(m.state);
  MorphoReader reader{rpc_, morpho_};
  if (auto ok = reader.refresh(states, head); !ok) return tl::unexpected(ok.error());
  const std::size_t known = accounts_.size();
  // Positions are re-read below; keep those the refresh copy carried.
  for (std::size_t i = 0; i < markets_.size(); ++i) {
    states[i].positions = std::move(markets_[i].state.positions);
    markets_[i].state = std::move(states[i]);
  }
  if (auto ok = read_answers(head); !ok) return tl::unexpected(ok.error());
  if (auto ok = read_positions(touched, head); !ok) return tl::unexpected(ok.error());
  std::set<Address> who;
  for (const auto& [id, account] : touched) who.insert(account);
  update.touched.assign(who.begin(), who.end());
  update.accounts_new = accounts_.size() > known ? accounts_.size() - known : 0;
  block_ = head;
  timestamp_ = timestamp;
  return update;
}

}  // namespace protocols::morpho_blue
