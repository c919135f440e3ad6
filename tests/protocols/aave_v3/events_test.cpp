#include <catch2/catch.hpp>

#include "chain/hex.hpp"
#include "chain/keccak.hpp"
#include "protocols/aave_v3/events.hpp"

using namespace protocols::aave_v3;
using chain::Address;
using chain::Hash;

namespace {

Hash word_of(const Address& a) {
  Hash h{};
  std::copy(a.bytes.begin(), a.bytes.end(), h.begin() + 12);
  return h;
}

Hash word_of(std::uint64_t v) { return chain::to_be32(chain::u256{v}); }

Address addr(std::string_view hex) { return *Address::from_hex(hex); }

chain::Bytes data_of(std::initializer_list<Hash> words) {
  chain::Bytes out;
  for (const auto& w : words) chain::append(out, w);
  return out;
}

const Address kReserve = addr("0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2");
const Address kUser = addr("0x70997970C51812dc3A010C7d01b50e0d17dc79C8");
const Address kOther = addr("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266");

}  // namespace

TEST_CASE("pool events decode into typed events", "[events]") {
  const std::vector<Hash> topics{
      chain::keccak256("Borrow(address,address,address,uint256,uint8,uint256,uint16)"),
      word_of(kReserve), word_of(kUser), word_of(0)};
  const auto data = data_of({word_of(kOther), word_of(1000), word_of(2), word_of(7)});
  auto ev = decode_event({kOther, topics, data});
  REQUIRE(ev.has_value());
  const auto& touched = std::get<AccountsTouched>(*ev);
  CHECK(touched.kind == TouchKind::borrow);
  CHECK(touched.reserve == kReserve);
  CHECK(touched.first == kUser);  // onBehalfOf, not the caller in data
  CHECK(touched.second.is_zero());
}

TEST_CASE("ReserveDataUpdated carries exact rates and indexes", "[events]") {
  const std::vector<Hash> topics{
      chain::keccak256("ReserveDataUpdated(address,uint256,uint256,uint256,uint256,uint256)"),
      word_of(kReserve)};
  const auto data = data_of({word_of(11), word_of(22), word_of(33), word_of(44), word_of(55)});
  auto ev = decode_event({kOther, topics, data});
  REQUIRE(ev.has_value());
  const auto& r = std::get<ReserveDataUpdated>(*ev);
  CHECK(r.reserve == kReserve);
  CHECK(r.liquidity_rate == 11);
  CHECK(r.stable_borrow_rate == 22);
  CHECK(r.variable_borrow_rate == 33);
  CHECK(r.liquidity_index == 44);
  CHECK(r.variable_borrow_index == 55);
}

TEST_CASE("LiquidationCall and AnswerUpdated decode their fields", "[events]") {
  const std::vector<Hash> liq_topics{
      chain::keccak256("LiquidationCall(address,address,address,uint256,uint256,address,bool)"),
      word_of(kReserve), word_of(kOther), word_of(kUser)};
  const auto liq_data = data_of({word_of(500), word_of(600), word_of(kOther), word_of(1)});
  auto liq = decode_event({kOther, liq_topics, liq_data});
  REQUIRE(liq.has_value());
  const auto& l = std::get<LiquidationCall>(*liq);
  CHECK(l.user == kUser);
  CHECK(l.debt_to_cover == 500);
  CHECK(l.liquidated_collateral_amount == 600);
  CHECK(l.liquidator == kOther);
  CHECK(l.receive_a_token);

  // A negative int256 answer keeps its two's complement form and is flagged.
  Hash minus_one{};
  minus_one.fill(0xff);
  const std::vector<Hash> ans_topics{answer_updated_topic(), minus_one, word_of(9)};
  const auto ans_data = data_of({word_of(1700000000)});
  auto ans = decode_event({kReserve, ans_topics, ans_data});
  REQUIRE(ans.has_value());
  const auto& a = std::get<AnswerUpdated>(*ans);
  CHECK(a.aggregator == kReserve);
  CHECK(a.negative());
  CHECK(a.round_id == 9);
  CHECK(a.updated_at == 1700000000);
}

TEST_CASE("malformed or foreign logs give the designed error", "[events]") {
  const Hash borrow =
      chain::keccak256("Borrow(address,address,address,uint256,uint8,uint256,uint16)");
  Hash dirty = word_of(kUser);
  dirty[0] = 1;
  const auto good_data = data_of({word_of(kOther), word_of(1), word_of(2), word_of(3)});
  struct Row {
    const char* name;
    std::vector<Hash> topics;
    chain::Bytes data;
    EventError expected;
  };
  const std::vector<Row> rows{
      {"no topics", {}, {}, EventError::not_an_aave_event},
      {"unknown topic0", {chain::keccak256("Foo()")}, {}, EventError::not_an_aave_event},
      {"missing topic",
       {borrow, word_of(kReserve), word_of(kUser)},
       good_data,
       EventError::wrong_topic_count},
      {"short data",
       {borrow, word_of(kReserve), word_of(kUser), word_of(0)},
       chain::Bytes(96, 0),
       EventError::wrong_data_length},
      {"ragged data",
       {borrow, word_of(kReserve), word_of(kUser), word_of(0)},
       chain::Bytes(129, 0),
       EventError::wrong_data_length},
      {"dirty address",
       {borrow, word_of(kReserve), dirty, word_of(0)},
       good_data,
       EventError::dirty_address_word},
  };
  for (const auto& row : rows) {
    CAPTURE(row.name);
    auto ev = decode_event({kOther, row.topics, row.data});
    REQUIRE_FALSE(ev.has_value());
    CHECK(ev.error() == row.expected);
  }
}

TEST_CASE("topic lists cover every followed event once", "[events]") {
  CHECK(pool_event_topics().size() == 12);
  CHECK(token_event_topics().size() == 5);
  CHECK(oracle_event_topics().size() == 1);
  CHECK(chain::hex_encode(answer_updated_topic()) ==
        "0x0559884fd3a460db3073b7fc896cc77986f16e378210ded43186175bf646fc5f");
}
