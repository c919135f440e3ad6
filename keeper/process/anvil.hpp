#pragma once
// A local anvil node that keeper (devnet, --fork) or a test starts, bound to 127.0.0.1 and stopped
// by its PID.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <tl/expected.hpp>

#include "keeper/process/child_process.hpp"

namespace keeper {

struct AnvilOptions {
  std::filesystem::path binary;         // empty: default_anvil_binary()
  std::uint16_t port = 0;               // 0: a free port is picked
  std::optional<double> block_time_s;   // unset: automine
  std::optional<std::string> fork_url;  // --fork-url
  std::optional<std::uint64_t> fork_block;
  std::uint64_t chain_id = 31337;
  std::filesystem::path log_path;  // empty: <temp>/anvil-<port>.log
  std::vector<std::string> extra_args;
  // --no-mining: nothing is mined until asked (evm_mine), so transactions stay pending.
  bool no_mining = false;
  std::chrono::milliseconds ready_timeout{20000};
  bool stop_with_parent = false;  // see ChildProcess::spawn
};

class Anvil {
 public:
  [[nodiscard]] static tl::expected<Anvil, std::string> start(AnvilOptions options);

  [[nodiscard]] std::uint16_t port() const noexcept { return options_.port; }
  [[nodiscard]] std::string http_url() const;
  [[nodiscard]] std::string ws_url() const;
  [[nodiscard]] pid_t pid() const noexcept { return process_.pid(); }
  [[nodiscard]] const std::filesystem::path& log_path() const noexcept { return options_.log_path; }

  bool stop() noexcept { return process_.stop(); }
  // Starts again on the same port (state is not kept unless extra_args ask anvil to).
  [[nodiscard]] tl::expected<void, std::string> restart();
  // Leaves anvil running after this object is gone; returns its PID.
  pid_t detach() noexcept { return process_.release(); }

 private:
  explicit Anvil(AnvilOptions options) : options_{std::move(options)} {}
  [[nodiscard]] tl::expected<void, std::string> launch();

  AnvilOptions options_;
  ChildProcess process_;
};

// $KEEPER_ANVIL if set, else the pinned npm package inside the source tree, else `anvil` on
// $PATH (a checkout without node_modules, or an installed keeper).
[[nodiscard]] std::filesystem::path default_anvil_binary();

// The choice default_anvil_binary makes, from its inputs: `override_path` (the environment
// variable, may be null or empty), the bundled binary, and a $PATH value (may be null). When
// nothing is executable it returns `bundled`, so the start-up error names where it looked first.
[[nodiscard]] std::filesystem::path choose_anvil_binary(const char* override_path,
                                                        const std::filesystem::path& bundled,
                                                        const char* path_env);

// A TCP port on 127.0.0.1 that was free a moment ago.
[[nodiscard]] tl::expected<std::uint16_t, std::string> pick_free_port();

// True when something accepts TCP connections on 127.0.0.1:port.
[[nodiscard]] bool port_accepts(std::uint16_t port) noexcept;

}  // namespace keeper
