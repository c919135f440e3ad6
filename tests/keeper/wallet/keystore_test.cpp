#include <catch2/catch.hpp>

#include <fstream>

#include "chain/hex.hpp"
#include "keeper/process/source_dir.hpp"
#include "keeper/wallet/keystore.hpp"

namespace {

const std::string kFixtures = ::keeper::process::source_dir() + "/tests/keeper/wallet/fixtures/";

// Test vectors of the Web3 Secret Storage Definition (version 3), password "testpassword".
constexpr std::string_view kSpecPbkdf2 = R"({
  "crypto": {"cipher": "aes-128-ctr", "cipherparams": {"iv": "6087dab2f9fdbbfaddc31a909735c1e6"},
    "ciphertext": "5318b4d5bcd28de64ee5559e671353e16f075ecae9f99c7a79a38af5f869aa46",
    "kdf": "pbkdf2", "kdfparams": {"c": 262144, "dklen": 32, "prf": "hmac-sha256",
      "salt": "ae3cd4e7013836a3df6bd7241b12db061dbe2c6785853cce422d148a624ce0bd"},
    "mac": "517ead924a9d0dc3124507e3393d175ce3ff7c1e96529c6c555ce9e51205e9b2"},
  "id": "3198bc9c-6672-5ab3-d995-4942343ae5b6", "version": 3})";

constexpr std::string_view kSpecScrypt = R"({
  "crypto": {"cipher": "aes-128-ctr", "cipherparams": {"iv": "83dbcc02d8ccb40e466191a123791e0e"},
    "ciphertext": "d172bf743a674da9cdad04534d56926ef8358534d458fffccd4e6ad2fbde479c",
    "kdf": "scrypt", "kdfparams": {"dklen": 32, "n": 262144, "p": 8, "r": 1,
      "salt": "ab0c7876052600dd703518d6fc3fe8984592145b591fc8fb5c6d43190334ba19"},
    "mac": "2103ac29920d71da29f15d75b4a16dbe95cfd7ff8faea1056c33131d846e3097"},
  "id": "3198bc9c-6672-5ab3-d995-4942343ae5b6", "version": 3})";

constexpr std::string_view kSpecKey =
    "0x7a28b5ba57c53603b0b07b56bba752f7784bf506fa95edc395f5cf6c7514fe9d";

std::string read(const std::string& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), {}};
}

}  // namespace

TEST_CASE("keystore V3 decrypts the spec vectors and a cast-written keystore", "[wallet]") {
  struct Row {
    const char* name;
    std::string json;
    std::string password;
    std::string_view key;
  };
  const Row rows[] = {
      {"spec pbkdf2", std::string{kSpecPbkdf2}, "testpassword", kSpecKey},
      // Written by `cast wallet import` from anvil's account 1 key, password "correct horse".
      {"cast scrypt", read(kFixtures + "cast-keystore.json"), "correct horse",
       "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"},
  };
  for (const auto& row : rows) {
    CAPTURE(row.name);
    auto secret = keeper::decrypt_keystore(row.json, row.password);
    REQUIRE(secret.has_value());
    // Compared, never printed: a failure shows only that they differ.
    const bool same = chain::hex_encode(chain::BytesView{secret->bytes()}) == row.key;
    CHECK(same);
  }
}

TEST_CASE("keystore failures are clear errors", "[wallet]") {
  const std::string cast = read(kFixtures + "cast-keystore.json");
  std::string corrupted = cast;
  corrupted.replace(corrupted.find("\"ciphertext\":\"") + 14, 2, "00");
  std::string huge_n = std::string{kSpecScrypt};
  huge_n.replace(huge_n.find("262144"), 6, "1073741824");
  std::string v2 = cast;
  v2.replace(v2.find("\"version\":3"), 11, "\"version\":2");

  struct Row {
    const char* name;
    std::string json;
    std::string password;
    keeper::KeystoreError expected;
  };
  const Row rows[] = {
      {"wrong password", cast, "wrong horse", keeper::KeystoreError::wrong_password},
      {"corrupted ciphertext", corrupted, "correct horse", keeper::KeystoreError::wrong_password},
      {"not json", "{\"crypto\": ", "x", keeper::KeystoreError::malformed},
      {"json array", "[1,2]", "x", keeper::KeystoreError::malformed},
      {"version 2", v2, "correct horse", keeper::KeystoreError::unsupported},
      {"scrypt n too large", huge_n, "testpassword", keeper::KeystoreError::kdf_params_too_large},
      // The spec's scrypt vector has r=1 with N=2^18, outside RFC 7914 (N < 2^16 for r=1).
      {"spec scrypt, N too large for r", std::string{kSpecScrypt}, "testpassword",
       keeper::KeystoreError::unsupported},
  };
  for (const auto& row : rows) {
    CAPTURE(row.name);
    auto secret = keeper::decrypt_keystore(row.json, row.password);
    REQUIRE_FALSE(secret.has_value());
    CHECK(secret.error() == row.expected);
  }
  auto missing = keeper::decrypt_keystore_file("/nonexistent/keystore.json", "x");
  REQUIRE_FALSE(missing.has_value());
  CHECK(missing.error() == keeper::KeystoreError::unreadable);
}
