#pragma once
// A JSON-RPC node that lies: it stands in front of a real node (anvil) and forwards every call,
// except that answers to one method are spoiled in a chosen way: numbers too big for any integer
// type, hex of the wrong length, HTTP 200 carrying an error, a body cut short, a body that never
// ends, or one far too large. For testing that keeper's commands fail with a clear error, in
// bounded memory and time, and never crash. One connection at a time, closed after each answer.
#include <atomic>
#include <cstdint>
#include <string>
#include <thread>

namespace keeper::testing {

enum class Hostility {
  none,
  huge_numbers,  // every hex string of the answer becomes 80 'f' digits (> 2^256)
  wrong_length,  // every hex string of the answer loses its last hex digit
  error_in_200,  // HTTP 200 with a JSON-RPC error instead of the result
  truncated,     // Content-Length of the whole answer, half of it sent, then closed
  endless,       // HTTP 200, no length, a result string that never ends
  oversized,     // a well-formed answer of 100 MB
};

[[nodiscard]] const char* to_string(Hostility h) noexcept;

class HostileNode {
 public:
  // `upstream_url`: the honest node. Answers to `method` are spoiled from its `from_call`-th call
  // on (1-based); with `every_other`, only every second of those (so a retry gets a good one).
  HostileNode(std::string upstream_url, std::string method, Hostility hostility, int from_call = 1,
              bool every_other = false);
  ~HostileNode();
  HostileNode(const HostileNode&) = delete;
  HostileNode& operator=(const HostileNode&) = delete;

  [[nodiscard]] std::uint16_t port() const noexcept { return port_; }
  [[nodiscard]] std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  [[nodiscard]] int spoiled() const noexcept { return spoiled_.load(); }
  // Disarmed, it forwards every answer untouched and counts no call: a test lets a command start
  // up on honest answers, then arms it (from then on `from_call` counts).
  void arm(bool armed) noexcept { armed_ = armed; }

 private:
  void serve();
  void answer(int fd, const std::string& request_body);

  std::string upstream_url_;
  std::string method_;
  Hostility hostility_;
  int from_call_;
  bool every_other_;
  int calls_ = 0;  // of `method`, on the serving thread
  int listen_fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<bool> armed_{true};
  std::atomic<int> spoiled_{0};
  std::thread thread_;
};

}  // namespace keeper::testing
