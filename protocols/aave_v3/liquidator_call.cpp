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

tl::expected<chain::Bytes, chain::abi::AbiError> flash_liquidate_calldata(
    const FlashLiquidateArgs& args) {
  const chain::abi::Values fields{Value{args.collateral},
                                  Value{args.debt},
                                  Value{args.user},
                                  Value{args.debt_to_cover},
                                  Value{args.variable_debt_token},
                                  Value{args.min_scaled_debt},
                                  Value{args.router},
                                  Value{args.path},
                                  Value{args.amount_out_minimum},
                                  Value{args.min_profit}};
  const chain::abi::Values tuple{Value{fields}};
  return chain::abi::encode_call(kLiquidateWithFlashLoanSignature, tuple);
}

}  // namespace protocols::aave_v3
