#pragma once
// keeper's conventions on top of CLI11, shared by every command: one option table per
// command, the same number checks everywhere, --help on stdout with exit 0, usage errors on stderr
// with exit 2. Included by command sources only (keeper_core links CLI11 privately).
#include <algorithm>
#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include <CLI/CLI.hpp>

#include "keeper/commands/integer_argument.hpp"

namespace keeper {

constexpr int kUsageErrorExit = 2;

// A command (or subcommand) app: an option given twice keeps its last value, as the hand-written
// parsers did. Call before adding options or subcommands, which inherit it.
void apply_keeper_conventions(CLI::App& app);

// Parses the arguments after the command's name. nullopt: go on; otherwise the exit code to
// return: 0 after --help (usage of the chosen subcommand on stdout), kUsageErrorExit after a
// usage error ("<app name>: <problem>" on stderr).
[[nodiscard]] std::optional<int> parse_command_line(CLI::App& app, int argc, char** argv);

// An option or positional (a name without dashes) taking a whole number in `range`, stored
// through `store` once checked; anything else is a usage error naming it.
CLI::Option* add_integer_option(CLI::App& app, const std::string& name,
                                std::function<void(std::uint64_t)> store, IntegerRange range,
                                const std::string& description);

// The range narrowed to what `Unsigned` holds, so the cast on store never truncates.
template <class Unsigned>
IntegerRange within_type(IntegerRange range) {
  static_assert(std::is_unsigned_v<Unsigned>);
  return {range.min, std::min<std::uint64_t>(range.max, std::numeric_limits<Unsigned>::max())};
}

template <class Unsigned>
CLI::Option* add_integer_option(CLI::App& app, const std::string& name, Unsigned& target,
                                IntegerRange range, const std::string& description) {
  return add_integer_option(
      app, name, [&target](std::uint64_t v) { target = static_cast<Unsigned>(v); },
      within_type<Unsigned>(range), description);
}

// An optional number: left empty unless given.
template <class Unsigned>
CLI::Option* add_integer_option(CLI::App& app, const std::string& name,
                                std::optional<Unsigned>& target, IntegerRange range,
                                const std::string& description) {
  return add_integer_option(
      app, name, [&target](std::uint64_t v) { target = static_cast<Unsigned>(v); },
      within_type<Unsigned>(range), description);
}

// Options that must be given, each with the words keeper has always used for it:
// {config, "--config FILE"} fails with "--config FILE is required". CLI11's own required() would
// only say "--config is required". Checked once `app` (a subcommand: when chosen) is parsed.
struct RequiredOption {
  CLI::Option* option;
  std::string what;
};
void require_options(CLI::App& app, std::vector<RequiredOption> required);

// For an app made of subcommands: none given is a usage error.
void require_a_subcommand(CLI::App& app);

}  // namespace keeper
