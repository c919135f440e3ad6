#pragma once
// The subcommands behind `keeper liquidator`; each prints its own errors and returns the exit code.
#include <string>
#include <vector>

namespace keeper::liquidator {

// Deploys a KeeperLiquidator owned by the wallet; the address is the last line of stdout.
int deploy_command(const std::string& config_path);
// Sweeps `tokens` (symbols, ETH or addresses; empty: every reserve and ETH) to the owner.
int withdraw_command(const std::string& config_path, const std::vector<std::string>& tokens);

// "keeper liquidator: <message>" on stderr; returns 1.
int fail(const std::string& message);

}  // namespace keeper::liquidator
