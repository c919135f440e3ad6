#pragma once
// `keeper doctor`: every check an operator should see pass before keeper runs with money, against
// the configured node, wallet and contracts. Read-only: it signs and sends nothing.
#include <chrono>
#include <cstdint>

#include "config/keeper_config.hpp"
#include "keeper/doctor/check.hpp"
#include "keeper/ops/gas_reserve.hpp"

namespace keeper::doctor {

struct DoctorOptions {
  // The wallet must hold gas for this many liquidations at the fee cap (see gas_reserve.hpp).
  std::uint64_t liquidations_in_reserve = ops::kLiquidationsInReserve;
  // Per network step: an HTTP request, a WebSocket connect or request.
  std::chrono::milliseconds timeout{5000};
};

[[nodiscard]] Report run_doctor(const config::KeeperConfig& cfg, const DoctorOptions& options);

}  // namespace keeper::doctor
