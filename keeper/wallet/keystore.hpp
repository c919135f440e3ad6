#pragma once
// Web3 Secret Storage (keystore V3) decryption, as written by geth and Foundry's `cast wallet`:
// scrypt or PBKDF2-HMAC-SHA256, AES-128-CTR, and the Keccak-256 MAC checked before decrypting.
#include <filesystem>
#include <string>
#include <string_view>

#include <tl/expected.hpp>

#include "chain/secret.hpp"

namespace keeper {

enum class KeystoreError {
  unreadable,            // file missing, unreadable or too large
  malformed,             // not JSON, or a required field missing or of the wrong type/length
  unsupported,           // version != 3, unknown cipher, KDF or PRF
  kdf_params_too_large,  // parameters that would take unbounded memory or time
  wrong_password,        // MAC mismatch: wrong password or a corrupted file
  crypto_failure,        // OpenSSL refused an operation
};

[[nodiscard]] std::string_view describe(KeystoreError e) noexcept;

[[nodiscard]] tl::expected<chain::Secret32, KeystoreError> decrypt_keystore(
    std::string_view json_text, std::string_view password);

[[nodiscard]] tl::expected<chain::Secret32, KeystoreError> decrypt_keystore_file(
    const std::filesystem::path& path, std::string_view password);

}  // namespace keeper
