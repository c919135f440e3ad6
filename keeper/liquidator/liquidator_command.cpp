#include "keeper/liquidator/liquidator_command.hpp"

#include <iostream>
#include <string>
#include <vector>

#include "keeper/commands/command_line.hpp"
#include "keeper/liquidator/subcommands.hpp"

namespace keeper::liquidator {

int fail(const std::string& message) {
  std::cerr << "keeper liquidator: " << message << '\n';
  return 1;
}

int run_liquidator_command(int argc, char** argv) {
  std::string config_path;
  std::vector<std::string> tokens;
  CLI::App app{
      "keeper's own liquidator contract, owned by the config's wallet and bound to the Pool of "
      "its first market.",
      "keeper liquidator"};
  apply_keeper_conventions(app);
  require_a_subcommand(app);
  const auto add_config = [&config_path](CLI::App& sub) {
    auto* config = sub.add_option("--config", config_path, "keeper config")->type_name("FILE");
    require_options(sub, {{config, "--config FILE"}});
  };

  auto* deploy = app.add_subcommand("deploy", "deploy the contract; its address ends stdout");
  add_config(*deploy);
  auto* withdraw = app.add_subcommand("withdraw", "sweep what the contract holds to its owner");
  add_config(*withdraw);
  withdraw
      ->add_option("--token", tokens,
                   "a market symbol, ETH or an address; repeat for more (default: all)")
      ->type_name("SYMBOL|ETH|0xADDRESS")
      // One value per --token, every --token kept: the conventions' last-one-wins is for
      // single values.
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
      ->allow_extra_args(false);

  if (auto exit_code = parse_command_line(app, argc, argv)) return *exit_code;
  return deploy->parsed() ? deploy_command(config_path) : withdraw_command(config_path, tokens);
}

}  // namespace keeper::liquidator
