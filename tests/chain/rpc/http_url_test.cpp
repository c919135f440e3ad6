#include <catch2/catch.hpp>

#include "chain/rpc/http_url.hpp"

using chain::rpc::parse_http_url;

TEST_CASE("http(s) URLs parse into host, port, target and Host header", "[rpc][url]") {
  struct Row {
    const char* url;
    bool tls;
    const char* host;
    std::uint16_t port;
    const char* target;
    const char* host_header;
  };
  const Row rows[] = {
      {"http://127.0.0.1:18545", false, "127.0.0.1", 18545, "/", "127.0.0.1:18545"},
      {"https://relay.flashbots.net", true, "relay.flashbots.net", 443, "/", "relay.flashbots.net"},
      {"http://builder.example/api/v1?key=x", false, "builder.example", 80, "/api/v1?key=x",
       "builder.example"},
      {"http://b.example?key=x", false, "b.example", 80, "/?key=x", "b.example"},
      {"http://[::1]:8545/rpc", false, "::1", 8545, "/rpc", "[::1]:8545"},
      {"https://b.example:443/", true, "b.example", 443, "/", "b.example"},
  };
  for (const auto& row : rows) {
    INFO(row.url);
    const auto url = parse_http_url(row.url);
    REQUIRE(url.has_value());
    CHECK(url->tls == row.tls);
    CHECK(url->host == row.host);
    CHECK(url->port == row.port);
    CHECK(url->target == row.target);
    CHECK(url->host_header() == row.host_header);
  }
}

TEST_CASE("malformed http URLs are refused with a reason", "[rpc][url]") {
  for (const char* bad : {"", "ftp://x", "127.0.0.1:80", "http://", "http://:80", "http://h:0",
                          "http://h:65536", "http://h:", "http://h:8x", "http://user:pw@h/",
                          "http://h/a b", "http://h/#frag", "http://[::1", "http://[::1]x"}) {
    INFO(bad);
    const auto url = parse_http_url(bad);
    REQUIRE_FALSE(url.has_value());
    CHECK_FALSE(url.error().empty());
  }
}
