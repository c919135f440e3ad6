#pragma once
// Builds the calldata of a Chainlink OCR2 `transmit` for the devnet's FeedAggregator: a report of
// sorted observations around an answer (their median, observations[n / 2], is the answer) under
// the feed's config digest and a newer epoch and round, so `keeper devnet price` updates a feed
// with the very transaction a mainnet transmitter sends.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

#include "chain/bytes.hpp"
#include "chain/uint256.hpp"

namespace keeper::devnet {

enum class Ocr2ReportError : std::uint8_t {
  no_observations,            // a report needs at least one observation for a median
  too_many_observations,      // OCR2 allows at most 31 oracles, so 31 observations
  answer_out_of_range,        // the answer (or an observation around it) is not a positive int192
  unsorted_observations,      // the aggregator rejects a report whose observations are unsorted
  epoch_and_round_exhausted,  // no uint40 (epoch << 8 | round) comes after the latest one
};

[[nodiscard]] std::string_view describe(Ocr2ReportError e) noexcept;

inline constexpr std::size_t kMaxOcr2Observations = 31;

struct Ocr2Report {
  chain::Hash config_digest{};        // reportContext[0]: the feed's latestConfigDetails
  std::uint64_t epoch_and_round = 0;  // reportContext[1]: (epoch << 8) | round, a uint40
  std::uint32_t observations_timestamp = 0;
  std::vector<chain::i256> observations;  // sorted ascending; the median is the new answer
  chain::i256 juels_per_fee_coin;         // LINK per ETH in juels; only reported, never used
};

// The epoch and round of the report after `latest`: the next round of the same epoch, or round 1
// of the next epoch once a round number would pass 255 (OCR2 rounds are one byte).
[[nodiscard]] tl::expected<std::uint64_t, Ocr2ReportError> next_epoch_and_round(
    std::uint64_t latest);

// `count` sorted observations one basis point apart (at least 1 unit) around `answer`, so that
// observations[count / 2] == answer, as a quorum of oracles reporting nearly the same price.
[[nodiscard]] tl::expected<std::vector<chain::i256>, Ocr2ReportError> observations_around(
    const chain::i256& answer, std::size_t count);

// transmit(bytes32[3] reportContext, bytes report, bytes32[] rs, bytes32[] ss, bytes32 rawVs)
// with report = abi.encode(uint32, bytes32 rawObservers, int192[], int192). The observers are
// oracles 0..n-1 in order; rs and ss hold f + 1 placeholder words (f = (n - 1) / 3), which the
// devnet aggregator only length-checks: it has no oracle network whose signatures it could verify.
[[nodiscard]] tl::expected<chain::Bytes, Ocr2ReportError> transmit_calldata(
    const Ocr2Report& report);

}  // namespace keeper::devnet
