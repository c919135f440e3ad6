#include "protocols/aave_v3/events.hpp"

#include <algorithm>
#include <array>
#include <unordered_map>
#include <vector>

#include "chain/keccak.hpp"

namespace protocols::aave_v3 {
namespace {

using chain::Address;
using chain::Hash;
using chain::u256;

constexpr std::size_t kWord = 32;

using Decoder = tl::expected<Event, EventError> (*)(const LogRef&);

struct Spec {
  std::string_view signature;
  std::size_t topics;      // including topic0
  std::size_t data_words;  // minimum; configurator events may carry more than we read
  Decoder decode;
};

bool clean_address_word(const std::uint8_t* w) noexcept {
  return std::all_of(w, w + 12, [](std::uint8_t b) { return b == 0; });
}

class Reader {
 public:
  explicit Reader(const LogRef& log) : log_{log} {}

  [[nodiscard]] const Hash& topic(std::size_t i) const { return log_.topics[i]; }
  [[nodiscard]] const std::uint8_t* word(std::size_t i) const {
    return log_.data.data() + i * kWord;
  }

  [[nodiscard]] bool topic_address(std::size_t i, Address& out) const {
    if (!clean_address_word(topic(i).data())) return false;
    out = Address::from_word(topic(i));
    return true;
  }
  [[nodiscard]] bool word_address(std::size_t i, Address& out) const {
    if (!clean_address_word(word(i))) return false;
    std::copy(word(i) + 12, word(i) + kWord, out.bytes.begin());
    return true;
  }
  [[nodiscard]] u256 word_u256(std::size_t i) const {
    return *chain::from_be(chain::BytesView{word(i), kWord});
  }
  [[nodiscard]] static u256 topic_u256(const Hash& h) {
    return *chain::from_be(chain::BytesView{h});
  }

 private:
  const LogRef& log_;
};

tl::expected<Event, EventError> dirty() { return tl::unexpected(EventError::dirty_address_word); }

tl::expected<Event, EventError> decode_reserve_data_updated(const LogRef& log) {
  Reader r{log};
  ReserveDataUpdated e;
  if (!r.topic_address(1, e.reserve)) return dirty();
  e.liquidity_rate = r.word_u256(0);
  e.stable_borrow_rate = r.word_u256(1);
  e.variable_borrow_rate = r.word_u256(2);
  e.liquidity_index = r.word_u256(3);
  e.variable_borrow_index = r.word_u256(4);
  return e;
}

// The account sits in topic `account_topic` (0 = none) or data word `account_word`.
template <TouchKind Kind, int ReserveTopic, int FirstTopic, int FirstWord, int SecondTopic>
tl::expected<Event, EventError> decode_touch(const LogRef& log) {
  Reader r{log};
  AccountsTouched e;
  e.kind = Kind;
  if constexpr (ReserveTopic > 0) {
    if (!r.topic_address(ReserveTopic, e.reserve)) return dirty();
  } else {
    e.reserve = log.address;  // token events: the emitting token identifies the reserve
  }
  if constexpr (FirstTopic > 0) {
    if (!r.topic_address(FirstTopic, e.first)) return dirty();
  } else {
    if (!r.word_address(static_cast<std::size_t>(FirstWord), e.first)) return dirty();
  }
  if constexpr (SecondTopic > 0) {
    if (!r.topic_address(SecondTopic, e.second)) return dirty();
  }
  return e;
}

tl::expected<Event, EventError> decode_emode_set(const LogRef& log) {
  Reader r{log};
  AccountsTouched e;
  e.kind = TouchKind::emode_set;
  if (!r.topic_address(1, e.first)) return dirty();
  return e;
}

tl::expected<Event, EventError> decode_liquidation_call(const LogRef& log) {
  Reader r{log};
  LiquidationCall e;
  if (!r.topic_address(1, e.collateral_asset) || !r.topic_address(2, e.debt_asset) ||
      !r.topic_address(3, e.user) || !r.word_address(2, e.liquidator))
    return dirty();
  e.debt_to_cover = r.word_u256(0);
  e.liquidated_collateral_amount = r.word_u256(1);
  const u256 flag = r.word_u256(3);
  if (flag > 1) return tl::unexpected(EventError::bad_bool);
  e.receive_a_token = flag == 1;
  return e;
}

tl::expected<Event, EventError> decode_answer_updated(const LogRef& log) {
  AnswerUpdated e;
  e.aggregator = log.address;
  e.current = Reader::topic_u256(log.topics[1]);
  e.round_id = Reader::topic_u256(log.topics[2]);
  e.updated_at = Reader{log}.word_u256(0);
  return e;
}

tl::expected<Event, EventError> decode_asset_source_updated(const LogRef& log) {
  Reader r{log};
  AssetSourceUpdated e;
  if (!r.topic_address(1, e.asset) || !r.topic_address(2, e.source)) return dirty();
  return e;
}

tl::expected<Event, EventError> decode_config_indexed(const LogRef& log) {
  ReserveConfigChanged e;
  if (!Reader{log}.topic_address(1, e.asset)) return dirty();
  return e;
}

tl::expected<Event, EventError> decode_config_in_data(const LogRef& log) {
  ReserveConfigChanged e;
  if (!Reader{log}.word_address(0, e.asset)) return dirty();
  return e;
}

tl::expected<Event, EventError> decode_emode_category_added(const LogRef& log) {
  const Hash& t = log.topics[1];
  if (!std::all_of(t.begin(), t.end() - 1, [](std::uint8_t b) { return b == 0; }))
    return tl::unexpected(EventError::wrong_data_length);
  return EModeCategoryAdded{t[31]};
}

enum class Group { pool, token, oracle, configurator, feed };

struct Entry {
  Spec spec;
  Group group = Group::pool;
};

// Signatures as the contracts of @aave/core-v3 1.19 declare them (indexed-ness fixes the counts).
const std::array kEntries{
    Entry{{"ReserveDataUpdated(address,uint256,uint256,uint256,uint256,uint256)", 2, 5,
           decode_reserve_data_updated},
          Group::pool},
    Entry{{"Supply(address,address,address,uint256,uint16)", 4, 2,
           decode_touch<TouchKind::supply, 1, 2, 0, 0>},
          Group::pool},
    Entry{{"Withdraw(address,address,address,uint256)", 4, 1,
           decode_touch<TouchKind::withdraw, 1, 2, 0, 0>},
          Group::pool},
    Entry{{"Borrow(address,address,address,uint256,uint8,uint256,uint16)", 4, 4,
           decode_touch<TouchKind::borrow, 1, 2, 0, 0>},
          Group::pool},
    Entry{{"Repay(address,address,address,uint256,bool)", 4, 2,
           decode_touch<TouchKind::repay, 1, 2, 0, 0>},
          Group::pool},
    Entry{{"LiquidationCall(address,address,address,uint256,uint256,address,bool)", 4, 4,
           decode_liquidation_call},
          Group::pool},
    Entry{{"ReserveUsedAsCollateralEnabled(address,address)", 3, 0,
           decode_touch<TouchKind::collateral_enabled, 1, 2, 0, 0>},
          Group::pool},
    Entry{{"ReserveUsedAsCollateralDisabled(address,address)", 3, 0,
           decode_touch<TouchKind::collateral_disabled, 1, 2, 0, 0>},
          Group::pool},
    Entry{{"UserEModeSet(address,uint8)", 2, 1, decode_emode_set}, Group::pool},
    Entry{{"SwapBorrowRateMode(address,address,uint8)", 3, 1,
           decode_touch<TouchKind::swap_rate_mode, 1, 2, 0, 0>},
          Group::pool},
    Entry{{"RebalanceStableBorrowRate(address,address)", 3, 0,
           decode_touch<TouchKind::rebalance_stable_rate, 1, 2, 0, 0>},
          Group::pool},
    Entry{{"MintUnbacked(address,address,address,uint256,uint16)", 4, 2,
           decode_touch<TouchKind::mint_unbacked, 1, 2, 0, 0>},
          Group::pool},
    // aToken and variable debt token share Mint/Burn; the stable debt token has its own shapes.
    Entry{{"BalanceTransfer(address,address,uint256,uint256)", 3, 2,
           decode_touch<TouchKind::balance_transfer, 0, 1, 0, 2>},
          Group::token},
    Entry{{"Mint(address,address,uint256,uint256,uint256)", 3, 3,
           decode_touch<TouchKind::mint, 0, 2, 0, 0>},
          Group::token},
    Entry{{"Burn(address,address,uint256,uint256,uint256)", 3, 3,
           decode_touch<TouchKind::burn, 0, 1, 0, 0>},
          Group::token},
    Entry{{"Mint(address,address,uint256,uint256,uint256,uint256,uint256,uint256)", 3, 6,
           decode_touch<TouchKind::mint, 0, 2, 0, 0>},
          Group::token},
    Entry{{"Burn(address,uint256,uint256,uint256,uint256,uint256)", 2, 5,
           decode_touch<TouchKind::burn, 0, 1, 0, 0>},
          Group::token},
    Entry{{"AssetSourceUpdated(address,address)", 3, 0, decode_asset_source_updated},
          Group::oracle},
    Entry{{"AnswerUpdated(int256,uint256,uint256)", 3, 1, decode_answer_updated}, Group::feed},
    Entry{{"EModeCategoryAdded(uint8,uint256,uint256,uint256,address,string)", 2, 4,
           decode_emode_category_added},
          Group::configurator},
    Entry{{"CollateralConfigurationChanged(address,uint256,uint256,uint256)", 2, 3,
           decode_config_indexed},
          Group::configurator},
    Entry{{"EModeAssetCategoryChanged(address,uint8,uint8)", 2, 2, decode_config_indexed},
          Group::configurator},
    Entry{{"LiquidationProtocolFeeChanged(address,uint256,uint256)", 2, 2, decode_config_indexed},
          Group::configurator},
    Entry{{"ReserveActive(address,bool)", 2, 1, decode_config_indexed}, Group::configurator},
    Entry{{"ReserveBorrowing(address,bool)", 2, 1, decode_config_indexed}, Group::configurator},
    Entry{{"ReserveDropped(address)", 2, 0, decode_config_indexed}, Group::configurator},
    Entry{{"ReserveFactorChanged(address,uint256,uint256)", 2, 2, decode_config_indexed},
          Group::configurator},
    Entry{{"ReserveFlashLoaning(address,bool)", 2, 1, decode_config_indexed}, Group::configurator},
    Entry{{"ReserveFrozen(address,bool)", 2, 1, decode_config_indexed}, Group::configurator},
    Entry{{"ReserveInitialized(address,address,address,address,address)", 3, 3,
           decode_config_indexed},
          Group::configurator},
    Entry{{"ReserveInterestRateStrategyChanged(address,address,address)", 2, 2,
           decode_config_indexed},
          Group::configurator},
    Entry{{"ReservePaused(address,bool)", 2, 1, decode_config_indexed}, Group::configurator},
    Entry{{"ReserveStableRateBorrowing(address,bool)", 2, 1, decode_config_indexed},
          Group::configurator},
    Entry{{"SiloedBorrowingChanged(address,bool,bool)", 2, 2, decode_config_indexed},
          Group::configurator},
    Entry{{"SupplyCapChanged(address,uint256,uint256)", 2, 2, decode_config_indexed},
          Group::configurator},
    Entry{{"BorrowCapChanged(address,uint256,uint256)", 2, 2, decode_config_indexed},
          Group::configurator},
    Entry{{"UnbackedMintCapChanged(address,uint256,uint256)", 2, 2, decode_config_indexed},
          Group::configurator},
    Entry{{"DebtCeilingChanged(address,uint256,uint256)", 2, 2, decode_config_indexed},
          Group::configurator},
    Entry{{"BorrowableInIsolationChanged(address,bool)", 1, 2, decode_config_in_data},
          Group::configurator},
};

struct Registry {
  std::unordered_map<Hash, const Spec*, chain::FixedBytesHash> by_topic;
  std::vector<Hash> pool, token, oracle, configurator;
  Hash answer_updated{};

  Registry() {
    for (const auto& entry : kEntries) {
      const Hash topic = chain::keccak256(entry.spec.signature);
      by_topic.emplace(topic, &entry.spec);
      switch (entry.group) {
        case Group::pool: pool.push_back(topic); break;
        case Group::token: token.push_back(topic); break;
        case Group::oracle: oracle.push_back(topic); break;
        case Group::configurator: configurator.push_back(topic); break;
        case Group::feed: answer_updated = topic; break;
      }
    }
  }
};

const Registry& registry() {
  static const Registry r;
  return r;
}

}  // namespace

std::string_view describe(EventError e) noexcept {
  switch (e) {
    case EventError::not_an_aave_event: return "log is not an event keeper follows";
    case EventError::wrong_topic_count: return "event has the wrong number of topics";
    case EventError::wrong_data_length: return "event data has the wrong length";
    case EventError::dirty_address_word: return "address word has non-zero high bytes";
    case EventError::bad_bool: return "bool word is neither 0 nor 1";
  }
  return "unknown event error";
}

tl::expected<Event, EventError> decode_event(const LogRef& log) {
  if (log.topics.empty()) return tl::unexpected(EventError::not_an_aave_event);
  const auto& map = registry().by_topic;
  const auto it = map.find(log.topics[0]);
  if (it == map.end()) return tl::unexpected(EventError::not_an_aave_event);
  const Spec& spec = *it->second;
  if (log.topics.size() != spec.topics) return tl::unexpected(EventError::wrong_topic_count);
  if (log.data.size() % kWord != 0 || log.data.size() < spec.data_words * kWord)
    return tl::unexpected(EventError::wrong_data_length);
  return spec.decode(log);
}

std::span<const Hash> pool_event_topics() { return registry().pool; }
std::span<const Hash> token_event_topics() { return registry().token; }
std::span<const Hash> oracle_event_topics() { return registry().oracle; }
std::span<const Hash> configurator_event_topics() { return registry().configurator; }
const Hash& answer_updated_topic() { return registry().answer_updated; }

void add_accounts_changed(const Event& event, std::set<chain::Address>& out) {
  if (const auto* t = std::get_if<AccountsTouched>(&event)) {
    if (!t->first.is_zero()) out.insert(t->first);
    if (!t->second.is_zero()) out.insert(t->second);
  } else if (const auto* l = std::get_if<LiquidationCall>(&event)) {
    out.insert(l->user);
  }
}

}  // namespace protocols::aave_v3
