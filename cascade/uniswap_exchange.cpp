#include "cascade/uniswap_exchange.hpp"

#include <algorithm>
#include <cstdio>
#include <map>

#include <boost/multiprecision/cpp_int.hpp>

#include "chain/abi/signature.hpp"
#include "dex/uniswap_v3/full_math.hpp"
#include "dex/uniswap_v3/pool_loader.hpp"
#include "dex/uniswap_v3/swap_quote.hpp"
#include "dex/uniswap_v3/tick_math.hpp"
#include "strategy/cascade/simulation.hpp"

namespace cascade {
namespace {

namespace uni = dex::uniswap_v3;
using chain::u256;
using chain::u512;
using strategy::cascade::SaleOutcome;

constexpr std::uint32_t kFeeTiers[] = {100, 500, 3000, 10000};
// Bitmap words read each side of the current tick: 8 words hold at least 8 × 256 × spacing
// ticks, over 2.8× the price in either direction for the 0.01% tier's spacing of 1... and far
// more for the others; a walk beyond them fails loudly (ticks_not_loaded), never guesses.
constexpr std::int32_t kWordsEachSide = 8;

u512 pow10_wide(std::uint8_t n) {
  u512 out = 1;
  for (std::uint8_t i = 0; i < n; ++i) out *= 10;
  return out;
}

// price × (num / den)², in two exact steps.
std::optional<u256> scale_squared(const u256& price, const u256& num, const u256& den) {
  auto once = uni::mul_div(price, num, den);
  if (!once) return std::nullopt;
  auto twice = uni::mul_div(*once, num, den);
  if (!twice) return std::nullopt;
  return *twice;
}

double depth_base(const uni::PoolState& pool, bool counter_is_token1, const AssetInfo& counter,
                  const u256& counter_price) {
  // The counter token's virtual reserve at the current price: L·√P (token1) or L/√P (token0).
  const double sqrt_price = chain::to_double(pool.sqrt_price_x96) / 79228162514264337593543950336.0;
  const double liquidity = chain::to_double(pool.liquidity);
  const double raw = counter_is_token1 ? liquidity * sqrt_price : liquidity / sqrt_price;
  double unit = 1;
  for (std::uint8_t i = 0; i < counter.decimals; ++i) unit *= 10;
  return raw / unit * chain::to_double(counter_price);
}

}  // namespace

std::optional<u256> oracle_sqrt_price_x96(const u256& price0, std::uint8_t decimals0,
                                          const u256& price1, std::uint8_t decimals1) {
  if (price0 == 0 || price1 == 0) return std::nullopt;
  // raw token1 per raw token0 = (price0 / 10^d0) / (price1 / 10^d1), times 2^192 before the root.
  const u512 num = u512{price0} * pow10_wide(decimals1) << 192;
  const u512 den = u512{price1} * pow10_wide(decimals0);
  const u512 root = boost::multiprecision::sqrt(num / den);
  if (root > u512{chain::kU256Max}) return std::nullopt;
  return static_cast<u256>(root);
}

std::string venue_label(const Venue& v, const std::vector<AssetInfo>& assets) {
  char fee[32];
  std::snprintf(fee, sizeof fee, " %g%%", v.pool.fee / 10000.0);
  return assets[v.asset].symbol + "/" + assets[v.counter].symbol + fee;
}

std::vector<std::optional<Venue>> choose_venues(const std::vector<AssetInfo>& assets,
                                                std::span<const u256> prices,
                                                const std::vector<uni::PoolState>& pools) {
  std::map<chain::Address, AssetId> ids;
  for (std::size_t i = 0; i < assets.size(); ++i)
    ids.emplace(assets[i].address, static_cast<AssetId>(i));
  // How many pools each asset is in: between pools of equal depth, the one against the hub.
  std::vector<std::size_t> pools_of(assets.size(), 0);
  for (const auto& p : pools)
    if (ids.count(p.token0) && ids.count(p.token1)) {
      ++pools_of[ids[p.token0]];
      ++pools_of[ids[p.token1]];
    }
  std::vector<std::optional<Venue>> out(assets.size());
  std::vector<double> best_depth(assets.size(), 0);
  for (const auto& p : pools) {
    if (!p.initialized() || !ids.count(p.token0) || !ids.count(p.token1)) continue;
    for (const bool asset_is_token0 : {true, false}) {
      const AssetId asset = ids[asset_is_token0 ? p.token0 : p.token1];
      const AssetId counter = ids[asset_is_token0 ? p.token1 : p.token0];
      if (counter >= prices.size()) continue;
      const double depth = depth_base(p, asset_is_token0, assets[counter], prices[counter]);
      auto& current = out[asset];
      bool better = !current || depth > best_depth[asset] * 1.01;
      if (current && !better && depth >= best_depth[asset] * 0.99) {
        // Equal depth (within 1%): the lower fee, then the hub, then the lower id.
        const auto& c = *current;
        better = p.fee != c.pool.fee ? p.fee < c.pool.fee
                 : pools_of[counter] != pools_of[c.counter]
                     ? pools_of[counter] > pools_of[c.counter]
                     : counter < c.counter;
      }
      if (!better) continue;
      current = Venue{p, asset, counter, asset_is_token0};
      best_depth[asset] = depth;
    }
  }
  return out;
}

tl::expected<std::vector<uni::PoolState>, std::string> load_pools(
    chain::rpc::RpcClient& rpc, const chain::Address& factory, const std::vector<AssetInfo>& assets,
    std::uint64_t block) {
  const auto get_pool = chain::abi::parse_function("getPool(address,address,uint24)(address)");
  if (!get_pool) return tl::unexpected(std::string{"getPool signature"});
  std::vector<uni::PoolState> out;
  for (std::size_t i = 0; i < assets.size(); ++i)
    for (std::size_t j = i + 1; j < assets.size(); ++j)
      for (const auto fee : kFeeTiers) {
        const chain::abi::Values args{chain::abi::Value{assets[i].address},
                                      chain::abi::Value{assets[j].address},
                                      chain::abi::Value{u256{fee}}};
        auto data = get_pool->encode_call(args);
        if (!data) return tl::unexpected(std::string{"encoding getPool"});
        chain::rpc::CallRequest req;
        req.to = factory;
        req.data = std::move(*data);
        const auto answer = rpc.eth_call(req, chain::rpc::BlockTag{block});
        const std::string what = "factory.getPool(" + assets[i].symbol + ", " + assets[j].symbol +
                                 ", " + std::to_string(fee) + ")";
        if (!answer) return tl::unexpected(what + ": " + answer.error().to_string());
        auto decoded = get_pool->decode_output(*answer);
        if (!decoded || decoded->empty())
          return tl::unexpected(what + ": not a Uniswap V3 factory's answer");
        const auto pool = (*decoded)[0].as_address();
        if (pool.is_zero()) continue;
        uni::LoadOptions options;
        options.block = block;
        options.words_each_side = kWordsEachSide;
        auto loaded = uni::load_pool(rpc, pool, options);
        if (!loaded)
          return tl::unexpected("loading pool " + pool.checksummed() + ": " +
                                loaded.error().message);
        out.push_back(std::move(loaded->state));
      }
  return out;
}

UniswapV3Exchange::UniswapV3Exchange(std::vector<AssetInfo> assets,
                                     std::vector<std::optional<Venue>> venues,
                                     std::unique_ptr<strategy::cascade::Exchange> fallback)
    : assets_{std::move(assets)}, venues_{std::move(venues)}, fallback_{std::move(fallback)} {
  venues_.resize(assets_.size());
}

std::unique_ptr<strategy::cascade::Exchange> UniswapV3Exchange::clone() const {
  return std::make_unique<UniswapV3Exchange>(assets_, venues_,
                                             fallback_ ? fallback_->clone() : nullptr);
}

tl::expected<void, std::string> UniswapV3Exchange::follow(std::span<const u256> prices) {
  for (auto& v : venues_) {
    if (!v || v->asset >= prices.size() || v->counter >= prices.size()) continue;
    const AssetId t0 = v->asset_is_token0 ? v->asset : v->counter;
    const AssetId t1 = v->asset_is_token0 ? v->counter : v->asset;
    const auto target =
        oracle_sqrt_price_x96(prices[t0], assets_[t0].decimals, prices[t1], assets_[t1].decimals);
    if (!target || *target <= uni::kMinSqrtRatio || *target >= uni::kMaxSqrtRatio)
      return tl::unexpected("the oracle's prices of " + venue_label(*v, assets_) +
                            " are beyond what the pool can hold");
    if (*target == v->pool.sqrt_price_x96) continue;
    // The arbitrage: as much as it takes, stopped at the oracle's price.
    const bool zero_for_one = *target < v->pool.sqrt_price_x96;
    auto q = uni::quote_exact_input(v->pool, zero_for_one, u256{1} << 200, *target);
    if (!q)
      return tl::unexpected("arbitraging " + venue_label(*v, assets_) +
                            " to the oracle: " + std::string{uni::describe(q.error())});
    uni::apply_quote(v->pool, *q);
  }
  if (fallback_) return fallback_->follow(prices);
  return {};
}

tl::expected<SaleOutcome, std::string> UniswapV3Exchange::sell(AssetId asset, const u256& amount,
                                                               std::span<const u256> prices) {
  if (asset >= venues_.size() || asset >= prices.size())
    return tl::unexpected(std::string{"sale of an unknown asset"});
  auto& venue = venues_[asset];
  if (!venue) {
    if (fallback_) return fallback_->sell(asset, amount, prices);
    SaleOutcome none;
    none.asset = asset;
    none.amount_in = amount;
    none.price_before = none.price_after = prices[asset];
    none.how = "no venue";
    return none;
  }
  auto& v = *venue;
  const bool zero_for_one = v.asset_is_token0;
  auto q = uni::quote_exact_input(v.pool, zero_for_one, amount, uni::no_price_limit(zero_for_one));
  if (!q)
    return tl::unexpected("selling " + chain::to_dec(amount) + " " + assets_[asset].symbol +
                          " into " + venue_label(v, assets_) + ": " +
                          std::string{uni::describe(q.error())});
  const u256 before = v.pool.sqrt_price_x96;
  uni::apply_quote(v.pool, *q);
  SaleOutcome out;
  out.asset = asset;
  out.amount_in = q->amount_in;
  out.amount_out = q->amount_out;
  out.proceeds = v.counter;
  out.price_before = prices[asset];
  out.venue = v.pool.address;
  out.how = "uniswap-v3 " + venue_label(v, assets_);
  // The asset's price in the counter token moves as √P² (token0) or 1/√P² (token1).
  const auto after = zero_for_one ? scale_squared(prices[asset], v.pool.sqrt_price_x96, before)
                                  : scale_squared(prices[asset], before, v.pool.sqrt_price_x96);
  if (!after) return tl::unexpected("pricing " + assets_[asset].symbol + " after its sale");
  out.price_after = *after;
  return out;
}

}  // namespace cascade
