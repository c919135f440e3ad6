#pragma once
// A child process we started and therefore must stop: spawned with an explicit argv (no shell),
// output sent to a log file, stopped by its PID with a bounded grace period.
#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include <tl/expected.hpp>

namespace keeper {

class ChildProcess {
 public:
  ChildProcess() = default;
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ChildProcess(ChildProcess&& other) noexcept;
  ChildProcess& operator=(ChildProcess&& other) noexcept;
  // Stops the process if it is still ours and running.
  ~ChildProcess();

  // argv[0] is the executable path. stdout and stderr go to `log_path` (appended); stdin is
  // /dev/null. With `stop_with_parent` the kernel sends it SIGTERM if keeper dies first (even by
  // SIGKILL), for children that must never outlive their keeper (a --fork node).
  [[nodiscard]] static tl::expected<ChildProcess, std::string> spawn(
      const std::vector<std::string>& argv, const std::filesystem::path& log_path,
      bool stop_with_parent = false);

  // Adopts a process started by an earlier keeper run (e.g. `devnet down` reading a PID file).
  [[nodiscard]] static ChildProcess adopt(pid_t pid) noexcept;

  [[nodiscard]] pid_t pid() const noexcept { return pid_; }
  [[nodiscard]] bool running() noexcept;

  // SIGTERM, wait up to `grace`, then SIGKILL and reap. Returns true if the process is gone.
  bool stop(std::chrono::milliseconds grace = std::chrono::milliseconds{3000}) noexcept;

  // Forget the process without stopping it (it outlives this object, e.g. `devnet up`).
  pid_t release() noexcept;

 private:
  explicit ChildProcess(pid_t pid, bool is_child) noexcept : pid_{pid}, is_child_{is_child} {}
  pid_t pid_ = -1;
  bool is_child_ = false;  // true when we can waitpid() it; false for adopted processes
};

}  // namespace keeper
