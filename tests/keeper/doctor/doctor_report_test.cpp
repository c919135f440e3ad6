// keeper doctor's pieces that need no node: the deployed-code comparison (immutables masked) and
// the report's lines, verdict and JSON.
#include <catch2/catch.hpp>

#include "chain/hex.hpp"
#include "keeper/devnet/artifact.hpp"
#include "keeper/doctor/check.hpp"
#include "keeper/doctor/runtime_code.hpp"

using keeper::devnet::ByteRange;
using keeper::doctor::compare_runtime_code;
using keeper::doctor::Report;

TEST_CASE("deployed code matches the artifact outside the immutables' bytes", "[doctor]") {
  // 8 bytes of code with an immutable at bytes 2..4 (zeros in the artifact).
  const std::string artifact = "0x6001000000605b00";
  const std::vector<ByteRange> immutables{{2, 3}};
  struct Row {
    const char* name;
    std::string deployed;
    std::string error;  // empty: matches
  };
  const std::vector<Row> rows{
      {"the same with the immutable filled in", "0x6001abcdef605b00", ""},
      {"the same with a zero immutable", "0x6001000000605b00", ""},
      {"one byte differs after the immutable", "0x6001abcdef605c00",
       "differs from the compiled contract at byte 6 of 8"},
      {"one byte differs before it", "0x6101abcdef605b00",
       "differs from the compiled contract at byte 0 of 8"},
      {"shorter", "0x6001abcdef605b", "the deployed code is 7 bytes, the compiled contract's 8"},
      {"no code", "0x", "the deployed code is 0 bytes"},
  };
  for (const auto& row : rows) {
    CAPTURE(row.name);
    const auto deployed = chain::hex_decode(row.deployed).value();
    const auto same = compare_runtime_code(artifact, immutables, deployed);
    if (row.error.empty()) {
      CHECK(same.has_value());
    } else {
      REQUIRE_FALSE(same.has_value());
      CHECK_THAT(same.error(), Catch::Contains(row.error));
    }
  }
  // Without the mask the filled-in immutable is a difference.
  CHECK_FALSE(compare_runtime_code(artifact, {}, chain::hex_decode("0x6001abcdef605b00").value()));
}

TEST_CASE("KeeperLiquidator's artifact names its immutables inside its runtime code", "[doctor]") {
  const auto artifact = keeper::devnet::find_artifact("KeeperLiquidator").value();
  REQUIRE(artifact.immutable_ranges.has_value());
  // owner and pool, each read at several places in the code, 32 bytes each.
  CHECK(artifact.immutable_ranges->size() >= 2);
  for (const auto& r : *artifact.immutable_ranges) {
    CHECK(r.length == 32);
    CHECK(2 * (r.start + r.length) <= artifact.runtime_bytecode_hex.size());
  }
}

TEST_CASE("the doctor's report: one line per check, failures fail it, warnings do not",
          "[doctor]") {
  Report r;
  r.ok("chain id", "31337, as configured");
  r.warn("approvals", "USDC not approved yet");
  r.skip("builders", "no [submission] section");
  CHECK(r.passed());
  CHECK(r.text() ==
        "ok    chain id               31337, as configured\n"
        "warn  approvals              USDC not approved yet\n"
        "skip  builders               no [submission] section\n"
        "doctor: ready (3 checks, none failed)\n");
  r.fail("websocket", "cannot connect");
  r.fail("wallet gas", "holds 0 ETH");
  CHECK_FALSE(r.passed());
  CHECK_THAT(r.text(), Catch::EndsWith("FAIL  wallet gas             holds 0 ETH\n"
                                       "doctor: NOT ready: 2 failed (websocket, wallet gas)\n"));
  const auto j = r.json();
  CHECK(j["passed"] == false);
  REQUIRE(j["checks"].size() == 5);
  CHECK(j["checks"][3] ==
        nlohmann::json({{"name", "websocket"}, {"status", "fail"}, {"detail", "cannot connect"}}));
  CHECK(j["checks"][2]["status"] == "skip");
}
