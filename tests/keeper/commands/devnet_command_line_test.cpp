#include <catch2/catch.hpp>

#include "tests/keeper/commands/usage_rows.hpp"

using keeper::testing::check_usage_rows;

// No row starts a devnet: `up` rows all fail in parsing, the others point at a missing --dir.
TEST_CASE("keeper devnet checks its command line before touching a devnet", "[cli]") {
  const std::string nowhere = " --dir /nonexistent/devnet";
  check_usage_rows({
      {"devnet --help", 0, "Usage: keeper devnet [OPTIONS] [SUBCOMMAND]"},
      {"devnet up --help", 0, "Usage: keeper devnet up [OPTIONS]"},
      {"devnet down --help", 0, "Usage: keeper devnet down [OPTIONS]"},
      {"devnet price --help", 0, "Usage: keeper devnet price [OPTIONS] [ASSET] [MOVE]"},
      {"devnet advance --help", 0, "Usage: keeper devnet advance [OPTIONS] [SECONDS]"},
      {"devnet report --help", 0, "Usage: keeper devnet report [OPTIONS]"},
      {"devnet", 2, "a subcommand is required"},
      {"devnet sideways", 2, "sideways"},
      {"devnet up --port 85x45", 2, "--port needs an integer from 0 to 65535, got '85x45'"},
      {"devnet up --port 65536", 2, "--port needs an integer from 0 to 65535, got '65536'"},
      {"devnet up --borrowers 12abc", 2, "--borrowers needs an integer from 0 to 20000"},
      {"devnet up --borrowers 20001", 2, "--borrowers needs an integer from 0 to 20000"},
      {"devnet up --seed -1", 2, "--seed needs a non-negative integer"},
      {"devnet up --block-time 3601", 2,
       "--block-time needs an integer from 0 to 3600, got '3601'"},
      {"devnet up --block-time 1.5", 2, "--block-time needs an integer from 0 to 3600"},
      {"devnet up --blocktime 1", 2, "--blocktime"},
      {"devnet up --dir", 2, "--dir"},
      {"devnet down --json", 2, "--json"},
      {"devnet advance 3s" + nowhere, 2, "SECONDS needs a non-negative integer, got '3s'"},
      {"devnet advance" + nowhere, 2, "SECONDS is required"},
      {"devnet price WETH" + nowhere, 2, "a price MOVE is required"},
      {"devnet price" + nowhere, 2, "ASSET is required"},
      {"devnet report --limit 3" + nowhere, 2, "--limit"},
      // Well formed ("-25%" is a price move, not an option): only the devnet is missing.
      {"devnet price WETH -25%" + nowhere, 1, "/nonexistent/devnet"},
      {"devnet advance 60" + nowhere, 1, "/nonexistent/devnet"},
      {"devnet report --json" + nowhere, 1, "/nonexistent/devnet"},
      {"devnet down" + nowhere, 1, "/nonexistent/devnet"},
  });
}
