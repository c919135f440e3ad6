#pragma once
// `keeper run` as a background process a test can watch (its JSON log lines) and stop by PID.
#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "keeper/process/child_process.hpp"

namespace keeper::testing {

class BackgroundKeeper {
 public:
  // Runs the keeper binary with `args` (no shell); output goes to `log_path`.
  BackgroundKeeper(const std::vector<std::string>& args, std::filesystem::path log_path);
  ~BackgroundKeeper() { stop(); }
  BackgroundKeeper(const BackgroundKeeper&) = delete;
  BackgroundKeeper& operator=(const BackgroundKeeper&) = delete;

  [[nodiscard]] bool started() const noexcept { return started_; }
  // Every JSON object line logged so far.
  [[nodiscard]] std::vector<nlohmann::json> events() const;
  [[nodiscard]] std::string output() const;
  // Polls the log until `done(events)` holds or `limit` passes; returns whether it held.
  bool wait_for(const std::function<bool(const std::vector<nlohmann::json>&)>& done,
                std::chrono::milliseconds limit) const;
  bool wait_for_event(const std::string& kind, std::chrono::milliseconds limit) const;
  [[nodiscard]] bool running() { return process_.running(); }
  [[nodiscard]] pid_t pid() const noexcept { return process_.pid(); }
  // SIGTERM (then SIGKILL after a grace period); true when it is gone.
  bool stop() { return process_.stop(); }

 private:
  std::filesystem::path log_path_;
  ChildProcess process_;
  bool started_ = false;
};

// Events of one kind.
std::vector<nlohmann::json> of_kind(const std::vector<nlohmann::json>& events,
                                    const std::string& kind);

}  // namespace keeper::testing
