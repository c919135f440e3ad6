// Property: hostile bytes from a MEV-Share event stream never crash the event-stream parser, the
// hint parser or the oracle-hint reader; an event the SSE parser delivers never exceeds its
// limits; and any update read names a followed aggregator and the hint's own hash.
#include "fuzz/fuzz_target.hpp"

#include <cstdlib>
#include <string_view>

#include "chain/sse/sse_parser.hpp"
#include "keeper/ofa/mev_share_hint.hpp"
#include "keeper/ofa/oracle_hints.hpp"

namespace {

const chain::Address kFollowed =
    chain::Address::from_hex("0x85355da30ee4b35f4b30759bd49a1ebe3fc41bdb").value();
const chain::Address kForwarder =
    chain::Address::from_hex("0x45ab36b69e02e59d3c49b863b31f530c991dd554").value();

void read_hint(std::string_view text) {
  const auto hint = keeper::ofa::parse_hint(text);
  if (!hint) {
    if (keeper::ofa::describe(hint.error()).empty()) std::abort();
    return;
  }
  keeper::ofa::OracleHintReader reader{{kFollowed, kForwarder}};
  const auto reading = reader.read(*hint);
  if (reading.updates.empty() != reading.skip.has_value()) std::abort();
  for (const auto& u : reading.updates) {
    if (!reader.follows(u.aggregator)) std::abort();
    if (u.update_hash != hint->hash) std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input{reinterpret_cast<const char*>(data), size};
  // The whole input as one event's data (what the collector parses)...
  read_hint(input);
  // ...and as a raw stream, split in two at a point the input chooses.
  const chain::sse::SseLimits limits{4096, 8192};
  chain::sse::SseParser parser{[&](const chain::sse::SseEvent& e) {
                                 if (e.data.size() > limits.max_event_bytes) std::abort();
                                 read_hint(e.data);
                               },
                               limits};
  const std::size_t split = size == 0 ? 0 : data[0] % size;
  if (parser.feed(input.substr(0, split))) (void)parser.feed(input.substr(split));
  return 0;
}
