#include "chain/rpc/batch_call.hpp"

#include <map>
#include <mutex>
#include <string_view>

#include "chain/hex.hpp"
#include "chain/rpc/json_codec.hpp"

namespace chain::rpc {

tl::expected<std::vector<chain::Bytes>, std::string> batch_eth_call(
    chain::rpc::RpcClient& rpc, const std::vector<ViewCall>& calls, std::uint64_t block,
    std::size_t batch_size) {
  std::vector<chain::Bytes> out;
  out.reserve(calls.size());
  const nlohmann::json tag = chain::rpc::block_tag(block);
  for (std::size_t first = 0; first < calls.size(); first += batch_size) {
    std::vector<chain::rpc::Call> batch;
    const auto last = std::min(calls.size(), first + batch_size);
    for (std::size_t i = first; i < last; ++i) {
      const nlohmann::json request{{"to", calls[i].to.lower_hex()},
                                   {"data", chain::hex_encode(calls[i].data)}};
      batch.push_back({"eth_call", nlohmann::json::array({request, tag})});
    }
    auto results = rpc.batch(batch);
    if (!results) return tl::unexpected("eth_call batch: " + results.error().to_string());
    for (std::size_t i = 0; i < results->size(); ++i) {
      const auto& r = (*results)[i];
      if (!r)
        return tl::unexpected("eth_call to " + calls[first + i].to.checksummed() + ": " +
                              r.error().to_string());
      auto bytes = chain::rpc::data_of(*r, "result");
      if (!bytes) return tl::unexpected(bytes.error().to_string());
      out.push_back(std::move(*bytes));
    }
  }
  return out;
}

ViewCall view_call(const chain::Address& to, const chain::abi::Function& fn,
                   const chain::abi::Values& args) {
  return ViewCall{to, fn.encode_call(args).value()};
}

const chain::abi::Function& view_function(const char* signature) {
  static std::mutex guard;
  static std::map<std::string, chain::abi::Function, std::less<>> cache;
  const std::lock_guard lock{guard};
  auto it = cache.find(std::string_view{signature});
  if (it == cache.end())
    it = cache.emplace(signature, chain::abi::parse_function(signature).value()).first;
  return it->second;  // map nodes never move: the reference outlives the lock
}

tl::expected<chain::abi::Values, std::string> decode_view(const char* signature,
                                                          const chain::Bytes& data) {
  auto v = view_function(signature).decode_output(data);
  if (!v)
    return tl::unexpected(std::string{signature} + " returned malformed data: " +
                          std::string{chain::abi::describe(v.error())});
  return *v;
}

}  // namespace chain::rpc
