#pragma once
namespace keeper {
// `keeper run --config FILE [--dry-run | --fork] [--max-blocks N] [--log-format text|json]
// [--log-level L] [--metrics-port P]`: the daemon.
int run_daemon_command(int argc, char** argv);
}  // namespace keeper
