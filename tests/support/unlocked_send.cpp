#include "tests/support/unlocked_send.hpp"

#include <thread>

#include "chain/hex.hpp"

namespace keeper::testing {

std::optional<chain::rpc::Receipt> send_unlocked(chain::rpc::RpcClient& rpc,
                                                 const chain::Address& from,
                                                 const chain::Address& to,
                                                 const std::string& signature,
                                                 const chain::abi::Values& args) {
  auto data = chain::abi::encode_call(signature, args);
  if (!data) return std::nullopt;
  const nlohmann::json tx{{"from", from.lower_hex()},
                          {"to", to.lower_hex()},
                          {"data", chain::hex_encode(*data)},
                          {"gas", "0x1000000"}};
  const auto hash = rpc.call("eth_sendTransaction", nlohmann::json::array({tx}));
  if (!hash || !hash->is_string()) return std::nullopt;
  const auto h = chain::hex_decode_fixed<32>(hash->get<std::string>());
  if (!h) return std::nullopt;
  for (int i = 0; i < 500; ++i) {
    auto receipt = rpc.receipt(*h);
    if (receipt && *receipt) return **receipt;
    std::this_thread::sleep_for(std::chrono::milliseconds{10});
  }
  return std::nullopt;
}

}  // namespace keeper::testing
