#include "keeper/process/child_process.hpp"

#include "keeper/process/os_error.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>
#include <utility>

namespace keeper {

ChildProcess::ChildProcess(ChildProcess&& other) noexcept
    : pid_{std::exchange(other.pid_, -1)}, is_child_{other.is_child_} {}

ChildProcess& ChildProcess::operator=(ChildProcess&& other) noexcept {
  if (this != &other) {
    stop();
    pid_ = std::exchange(other.pid_, -1);
    is_child_ = other.is_child_;
  }
  return *this;
}

ChildProcess::~ChildProcess() { stop(); }

tl::expected<ChildProcess, std::string> ChildProcess::spawn(const std::vector<std::string>& argv,
                                                            const std::filesystem::path& log_path,
                                                            bool stop_with_parent) {
  if (argv.empty()) return tl::unexpected(std::string{"spawn: empty argv"});
  if (::access(argv[0].c_str(), X_OK) != 0)
    return tl::unexpected("spawn: " + argv[0] + " is not an executable file");
  const int log_fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd < 0)
    return tl::unexpected("spawn: cannot open " + log_path.string() + ": " + errno_text());

  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);

  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(log_fd);
    return tl::unexpected(std::string{"spawn: fork failed: "} + errno_text());
  }
  if (pid == 0) {
    // Child: its own process group, so a terminal's Ctrl-C reaches keeper, which then stops it.
    ::setpgid(0, 0);
    if (stop_with_parent) {
      ::prctl(PR_SET_PDEATHSIG, SIGTERM);
      if (::getppid() != parent) ::_exit(0);  // the parent died before prctl took effect
    }
    const int null_fd = ::open("/dev/null", O_RDONLY);
    if (null_fd >= 0) ::dup2(null_fd, STDIN_FILENO);
    ::dup2(log_fd, STDOUT_FILENO);
    ::dup2(log_fd, STDERR_FILENO);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  ::close(log_fd);
  return ChildProcess{pid, true};
}

ChildProcess ChildProcess::adopt(pid_t pid) noexcept { return ChildProcess{pid, false}; }

bool ChildProcess::running() noexcept {
  if (pid_ <= 0) return false;
  if (is_child_) {
    int status = 0;
    const pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_ || (r < 0 && errno == ECHILD)) {
      pid_ = -1;
      return false;
    }
    return true;
  }
  return ::kill(pid_, 0) == 0 || errno == EPERM;
}

bool ChildProcess::stop(std::chrono::milliseconds grace) noexcept {
  if (!running()) return true;
  ::kill(pid_, SIGTERM);
  const auto deadline = std::chrono::steady_clock::now() + grace;
  while (std::chrono::steady_clock::now() < deadline) {
    if (!running()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds{20});
  }
  ::kill(pid_, SIGKILL);
  const auto kill_deadline = std::chrono::steady_clock::now() + std::chrono::seconds{2};
  while (std::chrono::steady_clock::now() < kill_deadline) {
    if (!running()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds{10});
  }
  return false;
}

pid_t ChildProcess::release() noexcept { return std::exchange(pid_, -1); }

}  // namespace keeper
