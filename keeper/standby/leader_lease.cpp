#include "keeper/standby/leader_lease.hpp"

#include <unistd.h>

#include <array>
#include <cstdio>
#include <random>

namespace keeper::standby {
namespace {

// Extends the lease only when its value is still ours: a plain PEXPIRE would extend a lease
// another instance took after ours expired.
constexpr const char* kRenew =
    "if redis.call('GET', KEYS[1]) == ARGV[1] then "
    "return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end";
constexpr const char* kRelease =
    "if redis.call('GET', KEYS[1]) == ARGV[1] then "
    "return redis.call('DEL', KEYS[1]) else return 0 end";

}  // namespace

LeaderLease::LeaderLease(RedisClient& redis, std::string key, std::string token,
                         std::chrono::milliseconds lease)
    : redis_{redis}, key_{std::move(key)}, token_{std::move(token)}, lease_{lease} {}

tl::expected<bool, RedisError> LeaderLease::acquire() {
  auto set = redis_.command({"SET", key_, token_, "NX", "PX", std::to_string(lease_.count())});
  if (!set) return tl::unexpected(set.error());
  if (!set->is_nil()) return true;  // "OK": ours now
  // Already set: ours (acquire called again while leading) counts as held, and is renewed.
  return renew();
}

tl::expected<bool, RedisError> LeaderLease::renew() {
  auto n = redis_.integer({"EVAL", kRenew, "1", key_, token_, std::to_string(lease_.count())});
  if (!n) return tl::unexpected(n.error());
  return *n == 1;
}

tl::expected<bool, RedisError> LeaderLease::release() {
  auto n = redis_.integer({"EVAL", kRelease, "1", key_, token_});
  if (!n) return tl::unexpected(n.error());
  return *n == 1;
}

tl::expected<std::string, RedisError> LeaderLease::holder() {
  auto r = redis_.command({"GET", key_});
  if (!r) return tl::unexpected(r.error());
  if (r->is_nil()) return std::string{};
  if (const auto* s = std::get_if<std::string>(&r->value)) return *s;
  return tl::unexpected(RedisError{RedisErrorKind::unexpected, "GET: not a string"});
}

std::string make_lease_token(const std::string& name) {
  std::array<char, 256> host{};
  if (::gethostname(host.data(), host.size() - 1) != 0) host[0] = '\0';
  std::random_device rd;
  const std::uint64_t nonce = (std::uint64_t{rd()} << 32) | rd();
  char random[17];
  std::snprintf(random, sizeof random, "%016llx", static_cast<unsigned long long>(nonce));
  return name + "@" + host.data() + ":" + std::to_string(::getpid()) + ":" + random;
}

}  // namespace keeper::standby
