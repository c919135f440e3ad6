#include "keeper/ofa/mev_share_bundle.hpp"

#include <nlohmann/json.hpp>

#include "chain/hex.hpp"
#include "chain/uint256.hpp"

namespace keeper::ofa {

std::string mev_send_bundle_body(const MevShareBundle& bundle, std::uint64_t request_id) {
  using nlohmann::json;
  json inclusion = json::object();
  inclusion["block"] = chain::to_hex_quantity(chain::u256{bundle.block});
  inclusion["maxBlock"] = chain::to_hex_quantity(chain::u256{bundle.max_block});
  json hinted = json::object();
  hinted["hash"] = chain::hex_encode(bundle.update_hash);
  json backrun = json::object();
  backrun["tx"] = chain::hex_encode(bundle.backrun);
  backrun["canRevert"] = false;
  json params = json::object();
  params["version"] = "v0.1";
  params["inclusion"] = std::move(inclusion);
  params["body"] = json::array({std::move(hinted), std::move(backrun)});
  if (bundle.refund_percent) {
    json refund = json::object();
    refund["bodyIdx"] = 0;
    refund["percent"] = *bundle.refund_percent;
    json validity = json::object();
    validity["refund"] = json::array({std::move(refund)});
    params["validity"] = std::move(validity);
  }
  if (!bundle.builders.empty()) {
    json privacy = json::object();
    privacy["builders"] = json(bundle.builders);
    params["privacy"] = std::move(privacy);
  }
  json body = json::object();
  body["jsonrpc"] = "2.0";
  body["id"] = request_id;
  body["method"] = "mev_sendBundle";
  body["params"] = json::array({std::move(params)});
  return body.dump();
}

}  // namespace keeper::ofa
