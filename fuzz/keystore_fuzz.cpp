// Property: any keystore text decrypts or gives a typed error, never a crash or an escaped
// exception. Inputs whose KDF would cost more than a few microseconds (within keeper's limits,
// but up to seconds per try) are skipped: the parsing and validation around the KDF are what is
// fuzzed, not scrypt itself, and a campaign needs millions of executions.
#include "fuzz/fuzz_target.hpp"

#include <cstdlib>
#include <string_view>

#include <nlohmann/json.hpp>

#include "keeper/wallet/keystore.hpp"

namespace {

// A number field above `limit`, wherever the KDF parameters might be (either spelling of Crypto).
bool costly(const nlohmann::json& doc) {
  if (!doc.is_object()) return false;
  for (const char* crypto_key : {"crypto", "Crypto"}) {
    const auto crypto = doc.find(crypto_key);
    if (crypto == doc.end() || !crypto->is_object()) continue;
    const auto params = crypto->find("kdfparams");
    if (params == crypto->end() || !params->is_object()) continue;
    for (const auto& [key, limit] : {std::pair{"n", 64u}, {"r", 4u}, {"p", 2u}, {"c", 64u}}) {
      const auto v = params->find(key);
      if (v != params->end() && v->is_number() && v->get<double>() > limit) return true;
    }
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text{reinterpret_cast<const char*>(data), size};
  const auto doc = nlohmann::json::parse(text, nullptr, false);
  if (!doc.is_discarded() && costly(doc)) return 0;
  auto key = keeper::decrypt_keystore(text, "fuzz");
  if (!key && keeper::describe(key.error()).empty()) std::abort();
  return 0;
}
