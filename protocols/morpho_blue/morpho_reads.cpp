#include "protocols/morpho_blue/morpho_reads.hpp"

#include "chain/abi/signature.hpp"
#include "chain/rpc/batch_call.hpp"

namespace protocols::morpho_blue {
namespace {

using chain::abi::Value;
using chain::abi::Values;
using chain::rpc::decode_view;
using chain::rpc::view_call;
using chain::rpc::view_function;
using chain::rpc::ViewCall;

constexpr const char* kIdToParams =
    "idToMarketParams(bytes32)(address,address,address,address,uint256)";
constexpr const char* kMarket = "market(bytes32)(uint128,uint128,uint128,uint128,uint128,uint128)";
constexpr const char* kPosition = "position(bytes32,address)(uint256,uint128,uint128)";
constexpr const char* kPrice = "price()(uint256)";
constexpr const char* kBorrowRateView =
    "borrowRateView((address,address,address,address,uint256),(uint128,uint128,uint128,uint128,"
    "uint128,uint128))(uint256)";

Value id_value(const MarketId& id) { return Value{chain::Bytes(id.begin(), id.end())}; }

Value totals_value(const MarketTotals& t) {
  return Values{t.total_supply_assets, t.total_supply_shares, t.total_borrow_assets,
                t.total_borrow_shares, t.last_update,         t.fee};
}

}  // namespace

tl::expected<std::vector<MarketState>, std::string> MorphoReader::markets(
    const std::vector<MarketId>& ids, std::uint64_t block) {
  std::vector<ViewCall> calls;
  for (const auto& id : ids)
    calls.push_back(view_call(morpho_, view_function(kIdToParams), {id_value(id)}));
  auto out = chain::rpc::batch_eth_call(rpc_, calls, block);
  if (!out) return tl::unexpected("Morpho " + morpho_.checksummed() + ": " + out.error());
  std::vector<MarketState> markets;
  for (std::size_t i = 0; i < ids.size(); ++i) {
    auto v = decode_view(kIdToParams, (*out)[i]);
    if (!v) return tl::unexpected(v.error());
    MarketState m;
    m.id = ids[i];
    m.params = {(*v)[0].as_address(), (*v)[1].as_address(), (*v)[2].as_address(),
                (*v)[3].as_address(), (*v)[4].as_uint()};
    if (market_id(m.params) != ids[i])
      return tl::unexpected("Morpho " + morpho_.checksummed() + " has no market " +
                            market_id_hex(ids[i]));
    markets.push_back(std::move(m));
  }
  if (auto ok = refresh(markets, block); !ok) return tl::unexpected(ok.error());
  return markets;
}

tl::expected<void, std::string> MorphoReader::refresh(std::vector<MarketState>& markets,
                                                      std::uint64_t block) {
  // First the totals and prices, then the rates, which take the totals as their argument.
  std::vector<ViewCall> calls;
  for (const auto& m : markets) {
    calls.push_back(view_call(morpho_, view_function(kMarket), {id_value(m.id)}));
    calls.push_back(view_call(m.params.oracle, view_function(kPrice), {}));
  }
  auto out = chain::rpc::batch_eth_call(rpc_, calls, block);
  if (!out) return tl::unexpected("Morpho markets: " + out.error());
  for (std::size_t i = 0; i < markets.size(); ++i) {
    auto t = decode_view(kMarket, (*out)[2 * i]);
    if (!t) return tl::unexpected(t.error());
    auto p = decode_view(kPrice, (*out)[2 * i + 1]);
    if (!p)
      return tl::unexpected("oracle " + markets[i].params.oracle.checksummed() + ": " + p.error());
    markets[i].totals = {(*t)[0].as_uint(), (*t)[1].as_uint(), (*t)[2].as_uint(),
                         (*t)[3].as_uint(), (*t)[4].as_uint(), (*t)[5].as_uint()};
    markets[i].price = (*p)[0].as_uint();
  }
  calls.clear();
  std::vector<std::size_t> with_irm;
  for (std::size_t i = 0; i < markets.size(); ++i) {
    markets[i].borrow_rate = 0;
    if (markets[i].params.irm.is_zero()) continue;
    with_irm.push_back(i);
    calls.push_back(view_call(markets[i].params.irm, view_function(kBorrowRateView),
                              {to_abi(markets[i].params), totals_value(markets[i].totals)}));
  }
  if (calls.empty()) return {};
  auto rates = chain::rpc::batch_eth_call(rpc_, calls, block);
  if (!rates) return tl::unexpected("Morpho IRMs: " + rates.error());
  for (std::size_t k = 0; k < with_irm.size(); ++k) {
    auto r = decode_view(kBorrowRateView, (*rates)[k]);
    if (!r) return tl::unexpected(r.error());
    markets[with_irm[k]].borrow_rate = (*r)[0].as_uint();
  }
  return {};
}

tl::expected<std::vector<Position>, std::string> MorphoReader::positions(
    const std::vector<std::pair<MarketId, Address>>& which, std::uint64_t block) {
  std::vector<ViewCall> calls;
  for (const auto& [id, user] : which)
    calls.push_back(view_call(morpho_, view_function(kPosition), {id_value(id), Value{user}}));
  auto out = chain::rpc::batch_eth_call(rpc_, calls, block);
  if (!out) return tl::unexpected("Morpho positions: " + out.error());
  std::vector<Position> positions;
  positions.reserve(which.size());
  for (const auto& data : *out) {
    auto v = decode_view(kPosition, data);
    if (!v) return tl::unexpected(v.error());
    positions.push_back({(*v)[0].as_uint(), (*v)[1].as_uint(), (*v)[2].as_uint()});
  }
  return positions;
}

}  // namespace protocols::morpho_blue
