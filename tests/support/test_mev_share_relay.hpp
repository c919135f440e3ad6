#pragma once
// A MEV-Share mev_sendBundle endpoint for tests (Boost.Beast, 127.0.0.1, its own thread, kept-
// alive connections). As Flashbots' relay, it checks X-Flashbots-Signature first (the signer
// recovered from the signature must be the address the header names; refused with 403), then
// the request's shape: method mev_sendBundle, version "v0.1", inclusion.block (and maxBlock, not
// below it) as hex quantities, a body of {hash} and {tx, canRevert} entries holding exactly one
// backrun after at least one hash (MEV-Share's rule since October 2025); refused with 400.
// Accepted bundles are recorded with their signer and answered {"bundleHash": ...}.
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <nlohmann/json.hpp>

#include "chain/address.hpp"
#include "chain/bytes.hpp"

namespace keeper::testing {

struct RecordedMevShareBundle {
  chain::Address signer;
  std::vector<chain::Hash> hashes;  // the {hash} entries, in order
  chain::Bytes backrun;             // the {tx} entry
  bool can_revert = true;
  std::uint64_t block = 0;
  std::optional<std::uint64_t> max_block;
  nlohmann::json params;  // the whole params[0], for checks of optional fields
};

struct TestMevShareRelayCounts {
  std::size_t requests = 0;
  std::size_t accepted = 0;
  std::size_t refused_signature = 0;
  std::size_t refused_malformed = 0;
};

class TestMevShareRelay {
 public:
  TestMevShareRelay();
  ~TestMevShareRelay();
  TestMevShareRelay(const TestMevShareRelay&) = delete;
  TestMevShareRelay& operator=(const TestMevShareRelay&) = delete;

  [[nodiscard]] std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  [[nodiscard]] TestMevShareRelayCounts counts() const;
  [[nodiscard]] std::vector<RecordedMevShareBundle> bundles() const;
  // Waits (bounded) until `count` requests were answered; false on timeout.
  bool wait_for_requests(std::size_t count, std::chrono::milliseconds timeout) const;
  // The answer to one request (status, JSON body); public so tests can check refusals directly.
  std::pair<unsigned, std::string> handle(const std::string& signature_header,
                                          const std::string& body);

 private:
  struct Session;
  void accept();

  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::uint16_t port_ = 0;
  mutable std::mutex mutex_;
  std::vector<RecordedMevShareBundle> bundles_;
  TestMevShareRelayCounts counts_;
  std::thread thread_;
};

}  // namespace keeper::testing
