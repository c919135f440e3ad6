#pragma once
// Writing a file so that it is on disk when the call returns (write, then fsync): what the
// journal and the state snapshot rely on before anything leaves keeper.
#include <filesystem>
#include <string>
#include <string_view>

#include <tl/expected.hpp>

namespace keeper {

enum class WriteMode { append, replace };

// Creates the file (mode 0600) if needed; errors name the path.
[[nodiscard]] tl::expected<void, std::string> write_synced(const std::filesystem::path& path,
                                                           std::string_view text, WriteMode mode);
// The same write without the fsync: in the kernel when it returns, so it survives keeper
// crashing, but not yet the machine losing power. `sync_file` makes it durable later.
[[nodiscard]] tl::expected<void, std::string> write_unsynced(const std::filesystem::path& path,
                                                             std::string_view text, WriteMode mode);
[[nodiscard]] tl::expected<void, std::string> sync_file(const std::filesystem::path& path);
// Creates the file (mode 0600) if needed and checks it can be appended to, writing nothing: a
// file keeper must write later is refused at start, not discovered unwritable when it matters.
[[nodiscard]] tl::expected<void, std::string> check_appendable(const std::filesystem::path& path);

}  // namespace keeper
