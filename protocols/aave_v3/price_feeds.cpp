#include "protocols/aave_v3/price_feeds.hpp"

#include <set>

#include "chain/abi/signature.hpp"
#include "chain/hex.hpp"
#include "chain/rpc/json_codec.hpp"

namespace protocols::aave_v3 {

tl::expected<FeedMap, std::string> follow_feeds(chain::rpc::RpcClient& rpc,
                                                const protocols::aave_v3::Market& market,
                                                std::uint64_t block) {
  std::vector<chain::Address> sources;
  for (const auto& r : market.reserves)
    if (!r.price_source.is_zero()) sources.push_back(r.price_source);
  std::sort(sources.begin(), sources.end());
  sources.erase(std::unique(sources.begin(), sources.end()), sources.end());
  const auto fn = chain::abi::parse_function("aggregator()(address)").value();
  const auto data = chain::hex_encode(fn.encode_call({}).value());
  std::vector<chain::rpc::Call> calls;
  calls.reserve(sources.size());
  for (const auto& s : sources)
    calls.push_back({"eth_call", chain::rpc::Json::array({{{"to", s.lower_hex()}, {"data", data}},
                                                          chain::rpc::block_tag(block)})});
  std::map<chain::Address, chain::Address> emitter;  // source -> aggregator
  if (!calls.empty()) {
    auto results = rpc.batch(calls);
    if (!results) return tl::unexpected("aggregator() batch: " + results.error().to_string());
    for (std::size_t i = 0; i < sources.size(); ++i) {
      emitter[sources[i]] = sources[i];
      const auto& r = (*results)[i];
      if (!r) continue;  // not a proxy: the source emits its own updates
      auto bytes = chain::rpc::data_of(*r, "result");
      if (!bytes) continue;
      auto decoded = fn.decode_output(*bytes);
      if (decoded && !(*decoded)[0].as_address().is_zero())
        emitter[sources[i]] = (*decoded)[0].as_address();
    }
  }
  FeedMap out;
  for (const auto& r : market.reserves)
    if (!r.price_source.is_zero()) out[emitter.at(r.price_source)].push_back(r.id);
  return out;
}

}  // namespace protocols::aave_v3
