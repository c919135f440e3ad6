#include "tests/dex/uniswap_v3/uniswap_fixture.hpp"

#include <algorithm>
#include <chrono>
#include <stdexcept>
#include <thread>

#include "chain/hex.hpp"
#include "chain/keccak.hpp"
#include "keeper/devnet/artifact.hpp"
#include "keeper/process/source_dir.hpp"

namespace dex_test {
namespace {

namespace abi = chain::abi;
namespace rpc = chain::rpc;
using abi::Value;
using abi::Values;

const Address kDeployer =
    Address::from_hex("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266").value();  // anvil account 0
const u256 kDeadline = u256{1} << 64;

template <typename T>
T must(tl::expected<T, std::string> v) {
  if (!v) throw std::runtime_error(v.error());
  return std::move(*v);
}

keeper::devnet::Artifact npm_artifact(const std::string& package, const std::string& path) {
  return must(keeper::devnet::load_artifact(::keeper::process::source_dir() + "/node_modules/" +
                                            package + "/artifacts/contracts/" + path));
}

Value tick_value(Tick t) { return Value{static_cast<std::int64_t>(t)}; }

}  // namespace

chain::Bytes encode_path(const std::vector<Address>& tokens,
                         const std::vector<std::uint32_t>& fees) {
  chain::Bytes out;
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    chain::append(out, tokens[i].view());
    if (i < fees.size())
      for (const unsigned shift : {16U, 8U, 0U})
        out.push_back(static_cast<std::uint8_t>((fees[i] >> shift) & 0xffU));
  }
  return out;
}

UniswapFixture::UniswapFixture() : dev_{chain_fixture_.rpc()}, deployer_{kDeployer} {
  const auto token = must(keeper::devnet::find_artifact("MintableERC20"));
  for (std::size_t i = 0; i < tokens_.size(); ++i) {
    const std::string symbol = "TK" + std::to_string(i);
    tokens_[i] = must(dev_.deploy(deployer_, token, {}, {symbol, symbol, Value{std::uint8_t{18}}}));
  }
  std::sort(tokens_.begin(), tokens_.end());
  factory_ = must(dev_.deploy(
      deployer_, npm_artifact("@uniswap/v3-core", "UniswapV3Factory.sol/UniswapV3Factory.json"), {},
      {}));
  // The 0.01% tier (spacing 1) that governance enabled on mainnet later: a bitmap word is 256
  // ticks there, so swaps cross word edges often.
  send(factory_, "enableFeeAmount(uint24,int24)", {Value{100U}, Value{1}});
  // WETH9 is only used for native-ETH payments, which these tests never make: a token stands in.
  const Address weth = tokens_[0];
  positions_ = must(
      dev_.deploy(deployer_,
                  npm_artifact("@uniswap/v3-periphery",
                               "NonfungiblePositionManager.sol/NonfungiblePositionManager.json"),
                  {}, {factory_, weth, Address{}}));
  router_ = must(dev_.deploy(
      deployer_, npm_artifact("@uniswap/v3-periphery", "SwapRouter.sol/SwapRouter.json"), {},
      {factory_, weth}));
  quoter_ = must(dev_.deploy(
      deployer_, npm_artifact("@uniswap/v3-periphery", "lens/QuoterV2.sol/QuoterV2.json"), {},
      {factory_, weth}));
  const u256 plenty = u256{1} << 200;
  for (const Address& t : tokens_) {
    send(t, "mint(address,uint256)", {deployer_, plenty});
    send(t, "approve(address,uint256)", {positions_, chain::kU256Max});
    send(t, "approve(address,uint256)", {router_, chain::kU256Max});
  }
}

rpc::Receipt UniswapFixture::send(const Address& to, const std::string& signature,
                                  const Values& args) {
  const auto data = must(keeper::devnet::calldata(signature, args));
  const auto nonce = rpc().transaction_count(deployer_, "latest");
  if (!nonce) throw std::runtime_error(signature + ": " + nonce.error().to_string());
  const nlohmann::json tx{{"from", deployer_.lower_hex()},
                          {"to", to.lower_hex()},
                          {"data", chain::hex_encode(data)},
                          {"gas", "0x1c9c380"},
                          {"nonce", chain::to_hex_quantity(u256{*nonce})}};
  const auto hash = rpc().call("eth_sendTransaction", nlohmann::json::array({tx}));
  if (!hash) throw std::runtime_error(signature + ": " + hash.error().to_string());
  if (!hash->is_string()) throw std::runtime_error(signature + ": no transaction hash");
  const auto h = chain::hex_decode_fixed<32>(hash->get<std::string>()).value();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{10};
  while (std::chrono::steady_clock::now() < deadline) {
    const auto receipt = rpc().receipt(h);
    if (receipt && *receipt) {
      if (!(*receipt)->success) throw std::runtime_error(signature + ": reverted");
      return **receipt;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds{2});
  }
  throw std::runtime_error(signature + ": not mined within 10 s");
}

Address UniswapFixture::create_pool(const Address& a, const Address& b, std::uint32_t fee,
                                    const u256& sqrt_price) {
  send(factory_, "createPool(address,address,uint24)", {a, b, Value{fee}});
  const auto got =
      must(dev_.view(factory_, "getPool(address,address,uint24)(address)", {a, b, Value{fee}}));
  const Address pool = got.at(0).as_address();
  send(pool, "initialize(uint160)", {sqrt_price});
  return pool;
}

u256 UniswapFixture::mint(const Address& token0, const Address& token1, std::uint32_t fee,
                          Tick lower, Tick upper, const u256& amount0, const u256& amount1) {
  const Values params{token0,  token1,  Value{fee}, tick_value(lower), tick_value(upper), amount0,
                      amount1, u256{0}, u256{0},    deployer_,         kDeadline};
  const auto receipt = send(positions_,
                            "mint((address,address,uint24,int24,int24,uint256,uint256,uint256,"
                            "uint256,address,uint256))",
                            {Value{params}});
  // IncreaseLiquidity(uint256 indexed tokenId, uint128 liquidity, uint256 amount0, uint256 amount1)
  const auto topic = chain::keccak256("IncreaseLiquidity(uint256,uint128,uint256,uint256)");
  for (const auto& log : receipt.logs)
    if (log.address == positions_ && !log.topics.empty() && log.topics[0] == topic)
      return *chain::from_be(log.topics.at(1));
  throw std::runtime_error("mint: no IncreaseLiquidity event");
}

u256 UniswapFixture::position_liquidity(const u256& token_id) {
  const auto got = must(dev_.view(positions_,
                                  "positions(uint256)(uint96,address,address,address,uint24,int24,"
                                  "int24,uint128,uint256,uint256,uint128,uint128)",
                                  {token_id}));
  return got.at(7).as_uint();
}

std::pair<u256, chain::i256> UniswapFixture::tick_liquidity(const Address& pool, Tick tick) {
  const auto got =
      must(dev_.view(pool, "ticks(int24)(uint128,int128,uint256,uint256,int56,uint160,uint32,bool)",
                     {tick_value(tick)}));
  return {got.at(0).as_uint(), got.at(1).as_int()};
}

void UniswapFixture::decrease(const u256& token_id, const u256& liquidity) {
  send(positions_, "decreaseLiquidity((uint256,uint128,uint256,uint256,uint256))",
       {Value{Values{token_id, liquidity, u256{0}, u256{0}, kDeadline}}});
  const u256 all = (u256{1} << 128) - 1;
  send(positions_, "collect((uint256,address,uint128,uint128))",
       {Value{Values{token_id, deployer_, all, all}}});
}

ExecutedSwap UniswapFixture::swap_from_receipt(const Address& pool, const rpc::Receipt& receipt) {
  const auto topic = chain::keccak256("Swap(address,address,int256,int256,uint160,uint128,int24)");
  for (const auto& log : receipt.logs) {
    if (log.address != pool || log.topics.empty() || log.topics[0] != topic) continue;
    const auto values =
        abi::decode(std::vector{abi::Type::int_(), abi::Type::int_(), abi::Type::uint(160),
                                abi::Type::uint(128), abi::Type::int_(24)},
                    log.data)
            .value();
    const chain::i256 a0 = values[0].as_int();
    const chain::i256 a1 = values[1].as_int();
    ExecutedSwap s;
    s.amount_in = u256{a0 > 0 ? a0 : a1};
    s.amount_out = u256{a0 > 0 ? chain::i256{-a1} : chain::i256{-a0}};
    s.sqrt_price_after = values[2].as_uint();
    s.liquidity_after = values[3].as_uint();
    s.tick_after = static_cast<Tick>(values[4].as_int());
    return s;
  }
  throw std::runtime_error("no Swap event of the pool in the receipt");
}

ExecutedSwap UniswapFixture::swap_exact_input(const Address& pool, const Address& in,
                                              const Address& out, std::uint32_t fee,
                                              const u256& amount, const u256& limit) {
  const Values params{in, out, Value{fee}, deployer_, kDeadline, amount, u256{0}, limit};
  return swap_from_receipt(
      pool, send(router_,
                 "exactInputSingle((address,address,uint24,address,uint256,uint256,uint256,"
                 "uint160))",
                 {Value{params}}));
}

ExecutedSwap UniswapFixture::swap_exact_output(const Address& pool, const Address& in,
                                               const Address& out, std::uint32_t fee,
                                               const u256& amount, const u256& limit) {
  const Values params{in, out, Value{fee}, deployer_, kDeadline, amount, chain::kU256Max, limit};
  return swap_from_receipt(
      pool, send(router_,
                 "exactOutputSingle((address,address,uint24,address,uint256,uint256,uint256,"
                 "uint160))",
                 {Value{params}}));
}

u256 UniswapFixture::swap_path_exact_input(const std::vector<Address>& tokens,
                                           const std::vector<std::uint32_t>& fees,
                                           const u256& amount) {
  const Address& last = tokens.back();
  const auto before =
      must(dev_.view(last, "balanceOf(address)(uint256)", {deployer_})).at(0).as_uint();
  send(router_, "exactInput((bytes,address,uint256,uint256,uint256))",
       {Value{Values{encode_path(tokens, fees), deployer_, kDeadline, amount, u256{0}}}});
  const auto after =
      must(dev_.view(last, "balanceOf(address)(uint256)", {deployer_})).at(0).as_uint();
  return after - before;
}

std::optional<QuoterAnswer> UniswapFixture::quote_exact_input_single(const Address& in,
                                                                     const Address& out,
                                                                     std::uint32_t fee,
                                                                     const u256& amount,
                                                                     const u256& limit) {
  const auto got = dev_.view(quoter_,
                             "quoteExactInputSingle((address,address,uint256,uint24,uint160))"
                             "(uint256,uint160,uint32,uint256)",
                             {Value{Values{in, out, amount, Value{fee}, limit}}});
  if (!got) return std::nullopt;
  return QuoterAnswer{got->at(0).as_uint(), got->at(1).as_uint(),
                      static_cast<std::uint32_t>(chain::low_u64(got->at(2).as_uint()))};
}

std::optional<QuoterAnswer> UniswapFixture::quote_exact_output_single(const Address& in,
                                                                      const Address& out,
                                                                      std::uint32_t fee,
                                                                      const u256& amount,
                                                                      const u256& limit) {
  const auto got = dev_.view(quoter_,
                             "quoteExactOutputSingle((address,address,uint256,uint24,uint160))"
                             "(uint256,uint160,uint32,uint256)",
                             {Value{Values{in, out, amount, Value{fee}, limit}}});
  if (!got) return std::nullopt;
  return QuoterAnswer{got->at(0).as_uint(), got->at(1).as_uint(),
                      static_cast<std::uint32_t>(chain::low_u64(got->at(2).as_uint()))};
}

std::optional<u256> UniswapFixture::quote_exact_input(const std::vector<Address>& tokens,
                                                      const std::vector<std::uint32_t>& fees,
                                                      const u256& amount) {
  const auto got =
      dev_.view(quoter_, "quoteExactInput(bytes,uint256)(uint256,uint160[],uint32[],uint256)",
                {encode_path(tokens, fees), amount});
  if (!got) return std::nullopt;
  return got->at(0).as_uint();
}

std::optional<u256> UniswapFixture::quote_exact_output(const std::vector<Address>& tokens,
                                                       const std::vector<std::uint32_t>& fees,
                                                       const u256& amount) {
  // The quoter takes an exact-output path from the output token backwards.
  std::vector<Address> reversed_tokens(tokens.rbegin(), tokens.rend());
  std::vector<std::uint32_t> reversed_fees(fees.rbegin(), fees.rend());
  const auto got =
      dev_.view(quoter_, "quoteExactOutput(bytes,uint256)(uint256,uint160[],uint32[],uint256)",
                {encode_path(reversed_tokens, reversed_fees), amount});
  if (!got) return std::nullopt;
  return got->at(0).as_uint();
}

}  // namespace dex_test
