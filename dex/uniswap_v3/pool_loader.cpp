#include "dex/uniswap_v3/pool_loader.hpp"

#include <algorithm>

#include "chain/abi/signature.hpp"
#include "chain/rpc/json_codec.hpp"
#include "dex/uniswap_v3/swap_math.hpp"

namespace dex::uniswap_v3 {
namespace {

namespace abi = chain::abi;
namespace rpc = chain::rpc;

tl::unexpected<LoadError> error(LoadErrorKind kind, std::string message) {
  return tl::unexpected(LoadError{kind, std::move(message)});
}

LoadError from_rpc(const rpc::RpcError& e, const std::string& what) {
  // An execution revert is the contract's answer; everything else is the node's trouble.
  const bool reverted =
      e.kind == rpc::RpcErrorKind::rpc_error &&
      (e.revert_data.has_value() || e.message.find("revert") != std::string::npos);
  if (e.kind == rpc::RpcErrorKind::malformed || e.kind == rpc::RpcErrorKind::mismatched_id)
    return {LoadErrorKind::bad_data, what + ": " + e.to_string()};
  return {reverted ? LoadErrorKind::reverted : LoadErrorKind::rpc, what + ": " + e.to_string()};
}

// The view functions read, with their return types; parsed once.
struct Views {
  abi::Function slot0, liquidity, fee, tick_spacing, token0, token1, tick_bitmap, ticks;
};

const Views& views() {
  static const Views v{
      *abi::parse_function("slot0()(uint160,int24,uint16,uint16,uint16,uint8,bool)"),
      *abi::parse_function("liquidity()(uint128)"),
      *abi::parse_function("fee()(uint24)"),
      *abi::parse_function("tickSpacing()(int24)"),
      *abi::parse_function("token0()(address)"),
      *abi::parse_function("token1()(address)"),
      *abi::parse_function("tickBitmap(int16)(uint256)"),
      *abi::parse_function(
          "ticks(int24)(uint128,int128,uint256,uint256,int56,uint160,uint32,bool)"),
  };
  return v;
}

struct Request {
  const abi::Function* function;
  abi::Values args;
  std::string what;  // for messages: "ticks(-60)"
};

// Runs `requests` as eth_calls at `block` in batches; decoded outputs in the same order.
tl::expected<std::vector<abi::Values>, LoadError> call_all(rpc::RpcClient& client,
                                                           const chain::Address& pool,
                                                           std::uint64_t block,
                                                           const std::vector<Request>& requests,
                                                           std::size_t batch_size) {
  std::vector<abi::Values> out;
  out.reserve(requests.size());
  const std::size_t step = std::max<std::size_t>(1, batch_size);
  for (std::size_t first = 0; first < requests.size(); first += step) {
    const std::size_t last = std::min(requests.size(), first + step);
    std::vector<rpc::Call> calls;
    for (std::size_t i = first; i < last; ++i) {
      rpc::CallRequest req;
      req.to = pool;
      auto data = requests[i].function->encode_call(requests[i].args);
      if (!data) return error(LoadErrorKind::bad_data, "encoding " + requests[i].what);
      req.data = std::move(*data);
      calls.push_back(
          {"eth_call", rpc::Json::array({rpc::to_json(req), rpc::to_json(rpc::BlockTag{block})})});
    }
    auto answers = client.batch(calls);
    if (!answers) return tl::unexpected(from_rpc(answers.error(), "batch"));
    for (std::size_t i = first; i < last; ++i) {
      const auto& what = requests[i].what;
      const auto& answer = (*answers)[i - first];
      if (!answer) return tl::unexpected(from_rpc(answer.error(), what));
      auto bytes = rpc::data_of(*answer, what);
      if (!bytes) return tl::unexpected(from_rpc(bytes.error(), what));
      // An address without code answers 0x: not a pool.
      if (bytes->empty()) return error(LoadErrorKind::reverted, what + ": empty return data");
      auto values = requests[i].function->decode_output(*bytes);
      if (!values)
        return error(LoadErrorKind::bad_data,
                     what + ": " + std::string{abi::describe(values.error())});
      out.push_back(std::move(*values));
    }
  }
  return out;
}

Tick as_tick(const abi::Value& v) { return static_cast<Tick>(v.as_int()); }

tl::expected<PoolState, LoadError> read_header(const std::vector<abi::Values>& r,
                                               const chain::Address& address) {
  PoolState s;
  s.address = address;
  s.sqrt_price_x96 = r[0][0].as_uint();
  s.tick = as_tick(r[0][1]);
  s.liquidity = r[1][0].as_uint();
  const u256 fee = r[2][0].as_uint();
  const Tick spacing = as_tick(r[3][0]);
  s.token0 = r[4][0].as_address();
  s.token1 = r[5][0].as_address();
  // The factory allows fees below 100% and spacings in (0, 16384).
  if (fee >= kFeeDenominator || spacing <= 0 || spacing >= 16384)
    return error(LoadErrorKind::bad_data, "fee or tick spacing out of range");
  s.fee = static_cast<std::uint32_t>(chain::low_u64(fee));
  s.ticks = TickTable{spacing};
  if (s.initialized() && (s.sqrt_price_x96 < kMinSqrtRatio || s.sqrt_price_x96 >= kMaxSqrtRatio ||
                          !tick_matches_price(s.tick, s.sqrt_price_x96)))
    return error(LoadErrorKind::bad_data, "slot0 price and tick disagree");
  return s;
}

// Ticks whose bit is set in `bitmap`, the word `word` of ticks compressed by `spacing`.
void set_bits(const u256& bitmap, std::int32_t word, Tick spacing, std::vector<Tick>& out) {
  for (unsigned bit = 0; bit < 256; ++bit)
    if (boost::multiprecision::bit_test(bitmap, bit))
      out.push_back((word * 256 + static_cast<std::int32_t>(bit)) * spacing);
}

}  // namespace

std::string_view describe(LoadErrorKind kind) noexcept {
  switch (kind) {
    case LoadErrorKind::rpc: return "node unavailable";
    case LoadErrorKind::reverted: return "not a Uniswap V3 pool";
    case LoadErrorKind::bad_data: return "bad pool data";
  }
  return "unknown load error";
}

tl::expected<LoadedPool, LoadError> load_pool(rpc::RpcClient& client, const chain::Address& pool,
                                              const LoadOptions& options) {
  LoadedPool loaded;
  if (options.block) {
    loaded.block = *options.block;
  } else {
    const auto head = client.block_number();
    if (!head) return tl::unexpected(from_rpc(head.error(), "eth_blockNumber"));
    loaded.block = *head;
  }
  const Views& v = views();
  const auto header = call_all(client, pool, loaded.block,
                               {{&v.slot0, {}, "slot0()"},
                                {&v.liquidity, {}, "liquidity()"},
                                {&v.fee, {}, "fee()"},
                                {&v.tick_spacing, {}, "tickSpacing()"},
                                {&v.token0, {}, "token0()"},
                                {&v.token1, {}, "token1()"}},
                               options.batch_size);
  if (!header) return tl::unexpected(header.error());
  auto state = read_header(*header, pool);
  if (!state) return tl::unexpected(state.error());

  // Bitmap words around the current tick, within the words any tick of this spacing can use.
  const Tick spacing = state->tick_spacing();
  const std::int32_t centre = TickTable::word_of(state->tick, spacing);
  const std::int32_t radius = std::max(0, options.words_each_side);
  const std::int32_t lo = std::max(centre - radius, TickTable::word_of(kMinTick, spacing));
  const std::int32_t hi = std::min(centre + radius, TickTable::word_of(kMaxTick, spacing));
  std::vector<Request> words;
  for (std::int32_t w = lo; w <= hi; ++w)
    words.push_back({&v.tick_bitmap, {w}, "tickBitmap(" + std::to_string(w) + ")"});
  const auto bitmaps = call_all(client, pool, loaded.block, words, options.batch_size);
  if (!bitmaps) return tl::unexpected(bitmaps.error());
  std::vector<Tick> initialized;
  for (std::int32_t w = lo; w <= hi; ++w)
    set_bits((*bitmaps)[static_cast<std::size_t>(w - lo)][0].as_uint(), w, spacing, initialized);

  std::vector<Request> tick_reads;
  for (const Tick t : initialized)
    tick_reads.push_back({&v.ticks, {t}, "ticks(" + std::to_string(t) + ")"});
  const auto infos = call_all(client, pool, loaded.block, tick_reads, options.batch_size);
  if (!infos) return tl::unexpected(infos.error());
  for (std::size_t i = 0; i < initialized.size(); ++i) {
    const abi::Values& info = (*infos)[i];
    const TickLiquidity t{initialized[i], info[0].as_uint(), info[1].as_int()};
    // A set bit is an initialized tick: it holds liquidity, and its net cannot exceed its gross.
    const u256 net_magnitude{t.liquidity_net < 0 ? i256{-t.liquidity_net} : t.liquidity_net};
    if (t.liquidity_gross == 0 || !info[7].as_bool() || net_magnitude > t.liquidity_gross)
      return error(LoadErrorKind::bad_data, tick_reads[i].what + ": not an initialized tick");
    if (auto ok = state->ticks.set(t); !ok)
      return error(LoadErrorKind::bad_data,
                   tick_reads[i].what + ": " + std::string{describe(ok.error())});
  }
  state->ticks.set_known_words(lo, hi);
  loaded.state = std::move(*state);
  return loaded;
}

}  // namespace dex::uniswap_v3
