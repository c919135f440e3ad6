#pragma once
// The signing key from what the config names: a raw key in an environment variable, or a keystore
// file with its password from an environment variable or a file. Error messages never hold
// secret material.
#include <filesystem>

#include "chain/signer.hpp"
#include "config/keeper_config.hpp"

namespace keeper {

[[nodiscard]] tl::expected<chain::PrivateKey, std::string> load_wallet(
    const config::WalletConfig& wallet, const std::filesystem::path& base_dir);

}  // namespace keeper
