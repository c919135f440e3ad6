#include "strategy/cascade/shock.hpp"

#include <cctype>
#include <cstdlib>

namespace strategy::cascade {
namespace {

ShockError malformed(std::string_view text, std::string_view why) {
  return {ShockErrorKind::malformed,
          "malformed shock '" + std::string{text} + "': " + std::string{why}};
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// "[+-]D[.DD]" (at most two decimals) -> hundredths, exactly; `signed_` demands the sign.
tl::expected<std::int64_t, std::string> hundredths(std::string_view s, bool signed_) {
  int sign = 1;
  if (!s.empty() && (s.front() == '+' || s.front() == '-')) {
    sign = s.front() == '-' ? -1 : 1;
    s.remove_prefix(1);
  } else if (signed_) {
    return tl::unexpected(std::string{"the move needs a sign: -20% or +20%"});
  }
  std::int64_t whole = 0;
  std::size_t digits = 0;
  while (!s.empty() && std::isdigit(static_cast<unsigned char>(s.front()))) {
    whole = whole * 10 + (s.front() - '0');
    s.remove_prefix(1);
    if (++digits > 6) return tl::unexpected(std::string{"too many digits"});
  }
  if (digits == 0) return tl::unexpected(std::string{"a number is expected"});
  std::int64_t fraction = 0;
  if (!s.empty() && s.front() == '.') {
    s.remove_prefix(1);
    std::size_t places = 0;
    while (!s.empty() && std::isdigit(static_cast<unsigned char>(s.front()))) {
      if (++places > 2) return tl::unexpected(std::string{"at most two decimals (0.01%)"});
      fraction = fraction * 10 + (s.front() - '0');
      s.remove_prefix(1);
    }
    if (places == 0) return tl::unexpected(std::string{"a digit is expected after '.'"});
    if (places == 1) fraction *= 10;
  }
  if (!s.empty()) return tl::unexpected("unexpected '" + std::string{s} + "'");
  return sign * (whole * 100 + fraction);
}

tl::expected<std::int32_t, ShockError> percent(std::string_view whole, std::string_view s) {
  s = trim(s);
  if (s.empty() || s.back() != '%')
    return tl::unexpected(malformed(whole, "the move must end with '%', as in -20%"));
  s.remove_suffix(1);
  auto bp = hundredths(s, true);
  if (!bp) return tl::unexpected(malformed(whole, bp.error()));
  if (*bp <= -10000)
    return tl::unexpected(
        ShockError{ShockErrorKind::out_of_range,
                   "shock '" + std::string{whole} + "': a price cannot fall by 100% or more"});
  if (*bp > 1'000'000)
    return tl::unexpected(
        ShockError{ShockErrorKind::out_of_range,
                   "shock '" + std::string{whole} + "': a rise above +10000% is not a what-if"});
  return static_cast<std::int32_t>(*bp);
}

// "SYMBOL rest" -> (SYMBOL, rest).
tl::expected<std::pair<std::string, std::string_view>, ShockError> split_symbol(
    std::string_view text) {
  const auto s = trim(text);
  const auto space = s.find_first_of(" \t");
  if (space == std::string_view::npos)
    return tl::unexpected(malformed(text, "expected an asset and a move, as in \"WETH -20%\""));
  const auto symbol = s.substr(0, space);
  for (const char c : symbol)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-')
      return tl::unexpected(malformed(text, "the asset must be a symbol such as WETH"));
  return std::pair{std::string{symbol}, s.substr(space + 1)};
}

}  // namespace

tl::expected<Shock, ShockError> parse_shock(std::string_view text) {
  auto parts = split_symbol(text);
  if (!parts) return tl::unexpected(parts.error());
  auto bp = percent(text, parts->second);
  if (!bp) return tl::unexpected(bp.error());
  return Shock{parts->first, *bp};
}

tl::expected<std::vector<Shock>, ShockError> parse_sweep(std::string_view text) {
  auto parts = split_symbol(text);
  if (!parts) return tl::unexpected(parts.error());
  const auto range = trim(parts->second);
  const auto dots = range.find("..");
  const auto slash = range.rfind('/');
  if (dots == std::string_view::npos || slash == std::string_view::npos || slash < dots)
    return tl::unexpected(malformed(text, "a sweep is FROM..TO/STEP, as in \"WETH -5%..-50%/5\""));
  auto from = percent(text, range.substr(0, dots));
  if (!from) return tl::unexpected(from.error());
  auto to = percent(text, range.substr(dots + 2, slash - dots - 2));
  if (!to) return tl::unexpected(to.error());
  auto step = trim(range.substr(slash + 1));
  if (!step.empty() && step.back() == '%') step.remove_suffix(1);
  auto step_bp = hundredths(step, false);
  if (!step_bp) return tl::unexpected(malformed(text, "step: " + step_bp.error()));
  if (*step_bp <= 0) return tl::unexpected(malformed(text, "the step must be above 0"));
  const std::int64_t span = std::llabs(static_cast<std::int64_t>(*to) - *from);
  if (span / *step_bp + 1 > static_cast<std::int64_t>(kMaxSweepSteps))
    return tl::unexpected(
        ShockError{ShockErrorKind::too_many_steps, "sweep '" + std::string{text} + "': more than " +
                                                       std::to_string(kMaxSweepSteps) + " shocks"});
  std::vector<Shock> out;
  const std::int64_t direction = *to >= *from ? 1 : -1;
  for (std::int64_t bp = *from; direction * (*to - bp) >= 0; bp += direction * *step_bp)
    out.push_back({parts->first, static_cast<std::int32_t>(bp)});
  return out;
}

chain::u256 shocked_price(const chain::u256& price, std::int32_t basis_points) {
  const chain::u256 factor{static_cast<std::uint64_t>(10000 + basis_points)};
  return price * factor / 10000;
}

std::string percent_text(std::int32_t basis_points) {
  const std::int32_t magnitude = basis_points < 0 ? -basis_points : basis_points;
  std::string out = basis_points < 0 ? "-" : "+";
  out += std::to_string(magnitude / 100);
  if (magnitude % 100 != 0) {
    const auto cents = magnitude % 100;
    out += cents % 10 == 0 ? "." + std::to_string(cents / 10)
                           : (cents < 10 ? ".0" : ".") + std::to_string(cents);
  }
  return out + "%";
}

}  // namespace strategy::cascade
