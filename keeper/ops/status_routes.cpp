#include "keeper/ops/status_routes.hpp"

#include <cstdio>

namespace keeper::ops {

HttpReply status_route(const std::string& target, const Metrics& metrics, double max_lag_seconds,
                       std::chrono::system_clock::time_point now) {
  const std::string path = target.substr(0, target.find('?'));
  if (path == "/metrics")
    return {200, "text/plain; version=0.0.4; charset=utf-8", metrics.render(now)};
  if (path == "/healthz") {
    const double lag = metrics.head_lag_seconds(now);
    if (lag < 0) return {503, "text/plain; charset=utf-8", "unhealthy: no head evaluated yet\n"};
    char text[160];
    std::snprintf(text, sizeof text, "%s: head lag %.1f s (limit %.1f s)\n",
                  lag > max_lag_seconds ? "unhealthy" : "ok", lag, max_lag_seconds);
    return {lag > max_lag_seconds ? 503U : 200U, "text/plain; charset=utf-8", text};
  }
  return {404, "text/plain; charset=utf-8", "not found: try /metrics or /healthz\n"};
}

}  // namespace keeper::ops
