// Property: hostile ABI data never crashes or allocates without bound, and whatever decodes
// re-encodes to data that decodes to the same values.
#include "fuzz/fuzz_target.hpp"

#include <cstdlib>

#include "chain/abi/codec.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const auto types =
      chain::abi::parse_type_list("uint256,bytes,string[],(address,bool)[],int8[2]").value();
  auto values = chain::abi::decode(types, chain::BytesView{data, size});
  if (!values) return 0;
  auto encoded = chain::abi::encode(types, *values);
  if (!encoded) std::abort();
  auto again = chain::abi::decode_exact(types, *encoded);
  if (!again || *again != *values) std::abort();
  return 0;
}
