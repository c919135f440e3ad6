#include "tests/support/background_keeper.hpp"

#include <fstream>
#include <sstream>
#include <thread>
#include "tests/support/build_paths.hpp"

namespace keeper::testing {

BackgroundKeeper::BackgroundKeeper(const std::vector<std::string>& args,
                                   std::filesystem::path log_path)
    : log_path_{std::move(log_path)} {
  std::filesystem::remove(log_path_);
  std::vector<std::string> argv{::keeper::testing::keeper_binary()};
  argv.insert(argv.end(), args.begin(), args.end());
  auto child = ChildProcess::spawn(argv, log_path_, true);
  if (child) {
    process_ = std::move(*child);
    started_ = true;
  }
}

std::string BackgroundKeeper::output() const {
  std::ifstream in(log_path_);
  return {std::istreambuf_iterator<char>(in), {}};
}

std::vector<nlohmann::json> BackgroundKeeper::events() const {
  std::vector<nlohmann::json> out;
  std::istringstream in(output());
  for (std::string line; std::getline(in, line);) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (!j.is_discarded() && j.is_object()) out.push_back(std::move(j));
  }
  return out;
}

bool BackgroundKeeper::wait_for(const std::function<bool(const std::vector<nlohmann::json>&)>& done,
                                std::chrono::milliseconds limit) const {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done(events())) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds{100});
  }
  return done(events());
}

bool BackgroundKeeper::wait_for_event(const std::string& kind,
                                      std::chrono::milliseconds limit) const {
  return wait_for([&](const auto& events) { return !of_kind(events, kind).empty(); }, limit);
}

std::vector<nlohmann::json> of_kind(const std::vector<nlohmann::json>& events,
                                    const std::string& kind) {
  std::vector<nlohmann::json> out;
  for (const auto& e : events)
    if (e.value("event", "") == kind) out.push_back(e);
  return out;
}

}  // namespace keeper::testing
