#include "keeper/devnet/ocr2_report.hpp"

#include <algorithm>

#include "chain/abi/codec.hpp"
#include "chain/abi/signature.hpp"
#include "chain/keccak.hpp"

namespace keeper::devnet {
namespace {

using chain::i256;
using chain::abi::Value;
using chain::abi::Values;

constexpr std::string_view kTransmit = "transmit(bytes32[3],bytes,bytes32[],bytes32[],bytes32)";
constexpr std::string_view kReportTypes = "uint32,bytes32,int192[],int192";
constexpr std::uint64_t kMaxEpochAndRound = (std::uint64_t{1} << 40) - 1;

// The largest int192: an observation beyond it cannot be encoded as the aggregator decodes it.
const i256& max_int192() {
  static const i256 value = (i256{1} << 191) - 1;
  return value;
}

Value word_value(const chain::Hash& word) { return Value{chain::Bytes(word.begin(), word.end())}; }

chain::Hash uint_word(std::uint64_t value) {
  chain::Hash word{};
  for (std::size_t i = 0; i < 8; ++i) word[31 - i] = static_cast<std::uint8_t>(value >> (8 * i));
  return word;
}

}  // namespace

std::string_view describe(Ocr2ReportError e) noexcept {
  switch (e) {
    case Ocr2ReportError::no_observations: return "a report needs at least one observation";
    case Ocr2ReportError::too_many_observations: return "OCR2 reports hold at most 31 observations";
    case Ocr2ReportError::answer_out_of_range: return "the answer is not a positive int192";
    case Ocr2ReportError::unsorted_observations: return "observations must be sorted";
    case Ocr2ReportError::epoch_and_round_exhausted: return "no epoch and round after the latest";
  }
  return "unknown OCR2 report error";
}

tl::expected<std::uint64_t, Ocr2ReportError> next_epoch_and_round(std::uint64_t latest) {
  if (latest >= kMaxEpochAndRound)
    return tl::unexpected(Ocr2ReportError::epoch_and_round_exhausted);
  const std::uint64_t epoch = latest >> 8;
  const std::uint64_t round = latest & 0xff;
  if (round < 0xff) return (epoch << 8) | (round + 1);
  if (epoch + 1 > (kMaxEpochAndRound >> 8))
    return tl::unexpected(Ocr2ReportError::epoch_and_round_exhausted);
  return ((epoch + 1) << 8) | 1;
}

tl::expected<std::vector<i256>, Ocr2ReportError> observations_around(const i256& answer,
                                                                     std::size_t count) {
  if (count == 0) return tl::unexpected(Ocr2ReportError::no_observations);
  if (count > kMaxOcr2Observations) return tl::unexpected(Ocr2ReportError::too_many_observations);
  if (answer <= 0 || answer > max_int192())
    return tl::unexpected(Ocr2ReportError::answer_out_of_range);
  const i256 step = std::max(i256{1}, answer / 10000);
  const auto middle = static_cast<std::int64_t>(count / 2);
  std::vector<i256> out;
  out.reserve(count);
  for (std::int64_t i = 0; i < static_cast<std::int64_t>(count); ++i) {
    i256 value = answer + step * (i - middle);
    // A tiny answer keeps its lower observations positive by repeating 1: still sorted.
    if (value < 1) value = 1;
    if (value > max_int192()) return tl::unexpected(Ocr2ReportError::answer_out_of_range);
    out.push_back(std::move(value));
  }
  return out;
}

tl::expected<chain::Bytes, Ocr2ReportError> transmit_calldata(const Ocr2Report& report) {
  const auto& observations = report.observations;
  if (observations.empty()) return tl::unexpected(Ocr2ReportError::no_observations);
  if (observations.size() > kMaxOcr2Observations)
    return tl::unexpected(Ocr2ReportError::too_many_observations);
  if (!std::is_sorted(observations.begin(), observations.end()))
    return tl::unexpected(Ocr2ReportError::unsorted_observations);
  if (report.epoch_and_round > kMaxEpochAndRound)
    return tl::unexpected(Ocr2ReportError::epoch_and_round_exhausted);
  Values observation_values;
  for (const auto& o : observations) {
    if (o > max_int192() || o < -max_int192() - 1)
      return tl::unexpected(Ocr2ReportError::answer_out_of_range);
    observation_values.push_back(Value::from_int(o));
  }
  chain::Hash raw_observers{};
  for (std::size_t i = 0; i < observations.size(); ++i)
    raw_observers[i] = static_cast<std::uint8_t>(i);

  const auto report_types = chain::abi::parse_type_list(kReportTypes).value();
  const Values report_values{Value{std::uint64_t{report.observations_timestamp}},
                             word_value(raw_observers), Value{observation_values},
                             Value::from_int(report.juels_per_fee_coin)};
  auto encoded = chain::abi::encode(report_types, report_values);
  if (!encoded) return tl::unexpected(Ocr2ReportError::answer_out_of_range);

  // f + 1 signatures, as a real report carries; deterministic placeholders tied to the report.
  const std::size_t signatures = (observations.size() - 1) / 3 + 1;
  Values rs, ss;
  const chain::Hash digest = chain::keccak256(*encoded);
  for (std::size_t i = 0; i < signatures; ++i) {
    chain::Bytes seed(digest.begin(), digest.end());
    seed.push_back(static_cast<std::uint8_t>(i));
    rs.push_back(word_value(chain::keccak256(seed)));
    seed.push_back(0x55);
    ss.push_back(word_value(chain::keccak256(seed)));
  }
  const Values context{word_value(report.config_digest),
                       word_value(uint_word(report.epoch_and_round)), word_value(chain::Hash{})};
  const Values args{Value{context}, Value{std::move(*encoded)}, Value{rs}, Value{ss},
                    word_value(chain::Hash{})};
  auto call = chain::abi::encode_call(kTransmit, args);
  if (!call) return tl::unexpected(Ocr2ReportError::answer_out_of_range);
  return std::move(*call);
}

}  // namespace keeper::devnet
