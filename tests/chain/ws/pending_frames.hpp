#pragma once
// Pending-transaction notifications and bodies shaped as anvil sends them, for the ws tests.
#include <string>

#include <nlohmann/json.hpp>

namespace keeper::testing {

// An EIP-1559 body as anvil 1.7 sends it in a newPendingTransactions notification.
inline nlohmann::json pending_body(const std::string& hash, unsigned nonce = 0) {
  nlohmann::json body = nlohmann::json::parse(R"({
    "type":"0x2","chainId":"0x7a69","gas":"0x5208","maxFeePerGas":"0x77359400",
    "maxPriorityFeePerGas":"0x3b9aca00","to":"0x70997970c51812dc3a010c7d01b50e0d17dc79c8",
    "value":"0x0","accessList":[],"input":"0x",
    "r":"0x73a771ef3c533b2a895e08d7979544582a67ff7cc4066785f9fe175746ab6555",
    "s":"0x6797c631340e6899428987a594ff036f197445d18d589fbf368f115e30994c17",
    "yParity":"0x0","v":"0x0","blockHash":null,"blockNumber":null,"transactionIndex":null,
    "from":"0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266","gasPrice":"0x77359400"})");
  body["hash"] = hash;
  body["nonce"] = "0x" + std::to_string(nonce);  // tests keep nonces below 10
  return body;
}

inline std::string subscription_frame(const std::string& subscription,
                                      const nlohmann::json& result) {
  return nlohmann::json{{"jsonrpc", "2.0"},
                        {"method", "eth_subscription"},
                        {"params", {{"subscription", subscription}, {"result", result}}}}
      .dump();
}

// 32-byte hashes that differ in their last byte.
inline std::string tx_hash(unsigned last_byte) {
  static constexpr char kDigits[] = "0123456789abcdef";
  return "0x" + std::string(62, 'c') + kDigits[(last_byte >> 4) & 0xf] + kDigits[last_byte & 0xf];
}

}  // namespace keeper::testing
