#pragma once
// A test-only Uniswap V3 deployment on a fresh anvil, from the published npm artifacts
// (@uniswap/v3-core 1.0.1, @uniswap/v3-periphery 1.4.4): factory, NonfungiblePositionManager,
// SwapRouter and QuoterV2, three mintable tokens, and helpers to create pools, add and remove
// positions, swap through the router and ask QuoterV2.
#include <array>
#include <optional>
#include <vector>

#include "chain/rpc/rpc_client.hpp"
#include "dex/uniswap_v3/tick_math.hpp"
#include "keeper/devnet/dev_chain.hpp"
#include "tests/support/chain_fixture.hpp"

namespace dex_test {

using chain::Address;
using chain::u256;
using dex::uniswap_v3::Tick;

struct QuoterAnswer {
  u256 amount;  // amountOut for exact input, amountIn for exact output
  u256 sqrt_price_after;
  std::uint32_t ticks_crossed = 0;
};

// What the pool's Swap event said an executed swap moved.
struct ExecutedSwap {
  u256 amount_in;
  u256 amount_out;
  u256 sqrt_price_after;
  Tick tick_after = 0;
  u256 liquidity_after;
};

class UniswapFixture {
 public:
  UniswapFixture();

  chain::rpc::RpcClient& rpc() { return chain_fixture_.rpc(); }
  [[nodiscard]] const std::array<Address, 3>& tokens() const { return tokens_; }  // ascending
  [[nodiscard]] const Address& quoter() const { return quoter_; }

  Address create_pool(const Address& a, const Address& b, std::uint32_t fee,
                      const u256& sqrt_price);
  // Mints a position for the deployer through the position manager; returns its token id.
  u256 mint(const Address& token0, const Address& token1, std::uint32_t fee, Tick lower, Tick upper,
            const u256& amount0, const u256& amount1);
  // Removes `liquidity` from a position and collects what it is owed (pool Burn, then Collect).
  void decrease(const u256& token_id, const u256& liquidity);
  [[nodiscard]] u256 position_liquidity(const u256& token_id);
  // The pool's ticks(tick): liquidityGross and liquidityNet.
  [[nodiscard]] std::pair<u256, chain::i256> tick_liquidity(const Address& pool, Tick tick);

  ExecutedSwap swap_exact_input(const Address& pool, const Address& in, const Address& out,
                                std::uint32_t fee, const u256& amount, const u256& limit);
  ExecutedSwap swap_exact_output(const Address& pool, const Address& in, const Address& out,
                                 std::uint32_t fee, const u256& amount, const u256& limit);

  // nullopt when QuoterV2 reverts.
  std::optional<QuoterAnswer> quote_exact_input_single(const Address& in, const Address& out,
                                                       std::uint32_t fee, const u256& amount,
                                                       const u256& limit);
  std::optional<QuoterAnswer> quote_exact_output_single(const Address& in, const Address& out,
                                                        std::uint32_t fee, const u256& amount,
                                                        const u256& limit);
  // Path of tokens and fees, in swap order for exact input.
  std::optional<u256> quote_exact_input(const std::vector<Address>& tokens,
                                        const std::vector<std::uint32_t>& fees, const u256& amount);
  std::optional<u256> quote_exact_output(const std::vector<Address>& tokens,
                                         const std::vector<std::uint32_t>& fees,
                                         const u256& amount);
  // Executes a multi-hop exact-input swap through the router; the amount out of the last pool.
  u256 swap_path_exact_input(const std::vector<Address>& tokens,
                             const std::vector<std::uint32_t>& fees, const u256& amount);

 private:
  chain::rpc::Receipt send(const Address& to, const std::string& signature,
                           const chain::abi::Values& args);
  ExecutedSwap swap_from_receipt(const Address& pool, const chain::rpc::Receipt& receipt);

  keeper::testing::ChainFixture chain_fixture_;
  keeper::devnet::DevChain dev_;
  Address deployer_;
  std::array<Address, 3> tokens_{};
  Address factory_, positions_, router_, quoter_;
};

// Packed path bytes of the router and quoter: token, fee (3 bytes), token, ...
chain::Bytes encode_path(const std::vector<Address>& tokens,
                         const std::vector<std::uint32_t>& fees);

}  // namespace dex_test
