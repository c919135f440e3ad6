#include "keeper/liquidator/liquidator_command.hpp"

#include <iostream>
#include <string>
#include <vector>

#include "keeper/liquidator/subcommands.hpp"

namespace keeper::liquidator {

namespace {

constexpr const char* kUsage =
    "usage: keeper liquidator deploy --config FILE\n"
    "       keeper liquidator withdraw --config FILE [--token SYMBOL|ETH|0xADDRESS]...\n"
    "The contract is owned by the config's wallet and bound to the Pool of its first market.";

int usage(const std::string& problem) {
  std::cerr << "keeper liquidator: " << problem << '\n' << kUsage << '\n';
  return 2;
}

}  // namespace

int fail(const std::string& message) {
  std::cerr << "keeper liquidator: " << message << '\n';
  return 1;
}

int run_liquidator_command(int argc, char** argv) {
  if (argc < 1) return usage("a subcommand is required");
  const std::string sub = argv[0];
  if (sub != "deploy" && sub != "withdraw") return usage("unknown subcommand '" + sub + "'");
  std::string config_path;
  std::vector<std::string> tokens;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const bool valued = arg == "--config" || (arg == "--token" && sub == "withdraw");
    if (!valued) return usage("unknown argument " + arg);
    if (i + 1 >= argc) return usage(arg + " needs a value");
    if (arg == "--config") {
      config_path = argv[++i];
    } else {
      tokens.emplace_back(argv[++i]);
    }
  }
  if (config_path.empty()) return usage("--config FILE is required");
  return sub == "deploy" ? deploy_command(config_path) : withdraw_command(config_path, tokens);
}

}  // namespace keeper::liquidator
