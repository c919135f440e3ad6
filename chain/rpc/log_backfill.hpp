#pragma once
// eth_getLogs over a block range in chunks that shrink when the provider refuses a range as too
// large and grow back after successes. Each completed chunk is handed over in order, so the
// caller can persist progress and resume after the last completed block.
#include <cstdint>
#include <functional>
#include <vector>

#include "chain/rpc/rpc_client.hpp"

namespace chain::rpc {

struct BackfillOptions {
  std::uint64_t initial_chunk = 2000;
  std::uint64_t max_chunk = 10000;
};

struct BackfillProgress {
  std::uint64_t blocks_done = 0;
  std::uint64_t blocks_total = 0;
  std::uint64_t chunk_splits = 0;  // how often a refused range was halved
};

// Receives the logs of [from, to] (inclusive), in node order. Returning false stops the backfill.
using ChunkHandler =
    std::function<bool(std::uint64_t from, std::uint64_t to, std::vector<Log>&& logs)>;
using ProgressHandler = std::function<void(const BackfillProgress&)>;

// True for the errors providers use to refuse a range or result set as too large.
[[nodiscard]] bool refused_as_too_large(const RpcError& e);

// Backfills [from, to]. On success returns the progress; on failure the error, with every chunk
// before it already delivered (resume from the last `to` the handler saw, plus one).
[[nodiscard]] tl::expected<BackfillProgress, RpcError> backfill_logs(
    RpcClient& client, const LogFilter& filter, std::uint64_t from, std::uint64_t to,
    const BackfillOptions& options, const ChunkHandler& on_chunk,
    const ProgressHandler& on_progress = {});

}  // namespace chain::rpc
