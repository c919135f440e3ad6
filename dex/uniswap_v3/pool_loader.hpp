#pragma once
// Reads a Uniswap V3 pool's state over JSON-RPC at one block: immutables, slot0, liquidity, the
// tick bitmap words around the current tick and every initialized tick in them, in a few batches.
#include <cstdint>
#include <optional>
#include <string>

#include "chain/rpc/rpc_client.hpp"
#include "dex/uniswap_v3/pool_state.hpp"

namespace dex::uniswap_v3 {

enum class LoadErrorKind {
  rpc,       // the node did not answer (transport, timeout, HTTP status, busy): worth a retry
  reverted,  // a call reverted: the address is not a Uniswap V3 pool
  bad_data,  // an answer that does not decode, or values no pool can hold
};

struct LoadError {
  LoadErrorKind kind = LoadErrorKind::rpc;
  std::string message;
};

[[nodiscard]] std::string_view describe(LoadErrorKind kind) noexcept;

struct LoadOptions {
  // Bitmap words read on each side of the current tick's word; a quote that walks beyond them
  // fails with ticks_not_loaded rather than guessing.
  std::int32_t words_each_side = 2;
  std::optional<std::uint64_t> block;  // unset: the latest block, pinned for every call
  std::size_t batch_size = 100;        // calls per JSON-RPC batch
};

struct LoadedPool {
  PoolState state;
  std::uint64_t block = 0;  // the state is as of the end of this block
};

[[nodiscard]] tl::expected<LoadedPool, LoadError> load_pool(chain::rpc::RpcClient& rpc,
                                                            const chain::Address& pool,
                                                            const LoadOptions& options = {});

}  // namespace dex::uniswap_v3
