#include "chain/abi/codec.hpp"

#include <algorithm>
#include <limits>

namespace chain::abi {
namespace {

constexpr std::size_t kWord = 32;

void put_word(Bytes& out, const u256& v) { append(out, to_be32(v)); }

void put_padded(Bytes& out, BytesView bytes) {
  append(out, bytes);
  out.resize(out.size() + (kWord - bytes.size() % kWord) % kWord, 0);
}

bool fits_int(const u256& v, std::size_t bits) {
  if (bits == 256) return true;
  const u256 top = v >> (bits - 1);  // the sign bit and everything above it
  return top == 0 || top == (kU256Max >> (bits - 1));
}

tl::expected<void, AbiError> encode_value(const Type& type, const Value& value, Bytes& out);

tl::expected<void, AbiError> encode_sequence(std::span<const Type> types,
                                             std::span<const Value> values, Bytes& out) {
  if (types.size() != values.size()) return tl::unexpected(AbiError::value_mismatch);
  std::size_t heads = 0;
  for (const auto& t : types) heads += t.head_size();
  Bytes head;
  Bytes tail;
  head.reserve(heads);
  for (std::size_t i = 0; i < types.size(); ++i) {
    if (types[i].is_dynamic()) {
      put_word(head, u256{heads + tail.size()});
      if (auto ok = encode_value(types[i], values[i], tail); !ok) return ok;
    } else {
      if (auto ok = encode_value(types[i], values[i], head); !ok) return ok;
    }
  }
  append(out, head);
  append(out, tail);
  return {};
}

tl::expected<void, AbiError> encode_repeated(const Type& element, const Values& list, Bytes& out) {
  const std::vector<Type> types(list.size(), element);
  return encode_sequence(types, list, out);
}

tl::expected<void, AbiError> encode_value(const Type& type, const Value& value, Bytes& out) {
  const auto mismatch = [] { return tl::unexpected(AbiError::value_mismatch); };
  switch (type.kind) {
    case Kind::uint_: {
      const auto* v = std::get_if<u256>(&value.data);
      if (!v || (type.size < 256 && (*v >> type.size) != 0)) return mismatch();
      put_word(out, *v);
      return {};
    }
    case Kind::int_: {
      const auto* v = std::get_if<u256>(&value.data);
      if (!v || !fits_int(*v, type.size)) return mismatch();
      put_word(out, *v);
      return {};
    }
    case Kind::address: {
      const auto* v = std::get_if<Address>(&value.data);
      if (!v) return mismatch();
      out.resize(out.size() + 12, 0);
      append(out, v->view());
      return {};
    }
    case Kind::bool_: {
      const auto* v = std::get_if<bool>(&value.data);
      if (!v) return mismatch();
      put_word(out, u256{*v ? 1u : 0u});
      return {};
    }
    case Kind::fixed_bytes: {
      const auto* v = std::get_if<Bytes>(&value.data);
      if (!v || v->size() != type.size) return mismatch();
      put_padded(out, *v);
      return {};
    }
    case Kind::bytes:
    case Kind::string: {
      BytesView bytes;
      if (type.kind == Kind::bytes) {
        const auto* v = std::get_if<Bytes>(&value.data);
        if (!v) return mismatch();
        bytes = *v;
      } else {
        const auto* v = std::get_if<std::string>(&value.data);
        if (!v) return mismatch();
        bytes = as_bytes(*v);
      }
      put_word(out, u256{bytes.size()});
      put_padded(out, bytes);
      return {};
    }
    case Kind::array: {
      const auto* v = std::get_if<Values>(&value.data);
      if (!v) return mismatch();
      put_word(out, u256{v->size()});
      return encode_repeated(type.children[0], *v, out);
    }
    case Kind::fixed_array: {
      const auto* v = std::get_if<Values>(&value.data);
      if (!v || v->size() != type.size) return mismatch();
      return encode_repeated(type.children[0], *v, out);
    }
    case Kind::tuple: {
      const auto* v = std::get_if<Values>(&value.data);
      if (!v) return mismatch();
      return encode_sequence(type.children, *v, out);
    }
  }
  return mismatch();
}

// ---- decoding ----

struct Ctx {
  BytesView all;            // the whole buffer, for the exactness check
  std::size_t max_end = 0;  // furthest byte read, relative to `all`
  std::size_t budget = 0;   // values we may still produce: bounds offset-aliasing blow-ups

  void touch(BytesView region, std::size_t end) {
    const auto start = static_cast<std::size_t>(region.data() - all.data());
    max_end = std::max(max_end, start + end);
  }
};

tl::expected<u256, AbiError> read_word(Ctx& ctx, BytesView data, std::size_t pos) {
  if (pos > data.size() || data.size() - pos < kWord) return tl::unexpected(AbiError::truncated);
  ctx.touch(data, pos + kWord);
  return *from_be(data.subspan(pos, kWord));
}

tl::expected<std::size_t, AbiError> read_size(Ctx& ctx, BytesView data, std::size_t pos,
                                              AbiError too_big) {
  auto w = read_word(ctx, data, pos);
  if (!w) return tl::unexpected(w.error());
  if (*w > data.size()) return tl::unexpected(too_big);
  return static_cast<std::size_t>(low_u64(*w));
}

tl::expected<Value, AbiError> decode_static_word(const Type& type, BytesView word) {
  const auto zero = [](BytesView b) {
    return std::all_of(b.begin(), b.end(), [](std::uint8_t x) { return x == 0; });
  };
  const u256 v = *from_be(word);
  switch (type.kind) {
    case Kind::uint_:
      if (type.size < 256 && (v >> type.size) != 0) return tl::unexpected(AbiError::dirty_padding);
      return Value{v};
    case Kind::int_:
      if (!fits_int(v, type.size)) return tl::unexpected(AbiError::dirty_padding);
      return Value{v};
    case Kind::address: {
      if (!zero(word.first(12))) return tl::unexpected(AbiError::dirty_padding);
      Address a;
      std::copy(word.begin() + 12, word.end(), a.bytes.begin());
      return Value{a};
    }
    case Kind::bool_:
      if (v > 1) return tl::unexpected(AbiError::bad_bool);
      return Value{v == 1};
    case Kind::fixed_bytes:
      if (!zero(word.subspan(type.size))) return tl::unexpected(AbiError::dirty_padding);
      return Value{Bytes(word.begin(), word.begin() + static_cast<std::ptrdiff_t>(type.size))};
    default: return tl::unexpected(AbiError::bad_type);
  }
}

tl::expected<Value, AbiError> decode_value(Ctx& ctx, const Type& type, BytesView data,
                                           std::size_t depth);

// `count` values of `element` (or the `types` list) laid out as one tuple starting at data[0].
template <class TypeAt>
tl::expected<Values, AbiError> decode_sequence(Ctx& ctx, std::size_t count, TypeAt type_at,
                                               BytesView data, std::size_t depth) {
  if (depth > kMaxNesting) return tl::unexpected(AbiError::too_deep);
  if (count > ctx.budget) return tl::unexpected(AbiError::bad_length);
  ctx.budget -= count;
  Values out;
  out.reserve(count);
  std::size_t pos = 0;
  for (std::size_t i = 0; i < count; ++i) {
    const Type& t = type_at(i);
    if (t.is_dynamic()) {
      auto offset = read_size(ctx, data, pos, AbiError::bad_offset);
      if (!offset) return tl::unexpected(offset.error());
      if (*offset >= data.size() && *offset != 0) return tl::unexpected(AbiError::bad_offset);
      auto v = decode_value(ctx, t, data.subspan(*offset), depth + 1);
      if (!v) return tl::unexpected(v.error());
      out.push_back(std::move(*v));
      pos += kWord;
    } else {
      const std::size_t size = t.head_size();
      if (pos > data.size() || data.size() - pos < size) return tl::unexpected(AbiError::truncated);
      auto v = decode_value(ctx, t, data.subspan(pos, size), depth + 1);
      if (!v) return tl::unexpected(v.error());
      out.push_back(std::move(*v));
      pos += size;
    }
  }
  return out;
}

tl::expected<Value, AbiError> decode_value(Ctx& ctx, const Type& type, BytesView data,
                                           std::size_t depth) {
  if (depth > kMaxNesting) return tl::unexpected(AbiError::too_deep);
  switch (type.kind) {
    case Kind::bytes:
    case Kind::string: {
      auto len = read_size(ctx, data, 0, AbiError::bad_length);
      if (!len) return tl::unexpected(len.error());
      if (*len > data.size() - kWord) return tl::unexpected(AbiError::bad_length);
      const BytesView body = data.subspan(kWord, *len);
      const std::size_t padded = (*len + kWord - 1) / kWord * kWord;
      if (padded > data.size() - kWord) return tl::unexpected(AbiError::truncated);
      const BytesView pad = data.subspan(kWord + *len, padded - *len);
      if (!std::all_of(pad.begin(), pad.end(), [](std::uint8_t b) { return b == 0; }))
        return tl::unexpected(AbiError::dirty_padding);
      ctx.touch(data, kWord + padded);
      if (type.kind == Kind::bytes) return Value{Bytes(body.begin(), body.end())};
      return Value{std::string(body.begin(), body.end())};
    }
    case Kind::array: {
      auto len = read_size(ctx, data, 0, AbiError::bad_length);
      if (!len) return tl::unexpected(len.error());
      const Type& element = type.children[0];
      // Every element needs at least one head word: a cheap bound on hostile lengths.
      if (*len > (data.size() - kWord) / std::max<std::size_t>(element.head_size(), 1))
        return tl::unexpected(AbiError::bad_length);
      auto list = decode_sequence(
          ctx, *len, [&](std::size_t) -> const Type& { return element; }, data.subspan(kWord),
          depth);
      if (!list) return tl::unexpected(list.error());
      return Value{std::move(*list)};
    }
    case Kind::fixed_array: {
      const Type& element = type.children[0];
      auto list = decode_sequence(
          ctx, type.size, [&](std::size_t) -> const Type& { return element; }, data, depth);
      if (!list) return tl::unexpected(list.error());
      return Value{std::move(*list)};
    }
    case Kind::tuple: {
      auto list = decode_sequence(
          ctx, type.children.size(), [&](std::size_t i) -> const Type& { return type.children[i]; },
          data, depth);
      if (!list) return tl::unexpected(list.error());
      return Value{std::move(*list)};
    }
    default: {
      if (data.size() < kWord) return tl::unexpected(AbiError::truncated);
      ctx.touch(data, kWord);
      return decode_static_word(type, data.first(kWord));
    }
  }
}

tl::expected<Values, AbiError> decode_top(std::span<const Type> types, BytesView data, Ctx& ctx) {
  return decode_sequence(
      ctx, types.size(), [&](std::size_t i) -> const Type& { return types[i]; }, data, 0);
}

}  // namespace

tl::expected<Bytes, AbiError> encode(std::span<const Type> types, std::span<const Value> values) {
  Bytes out;
  if (auto ok = encode_sequence(types, values, out); !ok) return tl::unexpected(ok.error());
  return out;
}

tl::expected<Values, AbiError> decode(std::span<const Type> types, BytesView data) {
  Ctx ctx{data, 0, data.size() + types.size() + 64};
  return decode_top(types, data, ctx);
}

tl::expected<Values, AbiError> decode_exact(std::span<const Type> types, BytesView data) {
  Ctx ctx{data, 0, data.size() + types.size() + 64};
  auto values = decode_top(types, data, ctx);
  if (values && ctx.max_end != data.size()) return tl::unexpected(AbiError::trailing_data);
  return values;
}

tl::expected<Value, AbiError> decode_word(const Type& type, const Hash& word) {
  if (type.is_dynamic() || type.head_size() != kWord || type.kind == Kind::tuple ||
      type.kind == Kind::fixed_array)
    return tl::unexpected(AbiError::bad_type);
  return decode_static_word(type, word);
}

}  // namespace chain::abi
