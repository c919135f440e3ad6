#include "protocols/morpho_blue/calldata.hpp"

#include <algorithm>

#include "chain/abi/codec.hpp"
#include "chain/abi/signature.hpp"

namespace protocols::morpho_blue {
namespace {

const chain::abi::Function& liquidate_fn() {
  static const auto fn = chain::abi::parse_function(kLiquidateSignature).value();
  return fn;
}

}  // namespace

chain::Bytes liquidate_calldata(const MarketParams& params, const Address& borrower,
                                const u256& seized_assets, const u256& repaid_shares,
                                const chain::Bytes& data) {
  // Every argument has its ABI type by construction: encoding cannot fail.
  return liquidate_fn()
      .encode_call(chain::abi::Values{to_abi(params), chain::abi::Value{borrower},
                                      chain::abi::Value{seized_assets},
                                      chain::abi::Value{repaid_shares}, chain::abi::Value{data}})
      .value();
}

tl::expected<std::optional<LiquidateCall>, std::string> decode_liquidate_call(
    chain::BytesView input) {
  const auto& fn = liquidate_fn();
  const auto& selector = fn.selector;
  if (input.size() < 4 || !std::equal(selector.begin(), selector.end(), input.begin()))
    return std::optional<LiquidateCall>{};
  auto args = chain::abi::decode(fn.inputs, input.subspan(4));
  if (!args) return tl::unexpected(std::string{"liquidate calldata does not decode"});
  const auto& p = (*args)[0].as_list();
  return std::optional<LiquidateCall>{LiquidateCall{
      {p[0].as_address(), p[1].as_address(), p[2].as_address(), p[3].as_address(), p[4].as_uint()},
      (*args)[1].as_address(),
      (*args)[2].as_uint(),
      (*args)[3].as_uint()}};
}

}  // namespace protocols::morpho_blue
