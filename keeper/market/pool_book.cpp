#include "keeper/market/pool_book.hpp"

#include "chain/abi/signature.hpp"
#include "chain/rpc/batch_call.hpp"
#include "dex/uniswap_v3/path_quote.hpp"
#include "dex/uniswap_v3/pool_events.hpp"
#include "dex/uniswap_v3/pool_loader.hpp"
#include "dex/uniswap_v3/pool_updates.hpp"

namespace keeper::market {
namespace {

namespace v3 = dex::uniswap_v3;
using chain::Address;
using chain::u256;

tl::expected<v3::PoolState, std::string> load(chain::rpc::RpcClient& rpc, const Address& pool,
                                              std::uint64_t block) {
  v3::LoadOptions options;
  options.block = block;
  auto loaded = v3::load_pool(rpc, pool, options);
  if (!loaded)
    return tl::unexpected("reading Uniswap V3 pool " + pool.checksummed() + ": " +
                          std::string{v3::describe(loaded.error().kind)} + ": " +
                          loaded.error().message);
  return std::move(loaded->state);
}

// A pool with no liquidity in range quotes nothing useful and cannot be traded against.
bool tradable(const v3::PoolState& p) { return p.initialized() && p.liquidity != 0; }

}  // namespace

PoolBook::PoolBook(PoolBookOptions options, std::vector<v3::PoolState> pools, std::uint64_t block)
    : options_{std::move(options)},
      pools_{std::move(pools)},
      live_from_(pools_.size(), 0),
      stale_(pools_.size(), false),
      block_{block} {
  for (std::size_t i = 0; i < pools_.size(); ++i) by_address_[pools_[i].address] = i;
}

tl::expected<PoolBook, std::string> PoolBook::discover(chain::rpc::RpcClient& rpc,
                                                       const PoolBookOptions& options,
                                                       const std::vector<Address>& tokens,
                                                       std::uint64_t block) {
  static const auto get_pool =
      chain::abi::parse_function("getPool(address,address,uint24)(address)").value();
  std::vector<chain::rpc::ViewCall> calls;
  for (std::size_t i = 0; i < tokens.size(); ++i)
    for (std::size_t j = i + 1; j < tokens.size(); ++j)
      for (const auto fee : options.fee_tiers)
        calls.push_back(
            chain::rpc::view_call(options.factory, get_pool,
                                  {chain::abi::Value{tokens[i]}, chain::abi::Value{tokens[j]},
                                   chain::abi::Value{u256{fee}}}));
  auto answers = chain::rpc::batch_eth_call(rpc, calls, block);
  if (!answers)
    return tl::unexpected("asking the Uniswap V3 factory " + options.factory.checksummed() +
                          " for pools: " + answers.error());
  std::vector<v3::PoolState> pools;
  for (const auto& answer : *answers) {
    auto decoded = get_pool.decode_output(answer);
    if (!decoded)
      return tl::unexpected("the Uniswap V3 factory " + options.factory.checksummed() +
                            " answered getPool with malformed data");
    const Address pool = (*decoded)[0].as_address();
    if (pool.is_zero()) continue;
    auto state = load(rpc, pool, block);
    if (!state) return tl::unexpected(state.error());
    pools.push_back(std::move(*state));
  }
  return PoolBook{options, std::move(pools), block};
}

tl::expected<void, std::string> PoolBook::reload(chain::rpc::RpcClient& rpc, std::uint64_t head) {
  // All or nothing: a half-reloaded book would quote pools from two different blocks.
  std::vector<v3::PoolState> fresh;
  fresh.reserve(pools_.size());
  for (const auto& p : pools_) {
    auto state = load(rpc, p.address, head);
    if (!state) return tl::unexpected(state.error());
    fresh.push_back(std::move(*state));
  }
  pools_ = std::move(fresh);
  stale_.assign(pools_.size(), false);
  clear_assumed();
  block_ = head;
  applied_any_ = false;
  return {};
}

tl::expected<PoolBookUpdate, std::string> PoolBook::advance(chain::rpc::RpcClient& rpc,
                                                            std::uint64_t head) {
  PoolBookUpdate update;
  // The head the book is at already: another market's engine of the same daemon brought it here
  // and may have assumed sales in it, which this one's quotes must meet.
  if (head == block_ && !pools_.empty()) return update;
  if (head < block_ || pools_.empty()) {
    clear_assumed();
    return update;
  }
  if (head - block_ > options_.max_log_blocks) {
    if (auto ok = reload(rpc, head); !ok) return tl::unexpected(ok.error());
    update.reloaded = pools_.size();
    return update;
  }
  chain::rpc::LogFilter filter;
  filter.from_block = block_ + 1;
  filter.to_block = head;
  for (const auto& p : pools_) filter.addresses.push_back(p.address);
  const auto topics = v3::pool_event_topics();
  filter.topics = {std::vector<chain::Hash>(topics.begin(), topics.end())};
  auto logs = rpc.logs(filter);
  if (!logs)
    return tl::unexpected("reading the Uniswap V3 pools' logs: " + logs.error().to_string());
  // Applied to copies: a failed read of one pool leaves the whole book at its last block.
  auto next = pools_;
  std::vector<bool> reload_needed = stale_;
  auto applied_through = applied_through_;
  bool applied_any = applied_any_;
  for (const auto& log : *logs) {
    const auto index = index_of(log.address);
    if (!index || reload_needed[*index] || already_applied(log)) continue;
    const v3::PoolLog pool_log{log.address, log.topics, log.data};
    if (!v3::apply_log(next[*index], pool_log, log.removed)) {
      reload_needed[*index] = true;
      continue;
    }
    applied_through = {log.block_number, log.log_index};
    applied_any = true;
    ++update.logs;
  }
  for (std::size_t i = 0; i < next.size(); ++i) {
    if (!reload_needed[i]) continue;
    auto state = load(rpc, next[i].address, head);
    if (!state) return tl::unexpected(state.error());
    next[i] = std::move(*state);
    ++update.reloaded;
  }
  pools_ = std::move(next);
  stale_.assign(pools_.size(), false);
  clear_assumed();
  block_ = head;
  applied_through_ = applied_through;
  applied_any_ = applied_any;
  return update;
}

bool PoolBook::already_applied(const chain::rpc::Log& log) const noexcept {
  return applied_any_ && std::pair{log.block_number, log.log_index} <= applied_through_;
}

void PoolBook::note_applied(const chain::rpc::Log& log) noexcept {
  applied_through_ = {log.block_number, log.log_index};
  applied_any_ = true;
}

bool PoolBook::apply_live(const chain::rpc::Log& log) {
  const auto index = index_of(log.address);
  if (!index) return false;
  // Logs of blocks the book already covers (read at a head), or seen before: nothing to do. A
  // log that does not fit, or one of a block that left the chain, waits for the head to re-read.
  if (log.block_number <= block_ || already_applied(log) || stale_[*index]) return true;
  if (log.removed || !v3::apply_log(pools_[*index], {log.address, log.topics, log.data})) {
    stale_[*index] = true;
    return true;
  }
  note_applied(log);
  // The pool's real state now includes whatever of keeper's sales landed.
  assumed_.erase(*index);
  live_from_[*index] = sales_.size();
  return true;
}

std::vector<Address> PoolBook::addresses() const {
  std::vector<Address> out;
  out.reserve(pools_.size());
  for (const auto& p : pools_) out.push_back(p.address);
  return out;
}

std::vector<chain::Hash> PoolBook::event_topics() {
  const auto topics = v3::pool_event_topics();
  return {topics.begin(), topics.end()};
}

std::optional<std::size_t> PoolBook::index_of(const Address& pool) const {
  const auto it = by_address_.find(pool);
  if (it == by_address_.end()) return std::nullopt;
  return it->second;
}

const v3::PoolState* PoolBook::pool(const Address& address) const {
  const auto index = index_of(address);
  return index ? &current(*index) : nullptr;
}

const v3::PoolState& PoolBook::current(std::size_t index) const {
  const auto it = assumed_.find(index);
  return it != assumed_.end() ? it->second : pools_[index];
}

std::vector<std::vector<strategy::SwapLeg>> PoolBook::paths(const Address& in,
                                                            const Address& out) const {
  const auto leg = [](const v3::PoolState& p, const Address& from) {
    return strategy::SwapLeg{p.address, from, from == p.token0 ? p.token1 : p.token0, p.fee};
  };
  const auto joins = [](const v3::PoolState& p, const Address& a) {
    return p.token0 == a || p.token1 == a;
  };
  std::vector<std::vector<strategy::SwapLeg>> out_paths;
  for (std::size_t i = 0; i < pools_.size(); ++i) {
    const auto& first = current(i);
    if (!tradable(first) || !joins(first, in)) continue;
    const auto hop = leg(first, in);
    if (hop.token_out == out) {
      out_paths.push_back({hop});
      continue;
    }
    for (std::size_t j = 0; j < pools_.size(); ++j) {
      const auto& second = current(j);
      if (j == i || !tradable(second) || !joins(second, hop.token_out) || !joins(second, out))
        continue;
      out_paths.push_back({hop, leg(second, hop.token_out)});
    }
  }
  return out_paths;
}

std::optional<u256> PoolBook::quote(std::span<const strategy::SwapLeg> legs,
                                    const u256& amount_in) const {
  if (legs.empty()) return std::nullopt;
  std::vector<v3::Hop> hops;
  hops.reserve(legs.size());
  for (const auto& l : legs) {
    const auto index = index_of(l.pool);
    if (!index) return std::nullopt;
    const auto& p = current(*index);
    hops.push_back({&p, l.token_in == p.token0});
  }
  auto q = v3::quote_path_exact_input(hops, amount_in);
  if (!q) {
    // A walk beyond the ticks keeper read: the pool is read wider at the next head.
    if (!q.error().in_path && q.error().quote == v3::QuoteError::ticks_not_loaded)
      if (const auto index = index_of(legs[q.error().hop].pool)) stale_[*index] = true;
    return std::nullopt;
  }
  return q->amount_out;
}

std::optional<strategy::SwapRoute> PoolBook::best_route(const Address& token_in,
                                                        const Address& token_out,
                                                        const u256& amount_in) const {
  if (amount_in == 0 || token_in == token_out) return std::nullopt;
  std::optional<strategy::SwapRoute> best;
  for (auto& legs : paths(token_in, token_out)) {
    const auto out = quote(legs, amount_in);
    if (!out || *out == 0) continue;
    if (!best || *out > best->amount_out)
      best = strategy::SwapRoute{std::move(legs), amount_in, *out};
  }
  return best;
}

void PoolBook::assume_sold(const strategy::SwapRoute& route) {
  sales_.push_back(route);
  apply_sale(sales_.size() - 1);
}

void PoolBook::apply_sale(std::size_t k) {
  const auto& route = sales_[k];
  u256 amount = route.amount_in;
  for (const auto& l : route.legs) {
    const auto index = index_of(l.pool);
    if (!index) return;
    v3::PoolState after = current(*index);
    const bool zero_for_one = l.token_in == after.token0;
    auto q = v3::quote_exact_input(after, zero_for_one, amount, v3::no_price_limit(zero_for_one));
    if (!q) return;
    // The next hop gets what this one gives, even on a pool whose own state a live log showed.
    amount = q->amount_out;
    if (k < live_from_[*index]) continue;
    v3::apply_quote(after, *q);
    assumed_[*index] = std::move(after);
  }
}

void PoolBook::retract_sold(std::span<const strategy::SwapRoute> routes) {
  if (routes.empty()) return;
  // Which sales stay, and where each pool's live log fell among them once the others are gone.
  std::vector<bool> kept(sales_.size(), true);
  for (const auto& r : routes)
    for (std::size_t k = 0; k < sales_.size(); ++k)
      if (kept[k] && sales_[k] == r) {
        kept[k] = false;
        break;
      }
  std::vector<strategy::SwapRoute> remaining;
  remaining.reserve(sales_.size());
  std::vector<std::size_t> remaining_before(sales_.size() + 1, 0);
  for (std::size_t k = 0; k < sales_.size(); ++k) {
    remaining_before[k] = remaining.size();
    if (kept[k]) remaining.push_back(std::move(sales_[k]));
  }
  remaining_before[sales_.size()] = remaining.size();
  for (auto& from : live_from_) from = remaining_before[from];
  sales_ = std::move(remaining);
  // Replayed in order over the pools: exactly what assuming only the kept sales would have left.
  assumed_.clear();
  for (std::size_t k = 0; k < sales_.size(); ++k) apply_sale(k);
}

void PoolBook::forget_assumed() { clear_assumed(); }

void PoolBook::clear_assumed() {
  sales_.clear();
  assumed_.clear();
  live_from_.assign(pools_.size(), 0);
}

PoolBook PoolBook::of(PoolBookOptions options, std::vector<v3::PoolState> pools,
                      std::uint64_t block) {
  return PoolBook{std::move(options), std::move(pools), block};
}

}  // namespace keeper::market
