#pragma once
// The leader lease of a standby pair: one Redis key, set only when absent (SET NX PX) to a token
// naming its holder, renewed and released only by that holder (compare-and-renew and
// compare-and-delete, each one Lua script, so no other instance's lease is ever touched).
// An instance sends only while it holds the lease; when the holder dies the key expires after
// `lease` and the other instance takes it.
#include <chrono>
#include <string>

#include <tl/expected.hpp>

#include "keeper/standby/redis_client.hpp"

namespace keeper::standby {

class LeaderLease {
 public:
  // `token` must be unique to this process (name, host, pid and a random part).
  LeaderLease(RedisClient& redis, std::string key, std::string token,
              std::chrono::milliseconds lease);

  // true: this instance now holds the lease (or already did); false: another does.
  [[nodiscard]] tl::expected<bool, RedisError> acquire();
  // true: extended by a full lease; false: this instance no longer holds it (it expired, or
  // another took it after it expired): the caller must stop sending.
  [[nodiscard]] tl::expected<bool, RedisError> renew();
  // Gives the lease up (only if still ours), so the other instance takes over at once.
  [[nodiscard]] tl::expected<bool, RedisError> release();
  // The token of whoever holds it now, empty when nobody does.
  [[nodiscard]] tl::expected<std::string, RedisError> holder();

  [[nodiscard]] const std::string& key() const noexcept { return key_; }
  [[nodiscard]] const std::string& token() const noexcept { return token_; }
  [[nodiscard]] std::chrono::milliseconds duration() const noexcept { return lease_; }

 private:
  RedisClient& redis_;
  std::string key_;
  std::string token_;
  std::chrono::milliseconds lease_;
};

// A token unique to this process: `name`, the host, the pid and 64 random bits.
[[nodiscard]] std::string make_lease_token(const std::string& name);

}  // namespace keeper::standby
