#pragma once
// Reads the new answer out of a Chainlink aggregator's update transaction before it is mined, so
// keeper can price accounts at the pending answer. Every input is untrusted mempool data: a
// malformed call gives a typed error, never a crash, and nothing is allocated from its lengths.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include <tl/expected.hpp>

#include "chain/bytes.hpp"
#include "chain/uint256.hpp"

namespace oracles::chainlink {

enum class UpdateKind : std::uint8_t {
  // OCR2 (OCR2Aggregator, DualAggregator): transmit(bytes32[3],bytes,bytes32[],bytes32[],bytes32),
  // or the DualAggregator's private route transmitSecondary (same arguments, Chainlink SVR)
  ocr2_transmit,
  // OCR1 (OffchainAggregator, older mainnet feeds): transmit(bytes,bytes32[],bytes32[],bytes32)
  ocr1_transmit,
  // keeper's devnet FeedAggregator: updateAnswer(int256)
  devnet_update_answer,
};

enum class UpdateError : std::uint8_t {
  short_calldata,            // shorter than the selector or the function's head
  unknown_selector,          // not a call to any update function above
  offset_out_of_range,       // a dynamic argument's offset points outside the data
  length_out_of_range,       // a dynamic argument's length runs past the data
  short_report,              // the report is shorter than its own head
  empty_observations,        // no observation, so no median
  observation_out_of_range,  // an observation is not a valid int192
  unsorted_observations,     // the aggregator requires them sorted, so the call would revert
  juels_out_of_range,        // juelsPerFeeCoin is not a valid int192
  timestamp_out_of_range,    // observationsTimestamp is not a valid uint32
};

[[nodiscard]] std::string_view describe(UpdateError e) noexcept;
[[nodiscard]] std::string_view describe(UpdateKind k) noexcept;

struct PendingUpdate {
  UpdateKind kind = UpdateKind::ocr2_transmit;
  chain::i256 answer;                        // what latestAnswer becomes once the call is mined
  std::uint32_t observations_timestamp = 0;  // OCR2 only; 0 otherwise
  // (epoch << 8) | round from the report context: a later report of the same config has a
  // larger value, which tells a replacement from a stale duplicate. 0 for the devnet call.
  std::uint64_t epoch_and_round = 0;
  std::size_t observations = 0;  // how many observations the report carries (0 for devnet)

  friend bool operator==(const PendingUpdate&, const PendingUpdate&) = default;
};

inline constexpr chain::FixedBytes<4> kOcr2TransmitSelector{0xb1, 0xdc, 0x65, 0xa4};
// Chainlink SVR's DualAggregator.transmitSecondary: the report sent privately (MEV-Share).
inline constexpr chain::FixedBytes<4> kOcr2TransmitSecondarySelector{0xba, 0x0c, 0xb2, 0x9e};
inline constexpr chain::FixedBytes<4> kOcr1TransmitSelector{0xc9, 0x80, 0x75, 0x39};
inline constexpr chain::FixedBytes<4> kUpdateAnswerSelector{0xa8, 0x7a, 0x20, 0xce};

// The answer a call to an aggregator would set: the median observation (observations[n / 2]
// of the sorted list) for a transmit, the argument for the devnet's updateAnswer.
[[nodiscard]] tl::expected<PendingUpdate, UpdateError> decode_update(chain::BytesView calldata);

}  // namespace oracles::chainlink
