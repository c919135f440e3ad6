#include "oracles/chainlink/svr_forward.hpp"

#include <algorithm>

#include "oracles/chainlink/abi_words.hpp"

namespace oracles::chainlink {

tl::expected<ForwardCall, UpdateError> decode_forward(chain::BytesView calldata) {
  if (calldata.size() < 4) return tl::unexpected(UpdateError::short_calldata);
  if (!std::equal(kForwardSelector.begin(), kForwardSelector.end(), calldata.begin()))
    return tl::unexpected(UpdateError::unknown_selector);
  const AbiWords args{calldata.subspan(4)};
  if (!args.has_words(2)) return tl::unexpected(UpdateError::short_calldata);
  const chain::BytesView to_word = *args.word_at(0);
  // An address argument with anything in its 12 high bytes makes the ABI decoder revert.
  if (!leading_zero_bytes(to_word, 12)) return tl::unexpected(UpdateError::short_calldata);
  const auto offset = args.small_number_at(32);
  if (!offset) return tl::unexpected(UpdateError::offset_out_of_range);
  const auto length = args.small_number_at(*offset);
  if (!length) return tl::unexpected(UpdateError::offset_out_of_range);
  const std::size_t begin = *offset + 32;  // both below 2^32: no overflow
  if (*length > args.size() - begin) return tl::unexpected(UpdateError::length_out_of_range);
  ForwardCall call;
  std::copy(to_word.begin() + 12, to_word.end(), call.to.bytes.begin());
  call.inner = args.bytes().subspan(begin, *length);
  return call;
}

}  // namespace oracles::chainlink
