#pragma once
// Many eth_calls at one block in JSON-RPC batches: how keeper reads a whole market consistently.
#include <string>
#include <vector>

#include "chain/abi/signature.hpp"
#include "chain/rpc/rpc_client.hpp"

namespace chain::rpc {

struct ViewCall {
  chain::Address to;
  chain::Bytes data;
};

// Results in call order; any failed call fails the whole read (a partial market is never used).
[[nodiscard]] tl::expected<std::vector<chain::Bytes>, std::string> batch_eth_call(
    chain::rpc::RpcClient& rpc, const std::vector<ViewCall>& calls, std::uint64_t block,
    std::size_t batch_size = 200);

// A constant "name(types)(outputs)" signature parsed once and kept (thread-safe: readers on
// other threads share it). A malformed constant is a programming error caught by the tests.
[[nodiscard]] const chain::abi::Function& view_function(const char* signature);
// `data` decoded as `signature`'s outputs; the error names the signature.
[[nodiscard]] tl::expected<chain::abi::Values, std::string> decode_view(const char* signature,
                                                                        const chain::Bytes& data);

// Encodes `fn(args)` for a ViewCall; signature errors are programming errors caught by tests.
[[nodiscard]] ViewCall view_call(const chain::Address& to, const chain::abi::Function& fn,
                                 const chain::abi::Values& args);

}  // namespace chain::rpc
