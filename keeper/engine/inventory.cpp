#include "keeper/engine/inventory.hpp"

#include "chain/rpc/batch_call.hpp"

namespace keeper::engine {

using chain::rpc::batch_eth_call;
using chain::rpc::view_call;
using chain::rpc::ViewCall;
namespace {

using chain::u256;

// Parsed once; fixed signatures, so a parse failure is a programming error caught by any test.
const chain::abi::Function& balance_of() {
  static const auto fn = chain::abi::parse_function("balanceOf(address)(uint256)").value();
  return fn;
}

const chain::abi::Function& allowance() {
  static const auto fn = chain::abi::parse_function("allowance(address,address)(uint256)").value();
  return fn;
}

std::optional<u256> word(const chain::Bytes& data) {
  if (data.size() < 32) return std::nullopt;
  return chain::from_be(chain::BytesView{data.data(), 32});
}

}  // namespace

tl::expected<std::vector<chain::Address>, std::string> Inventory::refresh(
    const std::vector<chain::Address>& assets, std::uint64_t block) {
  std::vector<ViewCall> calls;
  calls.reserve(assets.size() * 2);
  for (const auto& a : assets) {
    calls.push_back(view_call(a, balance_of(), {chain::abi::Value{payer_}}));
    calls.push_back(
        view_call(a, allowance(), {chain::abi::Value{payer_}, chain::abi::Value{spender_}}));
  }
  auto results = batch_eth_call(rpc_, calls, block);
  if (!results) return tl::unexpected("inventory: " + results.error());
  std::vector<chain::Address> short_allowance;
  for (std::size_t i = 0; i < assets.size(); ++i) {
    const auto balance = word((*results)[2 * i]);
    const auto allowed = word((*results)[2 * i + 1]);
    if (!balance || !allowed)
      return tl::unexpected("inventory: " + assets[i].checksummed() + " answered no number");
    balances_[assets[i]] = *balance;
    if (*allowed < (chain::kU256Max >> 1)) short_allowance.push_back(assets[i]);
  }
  recompute();
  return short_allowance;
}

void Inventory::commit(const std::string& key, const chain::Address& asset, const u256& amount) {
  committed_[key] = {asset, amount};
  recompute();
}

void Inventory::release(const std::string& key) {
  if (committed_.erase(key) != 0) recompute();
}

void Inventory::recompute() {
  available_ = balances_;
  for (const auto& [key, c] : committed_) {
    auto it = available_.find(c.first);
    if (it == available_.end()) continue;
    it->second = it->second > c.second ? it->second - c.second : u256{0};
  }
}

}  // namespace keeper::engine
