#include "keeper/process/anvil.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string_view>
#include <thread>
#include "keeper/process/source_dir.hpp"
#include "tests/support/build_paths.hpp"

namespace keeper {
namespace {

sockaddr_in loopback(std::uint16_t port) noexcept {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return addr;
}

std::string tail_of(const std::filesystem::path& path, std::size_t max_chars) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  return s.size() > max_chars ? s.substr(s.size() - max_chars) : s;
}

bool is_executable(const std::filesystem::path& path) {
  std::error_code ec;
  return std::filesystem::is_regular_file(path, ec) && ::access(path.c_str(), X_OK) == 0;
}

}  // namespace

std::filesystem::path choose_anvil_binary(const char* override_path,
                                          const std::filesystem::path& bundled,
                                          const char* path_env) {
  if (override_path != nullptr && *override_path != '\0') return override_path;
  if (is_executable(bundled)) return bundled;
  const std::string_view dirs = path_env != nullptr ? path_env : "";
  for (std::size_t begin = 0; begin <= dirs.size();) {
    const auto end = std::min(dirs.find(':', begin), dirs.size());
    // An empty $PATH entry means the working directory; keeper does not look there.
    if (end > begin) {
      const auto candidate = std::filesystem::path{dirs.substr(begin, end - begin)} / "anvil";
      if (is_executable(candidate)) return candidate;
    }
    begin = end + 1;
  }
  return bundled;
}

std::filesystem::path default_anvil_binary() {
  // Read before any thread starts; nothing in keeper writes the environment.
  // NOLINTBEGIN(concurrency-mt-unsafe)
  return choose_anvil_binary(std::getenv("KEEPER_ANVIL"),
                             std::filesystem::path{::keeper::process::source_dir()} /
                                 "node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil",
                             std::getenv("PATH"));
  // NOLINTEND(concurrency-mt-unsafe)
}

tl::expected<std::uint16_t, std::string> pick_free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return tl::unexpected(std::string{"socket() failed"});
  sockaddr_in addr = loopback(0);
  socklen_t len = sizeof(addr);
  const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
                  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0;
  ::close(fd);
  if (!ok) return tl::unexpected(std::string{"no free port on 127.0.0.1"});
  return ntohs(addr.sin_port);
}

bool port_accepts(std::uint16_t port) noexcept {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in addr = loopback(port);
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  ::close(fd);
  return ok;
}

tl::expected<Anvil, std::string> Anvil::start(AnvilOptions options) {
  if (options.binary.empty()) options.binary = default_anvil_binary();
  if (options.port == 0) {
    auto port = pick_free_port();
    if (!port) return tl::unexpected(port.error());
    options.port = *port;
  } else if (port_accepts(options.port)) {
    return tl::unexpected("port " + std::to_string(options.port) +
                          " on 127.0.0.1 is already in use");
  }
  if (options.log_path.empty())
    options.log_path =
        std::filesystem::temp_directory_path() / ("anvil-" + std::to_string(options.port) + ".log");
  Anvil anvil{std::move(options)};
  if (auto ok = anvil.launch(); !ok) return tl::unexpected(ok.error());
  return anvil;
}

tl::expected<void, std::string> Anvil::restart() {
  process_.stop();
  return launch();
}

tl::expected<void, std::string> Anvil::launch() {
  std::vector<std::string> argv{options_.binary.string(),
                                "--host",
                                "127.0.0.1",
                                "--port",
                                std::to_string(options_.port),
                                "--chain-id",
                                std::to_string(options_.chain_id)};
  if (options_.block_time_s) {
    std::ostringstream bt;
    bt << *options_.block_time_s;
    argv.insert(argv.end(), {"--block-time", bt.str()});
  }
  if (options_.no_mining) argv.emplace_back("--no-mining");
  if (options_.fork_url) argv.insert(argv.end(), {"--fork-url", *options_.fork_url});
  if (options_.fork_block)
    argv.insert(argv.end(), {"--fork-block-number", std::to_string(*options_.fork_block)});
  argv.insert(argv.end(), options_.extra_args.begin(), options_.extra_args.end());

  auto child = ChildProcess::spawn(argv, options_.log_path, options_.stop_with_parent);
  if (!child) return tl::unexpected(child.error());
  process_ = std::move(*child);

  const auto deadline = std::chrono::steady_clock::now() + options_.ready_timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (!process_.running())
      return tl::unexpected("anvil exited during start-up: " + tail_of(options_.log_path, 2000));
    if (port_accepts(options_.port)) return {};
    std::this_thread::sleep_for(std::chrono::milliseconds{25});
  }
  process_.stop();
  return tl::unexpected("anvil did not accept connections on port " +
                        std::to_string(options_.port) + " within the start-up timeout");
}

std::string Anvil::http_url() const { return "http://127.0.0.1:" + std::to_string(options_.port); }
std::string Anvil::ws_url() const { return "ws://127.0.0.1:" + std::to_string(options_.port); }

}  // namespace keeper
