#pragma once
namespace keeper {
// `keeper account ADDRESS --config FILE [--block N] [--json]`: one account explained, reserve by
// reserve.
int run_account_command(int argc, char** argv);
}  // namespace keeper
