#include "chain/signer.hpp"

#include <secp256k1.h>
#include <secp256k1_recovery.h>

#include <memory>
#include <random>

#include "chain/hex.hpp"
#include "chain/keccak.hpp"

namespace chain {
namespace {

// One context for the process: created once (thread-safe static), randomised against side
// channels, and only read afterwards, which libsecp256k1 allows from several threads.
struct ContextDeleter {
  void operator()(secp256k1_context* c) const noexcept { secp256k1_context_destroy(c); }
};

secp256k1_context* make_context() {
  // Both flags share their type bit, which clang-tidy reads as a redundant operand.
  secp256k1_context* c =
      // NOLINTNEXTLINE(misc-redundant-expression)
      secp256k1_context_create(SECP256K1_CONTEXT_SIGN | SECP256K1_CONTEXT_VERIFY);
  std::random_device rd;
  std::array<std::uint8_t, 32> seed{};
  for (auto& b : seed) b = static_cast<std::uint8_t>(rd());
  [[maybe_unused]] const int ok = secp256k1_context_randomize(c, seed.data());
  wipe(seed);
  return c;
}

// One context for the process: created once (thread-safe static), randomised against side
// channels, and only read afterwards, which libsecp256k1 allows from several threads.
const secp256k1_context* context() {
  static const std::unique_ptr<secp256k1_context, ContextDeleter> ctx{make_context()};
  return ctx.get();
}

Address address_of(const secp256k1_pubkey& pubkey) {
  std::array<std::uint8_t, 65> serialized{};
  std::size_t len = serialized.size();
  secp256k1_ec_pubkey_serialize(context(), serialized.data(), &len, &pubkey,
                                SECP256K1_EC_UNCOMPRESSED);
  const Hash h = keccak256(BytesView{serialized}.subspan(1));
  return Address::from_word(h);
}

}  // namespace

std::string_view describe(SignerError e) noexcept {
  switch (e) {
    case SignerError::invalid_private_key: return "private key is not a valid secp256k1 scalar";
    case SignerError::signing_failed: return "signing failed";
    case SignerError::invalid_signature: return "signature is malformed (r, s or y parity)";
    case SignerError::recovery_failed: return "no public key recovers from this signature";
  }
  return "unknown signer error";
}

tl::expected<PrivateKey, SignerError> PrivateKey::from_secret(Secret32 secret) {
  if (secp256k1_ec_seckey_verify(context(), secret.bytes().data()) != 1)
    return tl::unexpected(SignerError::invalid_private_key);
  secp256k1_pubkey pubkey;
  if (secp256k1_ec_pubkey_create(context(), &pubkey, secret.bytes().data()) != 1)
    return tl::unexpected(SignerError::invalid_private_key);
  const Address address = address_of(pubkey);
  return PrivateKey{std::move(secret), address};
}

tl::expected<PrivateKey, SignerError> PrivateKey::from_hex(std::string_view hex) {
  auto bytes = hex_decode_fixed<32>(hex, HexPrefix::optional);
  if (!bytes) return tl::unexpected(SignerError::invalid_private_key);
  Secret32 secret{*bytes};
  wipe(*bytes);
  return from_secret(std::move(secret));
}

tl::expected<Signature, SignerError> PrivateKey::sign(const Hash& digest) const {
  secp256k1_ecdsa_recoverable_signature sig;
  // RFC 6979 deterministic nonces; libsecp256k1 always produces low-s signatures.
  if (secp256k1_ecdsa_sign_recoverable(context(), &sig, digest.data(), secret_.bytes().data(),
                                       nullptr, nullptr) != 1)
    return tl::unexpected(SignerError::signing_failed);
  std::array<std::uint8_t, 64> compact{};
  int recid = 0;
  secp256k1_ecdsa_recoverable_signature_serialize_compact(context(), compact.data(), &recid, &sig);
  Signature out;
  out.r = *from_be(BytesView{compact}.first(32));
  out.s = *from_be(BytesView{compact}.subspan(32));
  out.y_parity = static_cast<std::uint8_t>(recid);
  return out;
}

tl::expected<Address, SignerError> recover_address(const Hash& digest, const Signature& sig) {
  if (sig.y_parity > 1) return tl::unexpected(SignerError::invalid_signature);
  std::array<std::uint8_t, 64> compact{};
  const Hash r = to_be32(sig.r);
  const Hash s = to_be32(sig.s);
  std::copy(r.begin(), r.end(), compact.begin());
  std::copy(s.begin(), s.end(), compact.begin() + 32);
  secp256k1_ecdsa_recoverable_signature parsed;
  if (secp256k1_ecdsa_recoverable_signature_parse_compact(context(), &parsed, compact.data(),
                                                          sig.y_parity) != 1)
    return tl::unexpected(SignerError::invalid_signature);
  // Ethereum rejects high-s signatures (EIP-2); so does the normalising check here.
  secp256k1_ecdsa_signature plain;
  secp256k1_ecdsa_recoverable_signature_convert(context(), &plain, &parsed);
  if (secp256k1_ecdsa_signature_normalize(context(), nullptr, &plain) == 1)
    return tl::unexpected(SignerError::invalid_signature);
  secp256k1_pubkey pubkey;
  if (secp256k1_ecdsa_recover(context(), &pubkey, &parsed, digest.data()) != 1)
    return tl::unexpected(SignerError::recovery_failed);
  return address_of(pubkey);
}

}  // namespace chain
