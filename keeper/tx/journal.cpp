#include "keeper/tx/journal.hpp"

#include <fstream>
#include <iterator>

#include <nlohmann/json.hpp>

#include "chain/hex.hpp"
#include "keeper/process/synced_write.hpp"

namespace keeper::tx {

std::string_view to_string(Outcome o) noexcept {
  switch (o) {
    case Outcome::pending: return "pending";
    case Outcome::mined: return "mined";
    case Outcome::reverted: return "reverted";
    case Outcome::replaced: return "replaced";
    case Outcome::cancelled: return "cancelled";
    case Outcome::dropped: return "dropped";
    case Outcome::unsent: return "unsent";
  }
  return "unknown";
}

namespace {

std::optional<Outcome> outcome_of(const std::string& s) {
  for (const auto o : {Outcome::pending, Outcome::mined, Outcome::reverted, Outcome::replaced,
                       Outcome::cancelled, Outcome::dropped, Outcome::unsent})
    if (to_string(o) == s) return o;
  return std::nullopt;
}

std::string describe(const JournalScope& s) {
  return "chain " + std::to_string(s.chain_id) + " (genesis " + chain::hex_encode(s.genesis) + ")";
}

std::string where_line(const std::filesystem::path& path, std::size_t line) {
  return path.string() + ":" + std::to_string(line);
}

std::string scope_line(const JournalScope& s) {
  return nlohmann::json{
      {"event", "scope"}, {"chain_id", s.chain_id}, {"genesis", chain::hex_encode(s.genesis)}}
      .dump();
}

}  // namespace

tl::expected<Journal, std::string> Journal::open(const std::filesystem::path& path,
                                                 std::optional<JournalScope> scope) {
  if (auto ok = check_appendable(path); !ok)
    return tl::unexpected("the journal " + ok.error() +
                          ": it cannot be written, so keeper could not record what it signs: "
                          "refusing to start");
  Journal j{path};
  std::ifstream in(path, std::ios::binary);
  std::string text{std::istreambuf_iterator<char>(in), {}};
  if (!in.eof() && in.fail())
    return tl::unexpected("the journal " + path.string() + " cannot be read");
  if (auto ok = j.replay(text); !ok) return tl::unexpected(ok.error());
  if (scope)
    if (auto ok = j.check_scope(*scope); !ok) return tl::unexpected(ok.error());
  // Only a journal keeper will use is touched: another chain's is left as it was found.
  if (auto ok = j.cut_torn_tail(); !ok) return tl::unexpected(ok.error());
  if (scope && !j.scope_) {
    if (auto ok = j.append(scope_line(*scope)); !ok) return tl::unexpected(ok.error());
    j.scope_ = scope;
  }
  return j;
}

tl::expected<void, std::string> Journal::check_scope(const JournalScope& scope) const {
  if (scope_ && *scope_ != scope)
    return tl::unexpected(path_.string() + " is the journal of " + describe(*scope_) +
                          ", but the node is " + describe(scope) +
                          ": refusing to replay another chain's transactions");
  if (!scope_ && !entries_.empty())
    return tl::unexpected(path_.string() +
                          " names no chain (written by an older keeper): move it away; keeper "
                          "will not guess which chain its transactions belong to");
  return {};
}

tl::expected<void, std::string> Journal::cut_torn_tail() {
  if (!torn_from_) return {};
  std::error_code ec;
  std::filesystem::resize_file(path_, *torn_from_, ec);
  if (ec)
    return tl::unexpected(path_.string() +
                          ": cannot remove a partial last record: " + ec.message());
  torn_from_.reset();
  return {};
}

tl::expected<void, std::string> Journal::replay(const std::string& text) {
  std::size_t number = 0;
  std::size_t begin = 0;
  while (begin < text.size()) {
    ++number;
    const auto end = text.find('\n', begin);
    if (end == std::string::npos) {
      // Every record is written with its newline in one write(): no newline means keeper stopped
      // inside that write, before the send that follows it. It is cut off (cut_torn_tail) so the
      // next record does not glue onto it.
      warnings_.push_back(where_line(path_, number) + ": a partial last record (" +
                          std::to_string(text.size() - begin) +
                          " bytes, keeper stopped mid-write) was never broadcast: ignored and "
                          "removed from the journal");
      torn_from_ = begin;
      return {};
    }
    const std::string line = text.substr(begin, end - begin);
    begin = end + 1;
    if (line.empty()) continue;
    if (auto ok = apply(line, number); !ok)
      return tl::unexpected(where_line(path_, number) + ": " + ok.error());
  }
  return {};
}

std::string Journal::where(const JournalEntry& e) const {
  return e.line == 0 ? path_.string() + " (this run)" : where_line(path_, e.line);
}

tl::expected<void, std::string> Journal::check_record_scope(const nlohmann::json& doc) const {
  if (!scope_) return {};  // an unscoped journal (tests, tools): nothing to compare with
  if (!doc.contains("chain_id") || !doc.contains("genesis"))
    return tl::unexpected(
        std::string{"the record names no chain (written by an older keeper, or pasted in): "
                    "refusing to replay it"});
  auto genesis = chain::hex_decode_fixed<32>(doc.at("genesis").get<std::string>());
  if (!genesis) return tl::unexpected(std::string{"bad genesis hash"});
  const JournalScope of_record{doc.at("chain_id").get<std::uint64_t>(), *genesis};
  if (of_record != *scope_)
    return tl::unexpected("the record belongs to " + describe(of_record) +
                          ", but this journal to " + describe(*scope_) +
                          ": a record copied from another chain's journal; refusing to replay it");
  return {};
}

void Journal::add_scope(nlohmann::json& record) const {
  if (!scope_) return;
  record["chain_id"] = scope_->chain_id;
  record["genesis"] = chain::hex_encode(scope_->genesis);
}

tl::expected<void, std::string> Journal::apply(const std::string& line, std::size_t number) {
  const auto doc = nlohmann::json::parse(line, nullptr, false);
  if (doc.is_discarded() || !doc.is_object())
    return tl::unexpected(std::string{"malformed journal line"});
  try {
    if (doc.value("event", "") == "scope") {
      if (scope_ || !entries_.empty())
        return tl::unexpected(std::string{"a chain scope line after the journal's start"});
      auto genesis = chain::hex_decode_fixed<32>(doc.at("genesis").get<std::string>());
      if (!genesis) return tl::unexpected(std::string{"bad genesis hash"});
      scope_ = JournalScope{doc.at("chain_id").get<std::uint64_t>(), *genesis};
      return {};
    }
    if (auto ok = check_record_scope(doc); !ok) return ok;
    const auto hash = chain::hex_decode_fixed<32>(doc.at("hash").get<std::string>());
    if (!hash) return tl::unexpected(std::string{"bad hash"});
    const std::string kind = doc.at("event").get<std::string>();
    if (kind == "signed") {
      JournalEntry e;
      e.nonce = doc.at("nonce").get<std::uint64_t>();
      e.hash = *hash;
      auto raw = chain::hex_decode(doc.at("raw").get<std::string>());
      if (!raw) return tl::unexpected(std::string{"bad raw transaction"});
      e.raw = std::move(*raw);
      e.intent_key = doc.at("intent").get<std::string>();
      e.sent_at_block = doc.at("block").get<std::uint64_t>();
      if (doc.contains("private_until"))
        e.private_until = doc.at("private_until").get<std::uint64_t>();
      e.line = number;
      intents_.insert(e.intent_key);
      entries_[e.hash] = std::move(e);
    } else if (kind == "outcome") {
      const auto o = outcome_of(doc.at("outcome").get<std::string>());
      const auto it = entries_.find(*hash);
      if (!o || it == entries_.end())
        return tl::unexpected(std::string{"outcome for an unknown transaction"});
      it->second.outcome = *o;
      if (*o == Outcome::unsent) intents_.erase(it->second.intent_key);  // free to try again
    } else {
      return tl::unexpected("unknown journal event " + kind);
    }
  } catch (const std::exception& e) {
    return tl::unexpected(std::string{"malformed journal line: "} + e.what());
  }
  return {};
}

tl::expected<void, std::string> Journal::append(const std::string& line, Durability durability) {
  auto ok = durability == Durability::synced
                ? write_synced(path_, line + "\n", WriteMode::append)
                : write_unsynced(path_, line + "\n", WriteMode::append);
  if (!ok) return tl::unexpected("journal " + ok.error());
  if (durability == Durability::deferred) unsynced_ = true;
  return {};
}

tl::expected<void, std::string> Journal::sync() {
  if (!unsynced_) return {};
  auto ok = sync_file(path_);
  if (!ok) return tl::unexpected("journal " + ok.error());
  unsynced_ = false;
  return {};
}

namespace {

nlohmann::json signed_record(const JournalEntry& e) {
  nlohmann::json record{{"event", "signed"},
                        {"nonce", e.nonce},
                        {"hash", chain::hex_encode(e.hash)},
                        {"raw", chain::hex_encode(e.raw)},
                        {"intent", e.intent_key},
                        {"block", e.sent_at_block}};
  if (e.private_until) record["private_until"] = *e.private_until;
  return record;
}

}  // namespace

tl::expected<void, std::string> Journal::record_signed(const JournalEntry& e) {
  return record_signed_all({e});
}

tl::expected<void, std::string> Journal::record_signed_all(const std::vector<JournalEntry>& all,
                                                           Durability durability) {
  if (all.empty()) return {};
  std::string lines;
  for (const auto& e : all) {
    if (!lines.empty()) lines += "\n";
    auto record = signed_record(e);
    add_scope(record);
    lines += record.dump();
  }
  if (mirror_ != nullptr)
    if (auto ok = mirror_->mirror(lines); !ok)
      return tl::unexpected("journal mirror: " + ok.error() + ": not sent");
  if (auto ok = append(lines, durability); !ok) return ok;
  for (const auto& e : all) {
    intents_.insert(e.intent_key);
    entries_[e.hash] = e;
  }
  return {};
}

std::optional<std::uint64_t> Journal::highest_nonce() const noexcept {
  std::optional<std::uint64_t> out;
  for (const auto& [hash, e] : entries_)
    if (e.outcome != Outcome::unsent) out = std::max(out.value_or(0), e.nonce);
  return out;
}

tl::expected<void, std::string> Journal::record_outcome(const chain::Hash& hash, Outcome outcome,
                                                        std::uint64_t block) {
  const auto it = entries_.find(hash);
  if (it == entries_.end())
    return tl::unexpected(std::string{"outcome for an unknown transaction"});
  nlohmann::json line{{"event", "outcome"},
                      {"hash", chain::hex_encode(hash)},
                      {"outcome", to_string(outcome)},
                      {"block", block}};
  add_scope(line);
  if (mirror_ != nullptr) (void)mirror_->mirror(line.dump());
  if (auto ok = append(line.dump()); !ok) return ok;
  it->second.outcome = outcome;
  // A transaction that never left keeper did not attempt its intent.
  if (outcome == Outcome::unsent) intents_.erase(it->second.intent_key);
  return {};
}

std::vector<JournalEntry> Journal::pending() const {
  std::vector<JournalEntry> out;
  for (const auto& [hash, e] : entries_)
    if (e.outcome == Outcome::pending) out.push_back(e);
  std::sort(out.begin(), out.end(),
            [](const JournalEntry& a, const JournalEntry& b) { return a.nonce < b.nonce; });
  return out;
}

}  // namespace keeper::tx
