#pragma once
// The mev_sendBundle request that backruns a hinted transaction on MEV-Share
// (github.com/flashbots/mev-share specs/bundles/v0.1.md; docs.flashbots.net
// flashbots-mev-share/searchers/understanding-bundles):
//   {"jsonrpc":"2.0","id":n,"method":"mev_sendBundle","params":[{
//     "version":"v0.1",
//     "inclusion":{"block":"0x..","maxBlock":"0x.."},
//     "body":[{"hash":"<hinted update>"},{"tx":"<signed liquidation>","canRevert":false}],
//     "validity":{"refund":[{"bodyIdx":0,"percent":p}]},      (only when refund_percent is set)
//     "privacy":{"builders":["flashbots",..]}}]}                (only when builders are named)
// Since October 2025 a MEV-Share bundle may hold one backrun transaction, so each liquidation
// is its own bundle. It is signed like eth_sendBundle (X-Flashbots-Signature).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "chain/bytes.hpp"

namespace keeper::ofa {

struct MevShareBundle {
  chain::Hash update_hash{};  // the hint's hash
  chain::Bytes backrun;       // the signed liquidation
  std::uint64_t block = 0;    // first block it may land in
  std::uint64_t max_block = 0;
  // The share (percent) of the bundle's payment the hinted transaction's sender is refunded;
  // MEV-Share's matchmaker sets it when absent (the usual case).
  std::optional<std::uint32_t> refund_percent;
  std::vector<std::string> builders;  // MEV-Share's builder names; empty: its default set
};

[[nodiscard]] std::string mev_send_bundle_body(const MevShareBundle& bundle,
                                               std::uint64_t request_id);

}  // namespace keeper::ofa
