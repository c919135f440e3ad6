#include "chain/abi/calldata.hpp"

#include <algorithm>

namespace chain::abi {

std::optional<DecodedCall> decode_call(BytesView input, const Function& function) {
  constexpr std::size_t kSelectorSize = 4;
  if (input.size() < kSelectorSize) return std::nullopt;
  if (!std::equal(function.selector.begin(), function.selector.end(), input.begin()))
    return std::nullopt;
  auto args = decode(function.inputs, input.subspan(kSelectorSize));
  if (!args) return std::nullopt;
  return DecodedCall{function.selector, std::move(*args)};
}

std::optional<DecodedCall> decode_call(const Bytes& input, std::string_view signature) {
  const auto function = parse_function(signature);
  if (!function) return std::nullopt;
  return decode_call(BytesView{input}, *function);
}

}  // namespace chain::abi
