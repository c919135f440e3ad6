#include "tests/support/chain_fixture.hpp"

#include <array>
#include <stdexcept>
#include <thread>

#include "chain/hex.hpp"
#include "tests/support/build_paths.hpp"

namespace keeper::testing {
namespace {

keeper::Anvil start(keeper::AnvilOptions options) {
  if (options.binary.empty()) options.binary = ::keeper::testing::anvil_binary();
  auto anvil = keeper::Anvil::start(std::move(options));
  if (!anvil) throw std::runtime_error("anvil: " + anvil.error());
  return std::move(*anvil);
}

}  // namespace

ChainFixture::ChainFixture(keeper::AnvilOptions options)
    : anvil_{start(std::move(options))},
      rpc_{chain::rpc::RpcClientOptions::for_urls({anvil_->http_url()})},
      key_{chain::PrivateKey::from_hex(kAnvilKey0).value()} {}

chain::rpc::Receipt ChainFixture::send(const std::optional<chain::Address>& to,
                                       const chain::Bytes& data, const chain::u256& value,
                                       std::uint64_t gas) {
  chain::Eip1559Tx tx;
  tx.chain_id = rpc_->chain_id().value();
  tx.nonce = rpc_->transaction_count(key_.address(), "pending").value();
  const auto head = rpc_->block("latest").value();
  tx.max_priority_fee_per_gas = 1'000'000'000ULL;
  tx.max_fee_per_gas = head.base_fee_per_gas.value_or(0) * 2 + tx.max_priority_fee_per_gas;
  tx.gas_limit = gas;
  tx.to = to;
  tx.value = value;
  tx.data = data;
  const auto signed_tx = chain::sign_transaction(tx, key_).value();
  const auto sent = rpc_->send_raw_transaction(signed_tx.raw).value();
  if (sent.kind != chain::rpc::SendResult::Kind::accepted)
    throw std::runtime_error("transaction refused: " + sent.message);
  for (int i = 0; i < 200; ++i) {
    if (auto receipt = rpc_->receipt(signed_tx.hash).value()) return *receipt;
    std::this_thread::sleep_for(std::chrono::milliseconds{25});
  }
  throw std::runtime_error("no receipt within 5 s");
}

chain::Address ChainFixture::deploy(const chain::Bytes& initcode) {
  const auto receipt = send(std::nullopt, initcode);
  if (!receipt.success || !receipt.contract_address) throw std::runtime_error("deployment failed");
  return *receipt.contract_address;
}

chain::Bytes log_emitter_initcode(const chain::Hash& topic) {
  // runtime: CALLDATACOPY(0, 0, size); PUSH32 topic; LOG1(0, size, topic); STOP. Built from
  // fixed arrays: GCC 12 at -O3 misreads small initializer-list vectors (-Warray-bounds).
  constexpr std::array<std::uint8_t, 7> head{0x36, 0x60, 0x00, 0x60, 0x00, 0x37, 0x7f};
  constexpr std::array<std::uint8_t, 5> tail{0x36, 0x60, 0x00, 0xa1, 0x00};
  constexpr std::uint8_t len = head.size() + 32 + tail.size();
  // init: CODECOPY(0, 12, len); RETURN(0, len)
  const std::array<std::uint8_t, 12> init{0x60, len,  0x60, 0x0c, 0x60, 0x00,
                                          0x39, 0x60, len,  0x60, 0x00, 0xf3};
  chain::Bytes out;
  out.reserve(init.size() + len);
  out.insert(out.end(), init.begin(), init.end());
  out.insert(out.end(), head.begin(), head.end());
  out.insert(out.end(), topic.begin(), topic.end());
  out.insert(out.end(), tail.begin(), tail.end());
  return out;
}

}  // namespace keeper::testing
