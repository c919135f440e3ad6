#pragma once
// An event-stream server for tests (127.0.0.1, its own thread): answers each GET with 200
// text/event-stream (chunked, as Go's net/http streams MEV-Share's) or a scripted status, and
// then streams whatever the test pushes, to every connected client. drop_clients() closes the
// connections (the client must reconnect). At most 8 connections; a request header must arrive
// within 2 s and fit 16 KiB.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace keeper::testing {

class TestSseServer {
 public:
  TestSseServer();
  ~TestSseServer();
  TestSseServer(const TestSseServer&) = delete;
  TestSseServer& operator=(const TestSseServer&) = delete;

  [[nodiscard]] std::string url() const {
    return "http://127.0.0.1:" + std::to_string(port_) + "/";
  }
  // The status the next connections get (200 streams; anything else is answered and closed).
  void set_status(int status) { status_ = status; }
  // Raw bytes of the stream (e.g. ":ping\n\n" or "data: {...}\n\n") to every client.
  void push(const std::string& text);
  // One event: "data: <data>\n\n".
  void send_event(const std::string& data) { push("data: " + data + "\n\n"); }
  void drop_clients();
  // Connections that got a 200 stream since the server started.
  [[nodiscard]] int streams_opened() const noexcept { return opened_.load(); }
  [[nodiscard]] int clients() const;
  // Waits (bounded) until `count` streams were opened in all; false on timeout.
  bool wait_for_streams(int count, std::chrono::milliseconds timeout) const;

 private:
  void serve();
  void answer(int fd);

  int listen_fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<int> status_{200};
  std::atomic<bool> stop_{false};
  std::atomic<int> opened_{0};
  mutable std::mutex mutex_;
  std::vector<int> clients_;
  std::thread thread_;
};

}  // namespace keeper::testing
