#pragma once
// Whether code deployed on chain is a compiled artifact's runtime code. The constructor writes
// immutables (KeeperLiquidator's owner and Pool) into the runtime code, so those byte ranges are
// left out of the comparison; everything else, the metadata hash at the end included, must match.
#include <string>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

#include "chain/bytes.hpp"
#include "keeper/devnet/artifact.hpp"

namespace keeper::doctor {

// Empty when they match; otherwise a sentence saying where they first differ.
[[nodiscard]] tl::expected<void, std::string> compare_runtime_code(
    std::string_view expected_hex, const std::vector<devnet::ByteRange>& immutables,
    chain::BytesView deployed);

}  // namespace keeper::doctor
