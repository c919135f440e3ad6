// Property: any bytes a node answers with (single or batch body, and every typed decoder the
// client applies to a result) become a value or a typed error: never a crash, an escaped
// exception or a batch of the wrong size.
#include "fuzz/fuzz_target.hpp"

#include <cstdlib>
#include <string_view>

#include "chain/rpc/json_codec.hpp"
#include "chain/rpc/json_rpc.hpp"

namespace {

using chain::rpc::Json;

// Every decoder a result can meet; their answers are not compared, only survived.
void decode_every_way(const Json& result) {
  (void)chain::rpc::quantity_u256(result, "fuzz");
  (void)chain::rpc::quantity_u64(result, "fuzz");
  (void)chain::rpc::address_of(result, "fuzz");
  (void)chain::rpc::hash_of(result, "fuzz");
  (void)chain::rpc::data_of(result, "fuzz");
  (void)chain::rpc::block_header_from_json(result);
  (void)chain::rpc::logs_from_json(result);
  (void)chain::rpc::receipt_from_json(result);
  (void)chain::rpc::fee_history_from_json(result);
  (void)chain::rpc::pending_transaction_from_json(result);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body{reinterpret_cast<const char*>(data), size};
  if (auto single = chain::rpc::parse_response(body, 1)) decode_every_way(*single);
  constexpr std::size_t kBatch = 3;
  if (auto batch = chain::rpc::parse_batch(body, 1, kBatch)) {
    if (batch->size() != kBatch) std::abort();  // one answer per call, always
    for (const auto& item : *batch)
      if (item) decode_every_way(*item);
  }
  return 0;
}
