#include "chain/rpc/log_backfill.hpp"

#include <algorithm>
#include <cctype>

namespace chain::rpc {

bool refused_as_too_large(const RpcError& e) {
  if (e.kind == RpcErrorKind::too_large) return true;
  if (e.kind == RpcErrorKind::http_status) return e.http_status == 413;
  if (e.kind != RpcErrorKind::rpc_error) return false;
  if (e.code == -32005) return true;  // "limit exceeded" (Infura and others)
  std::string m = e.message;
  std::transform(m.begin(), m.end(), m.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (const char* fragment :
       {"more than", "too many", "too large", "response size", "size exceeded", "block range",
        "range too", "limit exceeded", "exceed", "query timeout"}) {
    if (m.find(fragment) != std::string::npos) return true;
  }
  return false;
}

tl::expected<BackfillProgress, RpcError> backfill_logs(RpcClient& client, const LogFilter& filter,
                                                       std::uint64_t from, std::uint64_t to,
                                                       const BackfillOptions& options,
                                                       const ChunkHandler& on_chunk,
                                                       const ProgressHandler& on_progress) {
  BackfillProgress progress;
  if (from > to) return progress;
  progress.blocks_total = to - from + 1;
  std::uint64_t chunk = std::clamp<std::uint64_t>(options.initial_chunk, 1,
                                                  std::max<std::uint64_t>(options.max_chunk, 1));
  std::uint64_t next = from;
  while (next <= to) {
    const std::uint64_t end = std::min(to, next + chunk - 1);
    LogFilter f = filter;
    f.from_block = next;
    f.to_block = end;
    auto logs = client.logs(f);
    if (!logs) {
      if (!refused_as_too_large(logs.error())) return tl::unexpected(logs.error());
      if (end == next) {
        // One block is the smallest range there is; its logs cannot be fetched this way.
        RpcError e = logs.error();
        e.message = "a single block's logs are refused as too large: " + e.message;
        return tl::unexpected(e);
      }
      chunk = std::max<std::uint64_t>((end - next + 1) / 2, 1);
      ++progress.chunk_splits;
      continue;
    }
    if (!on_chunk(next, end, std::move(*logs))) return progress;
    progress.blocks_done += end - next + 1;
    if (on_progress) on_progress(progress);
    if (end == to) break;
    next = end + 1;
    chunk = std::min(options.max_chunk, chunk + chunk / 2 + 1);  // regrow after success
  }
  return progress;
}

}  // namespace chain::rpc
