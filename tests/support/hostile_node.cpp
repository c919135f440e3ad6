#include "tests/support/hostile_node.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "chain/rpc/rpc_client.hpp"

namespace keeper::testing {
namespace {

using nlohmann::json;

// Reads one request (headers + Content-Length body); empty on timeout or a closed socket.
std::string read_body(int fd, const std::atomic<bool>& stop) {
  std::string data;
  char buf[8192];
  std::size_t header_end = std::string::npos;
  std::size_t content_length = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{5};
  while (!stop && std::chrono::steady_clock::now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 50) <= 0) continue;
    const ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
    if (n <= 0) return {};
    data.append(buf, static_cast<std::size_t>(n));
    if (header_end == std::string::npos) {
      header_end = data.find("\r\n\r\n");
      if (header_end == std::string::npos) continue;
      std::string headers = data.substr(0, header_end);
      for (auto& c : headers) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      const auto pos = headers.find("content-length:");
      if (pos != std::string::npos) content_length = std::stoul(headers.substr(pos + 15));
    }
    if (data.size() >= header_end + 4 + content_length)
      return data.substr(header_end + 4, content_length);
  }
  return {};
}

bool send_all(int fd, const char* data, std::size_t size) {
  std::size_t sent = 0;
  while (sent < size) {
    const ssize_t n = ::send(fd, data + sent, size - sent, MSG_NOSIGNAL);
    if (n <= 0) return false;
    sent += static_cast<std::size_t>(n);
  }
  return true;
}

// Every "0x…" string in `v`, rewritten by `f`.
template <typename F>
void rewrite_hex(json& v, const F& f) {
  if (v.is_string()) {
    auto s = v.get<std::string>();
    if (s.rfind("0x", 0) == 0) v = f(s);
  } else if (v.is_array() || v.is_object()) {
    for (auto& item : v) rewrite_hex(item, f);
  }
}

std::string huge(const std::string& s) {
  // Data and hashes keep their length with every word at its maximum; anything shorter (a
  // quantity, an address) becomes a number no 256-bit integer holds.
  if (s.size() >= 66) return "0x" + std::string(s.size() - 2, 'f');
  return "0x" + std::string(80, 'f');
}

std::string shorter(const std::string& s) { return s.size() > 2 ? s.substr(0, s.size() - 1) : s; }

}  // namespace

const char* to_string(Hostility h) noexcept {
  switch (h) {
    case Hostility::none: return "none";
    case Hostility::huge_numbers: return "huge_numbers";
    case Hostility::wrong_length: return "wrong_length";
    case Hostility::error_in_200: return "error_in_200";
    case Hostility::truncated: return "truncated";
    case Hostility::endless: return "endless";
    case Hostility::oversized: return "oversized";
  }
  return "?";
}

HostileNode::HostileNode(std::string upstream_url, std::string method, Hostility hostility,
                         int from_call, bool every_other)
    : upstream_url_{std::move(upstream_url)},
      method_{std::move(method)},
      hostility_{hostility},
      from_call_{from_call},
      every_other_{every_other} {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const int one = 1;
  ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      ::listen(listen_fd_, 64) != 0 ||
      ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
    throw std::runtime_error("hostile node: cannot listen on 127.0.0.1");
  port_ = ntohs(addr.sin_port);
  thread_ = std::thread([this] { serve(); });
}

HostileNode::~HostileNode() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  ::close(listen_fd_);
}

void HostileNode::serve() {
  while (!stop_) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (::poll(&p, 1, 50) <= 0) continue;
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    const std::string body = read_body(fd, stop_);
    if (!body.empty()) answer(fd, body);
    ::close(fd);
  }
}

void HostileNode::answer(int fd, const std::string& request_body) {
  auto options = chain::rpc::RpcClientOptions::for_urls({upstream_url_});
  options.max_attempts = 1;
  chain::rpc::RpcClient upstream{options};
  const auto request = json::parse(request_body, nullptr, false);
  if (request.is_discarded()) {
    const std::string out = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n";
    send_all(fd, out.data(), out.size());
    return;
  }
  Hostility body_mode = Hostility::none;
  json first_id = 1;
  const auto one = [&](const json& call) {
    const auto method = call.value("method", std::string{});
    const json id = call.contains("id") ? call["id"] : json(nullptr);
    json reply = {{"jsonrpc", "2.0"}, {"id", id}};
    auto result = upstream.call(method, call.contains("params") ? call["params"] : json::array());
    if (result) {
      reply["result"] = *result;
    } else {
      reply["error"] = {{"code", result.error().code != 0 ? result.error().code : -32000},
                        {"message", result.error().message}};
    }
    if (method != method_ || hostility_ == Hostility::none || !armed_) return reply;
    ++calls_;
    if (calls_ < from_call_ || (every_other_ && (calls_ - from_call_) % 2 != 0)) return reply;
    ++spoiled_;
    switch (hostility_) {
      case Hostility::huge_numbers:
        if (reply.contains("result")) rewrite_hex(reply["result"], huge);
        break;
      case Hostility::wrong_length:
        if (reply.contains("result")) rewrite_hex(reply["result"], shorter);
        break;
      case Hostility::error_in_200:
        reply.erase("result");
        reply["error"] = {{"code", -32000}, {"message", "header not found"}};
        break;
      default:
        body_mode = hostility_;
        first_id = id;
        break;
    }
    return reply;
  };
  json response;
  if (request.is_array()) {
    response = json::array();
    for (const auto& call : request) response.push_back(one(call));
  } else {
    response = one(request);
  }

  if (body_mode == Hostility::endless) {
    const std::string head =
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n"
        "{\"jsonrpc\":\"2.0\",\"id\":" +
        first_id.dump() + ",\"result\":\"0x";
    if (!send_all(fd, head.data(), head.size())) return;
    const std::string zeros(64 * 1024, '0');
    // Until the client hangs up (or two minutes, so a test that does not cannot hang).
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes{2};
    while (!stop_ && std::chrono::steady_clock::now() < deadline &&
           send_all(fd, zeros.data(), zeros.size())) {
    }
    return;
  }
  std::string body;
  if (body_mode == Hostility::oversized) {
    body = "{\"jsonrpc\":\"2.0\",\"id\":" + first_id.dump() + ",\"result\":\"0x" +
           std::string(100u << 20, '0') + "\"}";
  } else {
    body = response.dump();
  }
  const std::string head =
      "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: "
      "close\r\nContent-Length: " +
      std::to_string(body.size()) + "\r\n\r\n";
  if (!send_all(fd, head.data(), head.size())) return;
  const std::size_t size = body_mode == Hostility::truncated ? body.size() / 2 : body.size();
  send_all(fd, body.data(), size);
}

}  // namespace keeper::testing
