#include "keeper/ofa/oracle_hints.hpp"

#include <algorithm>
#include <string_view>

#include "chain/keccak.hpp"
#include "oracles/chainlink/svr_forward.hpp"

namespace keeper::ofa {

namespace {

namespace cl = oracles::chainlink;

bool starts_with(const chain::Bytes& data, const chain::FixedBytes<4>& selector) {
  return data.size() >= 4 && std::equal(selector.begin(), selector.end(), data.begin());
}

// Two's-complement int192 word (NewTransmission's answer): the top 65 bits all equal.
bool fits_int192(chain::BytesView word) {
  const std::uint8_t fill = (word[8] & 0x80) != 0 ? 0xff : 0x00;
  return std::all_of(word.begin(), word.begin() + 8, [&](std::uint8_t b) { return b == fill; });
}

chain::i256 signed_of(chain::BytesView word) {
  chain::u256 u;
  boost::multiprecision::import_bits(u, word.begin(), word.end());
  if ((word[0] & 0x80) == 0) return chain::i256{u};
  // Negative: -(2^256 - u), computed without leaving 256 bits.
  const chain::u256 magnitude = ~u + 1;
  return -chain::i256{magnitude};
}

// The outcome of one transaction or log: an update, a malformed one, or nothing for us.
struct Found {
  std::optional<HintedUpdate> update;
  std::optional<cl::UpdateError> error;
  bool touches_followed = false;  // names a followed aggregator, whether or not it decodes
};

Found from_calldata(const OracleHintReader& reader, const HintTx& tx, std::size_t index) {
  Found found;
  const bool to_followed = tx.to && reader.follows(*tx.to);
  found.touches_followed = to_followed;
  if (!tx.call_data) return found;
  const chain::Bytes& data = *tx.call_data;
  if (starts_with(data, cl::kForwardSelector)) {
    const auto forward = cl::decode_forward(data);
    if (forward && reader.follows(forward->to)) {
      found.touches_followed = true;
      auto update = cl::decode_update(forward->inner);
      if (!update) {
        found.error = update.error();
        return found;
      }
      found.update = HintedUpdate{
          {}, forward->to, update->answer, HintedUpdateKind::forwarded_call, index, *update};
      return found;
    }
    // A forward to something else (the docs warn other forward calls share the stream), or a
    // broken one: only the transaction's own `to` may still make it ours.
  }
  if (!to_followed) return found;
  auto update = cl::decode_update(data);
  if (!update) {
    found.error = update.error();
    return found;
  }
  found.update =
      HintedUpdate{{}, *tx.to, update->answer, HintedUpdateKind::direct_call, index, *update};
  return found;
}

Found from_log(const OracleHintReader& reader, const HintLog& log, std::size_t index) {
  Found found;
  if (!reader.follows(log.address) || log.topics.empty()) return found;
  const chain::Hash& topic0 = log.topics[0];
  if (topic0 == ocr2_new_transmission_topic() || topic0 == ocr1_new_transmission_topic()) {
    found.touches_followed = true;
    if (log.data.size() < 32 || !fits_int192(chain::BytesView{log.data}.first(32))) {
      found.error = cl::UpdateError::observation_out_of_range;
      return found;
    }
    found.update = HintedUpdate{
        {},    log.address, signed_of(chain::BytesView{log.data}.first(32)), HintedUpdateKind::log,
        index, std::nullopt};
  } else if (topic0 == answer_updated_topic()) {
    found.touches_followed = true;
    if (log.topics.size() < 2) {
      found.error = cl::UpdateError::short_calldata;
      return found;
    }
    found.update = HintedUpdate{{},    log.address, signed_of(log.topics[1]), HintedUpdateKind::log,
                                index, std::nullopt};
  }
  return found;
}

}  // namespace

std::string_view describe(HintedUpdateKind k) noexcept {
  switch (k) {
    case HintedUpdateKind::forwarded_call: return "forwarded call";
    case HintedUpdateKind::direct_call: return "direct call";
    case HintedUpdateKind::log: return "log";
  }
  return "unknown";
}

std::string_view describe(HintSkip s) noexcept {
  switch (s) {
    case HintSkip::not_followed: return "not_followed";
    case HintSkip::no_answer_shared: return "no_answer_shared";
    case HintSkip::malformed_update: return "malformed_update";
  }
  return "unknown";
}

const chain::Hash& ocr2_new_transmission_topic() {
  static const chain::Hash topic = chain::keccak256(std::string_view{
      "NewTransmission(uint32,int192,address,uint32,int192[],bytes,int192,bytes32,uint40)"});
  return topic;
}

const chain::Hash& ocr1_new_transmission_topic() {
  static const chain::Hash topic = chain::keccak256(
      std::string_view{"NewTransmission(uint32,int192,address,int192[],bytes,bytes32)"});
  return topic;
}

const chain::Hash& answer_updated_topic() {
  static const chain::Hash topic =
      chain::keccak256(std::string_view{"AnswerUpdated(int256,uint256,uint256)"});
  return topic;
}

OracleHintReader::OracleHintReader(std::unordered_set<chain::Address> aggregators)
    : aggregators_{std::move(aggregators)} {}

HintReading OracleHintReader::read(const Hint& hint) {
  ++counts_.hints;
  HintReading reading;
  bool touched = false;
  const auto take = [&](Found found) {
    touched = touched || found.touches_followed;
    if (found.error && !reading.error) reading.error = found.error;
    if (!found.update) return;
    const auto same = [&](const HintedUpdate& u) {
      return u.aggregator == found.update->aggregator;
    };
    // One update per aggregator: the calldata (read first) is the report itself.
    if (std::any_of(reading.updates.begin(), reading.updates.end(), same)) return;
    found.update->update_hash = hint.hash;
    reading.updates.push_back(std::move(*found.update));
  };
  for (std::size_t i = 0; i < hint.txs.size(); ++i) take(from_calldata(*this, hint.txs[i], i));
  for (std::size_t i = 0; i < hint.logs.size(); ++i) take(from_log(*this, hint.logs[i], i));

  if (!reading.updates.empty()) {
    counts_.updates += reading.updates.size();
    reading.error.reset();
    return reading;
  }
  if (!touched) {
    reading.skip = HintSkip::not_followed;
    ++counts_.not_followed;
  } else if (reading.error) {
    reading.skip = HintSkip::malformed_update;
    ++counts_.malformed_update;
  } else {
    reading.skip = HintSkip::no_answer_shared;
    ++counts_.no_answer_shared;
  }
  return reading;
}

}  // namespace keeper::ofa
