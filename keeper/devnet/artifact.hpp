#pragma once
// Compiled contract artifacts (Hardhat's JSON shape, as in @aave/core-v3 and contracts/build):
// ABI, creation bytecode, and library link references resolved by byte offset.
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <tl/expected.hpp>

#include "chain/abi/signature.hpp"

namespace keeper::devnet {

// A span of bytes in a contract's code.
struct ByteRange {
  std::size_t start = 0;
  std::size_t length = 0;
};

struct Artifact {
  std::string name;
  nlohmann::json abi;
  std::string bytecode_hex;  // without 0x; may hold __$…$__ placeholders until linked
  // library name -> byte offsets (into the bytecode) of its 20-byte placeholders
  std::map<std::string, std::vector<std::size_t>> link_offsets;
  // The runtime code (deployedBytecode, without 0x); empty when the artifact carries none.
  std::string runtime_bytecode_hex;
  // Where the constructor writes immutables into the runtime code (solc's immutableReferences);
  // nullopt when the artifact predates them (recompile with scripts/setup.sh).
  std::optional<std::vector<ByteRange>> immutable_ranges;

  // Creation code with every library address filled in; an unknown library is an error.
  [[nodiscard]] tl::expected<chain::Bytes, std::string> link(
      const std::map<std::string, chain::Address>& libraries) const;
  [[nodiscard]] tl::expected<chain::abi::Function, std::string> function(
      const std::string& name) const;
  // Creation code followed by the ABI-encoded constructor arguments.
  [[nodiscard]] tl::expected<chain::Bytes, std::string> deploy_data(
      const std::map<std::string, chain::Address>& libraries, const chain::abi::Values& args) const;
};

[[nodiscard]] tl::expected<Artifact, std::string> load_artifact(const std::filesystem::path& path);

// Finds `<name>.json` in contracts/build or the Aave and Uniswap artifacts of the source tree.
[[nodiscard]] tl::expected<Artifact, std::string> find_artifact(const std::string& name);

}  // namespace keeper::devnet
