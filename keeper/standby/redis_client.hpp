#pragma once
// A small synchronous Redis client (hiredis) for the standby pair's lease and journal mirror: one
// connection, a deadline on connecting and on every command, typed errors. A command that fails
// on the connection drops it; the next command connects again.
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <tl/expected.hpp>

struct redisContext;

namespace keeper::standby {

enum class RedisErrorKind {
  bad_url,       // redis_url is not redis://[:password@]host[:port][/db]
  unreachable,   // cannot connect, or the connection broke or timed out
  server_error,  // Redis answered with an error (a script's, a wrong type, AUTH refused)
  unexpected,    // an answer of a type the caller did not ask for
};
[[nodiscard]] std::string_view to_string(RedisErrorKind kind) noexcept;

struct RedisError {
  RedisErrorKind kind;
  std::string message;
};

struct RedisUrl {
  std::string host;
  std::uint16_t port = 6379;
  std::optional<std::string> password;  // never logged
  std::uint32_t db = 0;
  // host:port, for logs (never the password).
  [[nodiscard]] std::string where() const { return host + ":" + std::to_string(port); }
};
[[nodiscard]] tl::expected<RedisUrl, RedisError> parse_redis_url(const std::string& url);

// What Redis answered: nil, an integer, a string (bulk or status), or an array of those.
struct RedisReply {
  struct Nil {};
  std::variant<Nil, std::int64_t, std::string, std::vector<RedisReply>> value;
  [[nodiscard]] bool is_nil() const noexcept { return std::holds_alternative<Nil>(value); }
};

class RedisClient {
 public:
  RedisClient(RedisUrl url, std::chrono::milliseconds timeout);
  ~RedisClient();
  RedisClient(RedisClient&&) noexcept;
  RedisClient& operator=(RedisClient&&) noexcept;
  RedisClient(const RedisClient&) = delete;
  RedisClient& operator=(const RedisClient&) = delete;

  // One command, its arguments sent as binary-safe strings; connects first when needed.
  [[nodiscard]] tl::expected<RedisReply, RedisError> command(const std::vector<std::string>& args);
  [[nodiscard]] tl::expected<std::int64_t, RedisError> integer(
      const std::vector<std::string>& args);
  [[nodiscard]] tl::expected<std::vector<std::string>, RedisError> strings(
      const std::vector<std::string>& args);

  [[nodiscard]] const RedisUrl& url() const noexcept { return url_; }

 private:
  tl::expected<void, RedisError> connect();
  tl::expected<RedisReply, RedisError> send(const std::vector<std::string>& args);
  void drop() noexcept;

  RedisUrl url_;
  std::chrono::milliseconds timeout_;
  redisContext* context_ = nullptr;
};

}  // namespace keeper::standby
