#include <catch2/catch.hpp>

#include "keeper/commands/integer_argument.hpp"

using keeper::IntegerRange;
using keeper::parse_integer_argument;

TEST_CASE("integer arguments are plain decimal digits, read whole", "[cli]") {
  CHECK(parse_integer_argument("--block", "0") == 0u);
  CHECK(parse_integer_argument("--block", "12") == 12u);
  CHECK(parse_integer_argument("--block", "007") == 7u);
  CHECK(parse_integer_argument("--block", "18446744073709551615") ==
        std::numeric_limits<std::uint64_t>::max());
  for (const char* text :
       {"", "12abc", "abc", "-1", "+1", "0x10", "1e3", "1.0", " 1", "1 ", "18446744073709551616"}) {
    CAPTURE(text);
    const auto r = parse_integer_argument("--block", text);
    REQUIRE_FALSE(r);
    CHECK(r.error() == "--block needs a non-negative integer, got '" + std::string{text} + "'");
  }
}

TEST_CASE("integer arguments outside their range are refused with the range", "[cli]") {
  const IntegerRange port{0, 65535};
  CHECK(parse_integer_argument("--port", "0", port) == 0u);
  CHECK(parse_integer_argument("--port", "65535", port) == 65535u);
  CHECK(parse_integer_argument("--port", "65536", port).error() ==
        "--port needs an integer from 0 to 65535, got '65536'");
  const IntegerRange at_least_one{.min = 1};
  CHECK(parse_integer_argument("--block-time", "1", at_least_one) == 1u);
  CHECK(parse_integer_argument("--block-time", "0", at_least_one).error() ==
        "--block-time needs an integer of at least 1, got '0'");
}
