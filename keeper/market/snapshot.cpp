#include "keeper/market/snapshot.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <fstream>

#include <nlohmann/json.hpp>

#include "chain/hex.hpp"
#include "chain/keccak.hpp"
#include "keeper/process/os_error.hpp"
#include "keeper/process/synced_write.hpp"

namespace keeper {
namespace {

namespace aave = protocols::aave_v3;
using chain::Address;
using chain::u256;
using nlohmann::json;

constexpr const char* kFormat = "keeper-state-snapshot";
constexpr int kVersion = 1;
constexpr std::uintmax_t kMaxBytes = 4ULL << 30;  // far above any real market; bounds a bad file

// Field access that turns a wrong shape into an error instead of an exception escaping.
class Reader {
 public:
  std::string error;

  u256 uint(const json& j, const char* key) {
    const auto* s = str(j, key);
    if (s == nullptr) return 0;
    auto v = chain::u256_from_dec(*s);
    if (!v) fail(std::string{key} + " is not a decimal uint256");
    return v.value_or(0);
  }
  std::uint64_t u64(const json& j, const char* key) {
    if (!j.contains(key) || !j[key].is_number_unsigned()) {
      fail(std::string{key} + " is missing or not an unsigned integer");
      return 0;
    }
    return j[key].get<std::uint64_t>();
  }
  Address address(const json& j, const char* key) {
    const auto* s = str(j, key);
    if (s == nullptr) return {};
    auto a = Address::from_hex(*s);
    if (!a) fail(std::string{key} + " is not an address");
    return a.value_or(Address{});
  }
  const std::string* str(const json& j, const char* key) {
    if (!j.is_object() || !j.contains(key) || !j[key].is_string()) {
      fail(std::string{key} + " is missing or not a string");
      return nullptr;
    }
    return j[key].get_ptr<const std::string*>();
  }
  const json& array(const json& j, const char* key) {
    static const json empty = json::array();
    if (!j.is_object() || !j.contains(key) || !j[key].is_array()) {
      fail(std::string{key} + " is missing or not an array");
      return empty;
    }
    return j[key];
  }
  template <class T>
  T small(const json& j, const char* key) {
    const auto v = u64(j, key);
    if (v > std::numeric_limits<T>::max()) fail(std::string{key} + " is out of range");
    return static_cast<T>(v);
  }

  void fail(std::string message) {
    if (error.empty()) error = std::move(message);
  }
};

json reserve_to_json(const aave::Reserve& r) {
  return {{"asset", r.asset.checksummed()},
          {"id", r.id},
          {"config", chain::to_dec(r.config_raw)},
          {"liquidity_index", chain::to_dec(r.liquidity_index)},
          {"variable_borrow_index", chain::to_dec(r.variable_borrow_index)},
          {"liquidity_rate", chain::to_dec(r.liquidity_rate)},
          {"variable_borrow_rate", chain::to_dec(r.variable_borrow_rate)},
          {"stable_borrow_rate", chain::to_dec(r.stable_borrow_rate)},
          {"last_update", r.last_update},
          {"a_token", r.a_token.checksummed()},
          {"stable_debt_token", r.stable_debt_token.checksummed()},
          {"variable_debt_token", r.variable_debt_token.checksummed()},
          {"price", chain::to_dec(r.price)},
          {"price_source", r.price_source.checksummed()},
          {"symbol", r.symbol}};
}

aave::Reserve reserve_from_json(Reader& in, const json& j) {
  aave::Reserve r;
  r.asset = in.address(j, "asset");
  r.id = in.small<std::uint16_t>(j, "id");
  r.config_raw = in.uint(j, "config");
  r.config = aave::ReserveConfig::decode(r.config_raw);
  r.liquidity_index = in.uint(j, "liquidity_index");
  r.variable_borrow_index = in.uint(j, "variable_borrow_index");
  r.liquidity_rate = in.uint(j, "liquidity_rate");
  r.variable_borrow_rate = in.uint(j, "variable_borrow_rate");
  r.stable_borrow_rate = in.uint(j, "stable_borrow_rate");
  r.last_update = in.u64(j, "last_update");
  r.a_token = in.address(j, "a_token");
  r.stable_debt_token = in.address(j, "stable_debt_token");
  r.variable_debt_token = in.address(j, "variable_debt_token");
  r.price = in.uint(j, "price");
  r.price_source = in.address(j, "price_source");
  if (const auto* s = in.str(j, "symbol")) r.symbol = *s;
  return r;
}

json market_to_json(const aave::Market& m) {
  json reserves = json::array();
  for (const auto& r : m.reserves) reserves.push_back(reserve_to_json(r));
  json emodes = json::array();
  for (const auto& [id, e] : m.emodes)
    emodes.push_back({{"id", id},
                      {"ltv", e.ltv},
                      {"liquidation_threshold", e.liquidation_threshold},
                      {"liquidation_bonus", e.liquidation_bonus},
                      {"price_source", e.price_source.checksummed()},
                      {"price", chain::to_dec(e.price)},
                      {"label", e.label}});
  return {{"reserves", reserves},
          {"emodes", emodes},
          {"base_currency_unit", chain::to_dec(m.base_currency_unit)},
          {"flash_loan_premium_bps", m.flash_loan_premium_bps}};
}

aave::Market market_from_json(Reader& in, const json& j) {
  aave::Market m;
  for (const auto& r : in.array(j, "reserves")) m.reserves.push_back(reserve_from_json(in, r));
  for (std::size_t i = 0; i < m.reserves.size(); ++i)
    if (m.reserves[i].id != i) in.fail("reserves are not in id order");
  for (const auto& e : in.array(j, "emodes")) {
    aave::EModeCategory c;
    c.ltv = in.small<std::uint16_t>(e, "ltv");
    c.liquidation_threshold = in.small<std::uint16_t>(e, "liquidation_threshold");
    c.liquidation_bonus = in.small<std::uint16_t>(e, "liquidation_bonus");
    c.price_source = in.address(e, "price_source");
    c.price = in.uint(e, "price");
    if (const auto* s = in.str(e, "label")) c.label = *s;
    m.emodes[in.small<std::uint8_t>(e, "id")] = c;
  }
  m.base_currency_unit = in.uint(j, "base_currency_unit");
  // Absent from snapshots written before flash funding: the next head reads it again.
  if (j.contains("flash_loan_premium_bps"))
    m.flash_loan_premium_bps = in.small<std::uint16_t>(j, "flash_loan_premium_bps");
  return m;
}

json account_to_json(const Address& who, const aave::Account& a) {
  json positions = json::array();
  for (const auto& p : a.positions)
    positions.push_back({{"reserve", p.reserve},
                         {"scaled_a_token", chain::to_dec(p.scaled_a_token)},
                         {"scaled_variable_debt", chain::to_dec(p.scaled_variable_debt)},
                         {"stable_principal", chain::to_dec(p.stable_principal)},
                         {"stable_rate", chain::to_dec(p.stable_rate)},
                         {"stable_last_update", p.stable_last_update}});
  return {{"account", who.checksummed()},
          {"config", chain::to_dec(a.config.data)},
          {"emode", a.emode},
          {"positions", positions}};
}

std::pair<Address, aave::Account> account_from_json(Reader& in, const json& j) {
  aave::Account a;
  const Address who = in.address(j, "account");
  a.config.data = in.uint(j, "config");
  a.emode = in.small<std::uint8_t>(j, "emode");
  for (const auto& p : in.array(j, "positions")) {
    aave::Position pos;
    pos.reserve = in.small<std::uint16_t>(p, "reserve");
    pos.scaled_a_token = in.uint(p, "scaled_a_token");
    pos.scaled_variable_debt = in.uint(p, "scaled_variable_debt");
    pos.stable_principal = in.uint(p, "stable_principal");
    pos.stable_rate = in.uint(p, "stable_rate");
    pos.stable_last_update = in.u64(p, "stable_last_update");
    a.positions.push_back(pos);
  }
  return {who, a};
}

std::string checksum_of(const std::string& text) {
  return chain::hex_encode(chain::keccak256(std::string_view{text}));
}

}  // namespace

tl::expected<void, std::string> write_snapshot(const StateSnapshot& s,
                                               const std::filesystem::path& path) {
  json accounts = json::array();
  for (const auto& a : s.accounts) accounts.push_back(a.checksummed());
  json positions = json::array();
  for (const auto& [who, a] : s.positions) positions.push_back(account_to_json(who, a));
  const json state{
      {"chain_id", s.chain_id}, {"provider", s.provider.checksummed()},
      {"block", s.block},       {"block_hash", chain::hex_encode(s.block_hash)},
      {"accounts", accounts},   {"market", s.market ? market_to_json(*s.market) : json(nullptr)},
      {"positions", positions}};
  const std::string body = state.dump();
  const json doc{{"format", kFormat},
                 {"version", kVersion},
                 {"checksum", checksum_of(body)},
                 {"state", state}};
  const auto tmp = path.string() + ".tmp";
  if (auto ok = write_synced(tmp, doc.dump() + "\n", WriteMode::replace); !ok) return ok;
  if (::rename(tmp.c_str(), path.c_str()) != 0)
    return tl::unexpected("snapshot: rename to " + path.string() + ": " + errno_text());
  // The rename itself must survive a crash: sync the folder that holds the entry.
  const auto dir = path.has_parent_path() ? path.parent_path() : std::filesystem::path{"."};
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return {};
}

tl::expected<StateSnapshot, SnapshotError> read_snapshot(const std::filesystem::path& path) {
  using K = SnapshotErrorKind;
  const auto error = [&](K kind, const std::string& why) {
    return tl::unexpected(SnapshotError{kind, path.string() + ": " + why});
  };
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return error(K::missing, "no snapshot");
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) return error(K::unreadable, ec.message());
  if (size > kMaxBytes) return error(K::corrupt, "larger than any snapshot keeper writes");
  std::ifstream in(path, std::ios::binary);
  if (!in) return error(K::unreadable, "cannot open");
  const std::string text{std::istreambuf_iterator<char>(in), {}};
  return parse_snapshot(text, path.string());
}

tl::expected<StateSnapshot, SnapshotError> parse_snapshot(std::string_view text,
                                                          const std::string& source) {
  using K = SnapshotErrorKind;
  const auto error = [&](K kind, const std::string& why) {
    return tl::unexpected(SnapshotError{kind, source + ": " + why});
  };
  const json doc = json::parse(text.begin(), text.end(), nullptr, false);
  if (doc.is_discarded() || !doc.is_object())
    return error(K::corrupt, "not a complete JSON document (truncated?)");
  if (!doc.contains("format") || doc["format"] != kFormat)
    return error(K::incompatible, "not a keeper state snapshot");
  if (!doc.contains("version") || doc["version"] != kVersion)
    return error(K::incompatible, "snapshot version " +
                                      (doc.contains("version") ? doc["version"].dump() : "?") +
                                      ", this keeper reads version " + std::to_string(kVersion));
  if (!doc.contains("state") || !doc["state"].is_object() || !doc.contains("checksum") ||
      !doc["checksum"].is_string())
    return error(K::corrupt, "state or checksum missing");
  const json& state = doc["state"];
  if (checksum_of(state.dump()) != doc["checksum"].get<std::string>())
    return error(K::corrupt, "checksum mismatch: the file was changed or damaged");

  Reader r;
  StateSnapshot s;
  s.chain_id = r.u64(state, "chain_id");
  s.provider = r.address(state, "provider");
  s.block = r.u64(state, "block");
  if (const auto* h = r.str(state, "block_hash")) {
    auto bytes = chain::hex_decode(*h, chain::HexPrefix::required);
    if (!bytes || bytes->size() != 32) return error(K::corrupt, "block_hash is not 32 bytes");
    std::copy(bytes->begin(), bytes->end(), s.block_hash.begin());
  }
  for (const auto& a : r.array(state, "accounts")) {
    if (!a.is_string()) return error(K::corrupt, "accounts holds a non-string");
    auto address = Address::from_hex(a.get<std::string>());
    if (!address) return error(K::corrupt, "accounts holds a bad address");
    s.accounts.insert(*address);
  }
  if (state.contains("market") && !state["market"].is_null())
    s.market = market_from_json(r, state["market"]);
  for (const auto& p : r.array(state, "positions")) {
    auto [who, account] = account_from_json(r, p);
    if (s.market)
      for (const auto& pos : account.positions)
        if (pos.reserve >= s.market->reserves.size())
          return error(K::corrupt, "a position names reserve " + std::to_string(pos.reserve) +
                                       " that the market does not list");
    s.positions.emplace(who, std::move(account));
  }
  if (!r.error.empty()) return error(K::corrupt, r.error);
  return s;
}

}  // namespace keeper
