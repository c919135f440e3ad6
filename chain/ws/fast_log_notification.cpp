#include "chain/ws/fast_log_notification.hpp"

#include "chain/address.hpp"
#include "chain/hex.hpp"

namespace chain::ws {
namespace {

class Scanner {
 public:
  explicit Scanner(std::string_view s) : s_{s} {}

  void skip_ws() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\n' || s_[i_] == '\r' || s_[i_] == '\t'))
      ++i_;
  }
  bool eat(char c) {
    skip_ws();
    if (i_ < s_.size() && s_[i_] == c) {
      ++i_;
      return true;
    }
    return false;
  }
  bool peek(char c) {
    skip_ws();
    return i_ < s_.size() && s_[i_] == c;
  }
  // A string of plain ASCII without escapes; escapes and any other byte send the message to the
  // general parser, which validates UTF-8 (the fast path accepted an invalid byte in an unused
  // key that the general parser refuses: found by fuzz/ws_frame_fuzz.cpp).
  std::optional<std::string_view> string() {
    if (!eat('"')) return std::nullopt;
    const std::size_t start = i_;
    while (i_ < s_.size() && s_[i_] != '"') {
      const auto c = static_cast<unsigned char>(s_[i_]);
      if (c == '\\' || c < 0x20 || c >= 0x80) return std::nullopt;
      ++i_;
    }
    if (i_ >= s_.size()) return std::nullopt;
    return s_.substr(start, i_++ - start);
  }
  std::optional<bool> boolean() {
    skip_ws();
    if (s_.substr(i_, 4) == "true") {
      i_ += 4;
      return true;
    }
    if (s_.substr(i_, 5) == "false") {
      i_ += 5;
      return false;
    }
    return std::nullopt;
  }
  // Skips a scalar or a shallow value we do not use; deep or odd values fail the fast path.
  bool skip_value(int depth = 0) {
    if (depth > 4) return false;
    skip_ws();
    if (i_ >= s_.size()) return false;
    const char c = s_[i_];
    if (c == '"') return string().has_value();
    if (c == '{' || c == '[') {
      const char close = c == '{' ? '}' : ']';
      ++i_;
      if (eat(close)) return true;
      do {
        if (c == '{' && (!string() || !eat(':'))) return false;
        if (!skip_value(depth + 1)) return false;
      } while (eat(','));
      return eat(close);
    }
    const std::size_t start = i_;
    while (i_ < s_.size() && s_[i_] != ',' && s_[i_] != '}' && s_[i_] != ']' && s_[i_] != ' ') ++i_;
    const auto token = s_.substr(start, i_ - start);
    if (token == "true" || token == "false" || token == "null") return true;
    for (const char d : token)
      if (!((d >= '0' && d <= '9') || d == '-' || d == '+' || d == '.' || d == 'e' || d == 'E'))
        return false;
    return !token.empty();
  }
  bool at_end() {
    skip_ws();
    return i_ == s_.size();
  }

 private:
  std::string_view s_;
  std::size_t i_ = 0;
};

std::optional<std::uint64_t> quantity(std::string_view q) {
  auto v = u256_from_hex(q);
  if (!v || !fits_u64(*v)) return std::nullopt;
  return low_u64(*v);
}

template <std::size_t N>
bool fixed(std::string_view text, FixedBytes<N>& out) {
  auto v = hex_decode_fixed<N>(text);
  if (!v) return false;
  out = *v;
  return true;
}

bool parse_log(Scanner& sc, rpc::Log& log) {
  if (!sc.eat('{')) return false;
  unsigned seen = 0;  // every required field once
  if (sc.eat('}')) return false;
  do {
    const auto key = sc.string();
    if (!key || !sc.eat(':')) return false;
    if (*key == "topics") {
      if (!sc.eat('[')) return false;
      if (!sc.eat(']')) {
        do {
          const auto t = sc.string();
          if (!t || log.topics.size() == 4) return false;
          Hash h;
          if (!fixed(*t, h)) return false;
          log.topics.push_back(h);
        } while (sc.eat(','));
        if (!sc.eat(']')) return false;
      }
      seen |= 1u;
    } else if (*key == "removed") {
      const auto b = sc.boolean();
      if (!b) return false;
      log.removed = *b;
    } else if (*key == "address" || *key == "data" || *key == "blockNumber" ||
               *key == "blockHash" || *key == "transactionHash" || *key == "transactionIndex" ||
               *key == "logIndex") {
      const auto v = sc.string();
      if (!v) return false;
      if (*key == "address") {
        // The general path's rule (mixed case must be a valid EIP-55 checksum), so the two never
        // disagree: found by ws_frame_fuzz. Lowercase, what nodes send, costs no hashing.
        auto address = Address::from_hex(*v);
        if (!address) return false;
        log.address = *address;
        seen |= 2u;
      } else if (*key == "data") {
        auto bytes = hex_decode(*v);
        if (!bytes) return false;
        log.data = std::move(*bytes);
        seen |= 4u;
      } else if (*key == "blockHash") {
        if (!fixed(*v, log.block_hash)) return false;
        seen |= 8u;
      } else if (*key == "transactionHash") {
        if (!fixed(*v, log.transaction_hash)) return false;
        seen |= 16u;
      } else {
        const auto n = quantity(*v);
        if (!n) return false;
        if (*key == "blockNumber") {
          log.block_number = *n;
          seen |= 32u;
        } else if (*key == "transactionIndex") {
          log.transaction_index = *n;
          seen |= 64u;
        } else {
          log.log_index = *n;
          seen |= 128u;
        }
      }
    } else if (!sc.skip_value()) {
      return false;
    }
  } while (sc.eat(','));
  return sc.eat('}') && seen == 255u;
}

}  // namespace

std::optional<FastLogNotification> parse_log_notification(std::string_view text) {
  Scanner sc{text};
  FastLogNotification out;
  bool method_ok = false;
  bool have_params = false;
  if (!sc.eat('{')) return std::nullopt;
  do {
    const auto key = sc.string();
    if (!key || !sc.eat(':')) return std::nullopt;
    if (*key == "method") {
      const auto m = sc.string();
      if (!m || *m != "eth_subscription") return std::nullopt;
      method_ok = true;
    } else if (*key == "jsonrpc") {
      const auto v = sc.string();
      if (!v || *v != "2.0") return std::nullopt;
    } else if (*key == "params") {
      if (!sc.eat('{')) return std::nullopt;
      bool have_sub = false;
      bool have_result = false;
      do {
        const auto pk = sc.string();
        if (!pk || !sc.eat(':')) return std::nullopt;
        if (*pk == "subscription") {
          const auto sub = sc.string();
          if (!sub) return std::nullopt;
          out.subscription = *sub;
          have_sub = true;
        } else if (*pk == "result") {
          if (!parse_log(sc, out.log)) return std::nullopt;
          have_result = true;
        } else {
          return std::nullopt;
        }
      } while (sc.eat(','));
      if (!sc.eat('}') || !have_sub || !have_result) return std::nullopt;
      have_params = true;
    } else {
      return std::nullopt;
    }
  } while (sc.eat(','));
  if (!sc.eat('}') || !sc.at_end() || !method_ok || !have_params) return std::nullopt;
  return out;
}

}  // namespace chain::ws
