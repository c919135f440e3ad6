#pragma once
// A small HTTP/1.1 server on 127.0.0.1 whose every answer a test scripts: statuses, headers,
// garbage, huge bodies, or silence. One connection at a time, closed after each answer.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <thread>

namespace keeper::testing {

struct ScriptedResponse {
  int status = 200;
  std::string body;
  std::string extra_headers;  // "Retry-After: 1\r\n"
  bool hang = false;          // accept, read, never answer (until the server stops)
};

class ScriptedHttpServer {
 public:
  using Handler = std::function<ScriptedResponse(const std::string& request_body)>;

  explicit ScriptedHttpServer(Handler handler);
  ~ScriptedHttpServer();
  ScriptedHttpServer(const ScriptedHttpServer&) = delete;
  ScriptedHttpServer& operator=(const ScriptedHttpServer&) = delete;

  [[nodiscard]] std::uint16_t port() const noexcept { return port_; }
  [[nodiscard]] std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  [[nodiscard]] int requests() const noexcept { return requests_.load(); }

 private:
  void serve();
  Handler handler_;
  int listen_fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> requests_{0};
  std::thread thread_;
};

}  // namespace keeper::testing
