#pragma once
// A TCP proxy on 127.0.0.1 that a test can cut: close every open connection and refuse new ones
// until restored. Used to drop keeper's WebSocket while the node keeps producing blocks.
#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace keeper::testing {

class TcpProxy {
 public:
  explicit TcpProxy(std::uint16_t target_port);
  ~TcpProxy();
  TcpProxy(const TcpProxy&) = delete;
  TcpProxy& operator=(const TcpProxy&) = delete;

  [[nodiscard]] std::uint16_t port() const noexcept { return port_; }
  void cut();      // close open connections; refuse (accept-and-close) new ones
  void restore();  // accept and forward again
  [[nodiscard]] int connections_accepted() const noexcept { return accepted_.load(); }

 private:
  void accept_loop();
  void pump(int client, int upstream);

  std::uint16_t target_port_;
  std::uint16_t port_ = 0;
  int listen_fd_ = -1;
  std::atomic<bool> stop_{false};
  std::atomic<bool> cut_{false};
  std::atomic<int> accepted_{0};
  std::mutex mutex_;
  std::vector<int> open_fds_;
  std::vector<std::thread> pumps_;
  std::thread acceptor_;
};

}  // namespace keeper::testing
