// Property: any bytes parse to a snapshot or a typed error, never a crash; whatever parses
// writes back to a file that parses to the same state.
#include "fuzz/fuzz_target.hpp"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string_view>

#include "keeper/market/snapshot.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text{reinterpret_cast<const char*>(data), size};
  auto parsed = keeper::parse_snapshot(text, "fuzz");
  if (!parsed) return 0;
  const auto path = std::filesystem::temp_directory_path() /
                    ("keeper-snapshot-fuzz-" + std::to_string(::getpid()) + ".json");
  if (!keeper::write_snapshot(*parsed, path)) std::abort();
  auto again = keeper::read_snapshot(path);
  std::filesystem::remove(path);
  if (!again || again->block != parsed->block || again->accounts != parsed->accounts ||
      again->positions.size() != parsed->positions.size() ||
      again->market.has_value() != parsed->market.has_value())
    std::abort();
  return 0;
}
