#include "tests/support/scripted_ws_node.hpp"

#include <exception>

namespace keeper::testing {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

}  // namespace

ScriptedWsNode::ScriptedWsNode(Script script, std::uint16_t port)
    : script_{std::move(script)}, acceptor_{io_, {asio::ip::make_address("127.0.0.1"), port}} {
  port_ = acceptor_.local_endpoint().port();
  thread_ = std::thread([this] { serve(); });
}

ScriptedWsNode::~ScriptedWsNode() {
  stop_ = true;
  asio::io_context poke;
  tcp::socket s{poke};
  boost::system::error_code ec;
  s.connect({asio::ip::make_address("127.0.0.1"), port_}, ec);  // wake the blocking accept
  thread_.join();
}

void ScriptedWsNode::serve() {
  while (!stop_) {
    tcp::socket socket{io_};
    boost::system::error_code ec;
    acceptor_.accept(socket, ec);
    if (ec || stop_) return;
    const int n = ++connections_;
    try {
      Stream ws{std::move(socket)};
      ws.accept();
      script_(ws, n, *this);
    } catch (const std::exception&) {
      // the client closed on us: expected in these scripts
    }
  }
}

}  // namespace keeper::testing
