// deployment.json round trips, with and without the Uniswap contracts (older devnets have none).
#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "keeper/devnet/deployment.hpp"

using keeper::devnet::Deployment;
using keeper::devnet::read_deployment;
using keeper::devnet::write_deployment;
namespace fs = std::filesystem;

namespace {

chain::Address address(const char* low) {
  return chain::Address::from_hex(std::string{"0x"} + std::string(40 - std::strlen(low), '0') + low)
      .value();
}

}  // namespace

TEST_CASE("deployment.json keeps the Uniswap contracts and pools, and may lack them",
          "[devnet][uniswap]") {
  const fs::path file = fs::temp_directory_path() /
                        ("keeper-deployment-test-" + std::to_string(::getpid()) + ".json");
  Deployment d;
  d.http_url = "http://127.0.0.1:1";
  d.ws_url = "ws://127.0.0.1:1";
  REQUIRE(write_deployment(d, file).has_value());
  CHECK_FALSE(read_deployment(file).value().uniswap.has_value());

  keeper::devnet::UniswapDeployment u;
  u.factory = address("f1");
  u.router = address("f2");
  u.position_manager = address("f3");
  u.quoter = address("f4");
  u.pools = {{"USDC", "WETH", 500, address("a1")}, {"DAI", "USDC", 100, address("a2")}};
  d.uniswap = u;
  REQUIRE(write_deployment(d, file).has_value());
  const auto back = read_deployment(file);
  fs::remove(file);
  REQUIRE(back.has_value());
  REQUIRE(back->uniswap.has_value());
  CHECK(back->uniswap->factory == u.factory);
  CHECK(back->uniswap->router == u.router);
  CHECK(back->uniswap->position_manager == u.position_manager);
  CHECK(back->uniswap->quoter == u.quoter);
  REQUIRE(back->uniswap->pools.size() == 2);
  const auto* pool = back->uniswap->pool("WETH", "USDC");  // either order finds it
  REQUIRE(pool != nullptr);
  CHECK(pool->fee == 500);
  CHECK(pool->address == address("a1"));
  CHECK(back->uniswap->pool("DAI", "USDC")->address == address("a2"));
  CHECK(back->uniswap->pool("WETH", "DAI") == nullptr);
}

TEST_CASE("a deployment.json with a malformed pool is refused, not half read",
          "[devnet][uniswap]") {
  const fs::path file =
      fs::temp_directory_path() / ("keeper-deployment-bad-" + std::to_string(::getpid()) + ".json");
  Deployment d;
  keeper::devnet::UniswapDeployment u;
  u.pools = {{"USDC", "WETH", 500, address("a1")}};
  d.uniswap = u;
  REQUIRE(write_deployment(d, file).has_value());
  std::string text;
  {
    std::ifstream in(file);
    text.assign(std::istreambuf_iterator<char>{in}, {});
  }
  const auto at = text.find(address("a1").checksummed());
  REQUIRE(at != std::string::npos);
  text.replace(at, 42, "0xnot-an-address");
  {
    std::ofstream out(file);
    out << text;
  }
  const auto back = read_deployment(file);
  fs::remove(file);
  REQUIRE_FALSE(back.has_value());
  CHECK_THAT(back.error(), Catch::Contains("malformed"));
}
