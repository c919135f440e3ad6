#pragma once
// A block builder for tests: an HTTP server (Boost.Beast, 127.0.0.1, its own thread) that takes
// eth_sendBundle, refuses a missing or wrong X-Flashbots-Signature (the signer recovered from the
// signature must be the address the header names), and keeps each accepted bundle for its target
// block. build_block() then builds the next block of a real anvil from them, atomically and in
// order or not at all: automine off, snapshot, the bundle's raw transactions, evm_mine, every
// receipt checked; a transaction that reverted without being listed in revertingTxHashes (or
// one that did not make the block) reverts the chain to the snapshot and drops the bundle.
// As a real builder, it builds on the public mempool too: a bundle may carry a transaction that
// is already there (an oracle update it backruns), and a dropped bundle leaves the public
// transactions where they were.
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "chain/bytes.hpp"
#include "chain/rpc/rpc_client.hpp"

namespace keeper::testing {

struct BuiltBlock {
  std::uint64_t number = 0;
  bool bundle_included = false;
  std::size_t bundles_included = 0;
  std::vector<chain::Hash> included_txs;  // the included bundles', each in its order, once each
  std::size_t dropped = 0;  // bundles for this block that would have reverted or did not fit
};

struct TestBuilderCounts {
  std::size_t requests = 0;
  std::size_t accepted = 0;
  std::size_t refused_signature = 0;
  std::size_t refused_malformed = 0;
};

class TestBuilder {
 public:
  explicit TestBuilder(std::string anvil_http_url);
  ~TestBuilder();
  TestBuilder(const TestBuilder&) = delete;
  TestBuilder& operator=(const TestBuilder&) = delete;

  [[nodiscard]] std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  [[nodiscard]] TestBuilderCounts counts() const;
  // Bundles held for blocks not yet built.
  [[nodiscard]] std::size_t held() const;
  // Builds the chain's next block from the public mempool and the bundles that target it: as
  // many as land whole together, in arrival order. Call from the test's thread.
  BuiltBlock build_block();
  // From now on only build_block() makes blocks (interval mining and automine off), so pending
  // transactions wait in the mempool as they would for a real block.
  void take_over_mining();

 private:
  struct Held {
    std::vector<chain::Bytes> txs;
    std::uint64_t block = 0;
    std::vector<chain::Hash> reverting;
  };
  struct Session;

  void accept();
  // The answer to one request: status and JSON body.
  std::pair<unsigned, std::string> handle(const std::string& signature_header,
                                          const std::string& body);
  // Builds the block from the mempool and `bundles` together; on failure the chain is as it was
  // and the index of the first bundle that failed is returned.
  std::optional<std::size_t> try_include(chain::rpc::RpcClient& rpc,
                                         const std::vector<Held>& bundles, std::uint64_t number,
                                         BuiltBlock& built);
  // The public mempool's transactions as signed bytes, to put back after a dropped bundle.
  static std::vector<chain::Bytes> public_pool(chain::rpc::RpcClient& rpc);

  std::string anvil_url_;
  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::uint16_t port_ = 0;
  mutable std::mutex mutex_;
  std::vector<Held> held_;
  TestBuilderCounts counts_;
  bool owns_mining_ = false;
  std::thread thread_;
};

}  // namespace keeper::testing
