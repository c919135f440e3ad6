#include "protocols/aave_v3/calldata.hpp"

#include <algorithm>

#include "chain/abi/calldata.hpp"
#include "chain/abi/signature.hpp"

namespace protocols::aave_v3 {
namespace {

constexpr std::size_t kWord = 32;

void put_address(chain::Bytes& out, std::size_t at, const chain::Address& a) {
  std::copy(a.bytes.begin(), a.bytes.end(), out.begin() + static_cast<std::ptrdiff_t>(at + 12));
}

}  // namespace

chain::Bytes liquidation_call_data(const chain::Address& collateral, const chain::Address& debt,
                                   const chain::Address& user, const chain::u256& debt_to_cover,
                                   bool receive_a_token) {
  static const auto selector =
      chain::abi::selector("liquidationCall(address,address,address,uint256,bool)");
  chain::Bytes out(4 + 5 * kWord, 0);
  std::copy(selector.begin(), selector.end(), out.begin());
  put_address(out, 4, collateral);
  put_address(out, 4 + kWord, debt);
  put_address(out, 4 + 2 * kWord, user);
  const auto amount = chain::to_be32(debt_to_cover);
  std::copy(amount.begin(), amount.end(), out.begin() + 4 + 3 * kWord);
  out.back() = receive_a_token ? 1 : 0;
  return out;
}

tl::expected<std::optional<chain::Address>, CalldataError> liquidation_call_target(
    chain::BytesView input) {
  // A fixed signature: a parse failure is a programming error any test catches.
  static const auto function =
      chain::abi::parse_function("liquidationCall(address,address,address,uint256,bool)");
  if (!function) return tl::unexpected(CalldataError::malformed);
  if (input.size() < 4 ||
      !std::equal(function->selector.begin(), function->selector.end(), input.begin()))
    return std::nullopt;
  const auto call = chain::abi::decode_call(input, *function);
  if (!call) return tl::unexpected(CalldataError::malformed);
  return call->args[2].as_address();
}

}  // namespace protocols::aave_v3
