#include "keeper/commands/command_line.hpp"

#include <algorithm>
#include <iostream>

namespace keeper {
namespace {

// "keeper devnet up": the app and the subcommands chosen so far, for the --help hint.
std::string chosen_command(const CLI::App& app) {
  std::string name = app.get_name();
  for (const CLI::App* sub = &app; !sub->get_subcommands().empty();) {
    sub = sub->get_subcommands().front();
    name += " " + sub->get_name();
  }
  return name;
}

}  // namespace

void apply_keeper_conventions(CLI::App& app) {
  app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
}

std::optional<int> parse_command_line(CLI::App& app, int argc, char** argv) {
  // CLI11 takes a vector in reverse order, the next argument last.
  std::vector<std::string> args(argv, argv + argc);
  std::reverse(args.begin(), args.end());
  try {
    app.parse(args);
  } catch (const CLI::CallForHelp&) {
    std::cout << app.help();  // the help of the deepest subcommand chosen
    return 0;
  } catch (const CLI::ParseError& e) {
    std::cerr << app.get_name() << ": " << e.what() << "\nRun `" << chosen_command(app)
              << " --help` for usage.\n";
    return kUsageErrorExit;
  }
  return std::nullopt;
}

CLI::Option* add_integer_option(CLI::App& app, const std::string& name,
                                std::function<void(std::uint64_t)> store, IntegerRange range,
                                const std::string& description) {
  return app
      .add_option_function<std::string>(
          name,
          [name, store = std::move(store), range](const std::string& text) {
            auto value = parse_integer_argument(name, text, range);
            if (!value) throw CLI::ValidationError(value.error());
            store(*value);
          },
          description)
      ->type_name("N");
}

void require_options(CLI::App& app, std::vector<RequiredOption> required) {
  for (const auto& r : required) r.option->description(r.option->get_description() + " (required)");
  // The final callback runs once this app's arguments are all in (for a subcommand: only when it
  // was chosen), and after --help, which never gets this far.
  app.final_callback([required = std::move(required)] {
    for (const auto& r : required)
      if (r.option->count() == 0) throw CLI::RequiredError(r.what);
  });
}

void require_a_subcommand(CLI::App& app) {
  // Not CLI11's require_subcommand(): for `keeper devnet bogus` it says "A subcommand is
  // required" where the extras check names 'bogus'; this check runs after that one.
  app.final_callback([&app] {
    if (app.get_subcommands().empty()) throw CLI::RequiredError("a subcommand");
  });
}

}  // namespace keeper
