#include "tests/keeper/commands/usage_rows.hpp"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <catch2/catch.hpp>

#include "tests/support/run_command.hpp"

namespace keeper::testing {
namespace {

std::string read_and_remove(const std::filesystem::path& path) {
  std::stringstream text;
  text << std::ifstream{path}.rdbuf();
  std::filesystem::remove(path);
  return text.str();
}

}  // namespace

void check_usage_rows(const std::vector<UsageRow>& rows) {
  const auto stderr_file = std::filesystem::temp_directory_path() /
                           ("keeper-usage-rows-" + std::to_string(::getpid()) + ".stderr");
  for (const auto& row : rows) {
    CAPTURE(row.args);
    // run_command joins stderr to stdout; the subshell sends keeper's stderr to a file first.
    const auto result = run_command("( " + keeper_command(row.args) + " 2>" +
                                    shell_quote(stderr_file.string()) + " )");
    const std::string& out = result.output;
    const std::string err = read_and_remove(stderr_file);
    CAPTURE(out, err);
    CHECK(result.exit_code == row.exit_code);
    if (row.exit_code == 0) {
      CHECK_THAT(out, Catch::Contains(row.message));
      CHECK(err.empty());
    } else {
      CHECK_THAT(err, Catch::Contains(row.message));
      CHECK(out.empty());
    }
  }
}

}  // namespace keeper::testing
