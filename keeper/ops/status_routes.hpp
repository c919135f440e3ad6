#pragma once
// What the status server answers: /metrics (Prometheus text) and /healthz (503 when the last
// evaluated block is older than the allowed lag, or before the first one).
#include <chrono>
#include <string>

#include "keeper/ops/metrics.hpp"
#include "keeper/ops/status_server.hpp"

namespace keeper::ops {

[[nodiscard]] HttpReply status_route(const std::string& target, const Metrics& metrics,
                                     double max_lag_seconds,
                                     std::chrono::system_clock::time_point now);

}  // namespace keeper::ops
