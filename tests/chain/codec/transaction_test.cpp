#include <catch2/catch.hpp>

#include "chain/hex.hpp"
#include "chain/transaction.hpp"

using namespace chain;

namespace {
Address addr(std::string_view hex) { return *Address::from_hex(hex); }
}  // namespace

TEST_CASE("private keys map to their addresses", "[signer]") {
  struct Row {
    std::string_view key;
    std::string_view address;
  };
  const Row rows[] = {
      // anvil's default accounts 0 and 1
      {"0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
       "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"},
      {"0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
       "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"},
      // EIP-155 example key
      {"0x4646464646464646464646464646464646464646464646464646464646464646",
       "0x9d8A62f656a8d1615C1294fd71e9CFb3E4855A4F"},
  };
  for (const auto& row : rows) {
    auto key = PrivateKey::from_hex(row.key);
    REQUIRE(key.has_value());
    CHECK(key->address().checksummed() == row.address);
  }
  CHECK(PrivateKey::from_hex("0x00").error() == SignerError::invalid_private_key);
  CHECK(PrivateKey::from_hex(std::string(66, '0').replace(0, 2, "0x")).error() ==
        SignerError::invalid_private_key);  // zero is not a valid scalar
  // The group order n itself is out of range.
  CHECK(PrivateKey::from_hex("0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141")
            .error() == SignerError::invalid_private_key);
}

TEST_CASE("EIP-155 example transaction signs to the published bytes", "[tx]") {
  LegacyTx tx;
  tx.nonce = 9;
  tx.gas_price = u256{20'000'000'000ULL};
  tx.gas_limit = 21000;
  tx.to = addr("0x3535353535353535353535353535353535353535");
  tx.value = u256{1'000'000'000'000'000'000ULL};
  tx.chain_id = 1;
  CHECK(hex_encode(signing_hash(tx)) ==
        "0xdaf5a779ae972f972197303d7b574746c7ef83eadac0f2791ad23db92e4c8e53");

  auto key =
      PrivateKey::from_hex("0x4646464646464646464646464646464646464646464646464646464646464646");
  REQUIRE(key.has_value());
  auto signed_tx = sign_transaction(tx, *key);
  REQUIRE(signed_tx.has_value());
  const std::string expected =
      "0xf86c098504a817c800825208943535353535353535353535353535353535353535880de0b6b3a764000080"
      "25a028ef61340bd939bc2195fe537567866003e1a15d3c71ff63e1590620aa636276a067cbe9d8997f761aecb7"
      "03304b3800ccf555c9f3dc64214b297fb1966a3b6d83";
  CHECK(hex_encode(signed_tx->raw) == expected);

  auto decoded = decode_signed(*hex_decode(expected));
  REQUIRE(decoded.has_value());
  CHECK(std::get<LegacyTx>(decoded->tx) == tx);
  CHECK(decoded->hash == signed_tx->hash);
  CHECK(recover_sender(*decoded).value() == key->address());
}

TEST_CASE("EIP-1559 transaction with an access list matches cast mktx", "[tx]") {
  Eip1559Tx tx;
  tx.chain_id = 1;
  tx.nonce = 7;
  tx.max_priority_fee_per_gas = u256{2'000'000'000ULL};
  tx.max_fee_per_gas = u256{30'000'000'000ULL};
  tx.gas_limit = 450000;
  tx.to = addr("0x87870Bca3F3fD6335C3F4ce8392D69350B4fA4E2");
  tx.data =
      *hex_decode("0x00a718a9000000000000000000000000c02aaa39b223fe8d0a0e5c4f27ead9083c756cc2");
  Hash k1{}, k2{};
  k1[31] = 1;
  k2[31] = 2;
  tx.access_list = {{*tx.to, {k1, k2}}};

  auto key =
      PrivateKey::from_hex("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80");
  REQUIRE(key.has_value());
  auto signed_tx = sign_transaction(tx, *key);
  REQUIRE(signed_tx.has_value());
  // Produced independently by Foundry's `cast mktx` with the same fields and key.
  const std::string expected =
      "0x02f8ec010784773594008506fc23ac008306ddd09487870bca3f3fd6335c3f4ce8392d69350b4fa4e280a400a7"
      "18a9000000000000000000000000c02aaa39b223fe8d0a0e5c4f27ead9083c756cc2f85bf8599487870bca3f3f"
      "d6335c3f4ce8392d69350b4fa4e2f842a0000000000000000000000000000000000000000000000000000000000"
      "0000001a0000000000000000000000000000000000000000000000000000000000000000201a0d2b8b1c0354c8e"
      "8a06de8566dd11d5049c04e251f390d352819c850634da4efba021cebb56e1e1cea6d4e844b7252ddc9e58ba1a"
      "95dcb817ffb2a6cbf66aada0c7";
  CHECK(hex_encode(signed_tx->raw) == expected);

  auto decoded = decode_signed(signed_tx->raw);
  REQUIRE(decoded.has_value());
  CHECK(std::get<Eip1559Tx>(decoded->tx) == tx);
  CHECK(recover_sender(*decoded).value() == key->address());
}

TEST_CASE("malformed raw transactions are refused", "[tx]") {
  struct Row {
    const char* name;
    std::string_view hex;
    TxError expected;
  };
  const Row rows[] = {
      {"empty", "0x", TxError::bad_rlp},
      {"unknown type", "0x05c0", TxError::unsupported_type},
      {"type 2 with garbage", "0x02ff", TxError::bad_rlp},
      {"legacy with too few fields", "0xc3010203", TxError::wrong_field_count},
      {"legacy with v = 5", "0xc9098080808080058080", TxError::bad_signature},
      {"to of 3 bytes", "0xcc0980808301020380800580 80", TxError::bad_field},
  };
  for (const auto& row : rows) {
    CAPTURE(row.name);
    std::string hex{row.hex};
    hex.erase(std::remove(hex.begin(), hex.end(), ' '), hex.end());
    auto bytes = hex_decode(hex);
    REQUIRE(bytes.has_value());
    auto decoded = decode_signed(*bytes);
    REQUIRE_FALSE(decoded.has_value());
    CHECK(decoded.error() == row.expected);
  }
  // A high-s signature (malleated) does not recover.
  Signature sig{u256{1}, u256{"0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364140"},
                0};
  CHECK(recover_address(Hash{}, sig).error() == SignerError::invalid_signature);
}
