#include "keeper/ops/log.hpp"

#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <iostream>

namespace keeper::ops {
namespace {

std::string utc_now() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t t = std::chrono::system_clock::to_time_t(now);
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms));
  return buf;
}

// One line, one write(2): under systemd and in containers stdout is a pipe, and a line split
// over several writes (stdio splits what exceeds its buffer) can interleave with stderr or reach
// a reader torn. Anything buffered in std::cout is flushed first so order is kept.
void write_line(std::string line) {
  line.push_back('\n');
  std::cout.flush();
  std::size_t done = 0;
  while (done < line.size()) {
    const ssize_t n = ::write(STDOUT_FILENO, line.data() + done, line.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // a closed stdout must not stop keeper (SIGPIPE is ignored)
    done += static_cast<std::size_t>(n);
  }
}

}  // namespace

const char* to_string(Level level) noexcept {
  switch (level) {
    case Level::debug: return "debug";
    case Level::info: return "info";
    case Level::warn: return "warn";
    case Level::error: return "error";
  }
  return "info";
}

bool parse_level(const std::string& text, Level& out) noexcept {
  for (const Level l : {Level::debug, Level::info, Level::warn, Level::error})
    if (text == to_string(l)) {
      out = l;
      return true;
    }
  return false;
}

Log Log::with(const nlohmann::json& fields) const {
  Log out = *this;
  if (!fields.is_object()) return out;
  for (const auto& [k, v] : fields.items()) {
    out.context_[k] = v;
    out.text_prefix_ += k + "=" + (v.is_string() ? v.get<std::string>() : v.dump()) + " ";
  }
  return out;
}

void Log::event(Level level, const std::string& kind, const nlohmann::json& fields,
                const std::string& text) const {
  if (level < min_) return;
  if (json_) {
    nlohmann::json line = fields.is_object() ? fields : nlohmann::json::object();
    for (const auto& [k, v] : context_.items())
      if (!line.contains(k)) line[k] = v;
    line["time"] = utc_now();
    line["level"] = to_string(level);
    line["event"] = kind;
    write_line(line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  } else {
    write_line(utc_now() + ' ' + to_string(level) + " [" + kind + "] " + text_prefix_ + text);
  }
}

}  // namespace keeper::ops
