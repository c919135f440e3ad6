#include "keeper/wallet/keystore.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <fstream>
#include <memory>
#include <sstream>

#include <nlohmann/json.hpp>

#include "chain/hex.hpp"
#include "chain/keccak.hpp"

namespace keeper {
namespace {

using Json = nlohmann::json;

// geth's "standard" scrypt is n=2^18, r=8 (256 MiB); allow up to 1 GiB of scrypt memory.
constexpr std::uint64_t kMaxScryptMemory = 1ULL << 30;
constexpr std::uint64_t kMaxPbkdf2Rounds = 10'000'000;
constexpr std::size_t kMaxKeystoreBytes = std::size_t{64} * 1024;

tl::expected<chain::Bytes, KeystoreError> hex_field(const Json& obj, const char* key) {
  if (!obj.is_object() || !obj.contains(key) || !obj[key].is_string())
    return tl::unexpected(KeystoreError::malformed);
  auto bytes = chain::hex_decode(obj[key].get<std::string>(), chain::HexPrefix::optional);
  if (!bytes) return tl::unexpected(KeystoreError::malformed);
  return *bytes;
}

tl::expected<std::uint64_t, KeystoreError> uint_field(const Json& obj, const char* key) {
  if (!obj.is_object() || !obj.contains(key) || !obj[key].is_number_unsigned())
    return tl::unexpected(KeystoreError::malformed);
  return obj[key].get<std::uint64_t>();
}

struct DerivedKey {
  std::array<std::uint8_t, 32> bytes{};
  ~DerivedKey() { chain::wipe(bytes); }
};

tl::expected<void, KeystoreError> derive(const Json& crypto, std::string_view password,
                                         DerivedKey& out) {
  if (!crypto.contains("kdf") || !crypto["kdf"].is_string() || !crypto.contains("kdfparams"))
    return tl::unexpected(KeystoreError::malformed);
  const std::string kdf = crypto["kdf"].get<std::string>();
  const Json& params = crypto["kdfparams"];
  auto salt = hex_field(params, "salt");
  auto dklen = uint_field(params, "dklen");
  if (!salt) return tl::unexpected(salt.error());
  if (!dklen) return tl::unexpected(dklen.error());
  if (*dklen != 32) return tl::unexpected(KeystoreError::unsupported);

  if (kdf == "scrypt") {
    auto n = uint_field(params, "n");
    auto r = uint_field(params, "r");
    auto p = uint_field(params, "p");
    if (!n || !r || !p) return tl::unexpected(KeystoreError::malformed);
    if (*n < 2 || (*n & (*n - 1)) != 0 || *r == 0 || *p == 0)
      return tl::unexpected(KeystoreError::malformed);
    if (*r > 64 || *p > 16 || *n > kMaxScryptMemory / (128 * *r))
      return tl::unexpected(KeystoreError::kdf_params_too_large);
    // RFC 7914 requires N < 2^(128·r/8); OpenSSL enforces it (geth's Go scrypt does not).
    if (16 * *r < 64 && *n >= (std::uint64_t{1} << (16 * *r)))
      return tl::unexpected(KeystoreError::unsupported);
    const std::uint64_t maxmem = 128 * *r * (*n + *p + 2) + (1 << 20);
    if (EVP_PBE_scrypt(password.data(), password.size(), salt->data(), salt->size(), *n, *r, *p,
                       maxmem, out.bytes.data(), out.bytes.size()) != 1)
      return tl::unexpected(KeystoreError::crypto_failure);
    return {};
  }
  if (kdf == "pbkdf2") {
    auto c = uint_field(params, "c");
    if (!c) return tl::unexpected(c.error());
    if (*c == 0) return tl::unexpected(KeystoreError::malformed);
    if (*c > kMaxPbkdf2Rounds) return tl::unexpected(KeystoreError::kdf_params_too_large);
    if (!params.contains("prf") || params["prf"] != "hmac-sha256")
      return tl::unexpected(KeystoreError::unsupported);
    if (PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()), salt->data(),
                          static_cast<int>(salt->size()), static_cast<int>(*c), EVP_sha256(),
                          static_cast<int>(out.bytes.size()), out.bytes.data()) != 1)
      return tl::unexpected(KeystoreError::crypto_failure);
    return {};
  }
  return tl::unexpected(KeystoreError::unsupported);
}

}  // namespace

std::string_view describe(KeystoreError e) noexcept {
  switch (e) {
    case KeystoreError::unreadable: return "keystore file cannot be read";
    case KeystoreError::malformed: return "keystore is not a valid V3 keystore";
    case KeystoreError::unsupported: return "keystore uses an unsupported version, cipher or KDF";
    case KeystoreError::kdf_params_too_large: return "keystore KDF parameters exceed the limits";
    case KeystoreError::wrong_password: return "wrong keystore password (or corrupted keystore)";
    case KeystoreError::crypto_failure: return "keystore decryption failed in OpenSSL";
  }
  return "unknown keystore error";
}

tl::expected<chain::Secret32, KeystoreError> decrypt_keystore(std::string_view json_text,
                                                              std::string_view password) {
  const Json doc = Json::parse(json_text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return tl::unexpected(KeystoreError::malformed);
  if (!doc.contains("version") || doc["version"] != 3)
    return tl::unexpected(KeystoreError::unsupported);
  // geth writes "crypto"; some old tools wrote "Crypto".
  const char* crypto_key = doc.contains("crypto") ? "crypto" : "Crypto";
  if (!doc.contains(crypto_key) || !doc[crypto_key].is_object())
    return tl::unexpected(KeystoreError::malformed);
  const Json& crypto = doc[crypto_key];
  if (!crypto.contains("cipher") || crypto["cipher"] != "aes-128-ctr")
    return tl::unexpected(KeystoreError::unsupported);
  auto ciphertext = hex_field(crypto, "ciphertext");
  auto mac = hex_field(crypto, "mac");
  if (!ciphertext || !mac) return tl::unexpected(KeystoreError::malformed);
  if (!crypto.contains("cipherparams")) return tl::unexpected(KeystoreError::malformed);
  auto iv = hex_field(crypto["cipherparams"], "iv");
  if (!iv) return tl::unexpected(iv.error());
  if (iv->size() != 16 || mac->size() != 32 || ciphertext->size() != 32)
    return tl::unexpected(KeystoreError::malformed);

  DerivedKey key;
  if (auto ok = derive(crypto, password, key); !ok) return tl::unexpected(ok.error());

  chain::Bytes mac_input(key.bytes.begin() + 16, key.bytes.end());
  chain::append(mac_input, *ciphertext);
  const chain::Hash expected = chain::keccak256(mac_input);
  chain::wipe(mac_input);
  if (CRYPTO_memcmp(expected.data(), mac->data(), 32) != 0)
    return tl::unexpected(KeystoreError::wrong_password);

  std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)> ctx{EVP_CIPHER_CTX_new(),
                                                                      &EVP_CIPHER_CTX_free};
  chain::Secret32 secret;
  int written = 0;
  int final_written = 0;
  if (!ctx ||
      EVP_DecryptInit_ex(ctx.get(), EVP_aes_128_ctr(), nullptr, key.bytes.data(), iv->data()) !=
          1 ||
      EVP_DecryptUpdate(ctx.get(), secret.mutable_bytes().data(), &written, ciphertext->data(),
                        static_cast<int>(ciphertext->size())) != 1 ||
      EVP_DecryptFinal_ex(ctx.get(), secret.mutable_bytes().data() + written, &final_written) !=
          1 ||
      written + final_written != 32)
    return tl::unexpected(KeystoreError::crypto_failure);
  return secret;
}

tl::expected<chain::Secret32, KeystoreError> decrypt_keystore_file(
    const std::filesystem::path& path, std::string_view password) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec || size > kMaxKeystoreBytes) return tl::unexpected(KeystoreError::unreadable);
  std::ifstream in(path, std::ios::binary);
  if (!in) return tl::unexpected(KeystoreError::unreadable);
  std::stringstream ss;
  ss << in.rdbuf();
  return decrypt_keystore(ss.str(), password);
}

}  // namespace keeper
