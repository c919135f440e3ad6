// The engine is protocol-neutral: it works on strategy::LendingProtocol alone. Adding Morpho Blue
// beside Aave V3 (and running both in one daemon) added no line naming either protocol to
// keeper/engine: no include of protocols/, no Aave or Morpho type, word or address.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>
#include "keeper/process/source_dir.hpp"

namespace fs = std::filesystem;

namespace {

std::string lowered(const fs::path& file) {
  std::ifstream in(file);
  std::stringstream text;
  text << in.rdbuf();
  std::string s = text.str();
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

}  // namespace

TEST_CASE("keeper/engine names no lending protocol", "[engine][protocol-neutral]") {
  const fs::path engine = fs::path{::keeper::process::source_dir()} / "keeper" / "engine";
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(engine))
    if (e.is_regular_file()) files.push_back(e.path());
  // The pipeline, its follow-up, the price tick, competition, inventory, reporting: a folder
  // this small would mean the test reads the wrong place.
  REQUIRE(files.size() >= 8);
  for (const auto& f : files) {
    INFO(f.string());
    const auto text = lowered(f);
    CHECK(text.size() > 100);
    for (const char* word : {"morpho", "aave", "protocols/", "liquidationcall", "comet"})
      CHECK(text.find(word) == std::string::npos);
  }
}

TEST_CASE("the protocol-neutral check finds a protocol where there is one",
          "[engine][protocol-neutral]") {
  // The same reading, on the files that must name their protocol: a check that cannot fail
  // would prove nothing.
  const fs::path morpho = fs::path{::keeper::process::source_dir()} / "protocols" / "morpho_blue" /
                          "morpho_blue_protocol.hpp";
  CHECK(lowered(morpho).find("morpho") != std::string::npos);
  const fs::path runner =
      fs::path{::keeper::process::source_dir()} / "keeper" / "commands" / "market_runner.cpp";
  CHECK(lowered(runner).find("protocols/") != std::string::npos);
}
