#include <catch2/catch.hpp>

#include "chain/hex.hpp"
#include "chain/keccak.hpp"

TEST_CASE("keccak256 matches published vectors", "[keccak]") {
  struct Vector {
    std::string_view input;
    std::string_view digest;
  };
  const Vector vectors[] = {
      {"", "0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"},
      {"abc", "0x4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45"},
      {"The quick brown fox jumps over the lazy dog",
       "0x4d741b6f1eb29cb2a9b9911c82f56fa8d73b04959d3d9d222895df6c0b28aa15"},
  };
  for (const auto& v : vectors) {
    CAPTURE(v.input);
    CHECK(chain::hex_encode(chain::keccak256(v.input)) == v.digest);
  }
}
