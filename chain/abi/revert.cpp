#include "chain/abi/revert.hpp"

#include "chain/abi/codec.hpp"
#include "chain/hex.hpp"

namespace chain::abi {
namespace {
constexpr FixedBytes<4> kErrorString{0x08, 0xc3, 0x79, 0xa0};
constexpr FixedBytes<4> kPanic{0x4e, 0x48, 0x7b, 0x71};
}  // namespace

std::string_view panic_meaning(const u256& code) noexcept {
  if (code == 0x00) return "generic compiler panic";
  if (code == 0x01) return "assertion failed";
  if (code == 0x11) return "arithmetic overflow or underflow";
  if (code == 0x12) return "division or modulo by zero";
  if (code == 0x21) return "invalid enum value";
  if (code == 0x22) return "invalid storage byte array encoding";
  if (code == 0x31) return "pop on an empty array";
  if (code == 0x32) return "array index out of bounds";
  if (code == 0x41) return "out of memory";
  if (code == 0x51) return "call to an uninitialized function";
  return "unknown panic code";
}

Revert decode_revert(BytesView data) {
  Revert r;
  if (data.empty()) return r;
  if (data.size() < 4) {
    r.kind = Revert::Kind::malformed;
    r.data.assign(data.begin(), data.end());
    return r;
  }
  std::copy_n(data.begin(), 4, r.selector.begin());
  const BytesView args = data.subspan(4);
  if (r.selector == kErrorString) {
    const Type types[] = {Type::string()};
    if (auto v = decode(types, args)) {
      r.kind = Revert::Kind::error_string;
      r.message = (*v)[0].as_string();
      return r;
    }
  } else if (r.selector == kPanic) {
    const Type types[] = {Type::uint()};
    if (auto v = decode(types, args)) {
      r.kind = Revert::Kind::panic;
      r.panic_code = (*v)[0].as_uint();
      r.message = std::string{panic_meaning(r.panic_code)};
      return r;
    }
  }
  r.kind = (r.selector == kErrorString || r.selector == kPanic) ? Revert::Kind::malformed
                                                                : Revert::Kind::custom;
  r.data.assign(args.begin(), args.end());
  return r;
}

std::string Revert::to_string() const {
  switch (kind) {
    case Kind::empty: return "revert without data";
    case Kind::error_string: return "Error(\"" + message + "\")";
    case Kind::panic: return "Panic(" + to_hex_quantity(panic_code) + ": " + message + ")";
    case Kind::custom: return "custom error " + hex_encode(selector) + " " + hex_encode(data);
    case Kind::malformed:
      return "malformed revert data " + hex_encode(selector) + hex_encode(data, false);
  }
  return {};
}

}  // namespace chain::abi
