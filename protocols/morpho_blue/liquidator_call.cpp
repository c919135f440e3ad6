#include "protocols/morpho_blue/liquidator_call.hpp"

#include "chain/abi/codec.hpp"
#include "chain/abi/signature.hpp"
#include "chain/keccak.hpp"

namespace protocols::morpho_blue {

using chain::abi::Value;

chain::Bytes liquidate_morpho_calldata(const ContractLiquidation& c) {
  const chain::abi::Values fields{Value{c.morpho},
                                  to_abi(c.params),
                                  Value{c.borrower},
                                  Value{c.seized_assets},
                                  Value{c.min_borrow_shares},
                                  Value{c.router},
                                  Value{c.path},
                                  Value{c.amount_out_minimum},
                                  Value{c.min_profit}};
  // Every field has its ABI type by construction: encoding cannot fail.
  return chain::abi::encode_call(kLiquidateMorphoSignature, chain::abi::Values{Value{fields}})
      .value();
}

const chain::Hash& morpho_liquidated_topic() {
  static const chain::Hash topic = chain::keccak256(std::string_view{
      "MorphoLiquidated(address,bytes32,address,uint256,uint256,uint256,uint256)"});
  return topic;
}

std::optional<ContractLiquidated> decode_morpho_liquidated(const chain::rpc::Log& log) {
  if (log.removed || log.topics.size() != 4 || log.topics[0] != morpho_liquidated_topic() ||
      log.data.size() != 4 * 32)
    return std::nullopt;
  const auto word = [&](std::size_t i) {
    return chain::from_be(chain::BytesView{log.data}.subspan(i * 32, 32)).value_or(0);
  };
  return ContractLiquidated{
      Address::from_word(log.topics[1]), log.topics[2], word(0), word(1), word(2), word(3)};
}

}  // namespace protocols::morpho_blue
