#include "oracles/chainlink/pending_update.hpp"

#include <algorithm>

#include "oracles/chainlink/abi_words.hpp"

namespace oracles::chainlink {
namespace {

constexpr unsigned kInt192Bits = 192;

struct Span {
  std::size_t begin = 0;  // first byte of the contents (after the length word)
  std::size_t length = 0;
};

// Follows the offset in head word `head_index` to a `bytes` or `bytes32[]` argument and checks
// that all of it lies inside `args`. element_size is 1 for bytes and 32 for bytes32[].
tl::expected<Span, UpdateError> dynamic_argument(const AbiWords& args, std::size_t head_index,
                                                 std::size_t element_size) {
  const auto offset = args.small_number_at(head_index * 32);
  if (!offset) return tl::unexpected(UpdateError::offset_out_of_range);
  const auto length = args.small_number_at(*offset);
  if (!length) return tl::unexpected(UpdateError::offset_out_of_range);
  const std::size_t begin = *offset + 32;
  // Both numbers are below 2^32, so neither the product nor the sum can overflow.
  if (*length * element_size > args.size() - begin)
    return tl::unexpected(UpdateError::length_out_of_range);
  return Span{begin, *length};
}

// observations: the int192[] whose offset is head word `head_index` of the report. Returns the
// median after checking every element as the aggregator's decoder and its sort check would.
tl::expected<std::pair<chain::i256, std::size_t>, UpdateError> median_observation(
    const AbiWords& report, std::size_t head_index) {
  auto span = dynamic_argument(report, head_index, 32);
  if (!span) return tl::unexpected(span.error());
  if (span->length == 0) return tl::unexpected(UpdateError::empty_observations);
  const chain::BytesView all = report.bytes().subspan(span->begin, span->length * 32);
  for (std::size_t i = 0; i < span->length; ++i)
    if (!fits_signed_bits(all.subspan(i * 32, 32), kInt192Bits))
      return tl::unexpected(UpdateError::observation_out_of_range);
  chain::i256 previous = signed_word(all.first(32));
  for (std::size_t i = 1; i < span->length; ++i) {
    chain::i256 current = signed_word(all.subspan(i * 32, 32));
    if (current < previous) return tl::unexpected(UpdateError::unsorted_observations);
    previous = std::move(current);
  }
  const std::size_t middle = span->length / 2;
  return std::pair{signed_word(all.subspan(middle * 32, 32)), span->length};
}

// Checks the signatures' arrays point inside the call: the aggregator reads them, so a call
// whose rs or ss runs off the end reverts and sets nothing.
tl::expected<void, UpdateError> check_signature_arrays(const AbiWords& args, std::size_t rs_index,
                                                       std::size_t ss_index) {
  if (auto rs = dynamic_argument(args, rs_index, 32); !rs) return tl::unexpected(rs.error());
  if (auto ss = dynamic_argument(args, ss_index, 32); !ss) return tl::unexpected(ss.error());
  return {};
}

std::uint64_t epoch_and_round_of(chain::BytesView context_word) noexcept {
  return low_u64_of(context_word) & 0xff'ffff'ffffULL;  // epoch (4 bytes) then round (1 byte)
}

// report = abi.encode(uint32 observationsTimestamp, bytes32 rawObservers, int192[] observations,
//                     int192 juelsPerFeeCoin)
tl::expected<PendingUpdate, UpdateError> decode_ocr2(const AbiWords& args) {
  // reportContext[3], report, rs, ss, rawVs
  if (!args.has_words(7)) return tl::unexpected(UpdateError::short_calldata);
  auto report_span = dynamic_argument(args, 3, 1);
  if (!report_span) return tl::unexpected(report_span.error());
  if (auto ok = check_signature_arrays(args, 4, 5); !ok) return tl::unexpected(ok.error());

  const AbiWords report{args.bytes().subspan(report_span->begin, report_span->length)};
  if (!report.has_words(4)) return tl::unexpected(UpdateError::short_report);
  const chain::BytesView timestamp = *report.word_at(0);
  if (!leading_zero_bytes(timestamp, 28))
    return tl::unexpected(UpdateError::timestamp_out_of_range);
  if (!fits_signed_bits(*report.word_at(3 * 32), kInt192Bits))
    return tl::unexpected(UpdateError::juels_out_of_range);
  auto median = median_observation(report, 2);
  if (!median) return tl::unexpected(median.error());

  PendingUpdate update;
  update.kind = UpdateKind::ocr2_transmit;
  update.answer = std::move(median->first);
  update.observations = median->second;
  update.observations_timestamp = static_cast<std::uint32_t>(low_u64_of(timestamp));
  update.epoch_and_round = epoch_and_round_of(*args.word_at(32));  // reportContext[1]
  return update;
}

// report = abi.encode(bytes32 rawReportContext, bytes32 rawObservers, int192[] observations)
tl::expected<PendingUpdate, UpdateError> decode_ocr1(const AbiWords& args) {
  // report, rs, ss, rawVs
  if (!args.has_words(4)) return tl::unexpected(UpdateError::short_calldata);
  auto report_span = dynamic_argument(args, 0, 1);
  if (!report_span) return tl::unexpected(report_span.error());
  if (auto ok = check_signature_arrays(args, 1, 2); !ok) return tl::unexpected(ok.error());

  const AbiWords report{args.bytes().subspan(report_span->begin, report_span->length)};
  if (!report.has_words(3)) return tl::unexpected(UpdateError::short_report);
  auto median = median_observation(report, 2);
  if (!median) return tl::unexpected(median.error());

  PendingUpdate update;
  update.kind = UpdateKind::ocr1_transmit;
  update.answer = std::move(median->first);
  update.observations = median->second;
  update.epoch_and_round = epoch_and_round_of(*report.word_at(0));  // rawReportContext
  return update;
}

tl::expected<PendingUpdate, UpdateError> decode_update_answer(const AbiWords& args) {
  if (!args.has_words(1)) return tl::unexpected(UpdateError::short_calldata);
  PendingUpdate update;
  update.kind = UpdateKind::devnet_update_answer;
  update.answer = signed_word(*args.word_at(0));
  return update;
}

bool has_selector(chain::BytesView calldata, const chain::FixedBytes<4>& selector) noexcept {
  return std::equal(selector.begin(), selector.end(), calldata.begin());
}

}  // namespace

std::string_view describe(UpdateError e) noexcept {
  switch (e) {
    case UpdateError::short_calldata: return "calldata shorter than the function's head";
    case UpdateError::unknown_selector: return "not a call to a known aggregator update";
    case UpdateError::offset_out_of_range: return "an argument's offset points outside the data";
    case UpdateError::length_out_of_range: return "an argument's length runs past the data";
    case UpdateError::short_report: return "report shorter than its head";
    case UpdateError::empty_observations: return "report has no observations";
    case UpdateError::observation_out_of_range: return "an observation is not an int192";
    case UpdateError::unsorted_observations: return "observations are not sorted";
    case UpdateError::juels_out_of_range: return "juelsPerFeeCoin is not an int192";
    case UpdateError::timestamp_out_of_range: return "observationsTimestamp is not a uint32";
  }
  return "unknown update error";
}

std::string_view describe(UpdateKind k) noexcept {
  switch (k) {
    case UpdateKind::ocr2_transmit: return "ocr2 transmit";
    case UpdateKind::ocr1_transmit: return "ocr1 transmit";
    case UpdateKind::devnet_update_answer: return "updateAnswer";
  }
  return "unknown update";
}

tl::expected<PendingUpdate, UpdateError> decode_update(chain::BytesView calldata) {
  if (calldata.size() < 4) return tl::unexpected(UpdateError::short_calldata);
  const AbiWords args{calldata.subspan(4)};
  if (has_selector(calldata, kOcr2TransmitSelector)) return decode_ocr2(args);
  if (has_selector(calldata, kOcr2TransmitSecondarySelector)) return decode_ocr2(args);
  if (has_selector(calldata, kOcr1TransmitSelector)) return decode_ocr1(args);
  if (has_selector(calldata, kUpdateAnswerSelector)) return decode_update_answer(args);
  return tl::unexpected(UpdateError::unknown_selector);
}

}  // namespace oracles::chainlink
