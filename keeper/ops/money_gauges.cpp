#include "keeper/ops/money_gauges.hpp"

#include <algorithm>
#include <cmath>

#include <boost/asio/post.hpp>

#include "chain/abi/signature.hpp"
#include "chain/keccak.hpp"
#include "keeper/ops/gas_reserve.hpp"

namespace keeper::ops {
namespace {

using chain::Address;
using chain::u256;

// Competitors are labelled by address up to this many; the rest add up under "other", so a
// market full of bots cannot grow the series without bound.
constexpr std::size_t kMaxCompetitorLabels = 16;
// eth_getLogs ranges keep under what public nodes accept.
constexpr std::uint64_t kMaxLogRange = 5'000;

double whole(const u256& units, unsigned decimals) {
  return chain::to_double(units) / std::pow(10.0, static_cast<double>(decimals));
}

std::optional<u256> token_balance(chain::rpc::RpcClient& rpc, const Address& token,
                                  const Address& holder) {
  static const auto fn = chain::abi::parse_function("balanceOf(address)(uint256)");
  if (!fn) return std::nullopt;
  const chain::abi::Values args{chain::abi::Value{holder}};
  auto data = fn->encode_call(args);
  if (!data) return std::nullopt;
  chain::rpc::CallRequest call;
  call.to = token;
  call.data = std::move(*data);
  auto out = rpc.eth_call(call, std::string{"latest"});
  if (!out) return std::nullopt;
  auto values = fn->decode_output(*out);
  if (!values || values->empty()) return std::nullopt;
  return (*values)[0].as_uint();
}

const chain::Hash& liquidation_call_topic() {
  static const chain::Hash topic =
      chain::keccak256("LiquidationCall(address,address,address,uint256,uint256,address,bool)");
  return topic;
}

}  // namespace

MoneyGauges::MoneyGauges(boost::asio::io_context& io, Metrics& metrics, MoneyGaugeOptions options,
                         DaemonProbes probes)
    : io_{io},
      metrics_{metrics},
      options_{std::move(options)},
      probes_{std::move(probes)},
      timer_{io},
      rpc_{std::make_unique<chain::rpc::RpcClient>(options_.rpc)},
      scanned_to_{options_.scan_from_block},
      reader_{[this] { reader_loop(); }} {
  const std::string market = label("market", options_.market);
  metrics_.set_series("keeper_liquidation_gas_cost_eth", "gauge",
                      "ETH one liquidation may cost: " + std::to_string(kGasPerLiquidation) +
                          " gas at the fee cap ([strategy] max_fee_per_gas_gwei).",
                      "",
                      chain::to_double(gas_reserve_wei(options_.max_fee_per_gas_wei, 1)) / 1e18);
  metrics_.set_series("keeper_gas_spend_cap_eth", "gauge",
                      "The hourly gas spend cap ([transactions] max_gas_spend_per_hour_eth).", "",
                      chain::to_double(options_.spend_cap_per_hour_wei) / 1e18);
  metrics_.set_series("keeper_market_info", "gauge",
                      "The market keeper follows, with its wallet and contract (always 1).",
                      market + "," + label("wallet", options_.wallet.checksummed()) + "," +
                          label("liquidator", options_.liquidator_contract
                                                  ? options_.liquidator_contract->checksummed()
                                                  : "none"),
                      1);
  metrics_.declare_series("keeper_competitor_liquidations_total", "counter",
                          "The market's liquidations made by others, by liquidator address.");
  for (const char* winner : {"keeper", "competitor"})
    metrics_.set_series("keeper_market_liquidations_total", "counter",
                        "The market's liquidations since keeper started, by who made them.",
                        market + "," + label("winner", winner), 0);
  sample();
  schedule_sample();
  {
    const std::lock_guard lock{mutex_};
    probe_requested_ = true;
  }
  wake_.notify_one();
}

MoneyGauges::~MoneyGauges() { stop(); }

void MoneyGauges::stop() {
  timer_.cancel();
  {
    const std::lock_guard lock{mutex_};
    stopping_ = true;
  }
  wake_.notify_one();
  if (reader_.joinable()) reader_.join();
}

void MoneyGauges::on_head(std::uint64_t block) {
  sample();
  if (heads_++ % std::max<std::uint64_t>(options_.every_heads, 1) != 0) return;
  {
    const std::lock_guard lock{mutex_};
    balances_requested_ = block;
  }
  wake_.notify_one();
}

void MoneyGauges::schedule_sample() {
  timer_.expires_after(options_.sample_every);
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;
    sample();
    {
      const std::lock_guard lock{mutex_};
      probe_requested_ = true;
    }
    wake_.notify_one();
    schedule_sample();
  });
}

void MoneyGauges::sample() {
  if (probes_.websocket_connected)
    metrics_.set_series("keeper_websocket_connected", "gauge",
                        "1 while keeper's WebSocket to the node is connected.", "",
                        probes_.websocket_connected() ? 1 : 0);
  if (probes_.spend_last_hour_wei)
    if (const auto spent = probes_.spend_last_hour_wei())
      metrics_.set_series("keeper_gas_spend_last_hour_eth", "gauge",
                          "Worst-case gas reserved by transactions signed in the last hour: what "
                          "the hourly cap is checked against.",
                          "", chain::to_double(*spent) / 1e18);
  if (probes_.failed_heads)
    metrics_.set_series("keeper_failed_heads_total", "counter",
                        "Heads whose state could not be read from the node (covered by the next).",
                        "", static_cast<double>(probes_.failed_heads()));
  if (probes_.snapshot_write_failures)
    metrics_.set_series("keeper_snapshot_write_failures_total", "counter",
                        "Market snapshots that could not be written.", "",
                        static_cast<double>(probes_.snapshot_write_failures()));
}

void MoneyGauges::reader_loop() {
  for (;;) {
    std::optional<std::uint64_t> balances_at;
    {
      std::unique_lock lock{mutex_};
      wake_.wait(lock, [this] { return stopping_ || probe_requested_ || balances_requested_; });
      if (stopping_) return;
      balances_at = balances_requested_;
      balances_requested_.reset();
      probe_requested_ = false;
    }
    auto reading = read(balances_at);
    boost::asio::post(io_, [this, reading = std::move(reading)] { apply(reading); });
  }
}

MoneyGauges::Reading MoneyGauges::read(std::optional<std::uint64_t> balances_at) {
  Reading r;
  auto& rpc = *rpc_;
  const auto head = rpc.block_number();
  r.node_up = head.has_value();
  if (!head) {
    ++r.node_errors;
    return r;
  }
  if (!balances_at) return r;
  bool complete = true;
  if (auto wei = rpc.balance(options_.wallet, std::string{"latest"}))
    r.wallet_wei = *wei;
  else
    complete = false;
  if (options_.liquidator_contract) {
    if (auto wei = rpc.balance(*options_.liquidator_contract, std::string{"latest"}))
      r.contract_wei = *wei;
    else
      complete = false;
  }
  for (const auto& t : options_.tokens) {
    if (auto units = token_balance(rpc, t.address, options_.wallet))
      r.wallet_tokens[t.symbol] = whole(*units, t.decimals);
    else
      complete = false;
    if (!options_.liquidator_contract) continue;
    if (auto units = token_balance(rpc, t.address, *options_.liquidator_contract))
      r.contract_tokens[t.symbol] = whole(*units, t.decimals);
    else
      complete = false;
  }
  // Who made the market's liquidations since the last read: the LiquidationCall's liquidator is
  // keeper's wallet or contract, or a competitor.
  while (scanned_to_ < *head) {
    chain::rpc::LogFilter filter;
    filter.addresses = {options_.pool};
    filter.topics = {{liquidation_call_topic()}};
    filter.from_block = scanned_to_ + 1;
    filter.to_block = std::min(*head, scanned_to_ + kMaxLogRange);
    auto logs = rpc.logs(filter);
    if (!logs) {
      complete = false;
      break;
    }
    for (const auto& log : *logs) {
      if (log.data.size() < 96) continue;
      chain::Hash word{};
      std::copy(log.data.begin() + 64, log.data.begin() + 96, word.begin());
      const Address by = Address::from_word(word);
      if (by == options_.wallet ||
          (options_.liquidator_contract && by == *options_.liquidator_contract)) {
        ++r.won;
      } else {
        ++r.lost;
        ++r.winners[by];
      }
    }
    scanned_to_ = *filter.to_block;
  }
  if (!complete) ++r.node_errors;
  r.block = *head;
  return r;
}

void MoneyGauges::apply(const Reading& r) {
  node_errors_ += r.node_errors;
  metrics_.set_series("keeper_node_up", "gauge",
                      "1 when the node answered keeper's last HTTP read (every few seconds).", "",
                      r.node_up ? 1 : 0);
  metrics_.set_series("keeper_node_errors_total", "counter",
                      "HTTP reads of the node that failed (balances, logs, liveness).",
                      label("transport", "http"), static_cast<double>(node_errors_));
  if (!r.block) return;
  const std::string market = label("market", options_.market);
  metrics_.set_series("keeper_balances_block", "gauge", "The block the balances were read at.", "",
                      static_cast<double>(*r.block));
  if (r.wallet_wei)
    metrics_.set_series("keeper_wallet_balance_eth", "gauge", "ETH in keeper's wallet (gas).", "",
                        chain::to_double(*r.wallet_wei) / 1e18);
  if (r.contract_wei)
    metrics_.set_series("keeper_liquidator_balance_eth", "gauge", "ETH in keeper's contract.", "",
                        chain::to_double(*r.contract_wei) / 1e18);
  for (const auto& [symbol, amount] : r.wallet_tokens)
    metrics_.set_series("keeper_wallet_token_balance", "gauge",
                        "The wallet's balance of each market asset, in whole tokens.",
                        market + "," + label("token", symbol), amount);
  for (const auto& [symbol, amount] : r.contract_tokens)
    metrics_.set_series("keeper_liquidator_token_balance", "gauge",
                        "Keeper's contract's balance of each market asset, in whole tokens.",
                        market + "," + label("token", symbol), amount);
  won_ += r.won;
  lost_ += r.lost;
  const std::string help = "The market's liquidations since keeper started, by who made them.";
  metrics_.set_series("keeper_market_liquidations_total", "counter", help,
                      market + "," + label("winner", "keeper"), static_cast<double>(won_));
  metrics_.set_series("keeper_market_liquidations_total", "counter", help,
                      market + "," + label("winner", "competitor"), static_cast<double>(lost_));
  for (const auto& [by, n] : r.winners) {
    std::string who = by.checksummed();
    if (!winners_.count(who) && winners_.size() >= kMaxCompetitorLabels) who = "other";
    winners_[who] += n;
    metrics_.set_series("keeper_competitor_liquidations_total", "counter",
                        "The market's liquidations made by others, by liquidator address.",
                        market + "," + label("liquidator", who),
                        static_cast<double>(winners_[who]));
  }
}

}  // namespace keeper::ops
