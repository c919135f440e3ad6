#include "keeper/liquidator/token_choice.hpp"

#include <algorithm>
#include <cctype>

namespace keeper::liquidator {
namespace {

std::string upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return s;
}

tl::expected<TokenChoice, std::string> one(const std::string& name,
                                           const std::vector<KnownToken>& known) {
  if (name.rfind("0x", 0) == 0 || name.rfind("0X", 0) == 0) {
    auto address = chain::Address::from_hex(name);
    if (!address)
      return tl::unexpected("bad token address '" + name +
                            "': " + std::string{chain::describe(address.error())});
    for (const auto& k : known)
      if (k.token == *address) return TokenChoice{k.symbol, k.token};
    return TokenChoice{address->checksummed(), *address};
  }
  if (upper(name) == "ETH") return TokenChoice{"ETH", chain::Address{}};
  for (const auto& k : known)
    if (upper(k.symbol) == upper(name)) return TokenChoice{k.symbol, k.token};
  std::string symbols;
  for (const auto& k : known) symbols += " " + k.symbol;
  return tl::unexpected("unknown token '" + name + "' (the market has" + symbols +
                        "; ETH or a 0x address also work)");
}

}  // namespace

tl::expected<std::vector<TokenChoice>, std::string> choose_tokens(
    const std::vector<std::string>& wanted, const std::vector<KnownToken>& known) {
  std::vector<TokenChoice> chosen;
  const auto add = [&](TokenChoice c) {
    const bool seen = std::any_of(chosen.begin(), chosen.end(),
                                  [&](const TokenChoice& x) { return x.token == c.token; });
    if (!seen) chosen.push_back(std::move(c));
  };
  if (wanted.empty()) {
    for (const auto& k : known) add({k.symbol, k.token});
    add({"ETH", chain::Address{}});
    return chosen;
  }
  for (const auto& name : wanted) {
    auto c = one(name, known);
    if (!c) return tl::unexpected(c.error());
    add(std::move(*c));
  }
  return chosen;
}

}  // namespace keeper::liquidator
