#pragma once
// secp256k1 keys and recoverable ECDSA signatures as Ethereum uses them.
#include <cstdint>
#include <string_view>

#include <tl/expected.hpp>

#include "chain/address.hpp"
#include "chain/secret.hpp"
#include "chain/uint256.hpp"

namespace chain {

enum class SignerError { invalid_private_key, signing_failed, invalid_signature, recovery_failed };

[[nodiscard]] std::string_view describe(SignerError e) noexcept;

struct Signature {
  u256 r;
  u256 s;                     // low-s (EIP-2): s <= n/2
  std::uint8_t y_parity = 0;  // 0 or 1
};

// A validated secp256k1 private key; the only way keeper signs. Never printable.
class PrivateKey {
 public:
  [[nodiscard]] static tl::expected<PrivateKey, SignerError> from_secret(Secret32 secret);
  // For keys handed over as hex text (an environment variable); the text is wiped by the caller.
  [[nodiscard]] static tl::expected<PrivateKey, SignerError> from_hex(std::string_view hex);

  [[nodiscard]] const Address& address() const noexcept { return address_; }
  [[nodiscard]] tl::expected<Signature, SignerError> sign(const Hash& digest) const;

 private:
  PrivateKey(Secret32 secret, const Address& address)
      : secret_{std::move(secret)}, address_{address} {}
  Secret32 secret_;
  Address address_;
};

// The address whose key produced `sig` over `digest`.
[[nodiscard]] tl::expected<Address, SignerError> recover_address(const Hash& digest,
                                                                 const Signature& sig);

}  // namespace chain
