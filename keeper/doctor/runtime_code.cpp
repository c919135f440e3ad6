#include "keeper/doctor/runtime_code.hpp"

#include "chain/hex.hpp"

namespace keeper::doctor {

tl::expected<void, std::string> compare_runtime_code(
    std::string_view expected_hex, const std::vector<devnet::ByteRange>& immutables,
    chain::BytesView deployed) {
  auto expected = chain::hex_decode(expected_hex, chain::HexPrefix::optional);
  if (!expected || expected->empty())
    return tl::unexpected(std::string{"the artifact has no runtime code to compare with"});
  if (deployed.size() != expected->size())
    return tl::unexpected("the deployed code is " + std::to_string(deployed.size()) +
                          " bytes, the compiled contract's " + std::to_string(expected->size()));
  std::vector<bool> masked(expected->size(), false);
  for (const auto& r : immutables)
    for (std::size_t i = r.start; i < r.start + r.length && i < masked.size(); ++i)
      masked[i] = true;
  for (std::size_t i = 0; i < expected->size(); ++i)
    if (!masked[i] && deployed[i] != (*expected)[i])
      return tl::unexpected("the deployed code differs from the compiled contract at byte " +
                            std::to_string(i) + " of " + std::to_string(expected->size()) +
                            " (another version or another contract)");
  return {};
}

}  // namespace keeper::doctor
