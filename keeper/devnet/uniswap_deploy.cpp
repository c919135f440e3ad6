#include "keeper/devnet/uniswap_deploy.hpp"

#include <algorithm>

#include "chain/hex.hpp"
#include "chain/keccak.hpp"
#include "keeper/devnet/uniswap_pool_math.hpp"

#include "keeper/devnet/try.hpp"

namespace keeper::devnet {
namespace {

using chain::u256;
using chain::abi::Value;
using chain::abi::Values;

tl::expected<Address, std::string> deploy_named(DevChain& chain, const Address& from,
                                                const std::string& name, const Values& args) {
  KEEPER_TRY(artifact, find_artifact(name));
  return chain.deploy(from, *artifact, {}, args);
}

tl::expected<void, std::string> send(DevChain& chain, const Address& from, const Address& to,
                                     std::string_view signature, const Values& args) {
  KEEPER_TRY(data, calldata(signature, args));
  KEEPER_TRY(receipt, chain.send(from, to, *data, std::string{signature}));
  return {};
}

// The factory deploys pools from the creation code it embeds; SwapRouter and QuoterV2 find them by
// the CREATE2 address computed with the periphery's constant. Both must agree, or every swap
// through the router reverts: check the artifact before deploying anything.
tl::expected<void, std::string> check_pool_init_code_hash() {
  KEEPER_TRY(pool, find_artifact("UniswapV3Pool"));
  KEEPER_TRY(code, pool->link({}));
  const std::string hash = chain::hex_encode(chain::keccak256(*code));
  if (hash != kPoolInitCodeHash)
    return tl::unexpected("UniswapV3Pool's init code hash is " + hash +
                          ", not the periphery's POOL_INIT_CODE_HASH " + kPoolInitCodeHash);
  return {};
}

struct OrderedPair {
  const DeployedAsset* token0;
  const DeployedAsset* token1;
};

tl::expected<OrderedPair, std::string> order(const Deployment& d, const PoolSpec& spec) {
  const auto* a = d.asset(spec.token_a);
  const auto* b = d.asset(spec.token_b);
  if (!a || !b)
    return tl::unexpected("pool " + spec.token_a + "/" + spec.token_b +
                          " names an asset the market does not list");
  if (a == b)
    return tl::unexpected("pool " + spec.token_a + "/" + spec.token_b +
                          " pairs a token with itself");
  return a->token < b->token ? OrderedPair{a, b} : OrderedPair{b, a};
}

// Creates the pool at the oracle's price and checks it lives where the periphery will look.
tl::expected<DeployedPool, std::string> create_pool(DevChain& chain, const Deployment& d,
                                                    const UniswapDeployment& u,
                                                    const PoolSpec& spec) {
  KEEPER_TRY(pair, order(d, spec));
  const auto& [t0, t1] = *pair;
  KEEPER_TRY(
      sqrt_price,
      oracle_sqrt_price_x96({u256{static_cast<std::uint64_t>(t0->spec.price)}, t0->spec.decimals},
                            {u256{static_cast<std::uint64_t>(t1->spec.price)}, t1->spec.decimals}));
  KEEPER_TRY_VOID(send(chain, d.admin, u.position_manager,
                       "createAndInitializePoolIfNecessary(address,address,uint24,uint160)",
                       {Value{t0->token}, Value{t1->token}, Value{spec.fee}, Value{*sqrt_price}}));
  KEEPER_TRY(created, chain.view(u.factory, "getPool(address,address,uint24)(address)",
                                 {Value{t0->token}, Value{t1->token}, Value{spec.fee}}));
  const Address address = (*created)[0].as_address();
  const Address expected = pool_address(u.factory, t0->token, t1->token, spec.fee);
  if (address != expected)
    return tl::unexpected("pool " + t0->spec.symbol + "/" + t1->spec.symbol + " is at " +
                          address.checksummed() + ", the periphery computes " +
                          expected.checksummed());
  return DeployedPool{t0->spec.symbol, t1->spec.symbol, spec.fee, address};
}

// Mint, approve and NonfungiblePositionManager.mint over the full tick range, for one pool.
tl::expected<void, std::string> add_liquidity(std::vector<TxRequest>& round, const Deployment& d,
                                              const UniswapDeployment& u, const DeployedPool& pool,
                                              std::uint64_t depth_usd) {
  const auto* t0 = d.asset(pool.token0);
  const auto* t1 = d.asset(pool.token1);
  const auto ticks = full_range_ticks(pool.fee);
  if (!t0 || !t1 || !ticks)
    return tl::unexpected("pool " + pool.token0 + "/" + pool.token1 + " cannot be funded");
  const u256 amount0 = units_for(*t0, depth_usd / 2);
  const u256 amount1 = units_for(*t1, depth_usd / 2);
  const std::string name = pool.token0 + "/" + pool.token1;
  const auto push = [&](const Address& to, std::string_view sig, const Values& args,
                        std::uint64_t gas) -> tl::expected<void, std::string> {
    KEEPER_TRY(data, calldata(sig, args));
    round.push_back({d.admin, to, std::move(*data), std::string{sig} + " for pool " + name, gas});
    return {};
  };
  for (const auto& [asset, amount] : {std::pair{t0, amount0}, std::pair{t1, amount1}}) {
    KEEPER_TRY_VOID(push(asset->token, "mint(uint256)", {Value{amount}}, 100'000));
    KEEPER_TRY_VOID(push(asset->token, "approve(address,uint256)",
                         {Value{u.position_manager}, Value{amount}}, 100'000));
  }
  const Values params{Value{t0->token},    Value{t1->token},      Value{pool.fee},
                      Value{ticks->first}, Value{ticks->second},  Value{amount0},
                      Value{amount1},      Value{u256{0}},        Value{u256{0}},
                      Value{d.admin},      Value{chain::kU256Max}};
  return push(u.position_manager,
              "mint((address,address,uint24,int24,int24,uint256,uint256,uint256,uint256,address,"
              "uint256))",
              {Value{params}}, 1'000'000);
}

}  // namespace

std::vector<PoolSpec> default_pool_specs() {
  return {{"WETH", "USDC", 500},
          {"WBTC", "USDC", 3000},
          {"DAI", "USDC", 100},
          {"WETH", "DAI", 3000},
          {"WBTC", "WETH", 3000}};
}

tl::expected<void, std::string> deploy_uniswap(DevChain& chain, Deployment& d,
                                               const std::vector<PoolSpec>& pools,
                                               std::uint64_t depth_usd) {
  KEEPER_TRY_VOID(check_pool_init_code_hash());
  const auto* weth = d.asset("WETH");
  if (!weth) return tl::unexpected(std::string{"the market lists no WETH for the periphery"});
  UniswapDeployment u;
  KEEPER_TRY(factory, deploy_named(chain, d.admin, "UniswapV3Factory", {}));
  u.factory = *factory;
  // The 0.01% tier came after the factory's release; its owner (the admin) enables it as
  // governance did on mainnet.
  KEEPER_TRY_VOID(send(chain, d.admin, u.factory, "enableFeeAmount(uint24,int24)",
                       {Value{std::uint32_t{100}}, Value{std::int32_t{1}}}));
  // The devnet's WETH is a plain ERC-20: the periphery's ETH wrapping is never used here.
  KEEPER_TRY(router,
             deploy_named(chain, d.admin, "SwapRouter", {Value{u.factory}, Value{weth->token}}));
  u.router = *router;
  // The token descriptor only renders tokenURI: no contract is needed behind it on a devnet.
  KEEPER_TRY(manager, deploy_named(chain, d.admin, "NonfungiblePositionManager",
                                   {Value{u.factory}, Value{weth->token}, Value{Address{}}}));
  u.position_manager = *manager;
  KEEPER_TRY(quoter,
             deploy_named(chain, d.admin, "QuoterV2", {Value{u.factory}, Value{weth->token}}));
  u.quoter = *quoter;

  std::vector<TxRequest> liquidity;
  for (const auto& spec : pools) {
    KEEPER_TRY(pool, create_pool(chain, d, u, spec));
    KEEPER_TRY_VOID(add_liquidity(liquidity, d, u, *pool, depth_usd));
    u.pools.push_back(std::move(*pool));
  }
  KEEPER_TRY_VOID(chain.send_round(liquidity));
  d.uniswap = std::move(u);
  return {};
}

}  // namespace keeper::devnet
