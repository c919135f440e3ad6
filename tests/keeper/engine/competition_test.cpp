#include <catch2/catch.hpp>

#include "chain/abi/signature.hpp"
#include "keeper/engine/competition.hpp"
#include "protocols/aave_v3/calldata.hpp"

using chain::Address;
using chain::u256;
using keeper::engine::Competition;

namespace {

const Address kPool = Address::from_hex("0x87870Bca3F3fD6335C3F4ce8392D69350B4fA4E2").value();
const Address kUs = Address::from_hex("0x70997970C51812dc3A010C7d01b50e0d17dc79C8").value();
const Address kRival = Address::from_hex("0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC").value();
const Address kBorrower = Address::from_hex("0x90F79bf6EB2c4f870365E785982E1f101E93b906").value();
constexpr std::uint64_t kGwei = 1'000'000'000;

chain::Bytes liquidation_of(const Address& user) {
  const Address weth = Address::from_hex("0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2").value();
  const Address usdc = Address::from_hex("0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48").value();
  return chain::abi::encode_call(
             "liquidationCall(address,address,address,uint256,bool)",
             chain::abi::Values{chain::abi::Value{weth}, chain::abi::Value{usdc},
                                chain::abi::Value{user}, chain::abi::Value{chain::kU256Max},
                                chain::abi::Value{false}})
      .value();
}

// Aave V3's decoding of a pending liquidationCall sent to kPool.
Competition::TargetOf aave_target() {
  return [](const chain::rpc::PendingTransaction& tx)
             -> tl::expected<std::optional<Address>, std::string> {
    if (!tx.to || *tx.to != kPool) return std::nullopt;
    auto target = protocols::aave_v3::liquidation_call_target(tx.input);
    if (!target) return tl::unexpected(std::string{"malformed"});
    return *target;
  };
}

chain::rpc::PendingTransaction eip1559(const Address& from, const Address& to, chain::Bytes input,
                                       std::uint64_t max_fee_gwei, std::uint64_t tip_gwei) {
  chain::rpc::PendingTransaction tx;
  tx.from = from;
  tx.to = to;
  tx.input = std::move(input);
  tx.type = 2;
  tx.max_fee_per_gas = u256{max_fee_gwei * kGwei};
  tx.max_priority_fee_per_gas = u256{tip_gwei * kGwei};
  return tx;
}

}  // namespace

TEST_CASE("a competitor's pending liquidationCall is recognised with its tip", "[competition]") {
  const u256 base{10 * kGwei};
  chain::rpc::PendingTransaction legacy;
  legacy.from = kRival;
  legacy.to = kPool;
  legacy.input = liquidation_of(kBorrower);
  legacy.gas_price = u256{15 * kGwei};
  auto truncated = liquidation_of(kBorrower);
  truncated.resize(100);
  chain::Bytes other_call = liquidation_of(kBorrower);
  other_call[0] ^= 0xff;
  struct Row {
    const char* what;
    chain::rpc::PendingTransaction tx;
    std::optional<std::uint64_t> tip_gwei;  // nullopt: not competition
    std::uint64_t malformed;
  };
  const std::vector<Row> rows{
      {"EIP-1559: the tip under its fee cap",
       eip1559(kRival, kPool, liquidation_of(kBorrower), 30, 2), 2, 0},
      {"EIP-1559: the fee cap limits the tip",
       eip1559(kRival, kPool, liquidation_of(kBorrower), 11, 5), 1, 0},
      {"legacy: gas price over the base fee", legacy, 5, 0},
      {"ours", eip1559(kUs, kPool, liquidation_of(kBorrower), 30, 2), std::nullopt, 0},
      {"to another contract", eip1559(kRival, kBorrower, liquidation_of(kBorrower), 30, 2),
       std::nullopt, 0},
      {"another function", eip1559(kRival, kPool, other_call, 30, 2), std::nullopt, 0},
      {"truncated calldata", eip1559(kRival, kPool, truncated, 30, 2), std::nullopt, 1},
  };
  for (const auto& r : rows) {
    CAPTURE(r.what);
    Competition c{aave_target(), {kUs}};
    const auto seen = c.observe(r.tx, base, 100);
    CHECK(c.malformed() == r.malformed);
    if (!r.tip_gwei) {
      CHECK_FALSE(seen.has_value());
      CHECK(c.tips().empty());
      continue;
    }
    REQUIRE(seen.has_value());
    CHECK(seen->account == kBorrower);
    CHECK(seen->from == kRival);
    CHECK(seen->tip == u256{*r.tip_gwei * kGwei});
    CHECK(c.tips().at(kBorrower) == u256{*r.tip_gwei * kGwei});
    CHECK(c.max_fees().at(kBorrower) == r.tx.max_fee_per_gas.value_or(r.tx.gas_price.value_or(0)));
  }
}

TEST_CASE("the highest competing tip per account is kept until it is stale", "[competition]") {
  Competition c{aave_target(), {kUs}};
  const u256 base{10 * kGwei};
  REQUIRE(c.observe(eip1559(kRival, kPool, liquidation_of(kBorrower), 30, 3), base, 100));
  REQUIRE(c.observe(eip1559(kRival, kPool, liquidation_of(kBorrower), 30, 2), base, 101));
  CHECK(c.tips().at(kBorrower) == u256{3 * kGwei});
  c.expire(104);  // seen at 101, kept for 3 blocks
  CHECK(c.tips().count(kBorrower) == 1);
  c.expire(105);
  CHECK(c.tips().empty());
  CHECK(c.max_fees().empty());
}
