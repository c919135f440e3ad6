#pragma once
// Morpho Blue's compiled artifact for the devnet. @morpho-org/morpho-blue is source only, so
// scripts/compile-morpho.mjs compiles it with the solc it pins (cached in contracts/build, keyed by
// a hash of compiler, settings and sources); this runs that script and loads its output.
#include <filesystem>
#include <string>

#include <tl/expected.hpp>

#include "keeper/devnet/artifact.hpp"

namespace keeper::devnet {

// Runs `node scripts/compile-morpho.mjs` (a no-op when the cached artifact's key matches; the
// first compile takes ~15 s of CPU) and loads contracts/build/Morpho.json. `log` receives the
// script's output.
[[nodiscard]] tl::expected<Artifact, std::string> morpho_artifact(const std::filesystem::path& log);

}  // namespace keeper::devnet
