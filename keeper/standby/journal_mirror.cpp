#include "keeper/standby/journal_mirror.hpp"

#include <fstream>
#include <iterator>
#include <set>

#include "keeper/process/synced_write.hpp"

namespace keeper::standby {
namespace {

// The record goes in only while the lease names this instance: the check and the append are one
// atomic step in Redis, so no record (and so no send) can follow a lost lease.
constexpr const char* kAppendIfLeader =
    "if redis.call('GET', KEYS[1]) ~= ARGV[1] then return -1 end "
    "for i = 2, #ARGV do redis.call('RPUSH', KEYS[2], ARGV[i]) end "
    "return #ARGV - 1";

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> out;
  std::size_t begin = 0;
  while (begin < text.size()) {
    auto end = text.find('\n', begin);
    if (end == std::string::npos) end = text.size();
    if (end > begin) out.push_back(text.substr(begin, end - begin));
    begin = end + 1;
  }
  return out;
}

}  // namespace

tl::expected<void, std::string> RedisJournalMirror::mirror(const std::string& lines) {
  std::vector<std::string> args{"EVAL",       kAppendIfLeader, "2",
                                lease_.key(), list_key_,       lease_.token()};
  for (auto& line : split_lines(lines)) args.push_back(std::move(line));
  auto n = redis_.integer(args);
  if (!n)
    return tl::unexpected("the standby store " + redis_.url().where() + " (" +
                          std::string{to_string(n.error().kind)} + ": " + n.error().message +
                          "): this instance does not send without it");
  if (*n < 0)
    return tl::unexpected(
        std::string{"this instance no longer holds the leader lease: it does not send"});
  return {};
}

tl::expected<std::vector<std::string>, RedisError> RedisJournalMirror::lines() {
  return redis_.strings({"LRANGE", list_key_, "0", "-1"});
}

MergedJournal merge_journals(const std::vector<std::string>& mirrored,
                             const std::vector<std::string>& local) {
  MergedJournal out;
  out.lines = mirrored;
  const std::set<std::string> known(mirrored.begin(), mirrored.end());
  for (const auto& line : local)
    if (known.count(line) == 0) {
      out.lines.push_back(line);
      out.local_only.push_back(line);
    }
  return out;
}

tl::expected<std::size_t, std::string> adopt_mirrored_journal(const std::filesystem::path& path,
                                                              RedisJournalMirror& mirror) {
  auto mirrored = mirror.lines();
  if (!mirrored)
    return tl::unexpected("reading the mirrored journal " + mirror.key() + ": " +
                          mirrored.error().message);
  std::string text;
  {
    std::ifstream in(path, std::ios::binary);
    text.assign(std::istreambuf_iterator<char>(in), {});
  }
  // A torn last line (no newline) was never sent: Journal::open reports and cuts it; it must not
  // be mirrored or glued to the merged lines.
  std::string torn;
  if (!text.empty() && text.back() != '\n') {
    const auto cut = text.rfind('\n');
    torn = cut == std::string::npos ? text : text.substr(cut + 1);
    text.resize(cut == std::string::npos ? 0 : cut + 1);
  }
  const auto local = split_lines(text);
  const auto merged = merge_journals(*mirrored, local);
  if (!merged.local_only.empty()) {
    std::string lines;
    for (const auto& l : merged.local_only) lines += (lines.empty() ? "" : "\n") + l;
    if (auto ok = mirror.mirror(lines); !ok)
      return tl::unexpected("mirroring the local journal: " + ok.error());
  }
  const std::size_t from_store = merged.lines.size() - local.size();
  if (from_store == 0) return std::size_t{0};  // the local journal already has everything
  std::string out;
  for (const auto& l : merged.lines) out += l + "\n";
  out += torn;
  auto tmp = path;
  tmp += ".adopt";
  if (auto ok = write_synced(tmp, out, WriteMode::replace); !ok)
    return tl::unexpected("writing " + tmp.string() + ": " + ok.error());
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) return tl::unexpected("replacing " + path.string() + ": " + ec.message());
  return from_store;
}

}  // namespace keeper::standby
