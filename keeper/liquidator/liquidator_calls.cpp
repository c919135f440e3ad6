#include "keeper/liquidator/liquidator_calls.hpp"

namespace keeper::liquidator {

using chain::abi::Value;

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
