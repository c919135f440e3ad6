#include <catch2/catch.hpp>

#include "tests/keeper/commands/usage_rows.hpp"

using keeper::testing::check_usage_rows;

TEST_CASE("keeper liquidator checks its command line before reading anything", "[cli]") {
  check_usage_rows({
      {"liquidator --help", 0, "Usage: keeper liquidator [OPTIONS] [SUBCOMMAND]"},
      {"liquidator deploy --help", 0, "Usage: keeper liquidator deploy [OPTIONS]"},
      {"liquidator withdraw --help", 0, "--token"},
      {"liquidator", 2, "a subcommand is required"},
      {"liquidator redeploy --config x", 2, "redeploy"},
      {"liquidator deploy", 2, "--config FILE is required"},
      {"liquidator withdraw --token WETH", 2, "--config FILE is required"},
      {"liquidator deploy --config x --token WETH", 2, "--token"},
      {"liquidator withdraw --config x --token", 2, "--token"},
      {"liquidator withdraw --config x --token WETH DAI", 2, "DAI"},
      {"liquidator withdraw --config x --gas 3", 2, "--gas"},
      {"liquidator withdraw --config /nonexistent/keeper.toml --token WETH --token ETH", 1,
       "keeper liquidator: "},
  });
}
