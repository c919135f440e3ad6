#include "keeper/commands/market_runner.hpp"

#include <algorithm>

#include "chain/hex.hpp"
#include "protocols/aave_v3/aave_v3_protocol.hpp"
#include "protocols/morpho_blue/morpho_blue_protocol.hpp"
#include "protocols/morpho_blue/morpho_book.hpp"

namespace keeper {
namespace {

namespace mb = protocols::morpho_blue;

std::optional<chain::Address> swap_router(const config::KeeperConfig& cfg) {
  if (!cfg.dex) return std::nullopt;
  return cfg.dex->uniswap_v3_router;
}

class AaveRunner final : public MarketRunner {
 public:
  AaveRunner(const DaemonShared& shared, std::size_t index, std::size_t aave_index,
             protocols::aave_v3::AaveContracts contracts)
      : MarketRunner{market_label(shared.cfg.markets[index]), index, shared.log},
        sync_{shared.rpc, shared.cfg.markets[index].pool_addresses_provider},
        contracts_{contracts},
        state_{shared.rpc, sync_, contracts},
        store_{shared.rpc, log_, store_options(shared, index, aave_index)},
        protocol_impl_{state_, shared.rpc, contracts, {shared.cfg.strategy.native_asset}} {}

  tl::expected<void, std::string> start(const DaemonShared& shared) {
    if (auto ok = store_.start(state_, shared.head, shared.cfg.markets[index_].start_block); !ok)
      return tl::unexpected("syncing the market: " + ok.error());
    log_.info("synced", {{"block", state_.block()}, {"accounts", state_.accounts().size()}},
              std::to_string(state_.accounts().size()) + " accounts known at block " +
                  std::to_string(state_.block()));
    protocol_ = &protocol_impl_;
    return {};
  }

  std::vector<chain::Address> tokens() const override { return protocol_impl_.debt_assets(); }

  void maybe_save() override { store_.maybe_save(state_); }
  void save() override { store_.save(state_); }
  const protocols::aave_v3::MarketState* aave_state() const override { return &state_; }
  const protocols::aave_v3::AaveContracts* aave_contracts() const override { return &contracts_; }
  const daemon::StateStore* store() const override { return &store_; }

 private:
  static daemon::StateStoreOptions store_options(const DaemonShared& shared, std::size_t index,
                                                 std::size_t aave_index) {
    const auto& cfg = shared.cfg;
    daemon::StateStoreOptions o;
    const auto& provider = cfg.markets[index].pool_addresses_provider;
    if (cfg.state) {
      const auto& p = cfg.state->snapshot_path;
      o.snapshot_path =
          snapshot_path_for(p.is_absolute() ? p : cfg.base_dir / p, aave_index, provider);
      o.every_blocks = cfg.state->snapshot_every_blocks;
    }
    o.writable = !shared.fork;
    o.chain_id = cfg.chain_id;
    o.provider = provider;
    return o;
  }

  protocols::aave_v3::AaveSync sync_;
  protocols::aave_v3::AaveContracts contracts_;
  protocols::aave_v3::MarketState state_;
  daemon::StateStore store_;
  protocols::aave_v3::AaveV3Protocol protocol_impl_;
};

class MorphoRunner final : public MarketRunner {
 public:
  MorphoRunner(const DaemonShared& shared, std::size_t index)
      : MarketRunner{market_label(shared.cfg.markets[index]), index, shared.log},
        book_{shared.rpc, shared.cfg.markets[index].morpho, shared.cfg.markets[index].market_ids,
              shared.cfg.markets[index].start_block},
        protocol_impl_{book_} {}

  tl::expected<void, std::string> start(const DaemonShared& shared) {
    if (auto ok = book_.load(shared.head.number, shared.head.timestamp); !ok)
      return tl::unexpected("syncing the Morpho markets: " + ok.error());
    if (book_.markets().empty())
      return tl::unexpected("morpho " + shared.cfg.markets[index_].morpho.checksummed() +
                            " has none of the configured markets at block " +
                            std::to_string(shared.head.number));
    log_.info("synced",
              {{"block", book_.block()},
               {"accounts", book_.accounts().size()},
               {"morpho_markets", book_.markets().size()}},
              std::to_string(book_.accounts().size()) + " accounts in " +
                  std::to_string(book_.markets().size()) + " Morpho markets at block " +
                  std::to_string(book_.block()));
    protocol_ = &protocol_impl_;
    return {};
  }

  // Flash liquidations sell a market's collateral for its loan token: every token of the
  // followed markets.
  std::vector<chain::Address> tokens() const override {
    std::vector<chain::Address> out;
    for (const auto& a : book_.assets()) out.push_back(a.token);
    return out;
  }

 private:
  mb::MorphoBook book_;
  mb::MorphoBlueProtocol protocol_impl_;
};

}  // namespace

std::string market_label(const config::MarketConfig& market) {
  if (!market.name.empty()) return market.name;
  const bool morpho = market.protocol == "morpho-blue";
  return market.protocol + ":" +
         (morpho ? market.morpho : market.pool_addresses_provider).checksummed();
}

std::filesystem::path snapshot_path_for(const std::filesystem::path& configured,
                                        std::size_t aave_index, const chain::Address& provider) {
  if (aave_index == 0) return configured;  // one Aave market: the file the config names
  auto path = configured;
  const auto ext = configured.extension().string();
  path.replace_extension();
  return path.string() + "-" + provider.checksummed().substr(2, 10) + ext;
}

tl::expected<std::unique_ptr<MarketRunner>, std::string> MarketRunner::build(
    const DaemonShared& shared, std::size_t index, std::size_t aave_index) {
  const auto& market = shared.cfg.markets[index];
  const std::string where = "markets[" + std::to_string(index) + "] (" + market_label(market) + ")";
  if (market.protocol == "morpho-blue") {
    // A typo'd address would follow an empty market forever.
    auto code = shared.rpc.code(market.morpho, "latest");
    if (!code)
      return tl::unexpected(where + ": reading the Morpho contract: " + code.error().to_string());
    if (code->empty())
      return tl::unexpected(where + ": morpho " + market.morpho.checksummed() +
                            " holds no contract on chain " + std::to_string(shared.cfg.chain_id));
    auto runner = std::unique_ptr<MorphoRunner>(new MorphoRunner(shared, index));
    if (auto ok = runner->start(shared); !ok) return tl::unexpected(where + ": " + ok.error());
    return runner;
  }
  protocols::aave_v3::AaveSync sync{shared.rpc, market.pool_addresses_provider};
  auto contracts = sync.contracts(shared.head.number);
  if (!contracts) return tl::unexpected(where + ": " + contracts.error());
  auto runner = std::unique_ptr<AaveRunner>(new AaveRunner(shared, index, aave_index, *contracts));
  if (auto ok = runner->start(shared); !ok) return tl::unexpected(where + ": " + ok.error());
  return runner;
}

void MarketRunner::start_pipeline(const DaemonShared& shared, market::PoolBook* pools) {
  // A market configured with `execute = false` is watched: decided and reported, never sent.
  engine::PipelineOptions options{shared.dry_run || !shared.cfg.markets[index_].execute,
                                  shared.cfg.strategy.hf_watch_band,
                                  shared.cfg.strategy.max_priority_fee_per_gas_wei,
                                  shared.liquidator_contract,
                                  shared.funding,
                                  swap_router(shared.cfg),
                                  shared.cfg.strategy.max_fee_per_gas_wei};
  pipeline_ = std::make_unique<engine::BlockPipeline>(shared.rpc, *protocol_, shared.strategy,
                                                      shared.manager, shared.wallet, log_,
                                                      shared.metrics, std::move(options));
  if (pools != nullptr) pipeline_->use_swap_venue(pools);
}

tl::expected<market::PoolBook, std::string> discover_pools(
    const DaemonShared& shared, const std::vector<std::unique_ptr<MarketRunner>>& markets) {
  const auto& cfg = shared.cfg;
  if (!cfg.dex) return tl::unexpected(std::string{"flash funding needs a [dex] table"});
  std::vector<chain::Address> tokens;
  for (const auto& m : markets)
    for (const auto& t : m->tokens())
      if (std::find(tokens.begin(), tokens.end(), t) == tokens.end()) tokens.push_back(t);
  market::PoolBookOptions options;
  options.factory = cfg.dex->uniswap_v3_factory;
  auto book = market::PoolBook::discover(shared.rpc, options, tokens, shared.head.number);
  if (!book) return tl::unexpected(book.error());
  if (book->size() == 0)
    return tl::unexpected("flash funding: the Uniswap V3 factory " + options.factory.checksummed() +
                          " has no pool between any two of the markets' assets");
  std::string premiums;
  for (const auto& m : markets)
    premiums += (premiums.empty() ? "" : ", ") + m->label() + " " +
                std::to_string(m->protocol().flash_loan_premium_bps().value_or(0)) + " bp";
  shared.log.info("pools",
                  {{"pools", book->size()},
                   {"block", shared.head.number},
                   {"factory", options.factory.checksummed()}},
                  "flash funding: " + std::to_string(book->size()) +
                      " Uniswap V3 pools between the markets' assets; flash loan premium " +
                      premiums);
  return book;
}

void MarketRunner::publish(ops::Metrics& metrics) const {
  const auto labels =
      ops::label("market", label_) + "," + ops::label("protocol", std::string{protocol_->name()});
  const auto& t = pipeline_->totals();
  metrics.set_series("keeper_market_accounts", "gauge", "Accounts the market's protocol follows.",
                     labels, static_cast<double>(protocol_->account_count()));
  metrics.set_series("keeper_market_heads_total", "counter", "Heads the market's engine processed.",
                     labels, static_cast<double>(t.heads));
  metrics.set_series("keeper_market_failed_heads_total", "counter",
                     "Heads at which the market could not be read.", labels,
                     static_cast<double>(t.failed_heads));
  metrics.set_series("keeper_market_opportunities_total", "counter",
                     "Liquidations the strategy chose in the market.", labels,
                     static_cast<double>(t.opportunities));
  const std::pair<const char*, std::uint64_t> outcomes[] = {{"sent", t.liquidations_sent},
                                                            {"mined", t.liquidations_mined},
                                                            {"reverted", t.reverted},
                                                            {"dry_run", t.dry_run_reports}};
  for (const auto& [outcome, n] : outcomes)
    metrics.set_series("keeper_market_liquidations_total", "counter",
                       "The market's liquidations by outcome.",
                       labels + "," + ops::label("outcome", outcome), static_cast<double>(n));
  metrics.set_series("keeper_market_realised_profit_usd_total", "counter",
                     "Realised profit of the market's liquidations, in US dollars.", labels,
                     t.realised_profit_usd);
}

}  // namespace keeper
