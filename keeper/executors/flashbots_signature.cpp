#include "keeper/executors/flashbots_signature.hpp"

#include "chain/hex.hpp"
#include "chain/keccak.hpp"

namespace keeper::executors {

chain::Hash personal_message_digest(std::string_view message) {
  std::string prefixed =
      "\x19"
      "Ethereum Signed Message:\n" +
      std::to_string(message.size());
  prefixed.append(message);
  return chain::keccak256(std::string_view{prefixed});
}

std::string signature_hex(const chain::Signature& signature) {
  chain::Bytes raw;
  raw.reserve(65);
  chain::append(raw, chain::to_be32(signature.r));
  chain::append(raw, chain::to_be32(signature.s));
  raw.push_back(static_cast<std::uint8_t>(27 + signature.y_parity));
  return chain::hex_encode(raw);
}

tl::expected<std::string, chain::SignerError> flashbots_signature(const chain::PrivateKey& searcher,
                                                                  std::string_view body) {
  const std::string body_hash = chain::hex_encode(chain::keccak256(body));
  auto signature = searcher.sign(personal_message_digest(body_hash));
  if (!signature) return tl::unexpected(signature.error());
  return searcher.address().checksummed() + ":" + signature_hex(*signature);
}

std::string_view describe(SignatureHeaderError e) noexcept {
  switch (e) {
    case SignatureHeaderError::malformed:
      return "X-Flashbots-Signature is not <address>:<signature>";
    case SignatureHeaderError::bad_address: return "X-Flashbots-Signature names no valid address";
    case SignatureHeaderError::bad_signature:
      return "X-Flashbots-Signature's signature is malformed";
    case SignatureHeaderError::signer_mismatch:
      return "X-Flashbots-Signature was signed by another key than it names";
  }
  return "unknown signature header error";
}

tl::expected<chain::Address, SignatureHeaderError> verify_flashbots_signature(
    std::string_view header, std::string_view body) {
  const auto colon = header.find(':');
  if (colon == std::string_view::npos) return tl::unexpected(SignatureHeaderError::malformed);
  auto address = chain::Address::from_hex(header.substr(0, colon));
  if (!address) return tl::unexpected(SignatureHeaderError::bad_address);
  auto raw = chain::hex_decode_fixed<65>(header.substr(colon + 1));
  if (!raw) return tl::unexpected(SignatureHeaderError::malformed);
  const std::uint8_t v = (*raw)[64];
  // Wallets write v as 27/28; some libraries as 0/1.
  if (v != 0 && v != 1 && v != 27 && v != 28)
    return tl::unexpected(SignatureHeaderError::bad_signature);
  chain::Signature signature;
  signature.r = chain::from_be(chain::BytesView{*raw}.first(32)).value();
  signature.s = chain::from_be(chain::BytesView{*raw}.subspan(32, 32)).value();
  signature.y_parity = static_cast<std::uint8_t>(v >= 27 ? v - 27 : v);
  const std::string body_hash = chain::hex_encode(chain::keccak256(body));
  auto signer = chain::recover_address(personal_message_digest(body_hash), signature);
  if (!signer) return tl::unexpected(SignatureHeaderError::bad_signature);
  if (*signer != *address) return tl::unexpected(SignatureHeaderError::signer_mismatch);
  return *address;
}

}  // namespace keeper::executors
