#include "chain/secret.hpp"

#include <openssl/crypto.h>

#include <algorithm>

namespace chain {

void wipe(std::span<std::uint8_t> bytes) noexcept { OPENSSL_cleanse(bytes.data(), bytes.size()); }

void wipe(std::string& text) noexcept {
  OPENSSL_cleanse(text.data(), text.size());
  text.clear();
}

Secret32::Secret32(std::span<const std::uint8_t, 32> bytes) noexcept {
  std::copy(bytes.begin(), bytes.end(), bytes_.begin());
}

Secret32::Secret32(Secret32&& other) noexcept : bytes_{other.bytes_} { wipe(other.bytes_); }

Secret32& Secret32::operator=(Secret32&& other) noexcept {
  if (this != &other) {
    bytes_ = other.bytes_;
    wipe(other.bytes_);
  }
  return *this;
}

Secret32::~Secret32() { wipe(bytes_); }

}  // namespace chain
