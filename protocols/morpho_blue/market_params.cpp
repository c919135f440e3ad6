#include "protocols/morpho_blue/market_params.hpp"

#include "chain/hex.hpp"
#include "chain/keccak.hpp"

namespace protocols::morpho_blue {
namespace {

void append_word(chain::Bytes& out, const Address& a) {
  out.insert(out.end(), 12, 0);
  chain::append(out, a.view());
}

}  // namespace

MarketId market_id(const MarketParams& params) {
  chain::Bytes words;
  words.reserve(5 * 32);
  append_word(words, params.loan_token);
  append_word(words, params.collateral_token);
  append_word(words, params.oracle);
  append_word(words, params.irm);
  chain::append(words, chain::to_be32(params.lltv));
  return chain::keccak256(words);
}

chain::abi::Value to_abi(const MarketParams& params) {
  return chain::abi::Values{params.loan_token, params.collateral_token, params.oracle, params.irm,
                            params.lltv};
}

std::string market_id_hex(const MarketId& id) { return chain::hex_encode(id); }

}  // namespace protocols::morpho_blue
