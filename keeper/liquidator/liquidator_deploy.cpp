#include "keeper/liquidator/liquidator_deploy.hpp"

namespace keeper::liquidator {

using chain::abi::Value;

tl::expected<chain::Bytes, std::string> creation_code(const Address& pool, const Address& owner) {
  auto artifact = devnet::find_artifact(kArtifactName);
  if (!artifact) return tl::unexpected(artifact.error());
  return artifact->deploy_data({}, {Value{pool}, Value{owner}});
}

tl::expected<Address, std::string> deploy_unlocked(devnet::DevChain& chain, const Address& from,
                                                   const Address& pool, const Address& owner) {
  auto artifact = devnet::find_artifact(kArtifactName);
  if (!artifact) return tl::unexpected(artifact.error());
  return chain.deploy(from, *artifact, {}, {Value{pool}, Value{owner}});
}

}  // namespace keeper::liquidator
