#include "strategy/lending_protocol.hpp"

namespace strategy {

std::string_view to_string(Assessment::Verdict v) noexcept {
  switch (v) {
    case Assessment::Verdict::healthy: return "healthy";
    case Assessment::Verdict::liquidatable: return "liquidatable";
    case Assessment::Verdict::no_collateral: return "no_collateral";
    case Assessment::Verdict::no_allowed_pair: return "no_allowed_pair";
    case Assessment::Verdict::no_bonus: return "no_bonus";
  }
  return "unknown";
}

}  // namespace strategy
