#include <catch2/catch.hpp>

#include <fstream>
#include <functional>
#include <sstream>
#include <string>

#include "chain/abi/signature.hpp"
#include "chain/hex.hpp"
#include "chain/keccak.hpp"
#include "keeper/process/source_dir.hpp"
#include "oracles/chainlink/pending_update.hpp"

using namespace oracles::chainlink;
using chain::Bytes;
using chain::i256;

namespace {

Bytes vector_calldata(const std::string& name) {
  std::ifstream in(::keeper::process::source_dir() + "/tests/oracles/chainlink/vectors/" + name);
  std::string text;
  in >> text;
  return chain::hex_decode(text).value();
}

constexpr std::string_view kOcr2Transmit = "transmit(bytes32[3],bytes,bytes32[],bytes32[],bytes32)";
constexpr std::string_view kOcr2Report = "uint32,bytes32,int192[],int192";

chain::abi::Value word(std::uint8_t last) {
  Bytes w(32, 0);
  w[31] = last;
  return chain::abi::Value{w};
}

// A transmit built from the spec with keeper's general ABI encoder: reportContext[1] holds
// epoch 0x4655 and round 5, as the mainnet vector does.
Bytes ocr2_transmit(const chain::abi::Values& observations, std::uint32_t timestamp = 1729878201) {
  const auto report_types = chain::abi::parse_type_list(kOcr2Report).value();
  Bytes raw_observers(32, 0);
  const chain::abi::Values report_values{chain::abi::Value{timestamp},
                                         chain::abi::Value{raw_observers},
                                         chain::abi::Value{observations}, chain::abi::Value{7}};
  const Bytes report = chain::abi::encode(report_types, report_values).value();
  Bytes context1(32, 0);
  context1[29] = 0x46;
  context1[30] = 0x55;
  context1[31] = 0x05;
  const chain::abi::Values args{
      chain::abi::Value{chain::abi::Values{word(1), chain::abi::Value{context1}, word(3)}},
      chain::abi::Value{report}, chain::abi::Value{chain::abi::Values{word(0xaa)}},
      chain::abi::Value{chain::abi::Values{word(0xbb)}}, word(0)};
  return chain::abi::encode_call(kOcr2Transmit, args).value();
}

void put_word(Bytes& data, std::size_t at, std::uint64_t value) {
  for (std::size_t i = 0; i < 32; ++i) data[at + i] = 0;
  for (std::size_t i = 0; i < 8; ++i)
    data[at + 31 - i] = static_cast<std::uint8_t>(value >> (8 * i));
}

}  // namespace

TEST_CASE("real mainnet transmits decode to the median a decoder outside keeper reads",
          "[oracles][chainlink]") {
  struct Case {
    const char* file;
    UpdateKind kind;
    std::size_t observations;
    i256 answer;
    std::uint32_t timestamp;
    std::uint64_t epoch_and_round;
  };
  // Medians from `cast calldata-decode` + `cast abi-decode` (see vectors/README.md).
  const Case cases[] = {
      {"ethusd.hex", UpdateKind::ocr2_transmit, 31, i256{250790000000LL}, 1729878201, 0x465505},
      {"bat.hex", UpdateKind::ocr1_transmit, 16, i256{23580000}, 0, 0x05039802},
      {"bnb.hex", UpdateKind::ocr1_transmit, 16, i256{31205000000LL}, 0, 0x03e2a802ULL},
  };
  for (const auto& c : cases) {
    INFO(c.file);
    const auto update = decode_update(vector_calldata(c.file));
    REQUIRE(update.has_value());
    CHECK(update->kind == c.kind);
    CHECK(update->observations == c.observations);
    CHECK(update->answer == c.answer);
    CHECK(update->observations_timestamp == c.timestamp);
    CHECK(update->epoch_and_round == c.epoch_and_round);
  }
}

TEST_CASE("a transmit built from the spec matches cast's encoding and decodes to its median",
          "[oracles][chainlink]") {
  const chain::abi::Values observations{chain::abi::Value{-5}, chain::abi::Value{100},
                                        chain::abi::Value{200}, chain::abi::Value{300}};
  const Bytes calldata = ocr2_transmit(observations);
  // cast calldata "transmit(bytes32[3],bytes,bytes32[],bytes32[],bytes32)" [0x..01,0x..465505,
  //   0x..03] $(cast abi-encode "f(uint32,bytes32,int192[],int192)" 1729878201 0x00..
  //   [-5,100,200,300] 7) [0x..aa] [0x..bb] 0x00..  | keccak
  CHECK(chain::hex_encode(chain::keccak256(calldata)) ==
        "0x09ca827bd895669e359734019cfd57c991a3869670ab78b8104ec43ac97a6763");
  const auto update = decode_update(calldata);
  REQUIRE(update.has_value());
  CHECK(update->answer == 200);  // observations[4 / 2]
  CHECK(update->observations == 4);
  CHECK(update->epoch_and_round == 0x465505);

  // Odd count, all negative: the median is the middle one.
  const auto negative = decode_update(
      ocr2_transmit({chain::abi::Value{-30}, chain::abi::Value{-20}, chain::abi::Value{-10}}));
  REQUIRE(negative.has_value());
  CHECK(negative->answer == -20);
  // int192's extremes are valid answers.
  const i256 max192 = (i256{1} << 191) - 1;
  const auto extremes = decode_update(ocr2_transmit(
      {chain::abi::Value::from_int(-max192 - 1), chain::abi::Value::from_int(max192)}));
  REQUIRE(extremes.has_value());
  CHECK(extremes->answer == max192);
}

TEST_CASE("the devnet aggregator's updateAnswer decodes to its argument", "[oracles][chainlink]") {
  const chain::abi::Value answer = chain::abi::Value{-123456789};
  const Bytes calldata = chain::abi::encode_call("updateAnswer(int256)", {&answer, 1}).value();
  const auto update = decode_update(calldata);
  REQUIRE(update.has_value());
  CHECK(update->kind == UpdateKind::devnet_update_answer);
  CHECK(update->answer == -123456789);
  CHECK(decode_update(chain::BytesView{calldata}.first(35)).error() == UpdateError::short_calldata);
}

TEST_CASE("malformed update calldata gives the error that names what is wrong",
          "[oracles][chainlink]") {
  const Bytes good = ocr2_transmit({chain::abi::Value{1}, chain::abi::Value{2}});
  REQUIRE(decode_update(good).has_value());
  // Layout of `good` after the selector: head words 0..6 (report offset in word 3 = 0xe0),
  // report length at 0xe0, report at 0x100: ts, rawObservers, obs offset (0x80), juels, then the
  // observations' count at report+0x80 and their words.
  constexpr std::size_t kArgs = 4;
  constexpr std::size_t kReport = kArgs + 0x100;
  constexpr std::size_t kObservations = kReport + 0x80;  // the count word
  REQUIRE(chain::low_u64(
              chain::from_be(chain::BytesView{good}.subspan(kArgs + 3 * 32, 32)).value()) == 0xe0);

  struct Case {
    const char* what;
    std::function<void(Bytes&)> mutate;
    UpdateError expected;
  };
  const std::vector<Case> cases{
      {"empty", [](Bytes& d) { d.clear(); }, UpdateError::short_calldata},
      {"selector only", [](Bytes& d) { d.resize(4); }, UpdateError::short_calldata},
      {"head cut short", [](Bytes& d) { d.resize(4 + 6 * 32); }, UpdateError::short_calldata},
      {"another selector", [](Bytes& d) { d[0] = 0x00; }, UpdateError::unknown_selector},
      {"report offset past the end", [](Bytes& d) { put_word(d, kArgs + 3 * 32, 0x10000); },
       UpdateError::offset_out_of_range},
      {"report offset of 2^255", [](Bytes& d) { d[kArgs + 3 * 32] = 0x80; },
       UpdateError::offset_out_of_range},
      {"report length past the end", [](Bytes& d) { put_word(d, kArgs + 0xe0, 0x100000); },
       UpdateError::length_out_of_range},
      {"rs length past the end", [](Bytes& d) { put_word(d, kArgs + 4 * 32, d.size() - 4 - 32); },
       UpdateError::length_out_of_range},
      {"ss offset past the end", [](Bytes& d) { put_word(d, kArgs + 5 * 32, ~0ULL); },
       UpdateError::offset_out_of_range},
      {"report shorter than its head", [](Bytes& d) { put_word(d, kArgs + 0xe0, 3 * 32); },
       UpdateError::short_report},
      {"no observations", [](Bytes& d) { put_word(d, kObservations, 0); },
       UpdateError::empty_observations},
      {"observation count past the report", [](Bytes& d) { put_word(d, kObservations, 3); },
       UpdateError::length_out_of_range},
      {"observation offset past the report",
       [](Bytes& d) { put_word(d, kReport + 2 * 32, 0x1000); }, UpdateError::offset_out_of_range},
      {"observation above int192",
       [](Bytes& d) { d[kObservations + 32 + 8] = 0x80; },  // bit 191 set, bits above clear
       UpdateError::observation_out_of_range},
      {"observation with dirty sign bits", [](Bytes& d) { d[kObservations + 64] = 0x01; },
       UpdateError::observation_out_of_range},
      {"observations out of order", [](Bytes& d) { put_word(d, kObservations + 32, 9); },
       UpdateError::unsorted_observations},
      {"juelsPerFeeCoin above int192", [](Bytes& d) { d[kReport + 3 * 32] = 0x7f; },
       UpdateError::juels_out_of_range},
      {"timestamp above uint32", [](Bytes& d) { d[kReport + 27] = 0x01; },
       UpdateError::timestamp_out_of_range},
  };
  for (const auto& c : cases) {
    INFO(c.what);
    Bytes data = good;
    c.mutate(data);
    const auto update = decode_update(data);
    REQUIRE_FALSE(update.has_value());
    CHECK(update.error() == c.expected);
    CHECK_FALSE(describe(update.error()).empty());
  }
}

TEST_CASE("a real transmit cut at every length is refused, never misread", "[oracles][chainlink]") {
  const Bytes full = vector_calldata("ethusd.hex");
  // The signatures' arrays end the call: every strict prefix loses part of some argument.
  for (std::size_t n = 0; n < full.size(); ++n) {
    const auto update = decode_update(chain::BytesView{full}.first(n));
    INFO(n);
    REQUIRE_FALSE(update.has_value());
  }
}
