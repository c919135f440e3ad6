#pragma once
// Where keeper's nonces stand at start, from the chain's counts and the journal: the next nonce
// to sign at, and the nonces below it that nothing occupies. A transaction at a nonce above such a
// gap can never mine, and neither can anything signed after it, so the gap is filled or keeper
// refuses to start; it never signs past one.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "keeper/tx/journal.hpp"

namespace keeper::tx {

struct NonceCounts {
  std::uint64_t latest = 0;   // eth_getTransactionCount(wallet, "latest"): mined
  std::uint64_t pending = 0;  // ... "pending": mined and waiting in the node's pool
};

struct NoncePlan {
  std::uint64_t next_nonce = 0;
  std::uint64_t gap_count = 0;      // unoccupied nonces below next_nonce
  std::vector<std::uint64_t> gaps;  // the lowest of them, ascending, at most kMaxListedGaps
};

// A journal claiming a nonce far above the chain's would otherwise make the plan list billions.
inline constexpr std::size_t kMaxListedGaps = 1024;

// `rebroadcast` are the nonces of the journal's pending records, which keeper sends again at
// start (so they occupy their nonces); `journal_highest` the highest nonce the journal may have
// used (see Journal::highest_nonce).
[[nodiscard]] NoncePlan plan_nonces(const NonceCounts& chain,
                                    const std::vector<std::uint64_t>& rebroadcast,
                                    std::optional<std::uint64_t> journal_highest);

}  // namespace keeper::tx
