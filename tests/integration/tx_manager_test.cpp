#include <catch2/catch.hpp>

#include <algorithm>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include <nlohmann/json.hpp>

#include "chain/abi/signature.hpp"
#include "chain/hex.hpp"
#include "keeper/devnet/deployment.hpp"
#include "keeper/process/anvil.hpp"
#include "keeper/tx/tx_manager.hpp"
#include "protocols/aave_v3/aave_sync.hpp"
#include "protocols/aave_v3/opportunity.hpp"
#include "protocols/aave_v3/wad_ray_math.hpp"
#include "tests/support/chain_fixture.hpp"
#include "tests/support/run_command.hpp"

using namespace chain;
namespace aave = protocols::aave_v3;
using keeper::testing::keeper_command;
using keeper::testing::run_command;
namespace fs = std::filesystem;

namespace {

struct Market {
  fs::path dir;
  keeper::devnet::Deployment d;
  std::optional<rpc::RpcClient> rpc;
  PrivateKey key =
      PrivateKey::from_hex(keeper::testing::kAnvilKey1).value();  // the devnet's liquidator

  Market() {
    dir = fs::temp_directory_path() / ("keeper-tx-test-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    const auto port = keeper::pick_free_port().value();
    const auto up =
        run_command(keeper_command("devnet up --block-time 0 --borrowers 120 --seed 5 --port " +
                                   std::to_string(port) + " --dir " + dir.string()));
    INFO(up.output);
    REQUIRE(up.exit_code == 0);
    d = keeper::devnet::read_deployment(dir / "deployment.json").value();
    rpc.emplace(rpc::RpcClientOptions::for_urls({d.http_url}));
  }
  ~Market() {
    run_command(keeper_command("devnet down --dir " + dir.string()));
    fs::remove_all(dir);
  }

  keeper::tx::TxManagerOptions options() const {
    keeper::tx::TxManagerOptions o;
    o.chain_id = 31337;
    o.max_fee_per_gas_cap = u256{500'000'000'000ULL};
    o.max_priority_fee_cap = u256{5'000'000'000ULL};
    o.max_spend_per_hour_wei = u256{10} * u256{1'000'000'000'000'000'000ULL};
    o.replace_after_blocks = 2;
    return o;
  }

  keeper::tx::TxManager manager(const std::string& journal_name, keeper::tx::TxManagerOptions o) {
    auto journal = keeper::tx::Journal::open(dir / journal_name);
    REQUIRE(journal.has_value());
    auto m = keeper::tx::TxManager::create(*rpc, key, std::move(*journal), std::move(o));
    INFO((m ? std::string{} : m.error()));
    REQUIRE(m.has_value());
    return std::move(*m);
  }

  keeper::tx::Intent liquidation(const aave::Opportunity& o, const aave::Market& m) const {
    const auto data =
        abi::encode_call("liquidationCall(address,address,address,uint256,bool)",
                         abi::Values{abi::Value{m.reserves[o.collateral].asset},
                                     abi::Value{m.reserves[o.debt].asset}, abi::Value{o.account},
                                     abi::Value{kU256Max}, abi::Value{false}})
            .value();
    return {"liquidation:" + o.account.checksummed() + ":" + std::to_string(o.collateral) + ":" +
                std::to_string(o.debt),
            d.pool, data, 0};
  }

  std::uint64_t head() { return rpc->block_number().value(); }
  // Follows blocks until nothing is in flight (automine answers within milliseconds), bounded.
  void settle(keeper::tx::TxManager& manager) {
    for (int i = 0; i < 200 && manager.in_flight() != 0; ++i) {
      manager.on_block(head());
      if (manager.in_flight() != 0) ::usleep(10'000);
    }
  }
  // The journal as written so far: what a failure's report needs to tell one path from another.
  std::string journal_text(const std::string& journal_name = "journal.log") const {
    std::ifstream in{dir / journal_name};
    return {std::istreambuf_iterator<char>{in}, std::istreambuf_iterator<char>{}};
  }
  void mine() { REQUIRE(rpc->call("evm_mine", nlohmann::json::array()).has_value()); }
  void automine(bool on) {
    REQUIRE(rpc->call("evm_setAutomine", nlohmann::json::array({on})).has_value());
  }

  // Liquidatable accounts, best opportunity first by health.
  std::pair<aave::Market, std::vector<aave::Opportunity>> opportunities() {
    protocols::aave_v3::AaveSync sync{*rpc, d.addresses_provider};
    const auto h = head();
    const auto c = sync.contracts(h).value();
    auto m = sync.market(c, h).value();
    const auto who = sync.discover_accounts(c, 0, h).value();
    const auto accounts = sync.accounts(c, m, who, h).value();
    const auto ts = rpc->block(h).value().timestamp + 1;
    std::vector<aave::Opportunity> out;
    for (const auto& [a, acc] : accounts)
      if (auto o = aave::best_liquidation(m, a, acc, ts, {})) out.push_back(*o);
    std::sort(out.begin(), out.end(), [](const auto& x, const auto& y) {
      return x.outcome.health_factor < y.outcome.health_factor;
    });
    return {std::move(m), std::move(out)};
  }
};

}  // namespace

TEST_CASE("transaction manager: simulate, send once, replace, cancel, resume, cap spending",
          "[tx][devnet]") {
  Market net;
  auto m = net.manager("journal.log", net.options());
  const u256 plenty = u256{1} << 200;

  // Funding: the keeper's wallet holds and approves every debt asset, through the manager itself.
  // Each settled before the next is sent: anvil's automine works through a burst one block per
  // transaction, and a transaction still queued two blocks after it was sent is "stuck" to a
  // manager with replace_after_blocks = 2, which would then (rightly) replace it.
  for (const auto& a : net.d.assets) {
    REQUIRE(
        m.submit({"mint:" + a.spec.symbol, a.token,
                  abi::encode_call("mint(uint256)", abi::Values{abi::Value{plenty}}).value(), 0},
                 net.head())
            .has_value());
    net.settle(m);
    REQUIRE(m.submit({"approve:" + a.spec.symbol, a.token,
                      abi::encode_call("approve(address,uint256)",
                                       abi::Values{abi::Value{net.d.pool}, abi::Value{plenty}})
                          .value(),
                      0},
                     net.head())
                .has_value());
    net.settle(m);
  }
  {
    INFO(net.journal_text());
    CHECK(m.counters().mined == 8);
    CHECK(m.counters().replaced == 0);
    CHECK(m.in_flight() == 0);
  }

  SECTION("a liquidation of a healthy account is simulated, decoded, and never sent") {
    const auto& healthy = net.d.borrowers[0];
    const auto nonce_before = net.rpc->transaction_count(net.key.address(), "latest").value();
    auto r = m.submit({"liquidation:healthy", net.d.pool,
                       abi::encode_call("liquidationCall(address,address,address,uint256,bool)",
                                        abi::Values{abi::Value{net.d.asset("WETH")->token},
                                                    abi::Value{net.d.asset("USDC")->token},
                                                    abi::Value{healthy.address},
                                                    abi::Value{kU256Max}, abi::Value{false}})
                           .value(),
                       0},
                      net.head());
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().kind == keeper::tx::SubmitErrorKind::simulation_reverted);
    REQUIRE(r.error().revert.has_value());
    CHECK(r.error().revert->message == "45");  // HEALTH_FACTOR_NOT_BELOW_THRESHOLD
    CHECK(m.counters().simulation_reverts == 1);
    CHECK(net.rpc->transaction_count(net.key.address(), "latest").value() == nonce_before);
  }

  SECTION("a liquidation lands once; the same intent is refused afterwards") {
    REQUIRE(
        run_command(keeper_command("devnet price WETH -25% --dir " + net.dir.string())).exit_code ==
        0);
    auto [market, ops] = net.opportunities();
    REQUIRE_FALSE(ops.empty());
    const auto intent = net.liquidation(ops[0], market);
    REQUIRE(m.submit(intent, net.head()).has_value());
    net.settle(m);
    CHECK(m.counters().mined == 9);
    CHECK(m.counters().reverted == 0);
    auto again = m.submit(intent, net.head());
    REQUIRE_FALSE(again.has_value());
    CHECK(again.error().kind == keeper::tx::SubmitErrorKind::duplicate);
  }

  SECTION("a stuck transaction is replaced with higher fees and the replacement mines") {
    net.automine(false);
    auto sent = m.submit({"transfer:stuck", net.key.address(), {}, 1}, net.head());
    REQUIRE(sent.has_value());
    const auto start = net.head();
    m.on_block(start + 2);  // not mined for 2 blocks: replaced
    net.mine();
    net.automine(true);
    net.settle(m);
    INFO("head " << net.head() << ", stuck at " << start << "\n" << net.journal_text());
    CHECK(m.counters().replaced == 1);
    CHECK(m.counters().mined == 9);
    CHECK(m.in_flight() == 0);
    CHECK(net.rpc->transaction_count(net.key.address(), "latest").value() == m.next_nonce());
  }

  SECTION("a stuck liquidation that still holds is replaced, not cancelled") {
    // Regression: re-simulating on the pending block, which holds the stuck transaction itself,
    // made a good liquidation look spent and keeper cancelled it.
    REQUIRE(
        run_command(keeper_command("devnet price WETH -25% --dir " + net.dir.string())).exit_code ==
        0);
    auto [market, ops] = net.opportunities();
    REQUIRE_FALSE(ops.empty());
    net.automine(false);
    auto sent = m.submit(net.liquidation(ops[0], market), net.head());
    REQUIRE(sent.has_value());
    m.on_block(net.head() + 3);  // not mined for 3 blocks
    net.mine();
    net.automine(true);
    net.settle(m);
    CHECK(m.counters().cancelled == 0);
    CHECK(m.counters().replaced == 1);
    CHECK(m.counters().mined == 9);
    CHECK(m.counters().reverted == 0);
    CHECK(m.in_flight() == 0);
  }

  SECTION(
      "when a competitor liquidates first, the pending liquidation is cancelled, not reverted") {
    REQUIRE(
        run_command(keeper_command("devnet price WETH -40% --dir " + net.dir.string())).exit_code ==
        0);
    auto [market, ops] = net.opportunities();
    REQUIRE_FALSE(ops.empty());
    const auto& target = ops[0];
    REQUIRE(target.outcome.close_factor ==
            aave::kMaxCloseFactor);  // HF < 0.95: one liquidation closes it
    // Keeper's transaction reaches the pool but is not mined (and the pool then loses it, as
    // congested nodes do).
    net.automine(false);
    auto sent = m.submit(net.liquidation(target, market), net.head());
    REQUIRE(sent.has_value());
    REQUIRE(net.rpc->call("anvil_dropTransaction", nlohmann::json::array({hex_encode(sent->hash)}))
                .has_value());
    net.automine(true);
    // The competitor (anvil's account 2) liquidates the same debt in full.
    const Address competitor = *Address::from_hex("0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC");
    const auto& debt = market.reserves[target.debt];
    for (const auto& call :
         {abi::encode_call("mint(uint256)", abi::Values{abi::Value{plenty}}).value(),
          abi::encode_call("approve(address,uint256)",
                           abi::Values{abi::Value{net.d.pool}, abi::Value{plenty}})
              .value()}) {
      REQUIRE(net.rpc
                  ->call("eth_sendTransaction",
                         nlohmann::json::array({{{"from", competitor.lower_hex()},
                                                 {"to", debt.asset.lower_hex()},
                                                 {"data", hex_encode(call)}}}))
                  .has_value());
    }
    REQUIRE(net.rpc
                ->call("eth_sendTransaction",
                       nlohmann::json::array(
                           {{{"from", competitor.lower_hex()},
                             {"to", net.d.pool.lower_hex()},
                             {"gas", "0x1000000"},
                             {"data", hex_encode(net.liquidation(target, market).data)}}}))
                .has_value());
    for (int i = 0; i < 3; ++i) net.mine();
    m.on_block(net.head());  // re-simulation fails: cancel at the same nonce
    net.settle(m);
    CHECK(m.counters().cancelled == 1);
    CHECK(m.counters().reverted == 0);
    CHECK(m.in_flight() == 0);
    CHECK(net.rpc->transaction_count(net.key.address(), "latest").value() == m.next_nonce());
  }

  SECTION("killed between broadcast and receipt, keeper resumes from its journal") {
    net.automine(false);
    std::uint64_t nonce = 0;
    {
      auto first = net.manager("journal-restart.log", net.options());
      auto sent = first.submit({"transfer:restart", net.key.address(), {}, 7}, net.head());
      REQUIRE(sent.has_value());
      nonce = sent->nonce;
    }  // the process "dies" here, its transaction still pending
    auto second = net.manager("journal-restart.log", net.options());
    CHECK(second.next_nonce() == nonce + 1);
    CHECK(second.in_flight() == 1);
    net.mine();
    net.automine(true);
    net.settle(second);
    CHECK(second.counters().mined == 1);
    CHECK(second.submit({"transfer:restart", net.key.address(), {}, 7}, net.head()).error().kind ==
          keeper::tx::SubmitErrorKind::duplicate);
    CHECK(net.rpc->transaction_count(net.key.address(), "latest").value() == second.next_nonce());
  }

  SECTION("a batch whose send is refused leaves no nonce gap and can be sent again") {
    // Fees below the base fee: both simulate, both are signed and journalled in one write, the
    // node refuses the first, so the second is never broadcast and both nonces stay free.
    const auto nonce_before = m.next_nonce();
    m.set_fee_override(std::pair{u256{1}, u256{1}});
    const std::vector<keeper::tx::Intent> batch{{"transfer:batch:1", net.key.address(), {}, 1},
                                                {"transfer:batch:2", net.key.address(), {}, 2}};
    const auto refused = m.submit_all(batch, net.head());
    REQUIRE(refused.size() == 2);
    REQUIRE_FALSE(refused[0].has_value());
    REQUIRE_FALSE(refused[1].has_value());
    CHECK_THAT(refused[1].error().message, Catch::Contains("not sent"));
    CHECK(m.next_nonce() == nonce_before);
    CHECK(m.in_flight() == 0);
    m.set_fee_override(std::nullopt);
    const auto sent = m.submit_all(batch, net.head());
    REQUIRE(sent[0].has_value());
    REQUIRE(sent[1].has_value());
    CHECK(sent[0]->nonce == nonce_before);
    CHECK(sent[1]->nonce == nonce_before + 1);
    net.settle(m);
    CHECK(net.rpc->transaction_count(net.key.address(), "latest").value() == nonce_before + 2);
  }

  SECTION("priced orders go out in one request with no simulation; a refused one is filled") {
    REQUIRE(
        run_command(keeper_command("devnet price WETH -25% --dir " + net.dir.string())).exit_code ==
        0);
    auto [market, ops] = net.opportunities();
    REQUIRE(ops.size() >= 2);
    const auto base = net.rpc->block("latest").value().base_fee_per_gas.value_or(0);
    REQUIRE(base > 1);
    const u256 tip{1'000'000'000};
    const auto order = [&](const keeper::tx::Intent& intent, const u256& max_fee,
                           const u256& priority) {
      return keeper::tx::Order{intent, 1'000'000, max_fee, priority};
    };
    // The middle one cannot pay the base fee: the node refuses it, after the first was accepted
    // and before the last. Its nonce must not hold the last one back.
    const auto nonce_before = m.next_nonce();
    std::vector<keeper::tx::SendEvent::Kind> events;
    const auto results =
        m.send_now({order(net.liquidation(ops[0], market), base * 2 + tip, tip),
                    order({"self:underpriced", net.key.address(), {}, 0}, base / 2, 0),
                    order(net.liquidation(ops[1], market), base * 2 + tip, tip)},
                   net.head(), [&](const keeper::tx::SendEvent& e) { events.push_back(e.kind); });
    REQUIRE(results.size() == 3);
    REQUIRE(results[0].has_value());
    REQUIRE_FALSE(results[1].has_value());
    REQUIRE(results[2].has_value());
    CHECK(results[2]->nonce == nonce_before + 2);
    CHECK(std::count(events.begin(), events.end(), keeper::tx::SendEvent::Kind::answered) == 2);
    net.settle(m);
    // Both liquidations mined; the refused nonce was filled by a self-transfer (cancelled).
    CHECK(m.counters().reverted == 0);
    CHECK(m.counters().cancelled == 1);
    CHECK(net.rpc->transaction_count(net.key.address(), "latest").value() == nonce_before + 3);
    // The same intent is never signed twice.
    const auto again =
        m.send_now({order(net.liquidation(ops[0], market), base * 2 + tip, tip)}, net.head());
    REQUIRE_FALSE(again[0].has_value());
    CHECK(again[0].error().kind == keeper::tx::SubmitErrorKind::duplicate);
  }

  SECTION("the hourly spend cap stops sending") {
    auto options = net.options();
    options.max_spend_per_hour_wei = 1;
    auto capped = net.manager("journal-capped.log", options);
    auto r = capped.submit({"transfer:capped", net.key.address(), {}, 1}, net.head());
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().kind == keeper::tx::SubmitErrorKind::spend_limit);
    CHECK(capped.spend_limit_hit());
  }

  // The key never reaches the journal.
  const std::string journal = net.journal_text();
  CHECK(journal.find(std::string{keeper::testing::kAnvilKey1}.substr(2)) == std::string::npos);
}
