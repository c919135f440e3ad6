#pragma once
// The gauges an operator watches money with, kept up to date off the daemon's path: the wallet's
// and keeper's contract's ETH and token balances, the gas spent against the hourly cap, who won
// the market's liquidations (keeper or a competitor, by address), and whether the node and its
// WebSocket answer. Balances and liquidations are read over RPC on a thread of its own (with its
// own client) every `every_heads` heads; the results are handed back to the event loop, which
// owns the metrics. What the daemon knows in memory is sampled on the loop by a timer.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "chain/address.hpp"
#include "chain/rpc/rpc_client.hpp"
#include "chain/uint256.hpp"
#include "keeper/ops/metrics.hpp"

namespace keeper::ops {

struct WatchedToken {
  std::string symbol;
  chain::Address address;
  unsigned decimals = 18;
};

struct MoneyGaugeOptions {
  std::string market;                // the `market` label
  chain::rpc::RpcClientOptions rpc;  // a client of its own: reads run on another thread
  chain::Address wallet;
  std::optional<chain::Address> liquidator_contract;
  chain::Address pool;  // whose LiquidationCall logs say who won each liquidation
  std::vector<WatchedToken> tokens;
  std::uint64_t every_heads = 5;
  std::uint64_t scan_from_block = 0;  // competition is counted from here (the head at start)
  chain::u256 max_fee_per_gas_wei;    // the fee cap: one liquidation's gas is priced at it
  chain::u256 spend_cap_per_hour_wei;
  std::chrono::milliseconds sample_every{5000};  // in-memory samples and the node probe
};

// What the daemon knows in memory, read on the event loop. Any may be empty.
struct DaemonProbes {
  std::function<bool()> websocket_connected;
  std::function<std::optional<chain::u256>()> spend_last_hour_wei;  // none in a dry run
  std::function<std::uint64_t()> failed_heads;
  std::function<std::uint64_t()> snapshot_write_failures;
};

class MoneyGauges {
 public:
  MoneyGauges(boost::asio::io_context& io, Metrics& metrics, MoneyGaugeOptions options,
              DaemonProbes probes);
  ~MoneyGauges();
  MoneyGauges(const MoneyGauges&) = delete;
  MoneyGauges& operator=(const MoneyGauges&) = delete;

  // On the event loop, after a head is handled: every `every_heads`, the reader wakes.
  void on_head(std::uint64_t block);
  // Stops the timer and the reader (joined; its RPC calls are bounded by their timeouts).
  void stop();

  // What one round of reads found; applied on the event loop.
  struct Reading {
    bool node_up = false;
    std::uint64_t node_errors = 0;
    std::optional<std::uint64_t> block;  // balances read at this block
    std::optional<chain::u256> wallet_wei, contract_wei;
    std::map<std::string, double> wallet_tokens, contract_tokens;  // symbol -> whole tokens
    std::uint64_t won = 0, lost = 0;
    std::map<chain::Address, std::uint64_t> winners;  // competitors' liquidations by liquidator
  };

 private:
  void sample();
  void schedule_sample();
  void reader_loop();
  Reading read(std::optional<std::uint64_t> balances_at);
  void apply(const Reading& r);

  boost::asio::io_context& io_;
  Metrics& metrics_;
  MoneyGaugeOptions options_;
  DaemonProbes probes_;
  boost::asio::steady_timer timer_;

  // Shared with the reader thread.
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  bool probe_requested_ = false;
  std::optional<std::uint64_t> balances_requested_;

  // The reader's own.
  std::unique_ptr<chain::rpc::RpcClient> rpc_;
  std::uint64_t scanned_to_ = 0;

  // The event loop's totals.
  std::uint64_t heads_ = 0;
  std::uint64_t node_errors_ = 0, won_ = 0, lost_ = 0;
  std::map<std::string, std::uint64_t> winners_;  // label value -> count (bounded)
  std::thread reader_;
};

}  // namespace keeper::ops
