#include "protocols/aave_v3/liquidator_call.hpp"

namespace protocols::aave_v3 {

using chain::abi::Value;

tl::expected<chain::Bytes, chain::abi::AbiError> liquidate_calldata(const LiquidateArgs& args) {
  const chain::abi::Values values{Value{args.collateral},
                                  Value{args.debt},
                                  Value{args.user},
                                  Value{args.debt_to_cover},
                                  Value{args.variable_debt_token},
                                  Value{args.min_scaled_debt},
                                  Value{args.receive_a_token}};
  return chain::abi::encode_call(kLiquidateSignature, values);
}

}  // namespace protocols::aave_v3
