#include "keeper/standby/redis_client.hpp"

#include <sys/time.h>

#include <charconv>

#include <hiredis/hiredis.h>

namespace keeper::standby {

std::string_view to_string(RedisErrorKind kind) noexcept {
  switch (kind) {
    case RedisErrorKind::bad_url: return "bad_url";
    case RedisErrorKind::unreachable: return "unreachable";
    case RedisErrorKind::server_error: return "server_error";
    case RedisErrorKind::unexpected: return "unexpected";
  }
  return "unknown";
}

namespace {

RedisError bad_url(const std::string& why) {
  return {RedisErrorKind::bad_url,
          "redis_url: " + why + " (expected redis://[:password@]host[:port][/db])"};
}

template <typename T>
std::optional<T> number(std::string_view s) {
  T out{};
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  if (ec != std::errc{} || end != s.data() + s.size() || s.empty()) return std::nullopt;
  return out;
}

timeval to_timeval(std::chrono::milliseconds ms) {
  timeval tv{};
  tv.tv_sec = static_cast<decltype(tv.tv_sec)>(ms.count() / 1000);
  tv.tv_usec = static_cast<decltype(tv.tv_usec)>((ms.count() % 1000) * 1000);
  return tv;
}

// A reply tree copied out of hiredis's, so no hiredis object outlives the call.
tl::expected<RedisReply, RedisError> convert(const redisReply& r, int depth = 0) {
  if (depth > 4)
    return tl::unexpected(RedisError{RedisErrorKind::unexpected, "reply nested too deep"});
  switch (r.type) {
    case REDIS_REPLY_NIL: return RedisReply{RedisReply::Nil{}};
    case REDIS_REPLY_INTEGER: return RedisReply{static_cast<std::int64_t>(r.integer)};
    case REDIS_REPLY_STRING:
    case REDIS_REPLY_STATUS: return RedisReply{std::string{r.str, r.len}};
    case REDIS_REPLY_ERROR:
      return tl::unexpected(RedisError{RedisErrorKind::server_error, std::string{r.str, r.len}});
    case REDIS_REPLY_ARRAY: {
      std::vector<RedisReply> items;
      items.reserve(r.elements);
      for (std::size_t i = 0; i < r.elements; ++i) {
        auto item = convert(*r.element[i], depth + 1);
        if (!item) return tl::unexpected(item.error());
        items.push_back(std::move(*item));
      }
      return RedisReply{std::move(items)};
    }
    default: break;
  }
  return tl::unexpected(RedisError{RedisErrorKind::unexpected, "an answer of unknown type"});
}

}  // namespace

tl::expected<RedisUrl, RedisError> parse_redis_url(const std::string& url) {
  constexpr std::string_view scheme = "redis://";
  if (url.rfind(scheme, 0) != 0) return tl::unexpected(bad_url("must start with redis://"));
  std::string_view rest{url};
  rest.remove_prefix(scheme.size());
  RedisUrl out;
  if (const auto at = rest.rfind('@'); at != std::string_view::npos) {
    auto credentials = rest.substr(0, at);
    rest.remove_prefix(at + 1);
    if (const auto colon = credentials.find(':'); colon != std::string_view::npos)
      credentials.remove_prefix(colon + 1);  // a user name is not used: AUTH password
    if (credentials.empty()) return tl::unexpected(bad_url("an empty password"));
    out.password = std::string{credentials};
  }
  if (const auto slash = rest.find('/'); slash != std::string_view::npos) {
    const auto db = rest.substr(slash + 1);
    rest = rest.substr(0, slash);
    if (!db.empty()) {
      const auto n = number<std::uint32_t>(db);
      if (!n || *n > 1000) return tl::unexpected(bad_url("the database must be a number"));
      out.db = *n;
    }
  }
  if (const auto colon = rest.rfind(':'); colon != std::string_view::npos) {
    const auto port = number<std::uint16_t>(rest.substr(colon + 1));
    if (!port || *port == 0) return tl::unexpected(bad_url("the port must be 1-65535"));
    out.port = *port;
    rest = rest.substr(0, colon);
  }
  if (rest.empty()) return tl::unexpected(bad_url("no host"));
  out.host = std::string{rest};
  return out;
}

RedisClient::RedisClient(RedisUrl url, std::chrono::milliseconds timeout)
    : url_{std::move(url)}, timeout_{timeout} {}

RedisClient::~RedisClient() { drop(); }

RedisClient::RedisClient(RedisClient&& other) noexcept
    : url_{std::move(other.url_)}, timeout_{other.timeout_}, context_{other.context_} {
  other.context_ = nullptr;
}

RedisClient& RedisClient::operator=(RedisClient&& other) noexcept {
  if (this != &other) {
    drop();
    url_ = std::move(other.url_);
    timeout_ = other.timeout_;
    context_ = other.context_;
    other.context_ = nullptr;
  }
  return *this;
}

void RedisClient::drop() noexcept {
  if (context_ != nullptr) redisFree(context_);
  context_ = nullptr;
}

tl::expected<void, RedisError> RedisClient::connect() {
  if (context_ != nullptr) return {};
  const auto tv = to_timeval(timeout_);
  redisContext* c = redisConnectWithTimeout(url_.host.c_str(), url_.port, tv);
  if (c == nullptr)
    return tl::unexpected(
        RedisError{RedisErrorKind::unreachable, "redis " + url_.where() + ": out of memory"});
  if (c->err != 0) {
    std::string why = c->errstr;
    redisFree(c);
    return tl::unexpected(
        RedisError{RedisErrorKind::unreachable, "redis " + url_.where() + ": " + why});
  }
  // Every command after this one has the same deadline: a Redis that stops answering costs at
  // most `timeout_` per call, never a hang.
  if (redisSetTimeout(c, tv) != REDIS_OK) {
    redisFree(c);
    return tl::unexpected(RedisError{RedisErrorKind::unreachable,
                                     "redis " + url_.where() + ": cannot set a timeout"});
  }
  context_ = c;
  if (url_.password)
    if (auto ok = send({"AUTH", *url_.password}); !ok) {
      drop();
      return tl::unexpected(
          RedisError{ok.error().kind, "redis " + url_.where() + ": AUTH refused"});
    }
  if (url_.db != 0)
    if (auto ok = send({"SELECT", std::to_string(url_.db)}); !ok) {
      drop();
      return tl::unexpected(ok.error());
    }
  return {};
}

tl::expected<RedisReply, RedisError> RedisClient::send(const std::vector<std::string>& args) {
  std::vector<const char*> argv;
  std::vector<std::size_t> lengths;
  argv.reserve(args.size());
  lengths.reserve(args.size());
  for (const auto& a : args) {
    argv.push_back(a.data());
    lengths.push_back(a.size());
  }
  void* raw =
      redisCommandArgv(context_, static_cast<int>(argv.size()), argv.data(), lengths.data());
  if (raw == nullptr) {
    // The connection is unusable after any I/O error or timeout (a late answer would be read as
    // the next command's): it is dropped and made again by the next call.
    std::string why = context_->errstr;
    drop();
    return tl::unexpected(
        RedisError{RedisErrorKind::unreachable, "redis " + url_.where() + ": " + why});
  }
  auto* reply = static_cast<redisReply*>(raw);
  auto out = convert(*reply);
  freeReplyObject(reply);
  return out;
}

tl::expected<RedisReply, RedisError> RedisClient::command(const std::vector<std::string>& args) {
  if (auto ok = connect(); !ok) return tl::unexpected(ok.error());
  return send(args);
}

tl::expected<std::int64_t, RedisError> RedisClient::integer(const std::vector<std::string>& args) {
  auto r = command(args);
  if (!r) return tl::unexpected(r.error());
  if (const auto* n = std::get_if<std::int64_t>(&r->value)) return *n;
  return tl::unexpected(
      RedisError{RedisErrorKind::unexpected, args.front() + ": not an integer answer"});
}

tl::expected<std::vector<std::string>, RedisError> RedisClient::strings(
    const std::vector<std::string>& args) {
  auto r = command(args);
  if (!r) return tl::unexpected(r.error());
  const auto* items = std::get_if<std::vector<RedisReply>>(&r->value);
  if (items == nullptr)
    return tl::unexpected(
        RedisError{RedisErrorKind::unexpected, args.front() + ": not an array answer"});
  std::vector<std::string> out;
  out.reserve(items->size());
  for (const auto& item : *items) {
    const auto* s = std::get_if<std::string>(&item.value);
    if (s == nullptr)
      return tl::unexpected(
          RedisError{RedisErrorKind::unexpected, args.front() + ": not a string in the array"});
    out.push_back(*s);
  }
  return out;
}

}  // namespace keeper::standby
