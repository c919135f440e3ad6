#include <catch2/catch.hpp>

#include "keeper/process/anvil.hpp"

#include <signal.h>

TEST_CASE("anvil starts on loopback, restarts on the same port and stops by PID", "[anvil]") {
  keeper::AnvilOptions opts;
  opts.binary = KEEPER_ANVIL;
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
  opts.binary = KEEPER_ANVIL;
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
