// keeper command-line entry point: dispatches to the subcommands.
#include <csignal>
#include <exception>
#include <iostream>
#include <string_view>

#include "keeper/commands/account_command.hpp"
#include "keeper/commands/cascade_command.hpp"
#include "keeper/commands/doctor_command.hpp"
#include "keeper/commands/run_command.hpp"
#include "keeper/commands/scan_command.hpp"
#include "keeper/devnet/devnet_command.hpp"
#include "keeper/liquidator/liquidator_command.hpp"

namespace {

constexpr std::string_view kUsage =
    "usage: keeper <command> [options]\n"
    "commands:\n"
    "  devnet up|down|price|advance|report   a local anvil with the real Aave V3 market\n"
    "  scan --config FILE [--block N] [--json] [--limit K]   accounts ranked by health factor\n"
    "  run --config FILE [--dry-run | --fork] [--max-blocks N] [--log-format text|json]\n"
    "      [--log-level L] [--metrics-port P]   the keeper daemon\n"
    "  account ADDRESS --config FILE [--block N] [--json]   one account, reserve by reserve\n"
    "  cascade --config FILE --shock \"WETH -20%\" | --sweep \"WETH -5%..-50%/5\" [--block N]\n"
    "      [--rounds K] [--json] [--plot FILE]   the liquidation cascade a price shock sets off\n"
    "  liquidator deploy --config FILE      deploy keeper's liquidator contract, owned by the "
    "wallet\n"
    "  liquidator withdraw --config FILE [--token SYMBOL|ETH|0xADDR]...   sweep it to the owner\n"
    "  doctor --config FILE [--json]        check node, wallet, contract and markets before "
    "going live\n"
    "  --version                             print the version\n"
    "keeper <command> --help lists a command's options.\n";

int dispatch(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << kUsage;
    return 2;
  }
  const std::string_view command{argv[1]};
  if (command == "--version") {
    std::cout << "keeper " << KEEPER_VERSION << '\n';
    return 0;
  }
  if (command == "devnet") return keeper::devnet::run_devnet_command(argc - 2, argv + 2);
  if (command == "scan") return keeper::run_scan_command(argc - 2, argv + 2);
  if (command == "run") return keeper::run_daemon_command(argc - 2, argv + 2);
  if (command == "account") return keeper::run_account_command(argc - 2, argv + 2);
  if (command == "doctor") return keeper::run_doctor_command(argc - 2, argv + 2);
  if (command == "cascade") return keeper::run_cascade_command(argc - 2, argv + 2);
  if (command == "liquidator")
    return keeper::liquidator::run_liquidator_command(argc - 2, argv + 2);
  if (command == "--help" || command == "help") {
    std::cout << kUsage;
    return 0;
  }
  std::cerr << "keeper: unknown command '" << command << "'\n" << kUsage;
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  // A closed stdout (a pager quit, `| head`) must not kill keeper mid-journal-write: writes fail
  // instead, and keeper still stops its children and exits through its normal path.
  std::signal(SIGPIPE, SIG_IGN);
  // Errors travel as values; an exception reaching here is a bug or a library's, and ends keeper
  // with a clear line rather than an abort. (The daemon catches its own around the event loop,
  // to save its state first.)
  try {
    return dispatch(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "keeper: internal error: " << e.what() << '\n';
    return 70;
  }
}
