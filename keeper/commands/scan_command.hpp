#pragma once
namespace keeper {
// `keeper scan --config FILE [--block N] [--json] [--limit K]`: syncs the market and prints the
// accounts ranked by health factor, computed locally to the wei.
int run_scan_command(int argc, char** argv);
}  // namespace keeper
