#include <catch2/catch.hpp>

#include "chain/keccak.hpp"
#include "protocols/aave_v3/liquidation_receipt.hpp"

using namespace chain;
namespace aave = protocols::aave_v3;

namespace {

Address addr(std::uint8_t last) {
  Address a{};
  a.bytes[19] = last;
  return a;
}

Hash word_of(const Address& a) {
  Hash w{};
  std::copy(a.bytes.begin(), a.bytes.end(), w.begin() + 12);
  return w;
}

void append(Bytes& out, const Hash& w) { out.insert(out.end(), w.begin(), w.end()); }

rpc::Log liquidation_log(const Address& pool, const Address& collateral, const Address& debt,
                         const Address& user, const u256& debt_to_cover,
                         const u256& collateral_amount, const Address& liquidator) {
  rpc::Log log;
  log.address = pool;
  log.topics = {keccak256("LiquidationCall(address,address,address,uint256,uint256,address,bool)"),
                word_of(collateral), word_of(debt), word_of(user)};
  append(log.data, to_be32(debt_to_cover));
  append(log.data, to_be32(collateral_amount));
  append(log.data, word_of(liquidator));
  append(log.data, to_be32(u256{0}));
  return log;
}

aave::Reserve reserve(const Address& asset, std::uint16_t id, unsigned decimals,
                      std::uint64_t price, const char* symbol) {
  aave::Reserve r;
  r.asset = asset;
  r.id = id;
  r.config.decimals = decimals;
  r.price = price;
  r.symbol = symbol;
  return r;
}

}  // namespace

TEST_CASE("a mined liquidation's profit is read from its receipt", "[daemon]") {
  const Address pool = addr(1), weth = addr(2), usdc = addr(3), user = addr(4), us = addr(5),
                someone_else = addr(6);
  aave::Market market;
  market.reserves = {reserve(weth, 0, 18, 2000'00000000ULL, "WETH"),
                     reserve(usdc, 1, 6, 1'00000000ULL, "USDC")};
  // 1500 USDC repaid for 0.7875 WETH ($1575 with a 5% bonus); 300k gas at 10 gwei = 0.003 ETH = $6.
  rpc::Receipt receipt;
  receipt.success = true;
  receipt.gas_used = 300'000;
  receipt.effective_gas_price = 10'000'000'000ULL;
  receipt.logs = {liquidation_log(pool, weth, usdc, user, u256{1'500'000'000ULL},
                                  u256{787'500'000'000'000'000ULL}, someone_else),
                  liquidation_log(pool, weth, usdc, user, u256{1'500'000'000ULL},
                                  u256{787'500'000'000'000'000ULL}, us)};

  const auto r = protocols::aave_v3::realised_liquidation(receipt, pool, us, market);
  REQUIRE(r.has_value());
  CHECK(r->user == user);
  CHECK(r->collateral_asset == weth);
  CHECK(r->debt_asset == usdc);
  CHECK(r->debt_repaid == u256{1'500'000'000ULL});
  CHECK(r->collateral_received == u256{787'500'000'000'000'000ULL});
  CHECK(r->gas_paid_wei == u256{3'000'000'000'000'000ULL});
  CHECK(r->profit_usd == Approx(75.0 - 6.0));

  SECTION("no LiquidationCall of ours, another contract's log, or an unknown asset: nothing") {
    CHECK_FALSE(
        protocols::aave_v3::realised_liquidation(receipt, pool, addr(9), market).has_value());
    CHECK_FALSE(protocols::aave_v3::realised_liquidation(receipt, addr(9), us, market).has_value());
    receipt.logs[1].topics[1] = word_of(addr(7));
    CHECK_FALSE(protocols::aave_v3::realised_liquidation(receipt, pool, us, market).has_value());
  }
  SECTION("a truncated log is skipped, not read past its end") {
    receipt.logs[1].data.resize(100);
    CHECK_FALSE(protocols::aave_v3::realised_liquidation(receipt, pool, us, market).has_value());
  }
}
