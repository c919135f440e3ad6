#include "protocols/aave_v3/liquidation_receipt.hpp"

#include "chain/keccak.hpp"
#include "protocols/aave_v3/events.hpp"
#include "protocols/aave_v3/wad_ray_math.hpp"

namespace protocols::aave_v3 {
namespace {

namespace aave = protocols::aave_v3;

double usd(const chain::u256& amount, const aave::Reserve& r, const aave::Market& m) {
  // amount * price / 10^decimals, in base currency units, then to dollars.
  return chain::to_double(amount) / chain::to_double(aave::pow10(r.config.decimals)) *
         chain::to_double(r.price) / chain::to_double(m.base_currency_unit);
}

const chain::Hash& flash_liquidated_topic() {
  static const chain::Hash topic = chain::keccak256(
      "FlashLiquidated(address,address,address,uint256,uint256,uint256,uint256,uint256)");
  return topic;
}

}  // namespace

std::optional<chain::u256> flash_profit_of(const chain::rpc::Receipt& receipt,
                                           const chain::Address& contract,
                                           const chain::Address& user) {
  // repaid, seized, bought, premium, profit: five words of data after three indexed topics.
  constexpr std::size_t kWords = 5;
  for (const auto& log : receipt.logs) {
    if (log.address != contract || log.topics.size() != 4 ||
        log.topics[0] != flash_liquidated_topic() || log.data.size() != 32 * kWords)
      continue;
    if (chain::Address::from_word(log.topics[1]) != user) continue;
    return chain::from_be(chain::BytesView{log.data}.subspan(32 * (kWords - 1)));
  }
  return std::nullopt;
}

std::optional<RealisedLiquidation> realised_liquidation(
    const chain::rpc::Receipt& receipt, const chain::Address& pool,
    const chain::Address& liquidator, const aave::Market& market,
    const std::optional<chain::Address>& native_asset) {
  for (const auto& log : receipt.logs) {
    if (log.address != pool) continue;
    auto event = aave::decode_event({log.address, log.topics, log.data});
    if (!event) continue;
    const auto* call = std::get_if<aave::LiquidationCall>(&*event);
    if (call == nullptr || call->liquidator != liquidator) continue;
    const auto* collateral = market.reserve_of(call->collateral_asset);
    const auto* debt = market.reserve_of(call->debt_asset);
    if (collateral == nullptr || debt == nullptr) return std::nullopt;
    RealisedLiquidation out{call->user,
                            call->collateral_asset,
                            call->debt_asset,
                            call->debt_to_cover,
                            call->liquidated_collateral_amount,
                            chain::u256{receipt.gas_used} * receipt.effective_gas_price,
                            0,
                            std::nullopt};
    out.flash_profit = flash_profit_of(receipt, liquidator, call->user);
    // Flash: the collateral was sold and the loan repaid in the transaction; what is left is the
    // profit, in the debt asset.
    out.profit_usd = out.flash_profit ? usd(*out.flash_profit, *debt, market)
                                      : usd(out.collateral_received, *collateral, market) -
                                            usd(out.debt_repaid, *debt, market);
    for (const auto& r : market.reserves)
      if (native_asset ? r.asset == *native_asset : r.symbol == "WETH")
        out.profit_usd -= usd(out.gas_paid_wei, r, market);
    return out;
  }
  return std::nullopt;
}

}  // namespace protocols::aave_v3
