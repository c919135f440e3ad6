#include "tests/support/redis_server.hpp"

#include <unistd.h>

#include <chrono>
#include <thread>

#include "keeper/process/anvil.hpp"
#include "keeper/standby/redis_client.hpp"

namespace keeper::testing {
namespace {

std::string find_redis_server() {
  for (const char* p : {"/usr/bin/redis-server", "/usr/local/bin/redis-server"})
    if (::access(p, X_OK) == 0) return p;
  return {};
}

}  // namespace

RedisServer::RedisServer() {
  const auto binary = find_redis_server();
  if (binary.empty()) {
    why_not_ = "redis-server not found: install Debian redis-server (scripts/setup.sh)";
    return;
  }
  auto port = keeper::pick_free_port();
  if (!port) {
    why_not_ = port.error();
    return;
  }
  port_ = *port;
  const auto log = std::filesystem::temp_directory_path() /
                   ("keeper-test-redis-" + std::to_string(port_) + ".log");
  auto started = ChildProcess::spawn(
      {binary, "--port", std::to_string(port_), "--bind", "127.0.0.1", "--save", "", "--appendonly",
       "no", "--daemonize", "no", "--dir", std::filesystem::temp_directory_path().string()},
      log, /*stop_with_parent=*/true);
  if (!started) {
    why_not_ = started.error();
    return;
  }
  process_ = std::move(*started);
  // Ready when it answers PING; bounded.
  standby::RedisClient client{{"127.0.0.1", port_, std::nullopt, 0},
                              std::chrono::milliseconds{200}};
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{10};
  while (std::chrono::steady_clock::now() < deadline) {
    if (client.command({"PING"})) {
      ready_ = true;
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds{50});
  }
  why_not_ = "redis-server on port " + std::to_string(port_) + " did not answer PING in 10 s";
}

}  // namespace keeper::testing
