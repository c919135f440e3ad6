// The devnet's OCR2 transmit, built by keeper's encoder, against the decoder keeper uses on
// pending transactions and against the FeedAggregator contract on a real anvil: what the decoder
// reads from the calldata is what the contract then reports.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "chain/abi/codec.hpp"
#include "chain/abi/revert.hpp"
#include "chain/abi/signature.hpp"
#include "chain/hex.hpp"
#include "chain/keccak.hpp"
#include "keeper/devnet/artifact.hpp"
#include "keeper/devnet/ocr2_report.hpp"
#include "oracles/chainlink/pending_update.hpp"
#include "tests/support/chain_fixture.hpp"

using namespace chain;
using keeper::devnet::Ocr2Report;
using keeper::devnet::Ocr2ReportError;

namespace {

const Address kAdmin = Address::from_hex("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266").value();
const Address kOther = Address::from_hex("0x70997970C51812dc3A010C7d01b50e0d17dc79C8").value();

Ocr2Report report_for(const i256& answer, std::size_t count, std::uint64_t epoch_and_round) {
  Ocr2Report r;
  r.config_digest[0] = 0x00;
  r.config_digest[1] = 0x01;
  r.config_digest[31] = 0x42;
  r.epoch_and_round = epoch_and_round;
  r.observations_timestamp = 1'796'000'000;
  r.observations = keeper::devnet::observations_around(answer, count).value();
  r.juels_per_fee_coin = i256{7};
  return r;
}

abi::Values view(rpc::RpcClient& rpc, const Address& to, const std::string& signature) {
  const auto fn = abi::parse_function(signature).value();
  const auto out = rpc.eth_call(
      {std::nullopt, to, fn.encode_call(abi::Values{}).value(), std::nullopt, std::nullopt},
      "latest");
  REQUIRE(out.has_value());
  return fn.decode_output(*out).value();
}

// The revert reason of `data` sent by `from`, or "" when the call would succeed.
std::string revert_of(rpc::RpcClient& rpc, const Address& from, const Address& to,
                      const Bytes& data) {
  const auto out = rpc.eth_call({from, to, data, std::nullopt, std::nullopt}, "latest");
  if (out) return "";
  REQUIRE(out.error().revert_data.has_value());
  return abi::decode_revert(*out.error().revert_data).to_string();
}

}  // namespace

TEST_CASE("OCR2 encoder: sorted observations whose median is the answer, decoded back",
          "[devnet][ocr2]") {
  struct Case {
    i256 answer;
    std::size_t count;
    std::uint64_t epoch_and_round;
  };
  const Case cases[] = {
      {i256{150'000'000'000LL}, 1, 0x0101},    {i256{150'000'000'000LL}, 2, 0x0102},
      {i256{100'000'000LL}, 4, 0x4655'05},     {i256{6'000'000'000'000LL}, 16, 0xffff'ffff'00ULL},
      {i256{250'790'000'000LL}, 31, 0x465505}, {i256{3}, 31, 1},
  };
  for (const auto& c : cases) {
    CAPTURE(c.answer.str(), c.count);
    const auto report = report_for(c.answer, c.count, c.epoch_and_round);
    REQUIRE(report.observations.size() == c.count);
    CHECK(std::is_sorted(report.observations.begin(), report.observations.end()));
    CHECK(report.observations[c.count / 2] == c.answer);
    CHECK(report.observations.front() >= 1);
    const auto calldata = keeper::devnet::transmit_calldata(report).value();
    const auto decoded = oracles::chainlink::decode_update(calldata);
    REQUIRE(decoded.has_value());
    CHECK(decoded->kind == oracles::chainlink::UpdateKind::ocr2_transmit);
    CHECK(decoded->answer == c.answer);
    CHECK(decoded->observations == c.count);
    CHECK(decoded->epoch_and_round == c.epoch_and_round);
    CHECK(decoded->observations_timestamp == 1'796'000'000U);
  }
}

TEST_CASE("OCR2 encoder refuses what the aggregator would reject", "[devnet][ocr2]") {
  using keeper::devnet::observations_around;
  CHECK(observations_around(i256{100}, 0).error() == Ocr2ReportError::no_observations);
  CHECK(observations_around(i256{100}, 32).error() == Ocr2ReportError::too_many_observations);
  CHECK(observations_around(i256{0}, 4).error() == Ocr2ReportError::answer_out_of_range);
  CHECK(observations_around(i256{-5}, 4).error() == Ocr2ReportError::answer_out_of_range);
  CHECK(observations_around(i256{1} << 191, 4).error() == Ocr2ReportError::answer_out_of_range);

  auto unsorted = report_for(i256{1000}, 3, 1);
  std::swap(unsorted.observations[0], unsorted.observations[2]);
  CHECK(keeper::devnet::transmit_calldata(unsorted).error() ==
        Ocr2ReportError::unsorted_observations);
  Ocr2Report empty = report_for(i256{1000}, 3, 1);
  empty.observations.clear();
  CHECK(keeper::devnet::transmit_calldata(empty).error() == Ocr2ReportError::no_observations);

  struct Step {
    std::uint64_t latest;
    std::uint64_t next;
  };
  // Round within the epoch, then round 1 of the next epoch after round 255.
  for (const auto& s : {Step{0, 1}, Step{0x0105, 0x0106}, Step{0x01ff, 0x0201},
                        Step{0xffff'fffe'fe, 0xffff'fffe'ff}}) {
    CAPTURE(s.latest);
    CHECK(keeper::devnet::next_epoch_and_round(s.latest).value() == s.next);
  }
  CHECK(keeper::devnet::next_epoch_and_round(0xffff'ffff'ff).error() ==
        Ocr2ReportError::epoch_and_round_exhausted);
  CHECK(keeper::devnet::next_epoch_and_round(0xffff'ffff'ffULL + 5).error() ==
        Ocr2ReportError::epoch_and_round_exhausted);
}

TEST_CASE("the FeedAggregator reports the answer keeper's decoder reads from the transmit",
          "[devnet][ocr2][anvil]") {
  keeper::testing::ChainFixture f;
  auto& rpc = f.rpc();
  const auto artifact = keeper::devnet::find_artifact("FeedAggregator").value();
  const abi::Values ctor{abi::Value{std::uint64_t{8}}, abi::Value{"ETH / USD"},
                         abi::Value{std::int64_t{200'000'000'000LL}}};
  const auto deployed = f.send(std::nullopt, artifact.deploy_data({}, ctor).value(), 0, 3'000'000);
  REQUIRE(deployed.success);
  const Address feed = deployed.contract_address.value();

  const auto config = view(rpc, feed, "latestConfigDetails()(uint32,uint32,bytes32)");
  const Bytes digest = config[2].as_bytes();
  CHECK(digest[0] == 0x00);  // an EVM OCR2 digest's 2-byte prefix
  CHECK(digest[1] == 0x01);
  const auto transmitters = view(rpc, feed, "getTransmitters()(address[])");
  REQUIRE(transmitters[0].as_list().size() == 1);
  CHECK(transmitters[0].as_list()[0].as_address() == kAdmin);

  const Hash new_transmission = keccak256(
      "NewTransmission(uint32,int192,address,uint32,int192[],bytes,int192,bytes32,uint40)");
  const Hash answer_updated = keccak256("AnswerUpdated(int256,uint256,uint256)");
  const Hash new_round = keccak256("NewRound(uint256,address,uint256)");
  const auto event_fields =
      abi::parse_type_list("int192,address,uint32,int192[],bytes,int192,bytes32,uint40").value();

  struct Case {
    std::size_t observations;
    i256 answer;
  };
  const Case cases[] = {
      {1, i256{199'999'000'000LL}}, {4, i256{150'000'000'000LL}}, {31, i256{250'790'000'000LL}}};
  std::uint64_t epoch_and_round = 0x0100;
  std::uint64_t round = 1;  // the constructor's initial answer was round 1
  for (const auto& c : cases) {
    CAPTURE(c.observations);
    epoch_and_round = keeper::devnet::next_epoch_and_round(epoch_and_round).value();
    ++round;
    Ocr2Report report = report_for(c.answer, c.observations, epoch_and_round);
    std::copy(digest.begin(), digest.end(), report.config_digest.begin());
    const Bytes calldata = keeper::devnet::transmit_calldata(report).value();
    const auto pending = oracles::chainlink::decode_update(calldata).value();

    const auto receipt = f.send(feed, calldata, 0, 1'000'000);
    REQUIRE(receipt.success);
    CHECK(pending.answer == c.answer);
    CHECK(view(rpc, feed, "latestAnswer()(int256)")[0].as_int() == pending.answer);
    const auto latest = view(rpc, feed, "latestRoundData()(uint80,int256,uint256,uint256,uint80)");
    CHECK(latest[0].as_uint() == round);
    CHECK(latest[1].as_int() == pending.answer);
    CHECK(latest[2].as_uint() == report.observations_timestamp);  // startedAt: observed off chain
    // Slot 1 still holds the answer: tests that write prices into storage keep working.
    const auto slot1 = rpc.storage_at(feed, u256{1}, "latest").value();
    CHECK(from_be(slot1).value() == static_cast<u256>(c.answer));
    const auto details =
        view(rpc, feed, "latestTransmissionDetails()(bytes32,uint32,uint8,int192,uint64)");
    CHECK(details[1].as_uint() == (epoch_and_round >> 8));
    CHECK(details[2].as_uint() == (epoch_and_round & 0xff));

    // NewTransmission, NewRound and AnswerUpdated, in the order OCR2Aggregator emits them.
    REQUIRE(receipt.logs.size() == 3);
    const auto& nt = receipt.logs[0];
    CHECK(nt.address == feed);
    REQUIRE(nt.topics.size() == 2);
    CHECK(nt.topics[0] == new_transmission);
    CHECK(from_be(nt.topics[1]).value() == round);
    const auto fields = abi::decode(event_fields, nt.data).value();
    CHECK(fields[0].as_int() == c.answer);
    CHECK(fields[1].as_address() == kAdmin);
    CHECK(fields[2].as_uint() == report.observations_timestamp);
    REQUIRE(fields[3].as_list().size() == c.observations);
    for (std::size_t i = 0; i < c.observations; ++i)
      CHECK(fields[3].as_list()[i].as_int() == report.observations[i]);
    const Bytes observers = fields[4].as_bytes();
    REQUIRE(observers.size() == c.observations);
    for (std::size_t i = 0; i < c.observations; ++i) CHECK(observers[i] == i);
    CHECK(fields[5].as_int() == i256{7});
    CHECK(fields[6].as_bytes() == digest);
    CHECK(fields[7].as_uint() == epoch_and_round);
    CHECK(receipt.logs[1].topics[0] == new_round);
    CHECK(Address::from_word(receipt.logs[1].topics[2]) == Address{});  // started by nobody
    CHECK(receipt.logs[2].topics[0] == answer_updated);
    CHECK(receipt.logs[2].topics[1] == to_be32(static_cast<u256>(c.answer)));
  }

  SECTION("a report the real aggregator would refuse reverts with its reason") {
    Ocr2Report next = report_for(i256{100'000'000'000LL}, 4, epoch_and_round);
    std::copy(digest.begin(), digest.end(), next.config_digest.begin());
    // The same epoch and round as the last accepted report.
    CHECK_THAT(revert_of(rpc, kAdmin, feed, keeper::devnet::transmit_calldata(next).value()),
               Catch::Contains("stale report"));
    next.epoch_and_round = keeper::devnet::next_epoch_and_round(epoch_and_round).value();
    const Bytes good = keeper::devnet::transmit_calldata(next).value();
    CHECK(revert_of(rpc, kAdmin, feed, good).empty());
    CHECK_THAT(revert_of(rpc, kOther, feed, good), Catch::Contains("unauthorized transmitter"));
    Bytes padded = good;
    padded.push_back(0);
    CHECK_THAT(revert_of(rpc, kAdmin, feed, padded), Catch::Contains("calldata length mismatch"));
    Ocr2Report foreign = next;
    foreign.config_digest[31] ^= 1;
    CHECK_THAT(revert_of(rpc, kAdmin, feed, keeper::devnet::transmit_calldata(foreign).value()),
               Catch::Contains("configDigest mismatch"));

    // Unsorted observations, encoded by hand (keeper's encoder refuses to build them).
    const auto report_types = abi::parse_type_list("uint32,bytes32,int192[],int192").value();
    const Bytes raw_report =
        abi::encode(report_types,
                    abi::Values{abi::Value{std::uint64_t{1}}, abi::Value{Bytes(32, 0)},
                                abi::Value{abi::Values{abi::Value{std::uint64_t{300}},
                                                       abi::Value{std::uint64_t{100}},
                                                       abi::Value{std::uint64_t{200}}}},
                                abi::Value{std::uint64_t{0}}})
            .value();
    Bytes context1(32, 0);
    context1[31] = static_cast<std::uint8_t>(next.epoch_and_round);
    context1[30] = static_cast<std::uint8_t>(next.epoch_and_round >> 8);
    const Bytes unsorted =
        abi::encode_call(
            "transmit(bytes32[3],bytes,bytes32[],bytes32[],bytes32)",
            abi::Values{abi::Value{abi::Values{abi::Value{digest}, abi::Value{context1},
                                               abi::Value{Bytes(32, 0)}}},
                        abi::Value{raw_report}, abi::Value{abi::Values{}},
                        abi::Value{abi::Values{}}, abi::Value{Bytes(32, 0)}})
            .value();
    CHECK_THAT(revert_of(rpc, kAdmin, feed, unsorted), Catch::Contains("observations not sorted"));
    // keeper's decoder refuses the same call: it would revert, so it sets no price.
    CHECK(oracles::chainlink::decode_update(unsorted).error() ==
          oracles::chainlink::UpdateError::unsorted_observations);

    // The owner's updateAnswer still works beside transmit.
    const Bytes update =
        abi::encode_call("updateAnswer(int256)", abi::Values{abi::Value{std::uint64_t{12345}}})
            .value();
    REQUIRE(f.send(feed, update, 0, 500'000).success);
    CHECK(view(rpc, feed, "latestAnswer()(int256)")[0].as_int() == i256{12345});
  }
}
