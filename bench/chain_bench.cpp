// Costs of the chain primitives on the path from a decided liquidation to a signed transaction.
#include <benchmark/benchmark.h>

#include "chain/abi/signature.hpp"
#include "chain/hex.hpp"
#include "chain/keccak.hpp"
#include "chain/transaction.hpp"

namespace {

const chain::PrivateKey& test_key() {
  // anvil's well-known account 0; a benchmark never holds a real key.
  static const auto key = chain::PrivateKey::from_hex(
                              "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80")
                              .value();
  return key;
}

chain::Address addr(std::string_view hex) { return *chain::Address::from_hex(hex); }

void BM_Keccak32(benchmark::State& state) {
  const chain::Bytes data(32, 0xab);
  for (auto _ : state) benchmark::DoNotOptimize(chain::keccak256(data));
}
BENCHMARK(BM_Keccak32);

void BM_Keccak1KiB(benchmark::State& state) {
  const chain::Bytes data(1024, 0xab);
  for (auto _ : state) benchmark::DoNotOptimize(chain::keccak256(data));
}
BENCHMARK(BM_Keccak1KiB);

void BM_SignHash(benchmark::State& state) {
  const chain::Hash digest = chain::keccak256("liquidation");
  for (auto _ : state) benchmark::DoNotOptimize(test_key().sign(digest));
}
BENCHMARK(BM_SignHash);

chain::Eip1559Tx liquidation_tx() {
  const chain::abi::Values args{addr("0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2"),
                                addr("0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48"),
                                addr("0x70997970C51812dc3A010C7d01b50e0d17dc79C8"),
                                chain::u256{1'000'000'000ULL}, false};
  chain::Eip1559Tx tx;
  tx.chain_id = 1;
  tx.nonce = 42;
  tx.max_priority_fee_per_gas = chain::u256{2'000'000'000ULL};
  tx.max_fee_per_gas = chain::u256{40'000'000'000ULL};
  tx.gas_limit = 600'000;
  tx.to = addr("0x87870Bca3F3fD6335C3F4ce8392D69350B4fA4E2");
  tx.data = chain::abi::encode_call("liquidationCall(address,address,address,uint256,bool)", args)
                .value();
  chain::Hash k1{}, k2{};
  k1[31] = 1;
  k2[31] = 2;
  tx.access_list = {{*tx.to, {k1, k2}}};
  return tx;
}

void BM_EncodeAndSignLiquidation(benchmark::State& state) {
  const chain::Eip1559Tx tx = liquidation_tx();
  for (auto _ : state) benchmark::DoNotOptimize(chain::sign_transaction(tx, test_key()));
}
BENCHMARK(BM_EncodeAndSignLiquidation);

void BM_RecoverSender(benchmark::State& state) {
  const auto signed_tx = chain::sign_transaction(liquidation_tx(), test_key()).value();
  for (auto _ : state) benchmark::DoNotOptimize(chain::recover_sender(signed_tx));
}
BENCHMARK(BM_RecoverSender);

void BM_DecodeBorrowLog(benchmark::State& state) {
  const auto event =
      chain::abi::parse_event(
          "Borrow(address indexed reserve,address user,address indexed onBehalfOf,"
          "uint256 amount,uint8 interestRateMode,uint256 borrowRate,uint16 indexed referralCode)")
          .value();
  chain::Hash reserve{}, on_behalf{}, referral{};
  reserve[31] = 1;
  on_behalf[31] = 2;
  const std::vector<chain::Hash> topics{event.topic0, reserve, on_behalf, referral};
  chain::Bytes data;
  for (const std::uint64_t w : {3ULL, 1000000ULL, 2ULL, 50000000000000000ULL})
    chain::append(data, chain::to_be32(chain::u256{w}));
  for (auto _ : state) benchmark::DoNotOptimize(chain::abi::decode_log(event, topics, data));
}
BENCHMARK(BM_DecodeBorrowLog);

}  // namespace
