#include "keeper/devnet/morpho_artifact.hpp"

#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <optional>
#include <thread>

#include "keeper/process/child_process.hpp"
#include "keeper/process/source_dir.hpp"

namespace keeper::devnet {
namespace {

namespace fs = std::filesystem;

std::optional<fs::path> on_path(const std::string& name) {
  // Read before any thread starts; nothing in keeper writes the environment.
  const char* env = std::getenv("PATH");  // NOLINT(concurrency-mt-unsafe)
  const std::string_view dirs = env != nullptr ? env : "";
  for (std::size_t begin = 0; begin <= dirs.size();) {
    const auto end = std::min(dirs.find(':', begin), dirs.size());
    if (end > begin) {  // an empty entry is the working directory: not looked at
      const auto candidate = fs::path{dirs.substr(begin, end - begin)} / name;
      std::error_code ec;
      if (fs::is_regular_file(candidate, ec) && ::access(candidate.c_str(), X_OK) == 0)
        return candidate;
    }
    begin = end + 1;
  }
  return std::nullopt;
}

}  // namespace

tl::expected<Artifact, std::string> morpho_artifact(const fs::path& log) {
  const fs::path root{::keeper::process::source_dir()};
  const fs::path artifact = root / "contracts/build/Morpho.json";
  const auto node = on_path("node");
  if (!node) {
    // Without node the cached artifact (from scripts/setup.sh) is still the right one to use.
    if (fs::exists(artifact)) return load_artifact(artifact);
    return tl::unexpected(
        std::string{"no node on PATH to compile Morpho Blue (run scripts/setup.sh)"});
  }
  auto child =
      ChildProcess::spawn({node->string(), (root / "scripts/compile-morpho.mjs").string()}, log);
  if (!child) return tl::unexpected("compiling Morpho Blue: " + child.error());
  // A compile takes ~15 s of CPU, much longer on a loaded machine; bounded all the same.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes{10};
  while (child->running()) {
    if (std::chrono::steady_clock::now() > deadline) {
      child->stop();
      return tl::unexpected("compiling Morpho Blue took more than 10 minutes (see " + log.string() +
                            ")");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds{20});
  }
  if (!fs::exists(artifact))
    return tl::unexpected("compiling Morpho Blue failed (see " + log.string() + ")");
  return load_artifact(artifact);
}

}  // namespace keeper::devnet
