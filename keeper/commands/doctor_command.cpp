#include "keeper/commands/doctor_command.hpp"

#include <iostream>

#include "keeper/commands/command_line.hpp"
#include "keeper/doctor/doctor.hpp"

namespace keeper {

int run_doctor_command(int argc, char** argv) {
  std::string config_path;
  bool json = false;
  doctor::DoctorOptions options;
  std::uint64_t timeout_ms = static_cast<std::uint64_t>(options.timeout.count());
  CLI::App app{
      "Checks a deployment before it goes live: node, WebSocket, chain, wallet, "
      "contract, markets. Read-only.",
      "keeper doctor"};
  apply_keeper_conventions(app);
  auto* config = app.add_option("--config", config_path, "keeper config")->type_name("FILE");
  app.add_flag("--json", json, "print JSON instead of lines");
  add_integer_option(app, "--liquidations", options.liquidations_in_reserve, {1, 1000},
                     "the wallet must hold gas for M liquidations at the fee cap (default 5)")
      ->type_name("M");
  add_integer_option(app, "--timeout-ms", timeout_ms, {100, 120'000},
                     "limit per network step (default 5000)")
      ->type_name("T");
  require_options(app, {{config, "--config FILE"}});
  if (auto exit_code = parse_command_line(app, argc, argv)) return *exit_code;
  options.timeout = std::chrono::milliseconds{timeout_ms};

  doctor::Report report;
  auto cfg = config::load_config_file(config_path);
  if (!cfg)
    report.fail("config", cfg.error().to_string());
  else
    report = doctor::run_doctor(*cfg, options);
  if (json)
    std::cout << report.json().dump(2) << '\n';
  else
    std::cout << report.text();
  return report.passed() ? 0 : 1;
}

}  // namespace keeper
