#include <catch2/catch.hpp>

#include "keeper/process/anvil.hpp"

#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>
#include "tests/support/build_paths.hpp"

TEST_CASE("anvil starts on loopback, restarts on the same port and stops by PID", "[anvil]") {
  keeper::AnvilOptions opts;
  opts.binary = ::keeper::testing::anvil_binary();
  auto anvil = keeper::Anvil::start(opts);
  REQUIRE(anvil.has_value());
  const auto port = anvil->port();
  const auto first_pid = anvil->pid();
  CHECK(keeper::port_accepts(port));
  CHECK(anvil->http_url() == "http://127.0.0.1:" + std::to_string(port));

  REQUIRE(anvil->restart().has_value());
  CHECK(anvil->port() == port);
  CHECK(anvil->pid() != first_pid);
  CHECK(::kill(first_pid, 0) != 0);  // the old process is gone

  const auto pid = anvil->pid();
  CHECK(anvil->stop());
  CHECK(::kill(pid, 0) != 0);
  CHECK_FALSE(keeper::port_accepts(port));
}

TEST_CASE("anvil start fails clearly on a busy port or a missing binary", "[anvil]") {
  keeper::AnvilOptions opts;
  opts.binary = ::keeper::testing::anvil_binary();
  auto first = keeper::Anvil::start(opts);
  REQUIRE(first.has_value());

  keeper::AnvilOptions busy = opts;
  busy.port = first->port();
  auto second = keeper::Anvil::start(busy);
  REQUIRE_FALSE(second.has_value());
  CHECK_THAT(second.error(), Catch::Contains("already in use"));

  keeper::AnvilOptions missing;
  missing.binary = "/nonexistent/anvil";
  auto none = keeper::Anvil::start(missing);
  REQUIRE_FALSE(none.has_value());
  CHECK_THAT(none.error(), Catch::Contains("not an executable"));
}

TEST_CASE("anvil is found on PATH when the checkout has no node_modules", "[anvil]") {
  namespace fs = std::filesystem;
  const auto root = fs::temp_directory_path() / ("keeper-anvil-path-" + std::to_string(::getpid()));
  fs::remove_all(root);
  const auto bin = root / "bin";
  const auto not_exec = root / "noexec";
  fs::create_directories(bin);
  fs::create_directories(not_exec);
  for (const auto& dir : {bin, not_exec}) std::ofstream(dir / "anvil") << "#!/bin/sh\n";
  fs::permissions(bin / "anvil", fs::perms::owner_all);
  fs::permissions(not_exec / "anvil", fs::perms::owner_read);
  const auto bundled_missing = root / "node_modules/anvil";
  const auto bundled = bin / "anvil";  // an executable standing in for the npm package's
  const std::string on_path = not_exec.string() + "::" + bin.string();
  const std::string only_not_exec = not_exec.string();

  struct Row {
    const char* name;
    const char* override_path;
    fs::path bundled;
    const char* path_env;
    fs::path expected;
  };
  const std::vector<Row> rows{
      {"the override wins", "/opt/anvil", bundled, on_path.c_str(), "/opt/anvil"},
      {"the bundled binary when present", nullptr, bundled, "/usr/bin", bundled},
      {"PATH when node_modules has none, skipping non-executables", "", bundled_missing,
       on_path.c_str(), bin / "anvil"},
      {"the bundled path (for the error) when PATH has none", nullptr, bundled_missing,
       only_not_exec.c_str(), bundled_missing},
      {"no PATH at all", nullptr, bundled_missing, nullptr, bundled_missing},
  };
  for (const auto& row : rows) {
    CAPTURE(row.name);
    CHECK(keeper::choose_anvil_binary(row.override_path, row.bundled, row.path_env) ==
          row.expected);
  }
  fs::remove_all(root);
}
