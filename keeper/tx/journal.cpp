#include "keeper/tx/journal.hpp"

#include <fstream>

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

std::string scope_line(const JournalScope& s) {
  return nlohmann::json{
      {"event", "scope"}, {"chain_id", s.chain_id}, {"genesis", chain::hex_encode(s.genesis)}}
      .dump();
}

}  // namespace

tl::expected<Journal, std::string> Journal::open(const std::filesystem::path& path,
                                                 std::optional<JournalScope> scope) {
  Journal j{path};
  std::size_t replayed = 0;
  std::ifstream in(path);
  if (in) {
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    for (std::size_t i = 0; i < lines.size(); ++i) {
      if (lines[i].empty()) continue;
      if (auto ok = j.apply(lines[i], i + 1 == lines.size()); !ok)
        return tl::unexpected(path.string() + ":" + std::to_string(i + 1) + ": " + ok.error());
      ++replayed;
    }
  }
  if (!scope) return j;
  if (j.scope_) {
    if (*j.scope_ != *scope)
      return tl::unexpected(path.string() + " is the journal of " + describe(*j.scope_) +
                            ", but the node is " + describe(*scope) +
                            ": refusing to replay another chain's transactions");
    return j;
  }
  if (replayed != 0)
    return tl::unexpected(path.string() +
                          " names no chain (written by an older keeper): move it away; keeper "
                          "will not guess which chain its transactions belong to");
  if (auto ok = j.append(scope_line(*scope)); !ok) return tl::unexpected(ok.error());
  j.scope_ = scope;
  return j;
}

tl::expected<void, std::string> Journal::apply(const std::string& line, bool last) {
  const auto doc = nlohmann::json::parse(line, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) {
    if (last) return {};  // a crash mid-append: that transaction was never broadcast
    return tl::unexpected(std::string{"malformed journal line"});
  }
  try {
    if (doc.value("event", "") == "scope") {
      if (scope_ || !entries_.empty())
        return tl::unexpected(std::string{"a chain scope line after the journal's start"});
      auto genesis = chain::hex_decode_fixed<32>(doc.at("genesis").get<std::string>());
      if (!genesis) return tl::unexpected(std::string{"bad genesis hash"});
      scope_ = JournalScope{doc.at("chain_id").get<std::uint64_t>(), *genesis};
      return {};
    }
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

std::string signed_line(const JournalEntry& e) {
  return nlohmann::json{{"event", "signed"},
                        {"nonce", e.nonce},
                        {"hash", chain::hex_encode(e.hash)},
                        {"raw", chain::hex_encode(e.raw)},
                        {"intent", e.intent_key},
                        {"block", e.sent_at_block}}
      .dump();
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
    lines += signed_line(e);
  }
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
  const nlohmann::json line{{"event", "outcome"},
                            {"hash", chain::hex_encode(hash)},
                            {"outcome", to_string(outcome)},
                            {"block", block}};
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
