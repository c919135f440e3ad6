#include "chain/keccak.hpp"

#include <cryptopp/keccak.h>

namespace chain {

Hash keccak256(BytesView data) {
  CryptoPP::Keccak_256 hasher;
  hasher.Update(data.data(), data.size());
  Hash out{};
  hasher.Final(out.data());
  return out;
}

}  // namespace chain
