#include "keeper/wallet/wallet_loader.hpp"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "chain/secret.hpp"
#include "keeper/wallet/keystore.hpp"

namespace keeper {
namespace {

std::filesystem::path resolve(const std::filesystem::path& p, const std::filesystem::path& base) {
  return p.is_absolute() ? p : base / p;
}

}  // namespace

tl::expected<chain::PrivateKey, std::string> load_wallet(const config::WalletConfig& wallet,
                                                         const std::filesystem::path& base_dir) {
  if (wallet.private_key_env) {
    // Read at start-up, before any thread; nothing in keeper writes the environment.
    const char* value =
        std::getenv(wallet.private_key_env->c_str());  // NOLINT(concurrency-mt-unsafe)
    if (value == nullptr || *value == '\0')
      return tl::unexpected("the environment variable " + *wallet.private_key_env +
                            " (wallet.private_key_env) is not set");
    std::string text{value};
    auto key = chain::PrivateKey::from_hex(text);
    chain::wipe(text);
    if (!key)
      return tl::unexpected("the environment variable " + *wallet.private_key_env +
                            " does not hold a valid 32-byte hex private key");
    return std::move(*key);
  }
  if (!wallet.keystore) return tl::unexpected(std::string{"[wallet] names no key source"});
  std::string password;
  if (wallet.password_env) {
    const char* value = std::getenv(wallet.password_env->c_str());  // NOLINT(concurrency-mt-unsafe)
    if (value == nullptr)
      return tl::unexpected("the environment variable " + *wallet.password_env + " is not set");
    password = value;
  } else if (wallet.password_file) {
    std::ifstream in(resolve(*wallet.password_file, base_dir));
    if (!in)
      return tl::unexpected("cannot read the password file " +
                            resolve(*wallet.password_file, base_dir).string());
    std::getline(in, password);  // the first line; a trailing newline is not part of it
  }
  auto secret = decrypt_keystore_file(resolve(*wallet.keystore, base_dir), password);
  chain::wipe(password);
  if (!secret)
    return tl::unexpected(resolve(*wallet.keystore, base_dir).string() + ": " +
                          std::string{describe(secret.error())});
  auto key = chain::PrivateKey::from_secret(std::move(*secret));
  if (!key) return tl::unexpected(std::string{"the keystore holds an invalid secp256k1 key"});
  return std::move(*key);
}

}  // namespace keeper
