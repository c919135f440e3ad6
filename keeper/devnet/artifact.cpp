#include "keeper/devnet/artifact.hpp"

#include <fstream>

#include "chain/hex.hpp"
#include "keeper/process/source_dir.hpp"

namespace keeper::devnet {
namespace {

// deployedBytecode and the immutables' byte ranges in it, each range checked to lie inside it.
tl::expected<std::pair<std::string, std::optional<std::vector<ByteRange>>>, std::string>
runtime_code(const nlohmann::json& doc, const std::string& name) {
  std::string code;
  if (doc.contains("deployedBytecode") && doc["deployedBytecode"].is_string())
    code = doc["deployedBytecode"].get<std::string>();
  if (code.rfind("0x", 0) == 0) code.erase(0, 2);
  if (!doc.contains("immutableReferences")) return std::pair{code, std::nullopt};
  const auto& refs = doc["immutableReferences"];
  if (!refs.is_object()) return tl::unexpected("artifact " + name + ": bad immutableReferences");
  std::vector<ByteRange> ranges;
  for (const auto& [id, spans] : refs.items()) {
    if (!spans.is_array())
      return tl::unexpected("artifact " + name + ": bad immutableReferences for " + id);
    for (const auto& span : spans) {
      const auto field = [&span](const char* key) -> std::size_t {
        if (!span.is_object() || !span.contains(key) || !span[key].is_number_unsigned()) return 0;
        return span[key].get<std::size_t>();
      };
      const std::size_t start = field("start");
      const std::size_t length = field("length");
      if (length == 0 || length > code.size() / 2 || start > code.size() / 2 - length)
        return tl::unexpected("artifact " + name + ": an immutable reference of " + id +
                              " lies outside the runtime code");
      ranges.push_back({start, length});
    }
  }
  return std::pair{code, std::optional{std::move(ranges)}};
}

}  // namespace

tl::expected<Artifact, std::string> load_artifact(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) return tl::unexpected("cannot read artifact " + path.string());
  const auto doc = nlohmann::json::parse(in, nullptr, false);
  if (doc.is_discarded() || !doc.is_object() || !doc.contains("abi") || !doc.contains("bytecode") ||
      !doc["bytecode"].is_string())
    return tl::unexpected("artifact " + path.string() + " is not a compiled-contract JSON");
  Artifact a;
  a.name = doc.value("contractName", path.stem().string());
  a.abi = doc["abi"];
  std::string code = doc["bytecode"].get<std::string>();
  if (code.rfind("0x", 0) == 0) code.erase(0, 2);
  if (code.empty())
    return tl::unexpected("artifact " + a.name + " has no creation bytecode (abstract?)");
  a.bytecode_hex = std::move(code);
  if (auto runtime = runtime_code(doc, a.name); !runtime) {
    return tl::unexpected(runtime.error());
  } else {
    a.runtime_bytecode_hex = std::move(runtime->first);
    a.immutable_ranges = std::move(runtime->second);
  }
  if (doc.contains("linkReferences") && doc["linkReferences"].is_object()) {
    for (const auto& [file, libs] : doc["linkReferences"].items()) {
      for (const auto& [lib, refs] : libs.items()) {
        for (const auto& ref : refs) {
          const auto start = ref.value("start", std::size_t{0});
          if (ref.value("length", 0) != 20 || 2 * (start + 20) > a.bytecode_hex.size())
            return tl::unexpected("artifact " + a.name + " has a bad link reference for " + lib);
          a.link_offsets[lib].push_back(start);
        }
      }
    }
  }
  return a;
}

tl::expected<chain::Bytes, std::string> Artifact::link(
    const std::map<std::string, chain::Address>& libraries) const {
  std::string code = bytecode_hex;
  for (const auto& [lib, offsets] : link_offsets) {
    const auto it = libraries.find(lib);
    if (it == libraries.end())
      return tl::unexpected(name + " needs library " + lib + ", not deployed");
    const std::string address = chain::hex_encode(it->second.bytes, false);
    for (const auto start : offsets) code.replace(2 * start, 40, address);
  }
  auto bytes = chain::hex_decode(code, chain::HexPrefix::forbidden);
  if (!bytes)
    return tl::unexpected(name + " bytecode is not hex after linking (an unlinked library?)");
  return *bytes;
}

tl::expected<chain::abi::Function, std::string> Artifact::function(const std::string& fn) const {
  for (const auto& entry : abi) {
    if (entry.value("type", "") == "function" && entry.value("name", "") == fn) {
      auto f = chain::abi::function_from_json(entry);
      if (!f)
        return tl::unexpected(name + "." + fn + ": " +
                              std::string{chain::abi::describe(f.error())});
      return *f;
    }
  }
  return tl::unexpected(name + " has no function " + fn);
}

tl::expected<chain::Bytes, std::string> Artifact::deploy_data(
    const std::map<std::string, chain::Address>& libraries, const chain::abi::Values& args) const {
  auto code = link(libraries);
  if (!code) return code;
  std::vector<chain::abi::Type> types;
  for (const auto& entry : abi) {
    if (entry.value("type", "") != "constructor") continue;
    auto parsed = chain::abi::function_from_json(
        nlohmann::json{{"name", "constructor"}, {"inputs", entry["inputs"]}});
    if (!parsed)
      return tl::unexpected(
          name + " constructor ABI: " + std::string{chain::abi::describe(parsed.error())});
    types = parsed->inputs;
  }
  auto encoded = chain::abi::encode(types, args);
  if (!encoded)
    return tl::unexpected(
        name + " constructor arguments: " + std::string{chain::abi::describe(encoded.error())});
  chain::append(*code, *encoded);
  return *code;
}

tl::expected<Artifact, std::string> find_artifact(const std::string& name) {
  const std::filesystem::path root{::keeper::process::source_dir()};
  const std::filesystem::path own = root / "contracts/build" / (name + ".json");
  if (std::filesystem::exists(own)) return load_artifact(own);
  // Hardhat lays artifacts out as <Name>.sol/<Name>.json under each package's artifacts/.
  for (const char* package : {"@aave/core-v3", "@uniswap/v3-core", "@uniswap/v3-periphery"}) {
    const auto artifacts = root / "node_modules" / package / "artifacts/contracts";
    std::error_code ec;
    for (std::filesystem::recursive_directory_iterator it{artifacts, ec}, end; it != end;
         it.increment(ec)) {
      if (ec) break;
      if (it->path().filename() == name + ".json" &&
          it->path().parent_path().filename() == name + ".sol")
        return load_artifact(it->path());
    }
  }
  return tl::unexpected("no artifact named " + name +
                        " (run scripts/setup.sh to install and compile)");
}

}  // namespace keeper::devnet
