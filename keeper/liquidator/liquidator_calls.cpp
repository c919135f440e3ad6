#include "keeper/liquidator/liquidator_calls.hpp"

namespace keeper::liquidator {

using chain::abi::Value;

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

tl::expected<chain::Bytes, chain::abi::AbiError> withdraw_calldata(const Address& token,
                                                                   const u256& amount) {
  const chain::abi::Values values{Value{token}, Value{amount}};
  return chain::abi::encode_call(kWithdrawSignature, values);
}

tl::expected<chain::Bytes, chain::abi::AbiError> sweep_calldata(const Address& token) {
  const chain::abi::Values values{Value{token}};
  return chain::abi::encode_call(kSweepSignature, values);
}

}  // namespace keeper::liquidator
