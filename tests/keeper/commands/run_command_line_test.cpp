#include <catch2/catch.hpp>

#include "tests/keeper/commands/usage_rows.hpp"

using keeper::testing::check_usage_rows;

TEST_CASE("keeper run checks its command line before reading anything", "[cli]") {
  check_usage_rows({
      {"run --help", 0, "Usage: keeper run [OPTIONS]"},
      {"run --config x --max-blocks 12abc", 2,
       "--max-blocks needs a non-negative integer, got '12abc'"},
      {"run --config x --metrics-port 65536", 2, "--metrics-port"},
      {"run --config x --log-format xml", 2, "--log-format"},
      {"run --config x --log-level loud", 2, "--log-level"},
      {"run --config x --dry-run --fork", 2, "--fork"},
      {"run --config x --blocks 12", 2, "--blocks"},
      {"run --max-blocks 3", 2, "--config FILE is required"},
      // Well formed: parsing is done and the missing config file is the problem.
      {"run --dry-run --max-blocks 3 --log-level warn --config /nonexistent/keeper.toml", 1,
       "nonexistent"},
  });
}
