#pragma once
namespace keeper {
// `keeper doctor --config FILE [--json] [--liquidations M] [--timeout-ms T]`: checks a deployment
// before it goes live, one line per check; exit 1 when any fails.
int run_doctor_command(int argc, char** argv);
}  // namespace keeper
