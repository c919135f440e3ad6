// Property: whatever decodes strictly is canonical, so re-encoding it reproduces the input.
#include "fuzz/fuzz_target.hpp"

#include <cstdlib>

#include "chain/rlp.hpp"

namespace {

chain::Bytes reencode(const chain::rlp::Item& item) {
  chain::Bytes out;
  if (!item.is_list) {
    chain::rlp::encode_bytes(out, item.payload);
    return out;
  }
  chain::Bytes payload;
  const auto children = chain::rlp::list_items(item).value();
  for (const auto& child : children) chain::append(payload, reencode(child));
  chain::rlp::encode_list_payload(out, payload);
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const chain::BytesView input{data, size};
  auto item = chain::rlp::decode_strict(input);
  if (!item) return 0;
  const chain::Bytes again = reencode(*item);
  if (again.size() != size || !std::equal(again.begin(), again.end(), data)) std::abort();
  return 0;
}
