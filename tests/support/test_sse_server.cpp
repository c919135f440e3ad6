#include "tests/support/test_sse_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <stdexcept>

namespace keeper::testing {

namespace {

constexpr std::size_t kMaxClients = 8;
constexpr std::size_t kMaxHeaderBytes = 16 * 1024;

// Reads a request header (bounded in time and size); false when none arrives.
bool read_request_header(int fd) {
  std::string data;
  char buf[4096];
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{2};
  while (std::chrono::steady_clock::now() < deadline && data.size() < kMaxHeaderBytes) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 50) <= 0) continue;
    const ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
    if (n <= 0) return false;
    data.append(buf, static_cast<std::size_t>(n));
    if (data.find("\r\n\r\n") != std::string::npos) return true;
  }
  return false;
}

bool send_all(int fd, const std::string& bytes) {
  std::size_t at = 0;
  while (at < bytes.size()) {
    const ssize_t n = ::send(fd, bytes.data() + at, bytes.size() - at, MSG_NOSIGNAL);
    if (n <= 0) return false;
    at += static_cast<std::size_t>(n);
  }
  return true;
}

std::string chunk(const std::string& text) {
  char size[32];
  std::snprintf(size, sizeof(size), "%zx\r\n", text.size());
  return std::string{size} + text + "\r\n";
}

}  // namespace

TestSseServer::TestSseServer() {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const int one = 1;
  ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      ::listen(listen_fd_, 16) != 0 ||
      ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
    throw std::runtime_error("test SSE server: cannot listen on 127.0.0.1");
  port_ = ntohs(addr.sin_port);
  thread_ = std::thread([this] { serve(); });
}

TestSseServer::~TestSseServer() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  drop_clients();
  ::close(listen_fd_);
}

void TestSseServer::serve() {
  while (!stop_) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (::poll(&p, 1, 50) <= 0) continue;
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    answer(fd);
  }
}

void TestSseServer::answer(int fd) {
  if (!read_request_header(fd)) {
    ::close(fd);
    return;
  }
  const int status = status_.load();
  if (status != 200) {
    send_all(fd, "HTTP/1.1 " + std::to_string(status) +
                     " Refused\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    ::close(fd);
    return;
  }
  const std::lock_guard lock{mutex_};
  if (clients_.size() >= kMaxClients) {
    ::close(fd);
    return;
  }
  if (!send_all(fd,
                "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n"
                "Transfer-Encoding: chunked\r\n\r\n")) {
    ::close(fd);
    return;
  }
  clients_.push_back(fd);
  ++opened_;
}

void TestSseServer::push(const std::string& text) {
  const std::lock_guard lock{mutex_};
  const std::string framed = chunk(text);
  for (auto it = clients_.begin(); it != clients_.end();) {
    if (send_all(*it, framed)) {
      ++it;
    } else {
      ::close(*it);
      it = clients_.erase(it);
    }
  }
}

void TestSseServer::drop_clients() {
  const std::lock_guard lock{mutex_};
  for (const int fd : clients_) {
    ::shutdown(fd, SHUT_RDWR);
    ::close(fd);
  }
  clients_.clear();
}

int TestSseServer::clients() const {
  const std::lock_guard lock{mutex_};
  return static_cast<int>(clients_.size());
}

bool TestSseServer::wait_for_streams(int count, std::chrono::milliseconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (opened_.load() >= count) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds{5});
  }
  return opened_.load() >= count;
}

}  // namespace keeper::testing
