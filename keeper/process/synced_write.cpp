#include "keeper/process/synced_write.hpp"

#include <fcntl.h>
#include <unistd.h>

#include "keeper/process/os_error.hpp"

namespace keeper {

namespace {

enum class Sync { now, later };

tl::expected<void, std::string> write_file(const std::filesystem::path& path, std::string_view text,
                                           WriteMode mode, Sync sync) {
  const int flags =
      O_WRONLY | O_CREAT | O_CLOEXEC | (mode == WriteMode::append ? O_APPEND : O_TRUNC);
  const int fd = ::open(path.c_str(), flags, 0600);
  if (fd < 0) return tl::unexpected(path.string() + ": " + errno_text());
  std::size_t written = 0;
  while (written < text.size()) {
    const ssize_t n = ::write(fd, text.data() + written, text.size() - written);
    if (n <= 0) {
      const std::string why = errno_text();
      ::close(fd);
      return tl::unexpected(path.string() + ": write failed: " + why);
    }
    written += static_cast<std::size_t>(n);
  }
  const bool synced = sync == Sync::later || ::fsync(fd) == 0;
  const std::string why = synced ? std::string{} : errno_text();
  ::close(fd);
  if (!synced) return tl::unexpected(path.string() + ": fsync failed: " + why);
  return {};
}

}  // namespace

tl::expected<void, std::string> write_synced(const std::filesystem::path& path,
                                             std::string_view text, WriteMode mode) {
  return write_file(path, text, mode, Sync::now);
}

tl::expected<void, std::string> write_unsynced(const std::filesystem::path& path,
                                               std::string_view text, WriteMode mode) {
  return write_file(path, text, mode, Sync::later);
}

tl::expected<void, std::string> sync_file(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return tl::unexpected(path.string() + ": " + errno_text());
  const bool synced = ::fdatasync(fd) == 0;
  const std::string why = synced ? std::string{} : errno_text();
  ::close(fd);
  if (!synced) return tl::unexpected(path.string() + ": fsync failed: " + why);
  return {};
}

tl::expected<void, std::string> check_appendable(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) return tl::unexpected(path.string() + ": " + errno_text());
  ::close(fd);
  return {};
}

}  // namespace keeper
