// Property: hostile calldata sent to an aggregator never crashes the pending-update decoder, and
// whenever it reads an OCR2 transmit that keeper's general ABI decoder also reads, both find the
// same median.
#include "fuzz/fuzz_target.hpp"

#include <cstdlib>

#include "chain/abi/calldata.hpp"
#include "oracles/chainlink/pending_update.hpp"

namespace {

void check_against_general_decoder(chain::BytesView input,
                                   const oracles::chainlink::PendingUpdate& update) {
  static const auto transmit =
      chain::abi::parse_function("transmit(bytes32[3],bytes,bytes32[],bytes32[],bytes32)").value();
  static const auto report_types =
      chain::abi::parse_type_list("uint32,bytes32,int192[],int192").value();
  const auto call = chain::abi::decode_call(input, transmit);
  if (!call) return;
  const auto report = chain::abi::decode(report_types, call->args[1].as_bytes());
  if (!report) return;
  const auto& observations = (*report)[2].as_list();
  if (observations.size() != update.observations) std::abort();
  if (observations[observations.size() / 2].as_int() != update.answer) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const chain::BytesView input{data, size};
  const auto update = oracles::chainlink::decode_update(input);
  if (!update) {
    if (oracles::chainlink::describe(update.error()).empty()) std::abort();
    return 0;
  }
  if (update->kind == oracles::chainlink::UpdateKind::ocr2_transmit)
    check_against_general_decoder(input, *update);
  return 0;
}
