#include <catch2/catch.hpp>

#include "tests/keeper/commands/usage_rows.hpp"

using keeper::testing::check_usage_rows;

TEST_CASE("keeper scan checks its command line before reading anything", "[cli]") {
  check_usage_rows({
      {"scan --help", 0, "Usage: keeper scan [OPTIONS]"},
      {"scan --config x --block 12abc", 2, "--block needs a non-negative integer, got '12abc'"},
      {"scan --config x --limit -1", 2, "--limit needs a non-negative integer, got '-1'"},
      {"scan --config x --block 18446744073709551616", 2, "--block needs a non-negative integer"},
      {"scan --config x --blocks 12", 2, "--blocks"},
      {"scan --config x extra", 2, "extra"},
      {"scan --block 12", 2, "--config FILE is required"},
      {"scan --config", 2, "--config"},
      // Well formed: parsing is done and the missing config file is the problem.
      {"scan --json --limit 3 --block 12 --config /nonexistent/keeper.toml", 1, "nonexistent"},
  });
}
