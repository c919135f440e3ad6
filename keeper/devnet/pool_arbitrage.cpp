#include "keeper/devnet/pool_arbitrage.hpp"

#include "keeper/devnet/uniswap_pool_math.hpp"

#include "keeper/devnet/try.hpp"

namespace keeper::devnet {
namespace {

using chain::u256;
using chain::abi::Value;
using chain::abi::Values;

constexpr const char* kSlot0 = "slot0()(uint160,int24,uint16,uint16,uint16,uint8,bool)";

tl::expected<u256, std::string> sqrt_price_of(DevChain& chain, const DeployedPool& pool) {
  KEEPER_TRY(slot0, chain.view(pool.address, kSlot0, {}));
  return (*slot0)[0].as_uint();
}

tl::expected<u256, std::string> feed_answer(DevChain& chain, const DeployedAsset& asset) {
  KEEPER_TRY(answer, chain.view(asset.aggregator, "latestAnswer()(int256)", {}));
  const chain::i256 value = (*answer)[0].as_int();
  if (value <= 0) return tl::unexpected(asset.spec.symbol + "'s feed answers " + value.str());
  return static_cast<u256>(value);
}

struct Swap {
  const DeployedAsset* in;
  const DeployedAsset* out;
  u256 amount_in;
};

// The input that takes the pool exactly to `target`: QuoterV2's exact-output quote with the
// target as price limit asks for more than the pool can give, so the swap stops at the limit
// and reports what it took to get there.
tl::expected<Swap, std::string> swap_to(DevChain& chain, const Deployment& d,
                                        const DeployedPool& pool, const u256& current,
                                        const u256& target) {
  const bool zero_for_one = target < current;  // selling token0 lowers its price
  const auto* in = d.asset(zero_for_one ? pool.token0 : pool.token1);
  const auto* out = d.asset(zero_for_one ? pool.token1 : pool.token0);
  if (!in || !out)
    return tl::unexpected("pool " + pool.token0 + "/" + pool.token1 + " names an unknown asset");
  KEEPER_TRY(reserve, chain.view(out->token, "balanceOf(address)(uint256)", {Value{pool.address}}));
  const Values params{Value{in->token}, Value{out->token}, Value{(*reserve)[0].as_uint()},
                      Value{pool.fee}, Value{target}};
  KEEPER_TRY(quote, chain.view(d.uniswap->quoter,
                               "quoteExactOutputSingle((address,address,uint256,uint24,uint160))"
                               "(uint256,uint160,uint32,uint256)",
                               {Value{params}}));
  return Swap{in, out, (*quote)[0].as_uint()};
}

tl::expected<void, std::string> push_swap(std::vector<TxRequest>& round, const Deployment& d,
                                          const DeployedPool& pool, const Swap& swap,
                                          const u256& target) {
  const auto& router = d.uniswap->router;
  const std::string what = " to move pool " + pool.token0 + "/" + pool.token1;
  KEEPER_TRY(mint, calldata("mint(uint256)", {Value{swap.amount_in}}));
  KEEPER_TRY(approve, calldata("approve(address,uint256)", {Value{router}, Value{swap.amount_in}}));
  const Values params{Value{swap.in->token}, Value{swap.out->token}, Value{pool.fee},
                      Value{d.admin},        Value{chain::kU256Max}, Value{swap.amount_in},
                      Value{u256{0}},        Value{target}};
  KEEPER_TRY(exchange,
             calldata("exactInputSingle((address,address,uint24,address,uint256,uint256,uint256,"
                      "uint160))",
                      {Value{params}}));
  round.push_back({d.admin, swap.in->token, std::move(*mint), "mint" + what, 100'000});
  round.push_back({d.admin, swap.in->token, std::move(*approve), "approve" + what, 100'000});
  round.push_back({d.admin, router, std::move(*exchange), "swap" + what, 1'000'000});
  return {};
}

}  // namespace

tl::expected<std::vector<PoolMove>, std::string> align_pools_with_oracle(
    DevChain& chain, const Deployment& d, const std::string& symbol,
    const std::optional<u256>& symbol_answer) {
  const auto answer_of = [&](const DeployedAsset& asset) -> tl::expected<u256, std::string> {
    if (symbol_answer && asset.spec.symbol == symbol) return *symbol_answer;
    return feed_answer(chain, asset);
  };
  std::vector<PoolMove> moves;
  if (!d.uniswap) return moves;
  std::vector<TxRequest> round;
  for (const auto& pool : d.uniswap->pools) {
    if (!symbol.empty() && pool.token0 != symbol && pool.token1 != symbol) continue;
    const auto* t0 = d.asset(pool.token0);
    const auto* t1 = d.asset(pool.token1);
    if (!t0 || !t1)
      return tl::unexpected("pool " + pool.token0 + "/" + pool.token1 + " names an unknown asset");
    KEEPER_TRY(answer0, answer_of(*t0));
    KEEPER_TRY(answer1, answer_of(*t1));
    KEEPER_TRY(target,
               oracle_sqrt_price_x96({*answer0, t0->spec.decimals}, {*answer1, t1->spec.decimals}));
    KEEPER_TRY(current, sqrt_price_of(chain, pool));
    moves.push_back({&pool, *current, *target, *current});
    if (*current == *target) continue;
    KEEPER_TRY(swap, swap_to(chain, d, pool, *current, *target));
    if (swap->amount_in == 0) continue;
    if (auto ok = push_swap(round, d, pool, *swap, *target); !ok) return tl::unexpected(ok.error());
  }
  // Not send_round: a devnet mining every T seconds must keep its interval mining.
  if (auto ok = chain.send_all(round); !ok) return tl::unexpected(ok.error());
  for (auto& move : moves) {
    KEEPER_TRY(after, sqrt_price_of(chain, *move.pool));
    move.sqrt_price_after = *after;
  }
  return moves;
}

}  // namespace keeper::devnet
