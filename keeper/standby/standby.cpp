#include "keeper/standby/standby.hpp"

#include "chain/hex.hpp"

namespace keeper::standby {

StandbyKeys standby_keys(const tx::JournalScope& scope, const chain::Address& wallet) {
  const std::string prefix = "keeper:standby:" + std::to_string(scope.chain_id) + ":" +
                             chain::hex_encode(scope.genesis) + ":" + wallet.checksummed();
  return {prefix + ":lease", prefix + ":journal"};
}

tl::expected<std::unique_ptr<Standby>, std::string> Standby::create(
    const config::StandbyConfig& config, const tx::JournalScope& scope,
    const chain::Address& wallet) {
  auto url = parse_redis_url(config.redis_url);
  if (!url) return tl::unexpected(url.error().message);
  return std::unique_ptr<Standby>(new Standby(config, std::move(*url), scope, wallet));
}

Standby::Standby(config::StandbyConfig config, RedisUrl url, const tx::JournalScope& scope,
                 const chain::Address& wallet)
    : config_{std::move(config)},
      scope_{scope},
      redis_{std::move(url), std::chrono::milliseconds{config_.timeout_ms}},
      keys_{standby_keys(scope, wallet)},
      lease_{redis_, keys_.lease, make_lease_token(config_.name),
             std::chrono::milliseconds{config_.lease_ms}},
      mirror_{redis_, lease_, keys_.journal} {}

tl::expected<bool, RedisError> Standby::try_lead() {
  auto held = lease_.acquire();
  if (held) leading_ = *held;
  return held;
}

tl::expected<bool, RedisError> Standby::renew() {
  auto held = lease_.renew();
  if (held && !*held) leading_ = false;
  return held;
}

void Standby::start_renewing() {
  renewer_ = std::make_unique<LeaseRenewer>(LeaseRenewerOptions{
      redis_.url(), std::chrono::milliseconds{config_.timeout_ms}, keys_.lease, lease_.token(),
      std::chrono::milliseconds{config_.lease_ms}, check_every(), stall_limit()});
}

void Standby::release() noexcept {
  renewer_.reset();  // no renewal after the release
  if (!leading_) return;
  (void)lease_.release();
  leading_ = false;
}

tl::expected<std::size_t, std::string> Standby::adopt_journal(const std::filesystem::path& path) {
  // Opened once first, so a new file carries its scope line before anything is merged into it
  // (that line must stay first) and another chain's journal is refused before it is touched.
  if (auto opened = tx::Journal::open(path, scope_); !opened) return tl::unexpected(opened.error());
  return adopt_mirrored_journal(path, mirror_);
}

}  // namespace keeper::standby
