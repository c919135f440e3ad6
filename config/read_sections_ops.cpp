#include "config/read_sections.hpp"

#include <cstdint>
#include <string>

namespace config::detail {

tl::expected<MetricsConfig, ConfigError> read_metrics(const Reader& r, const Value& t) {
  if (!t.is_table()) return tl::unexpected(r.error(t, "metrics", "must be a table"));
  KEEPER_CFG(ok, r.only(t, "metrics.", {"port", "max_head_lag_seconds"}));
  MetricsConfig c;
  KEEPER_CFG(port, r.optional<std::int64_t>(t, "metrics.", "port"));
  if (*port) {
    if (**port < 0 || **port > 65535)
      return tl::unexpected(r.error(t.at("port"), "metrics.port", "must be between 0 and 65535"));
    c.port = static_cast<std::uint16_t>(**port);
  }
  KEEPER_CFG(lag, r.optional<double>(t, "metrics.", "max_head_lag_seconds"));
  if (*lag) {
    if (!(**lag >= 1.0 && **lag <= 86400.0))
      return tl::unexpected(r.error(t.at("max_head_lag_seconds"), "metrics.max_head_lag_seconds",
                                    "must be between 1 and 86400"));
    c.max_head_lag_seconds = **lag;
  }
  return c;
}

tl::expected<StandbyConfig, ConfigError> read_standby(const Reader& r, const Value& t) {
  if (!t.is_table()) return tl::unexpected(r.error(t, "standby", "must be a table"));
  KEEPER_CFG(ok, r.only(t, "standby.", {"redis_url", "lease_ms", "timeout_ms", "name"}));
  StandbyConfig c;
  KEEPER_CFG(url, r.required<std::string>(t, "standby.", "redis_url"));
  if (url->rfind("redis://", 0) != 0)
    return tl::unexpected(
        r.error(t.at("redis_url"), "standby.redis_url", "must be redis://host:port"));
  c.redis_url = *url;
  KEEPER_CFG(lease, r.optional<std::int64_t>(t, "standby.", "lease_ms"));
  if (*lease) {
    if (**lease < 300 || **lease > 600'000)
      return tl::unexpected(
          r.error(t.at("lease_ms"), "standby.lease_ms", "must be between 300 and 600000"));
    c.lease_ms = static_cast<std::uint32_t>(**lease);
  }
  KEEPER_CFG(timeout, r.optional<std::int64_t>(t, "standby.", "timeout_ms"));
  if (*timeout) {
    if (**timeout < 10 || **timeout > 10'000)
      return tl::unexpected(
          r.error(t.at("timeout_ms"), "standby.timeout_ms", "must be between 10 and 10000"));
    c.timeout_ms = static_cast<std::uint32_t>(**timeout);
  }
  // A renewal must fit well inside the lease, or the leader loses it while renewing.
  if (c.timeout_ms * 3 > c.lease_ms)
    return tl::unexpected(r.error(t, "standby.timeout_ms", "must be at most a third of lease_ms"));
  KEEPER_CFG(name, r.optional<std::string>(t, "standby.", "name"));
  if (*name) {
    if ((*name)->empty() || (*name)->size() > 64)
      return tl::unexpected(r.error(t.at("name"), "standby.name", "must be 1-64 characters"));
    c.name = **name;
  }
  return c;
}

}  // namespace config::detail
