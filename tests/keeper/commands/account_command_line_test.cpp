#include <catch2/catch.hpp>

#include "tests/keeper/commands/usage_rows.hpp"

using keeper::testing::check_usage_rows;

namespace {
const std::string kAccount = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
}

TEST_CASE("keeper account checks its command line before reading anything", "[cli]") {
  check_usage_rows({
      {"account --help", 0, "Usage: keeper account [OPTIONS] [ADDRESS]"},
      {"account " + kAccount + " --config x --block 12abc", 2,
       "--block needs a non-negative integer, got '12abc'"},
      {"account " + kAccount + " --config x --block -3", 2, "--block needs a non-negative integer"},
      {"account 0x1234 --config x", 2, "ADDRESS '0x1234' is not an address"},
      {"account " + kAccount + " --config x --limit 3", 2, "--limit"},
      {"account " + kAccount + " " + kAccount + " --config x", 2, kAccount},
      {"account --config x", 2, "an ADDRESS is required"},
      {"account " + kAccount, 2, "--config FILE is required"},
      {"account " + kAccount + " --json --block 3 --config /nonexistent/keeper.toml", 1,
       "nonexistent"},
  });
}
