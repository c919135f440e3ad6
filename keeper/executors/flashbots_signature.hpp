#pragma once
// The X-Flashbots-Signature header: "<address>:<signature>", where the signature is an EIP-191
// personal-message signature, by the searcher's key, of the text "0x" + hex(Keccak-256(body)).
// The searcher key only identifies keeper to builders (reputation); it must hold no funds.
#include <string>
#include <string_view>

#include <tl/expected.hpp>

#include "chain/signer.hpp"

namespace keeper::executors {

inline constexpr std::string_view kFlashbotsSignatureHeader = "X-Flashbots-Signature";

// Keccak-256("\x19Ethereum Signed Message:\n" + decimal length + message): what
// personal_sign / eth_sign / `cast wallet sign` sign.
[[nodiscard]] chain::Hash personal_message_digest(std::string_view message);

// 65 bytes r || s || v with v = 27 + y parity, as "0x" hex: the form wallets produce.
[[nodiscard]] std::string signature_hex(const chain::Signature& signature);

[[nodiscard]] tl::expected<std::string, chain::SignerError> flashbots_signature(
    const chain::PrivateKey& searcher, std::string_view body);

enum class SignatureHeaderError : std::uint8_t {
  malformed,        // not "<0x address>:<0x 65-byte signature>"
  bad_address,      // the address part is not an address (or a wrong EIP-55 checksum)
  bad_signature,    // r, s or v out of range, or no key recovers from it
  signer_mismatch,  // a valid signature, by another key than the header names
};

[[nodiscard]] std::string_view describe(SignatureHeaderError e) noexcept;

// Checks a header against the body it came with; on success, the searcher's address.
[[nodiscard]] tl::expected<chain::Address, SignatureHeaderError> verify_flashbots_signature(
    std::string_view header, std::string_view body);

}  // namespace keeper::executors
