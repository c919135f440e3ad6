#include <catch2/catch.hpp>

#include <string>

#include "chain/hex.hpp"
#include "chain/keccak.hpp"
#include "keeper/executors/bundle.hpp"
#include "keeper/executors/flashbots_signature.hpp"

using namespace keeper::executors;

namespace {

// anvil's tenth default account: a key with a public, well-known secret (tests only).
constexpr std::string_view kSearcherKey =
    "0x2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6";
constexpr std::string_view kSearcherAddress = "0xa0Ee7A142d267C1f36714E4a8F75612F20a79720";

// The body keeper writes for the bundle below (nlohmann::json orders keys).
constexpr std::string_view kBody =
    R"({"id":1,"jsonrpc":"2.0","method":"eth_sendBundle","params":[{"blockNumber":"0x10",)"
    R"("maxTimestamp":1700000100,"minTimestamp":1700000000,"revertingTxHashes":)"
    R"(["0x1111111111111111111111111111111111111111111111111111111111111111"],)"
    R"("txs":["0x02f86c","0xdeadbeef"]}]})";

Bundle example_bundle() {
  Bundle b;
  b.txs = {chain::hex_decode("0x02f86c").value(), chain::hex_decode("0xdeadbeef").value()};
  b.block_number = 16;
  b.min_timestamp = 1700000000;
  b.max_timestamp = 1700000100;
  b.reverting_tx_hashes = {chain::hex_decode_fixed<32>("0x" + std::string(64, '1')).value()};
  return b;
}

}  // namespace

TEST_CASE(
    "eth_sendBundle's body carries every field Flashbots defines, optional ones only when set",
    "[executors][bundle]") {
  CHECK(send_bundle_body(example_bundle(), 1) == kBody);

  Bundle plain;
  plain.txs = {chain::hex_decode("0x01").value()};
  plain.block_number = 0x1234;
  CHECK(send_bundle_body(plain, 7) ==
        R"({"id":7,"jsonrpc":"2.0","method":"eth_sendBundle","params":[{"blockNumber":"0x1234",)"
        R"("txs":["0x01"]}]})");
  // The hash a builder and a block report for a raw transaction.
  CHECK(chain::hex_encode(transaction_hash(chain::hex_decode("0xdeadbeef").value())) ==
        chain::hex_encode(chain::keccak256(chain::hex_decode("0xdeadbeef").value())));
}

TEST_CASE("X-Flashbots-Signature matches what cast signs and verifies", "[executors][bundle]") {
  // cast keccak "$BODY" -> 0x4dc92f29...; cast wallet sign --private-key $KEY <that text, as
  // hex of its UTF-8 bytes, because cast decodes a 0x message as bytes>; cast wallet verify
  // --address 0xa0Ee..9720 succeeds on it.
  CHECK(chain::hex_encode(chain::keccak256(kBody)) ==
        "0x4dc92f292e96f4e9714f2126e75665ae30415ad6aba41a2e49a2894dc44bb97b");
  const auto key = chain::PrivateKey::from_hex(kSearcherKey).value();
  const auto header = flashbots_signature(key, kBody);
  REQUIRE(header.has_value());
  CHECK(*header ==
        std::string{kSearcherAddress} +
            ":0xdc482fe5acffcc5f669b0cfc5e4f48c346e51d7215e47d50ebdaae38c581914f6d51bb81ef7d25adc79"
            "12a26c70e8f17a31c987c89b93fe42eea0a35fd0b83521b");
  const auto signer = verify_flashbots_signature(*header, kBody);
  REQUIRE(signer.has_value());
  CHECK(signer->checksummed() == kSearcherAddress);
}

TEST_CASE("a wrong, forged or malformed X-Flashbots-Signature is refused with its reason",
          "[executors][bundle]") {
  const auto key = chain::PrivateKey::from_hex(kSearcherKey).value();
  const std::string good = flashbots_signature(key, kBody).value();
  const std::string signature = good.substr(good.find(':') + 1);
  // anvil's first account claims the searcher's signature.
  const std::string other = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
  std::string flipped_v = good;
  flipped_v.back() = flipped_v.back() == 'b' ? 'c' : 'b';  // v 27 <-> 28: another signer
  std::string high_v = good;
  high_v.replace(high_v.size() - 2, 2, "1d");

  struct Case {
    std::string header;
    std::string body;
    SignatureHeaderError expected;
  };
  const std::vector<Case> cases{
      {good, std::string{kBody} + " ", SignatureHeaderError::signer_mismatch},
      {other + ":" + signature, std::string{kBody}, SignatureHeaderError::signer_mismatch},
      {flipped_v, std::string{kBody}, SignatureHeaderError::signer_mismatch},
      {high_v, std::string{kBody}, SignatureHeaderError::bad_signature},
      {signature, std::string{kBody}, SignatureHeaderError::malformed},
      {"", std::string{kBody}, SignatureHeaderError::malformed},
      {"0xnot-an-address:" + signature, std::string{kBody}, SignatureHeaderError::bad_address},
      {std::string{kSearcherAddress} + ":0x1234", std::string{kBody},
       SignatureHeaderError::malformed},
      {std::string{kSearcherAddress} + ":" + "0x" + std::string(128, '0') + "1b",
       std::string{kBody}, SignatureHeaderError::bad_signature},
  };
  for (const auto& c : cases) {
    INFO(c.header);
    const auto result = verify_flashbots_signature(c.header, c.body);
    REQUIRE_FALSE(result.has_value());
    CHECK(result.error() == c.expected);
    CHECK_FALSE(describe(result.error()).empty());
  }
}
