#pragma once
// Small pieces the transaction manager's files share.
#include <string>

#include "keeper/tx/tx_manager.hpp"

namespace keeper::tx::detail {

inline SubmitError error(SubmitErrorKind kind, std::string message) {
  return SubmitError{kind, std::move(message), std::nullopt};
}

// `value` raised by `permille`/1000, and by at least one wei.
inline chain::u256 bump(const chain::u256& value, std::uint32_t permille) {
  return value * permille / 1000 + 1;
}

}  // namespace keeper::tx::detail
