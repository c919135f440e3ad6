#pragma once
// A WebSocket "node" on 127.0.0.1 that plays a test's script, one accepted connection at a time:
// how tests make a node misbehave on purpose (bad frames, silence, bare hashes, hang-ups).
#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/websocket.hpp>

namespace keeper::testing {

class ScriptedWsNode {
 public:
  using Stream = boost::beast::websocket::stream<boost::asio::ip::tcp::socket>;
  // `script(ws, n, node)` plays the n-th connection (from 1), after the WebSocket handshake; an
  // exception (the client hung up) ends that connection only.
  using Script = std::function<void(Stream&, int, const ScriptedWsNode&)>;
  // On `port`, or on a free one when 0 (a test that brings a node back where it was).
  explicit ScriptedWsNode(Script script, std::uint16_t port = 0);
  ~ScriptedWsNode();
  ScriptedWsNode(const ScriptedWsNode&) = delete;
  ScriptedWsNode& operator=(const ScriptedWsNode&) = delete;

  [[nodiscard]] std::string url() const { return "ws://127.0.0.1:" + std::to_string(port_); }
  [[nodiscard]] int connections() const noexcept { return connections_; }
  // True once the node is being torn down: a script that waits should stop waiting.
  [[nodiscard]] bool stopping() const noexcept { return stop_; }

 private:
  void serve();

  Script script_;
  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> connections_{0};
  std::thread thread_;
};

}  // namespace keeper::testing
