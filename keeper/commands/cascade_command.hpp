#pragma once
namespace keeper {
// `keeper cascade --config FILE (--shock "WETH -20%" | --sweep "WETH -5%..-50%/5") [--block N]
// [--rounds K] [--json] [--plot FILE]`: the liquidation cascade a price shock sets off, round by
// round, with the seized collateral sold into the configured Uniswap V3 pools (or a depth curve).
int run_cascade_command(int argc, char** argv);
}  // namespace keeper
