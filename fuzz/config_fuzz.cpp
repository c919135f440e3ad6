// Property: any text is a config or an error naming its source, never a crash or an escaped
// exception (toml11 throws; keeper's loader must catch everything).
#include "fuzz/fuzz_target.hpp"

#include <cstdlib>
#include <string>

#include "config/keeper_config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text{reinterpret_cast<const char*>(data), size};
  auto parsed = config::parse_config(text, "fuzz.toml");
  if (!parsed && parsed.error().source != "fuzz.toml") std::abort();
  if (parsed && (parsed->chain_id == 0 || parsed->markets.empty())) std::abort();
  return 0;
}
