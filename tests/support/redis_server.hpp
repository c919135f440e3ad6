#pragma once
// A real redis-server (Debian's) for a test: on 127.0.0.1 at a free port, no persistence,
// stopped by its PID however the test ends. Without redis-server installed the test fails saying
// so (scripts/setup.sh installs it), rather than passing untested.
#include <cstdint>
#include <filesystem>
#include <string>

#include "keeper/process/child_process.hpp"

namespace keeper::testing {

class RedisServer {
 public:
  RedisServer();
  ~RedisServer() { process_.stop(); }
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;

  [[nodiscard]] bool ready() const noexcept { return ready_; }
  [[nodiscard]] const std::string& why_not() const noexcept { return why_not_; }
  [[nodiscard]] std::uint16_t port() const noexcept { return port_; }
  [[nodiscard]] std::string url() const { return "redis://127.0.0.1:" + std::to_string(port_); }

 private:
  keeper::ChildProcess process_;
  std::uint16_t port_ = 0;
  bool ready_ = false;
  std::string why_not_;
};

}  // namespace keeper::testing
