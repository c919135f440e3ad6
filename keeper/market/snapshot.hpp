#pragma once
// keeper's market state at one block, on disk: every known account, the market and every
// position, so a restart resumes from block B+1 instead of backfilling the Pool's whole history.
//
// The file is one JSON document whose `state` is covered by a Keccak-256 checksum; it is written
// to a temporary file, fsync'd and renamed, so a crash leaves the old snapshot or the new one,
// never half of one. Whoever loads it must still check that block B is on the canonical chain.
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include <tl/expected.hpp>

#include "chain/address.hpp"
#include "protocols/aave_v3/state_snapshot.hpp"

namespace keeper {

using protocols::aave_v3::StateSnapshot;

enum class SnapshotErrorKind { missing, unreadable, corrupt, incompatible };

struct SnapshotError {
  SnapshotErrorKind kind;
  std::string message;
};

[[nodiscard]] tl::expected<void, std::string> write_snapshot(const StateSnapshot& snapshot,
                                                             const std::filesystem::path& path);
// A missing, truncated, corrupted (checksum), or other-format file is an error, never a guess.
[[nodiscard]] tl::expected<StateSnapshot, SnapshotError> read_snapshot(
    const std::filesystem::path& path);
// The same for text already in memory; `source` names it in error messages.
[[nodiscard]] tl::expected<StateSnapshot, SnapshotError> parse_snapshot(std::string_view text,
                                                                        const std::string& source);

}  // namespace keeper
