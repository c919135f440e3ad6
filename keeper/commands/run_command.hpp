#pragma once
namespace keeper {
// `keeper run --config FILE [--dry-run] [--max-blocks N] [--log-format text|json]`: the daemon.
int run_daemon_command(int argc, char** argv);
}  // namespace keeper
