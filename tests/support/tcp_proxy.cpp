#include "tests/support/tcp_proxy.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <stdexcept>

namespace keeper::testing {
namespace {

sockaddr_in loopback(std::uint16_t port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return addr;
}

}  // namespace

TcpProxy::TcpProxy(std::uint16_t target_port) : target_port_{target_port} {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const int one = 1;
  ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  sockaddr_in addr = loopback(0);
  socklen_t len = sizeof(addr);
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      ::listen(listen_fd_, 16) != 0 ||
      ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
    throw std::runtime_error("proxy: cannot listen on 127.0.0.1");
  port_ = ntohs(addr.sin_port);
  acceptor_ = std::thread([this] { accept_loop(); });
}

TcpProxy::~TcpProxy() {
  stop_ = true;
  cut();
  if (acceptor_.joinable()) acceptor_.join();
  for (auto& t : pumps_)
    if (t.joinable()) t.join();
  ::close(listen_fd_);
}

void TcpProxy::cut() {
  cut_ = true;
  std::lock_guard lock{mutex_};
  for (const int fd : open_fds_) ::shutdown(fd, SHUT_RDWR);
}

void TcpProxy::restore() { cut_ = false; }

void TcpProxy::accept_loop() {
  while (!stop_) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (::poll(&p, 1, 50) <= 0) continue;
    const int client = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) continue;
    if (cut_) {
      ::close(client);
      continue;
    }
    const int upstream = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in target = loopback(target_port_);
    if (::connect(upstream, reinterpret_cast<sockaddr*>(&target), sizeof(target)) != 0) {
      ::close(upstream);
      ::close(client);
      continue;
    }
    ++accepted_;
    std::lock_guard lock{mutex_};
    open_fds_.push_back(client);
    open_fds_.push_back(upstream);
    pumps_.emplace_back([this, client, upstream] { pump(client, upstream); });
  }
}

void TcpProxy::pump(int client, int upstream) {
  char buf[16384];
  pollfd fds[2] = {{client, POLLIN, 0}, {upstream, POLLIN, 0}};
  bool open = true;
  while (open && !stop_ && !cut_) {
    if (::poll(fds, 2, 50) <= 0) continue;
    for (int i = 0; i < 2 && open; ++i) {
      if ((fds[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
      const ssize_t n = ::recv(fds[i].fd, buf, sizeof(buf), 0);
      if (n <= 0) {
        open = false;
        break;
      }
      const int to = fds[1 - i].fd;
      ssize_t sent = 0;
      while (sent < n) {
        const ssize_t w = ::send(to, buf + sent, static_cast<std::size_t>(n - sent), MSG_NOSIGNAL);
        if (w <= 0) {
          open = false;
          break;
        }
        sent += w;
      }
    }
  }
  std::lock_guard lock{mutex_};
  ::close(client);
  ::close(upstream);
  open_fds_.erase(std::remove_if(open_fds_.begin(), open_fds_.end(),
                                 [&](int fd) { return fd == client || fd == upstream; }),
                  open_fds_.end());
}

}  // namespace keeper::testing
