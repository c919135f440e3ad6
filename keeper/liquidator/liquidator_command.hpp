#pragma once
// `keeper liquidator deploy|withdraw`: the operator's commands for keeper's own liquidator
// contract.

namespace keeper::liquidator {

// argv[0] is the subcommand.
int run_liquidator_command(int argc, char** argv);

}  // namespace keeper::liquidator
