#pragma once
// `keeper devnet up|down|price|advance|report`: a local anvil with the real Aave V3 market.
namespace keeper::devnet {

// argv[0] is the subcommand ("up", ...). Returns the process exit code.
int run_devnet_command(int argc, char** argv);

}  // namespace keeper::devnet
