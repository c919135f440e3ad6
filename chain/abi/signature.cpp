#include "chain/abi/signature.hpp"

#include <nlohmann/json.hpp>

#include "chain/keccak.hpp"

namespace chain::abi {
namespace {

std::string type_list(std::span<const Type> types) {
  std::string out;
  for (std::size_t i = 0; i < types.size(); ++i) {
    if (i) out += ',';
    out += types[i].canonical();
  }
  return out;
}

bool valid_identifier(std::string_view name) {
  if (name.empty()) return false;
  for (const char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '$';
    if (!ok) return false;
  }
  return !(name[0] >= '0' && name[0] <= '9');
}

// Splits "name(args)rest" into its parts.
struct SignatureParts {
  std::string_view name;
  std::string_view args;
  std::string_view rest;
};

tl::expected<SignatureParts, AbiError> split_signature(std::string_view sig) {
  const auto open = sig.find('(');
  if (open == std::string_view::npos || !valid_identifier(sig.substr(0, open)))
    return tl::unexpected(AbiError::bad_signature);
  int depth = 0;
  for (std::size_t i = open; i < sig.size(); ++i) {
    if (sig[i] == '(') ++depth;
    if (sig[i] == ')' && --depth == 0)
      return SignatureParts{sig.substr(0, open), sig.substr(open + 1, i - open - 1),
                            sig.substr(i + 1)};
  }
  return tl::unexpected(AbiError::bad_signature);
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

// Splits at top-level commas (types may contain tuples).
std::vector<std::string_view> split_params(std::string_view text) {
  std::vector<std::string_view> parts;
  if (trim(text).empty()) return parts;
  int depth = 0;
  std::size_t start = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '(') ++depth;
    if (text[i] == ')') --depth;
    if (text[i] == ',' && depth == 0) {
      parts.push_back(trim(text.substr(start, i - start)));
      start = i + 1;
    }
  }
  parts.push_back(trim(text.substr(start)));
  return parts;
}

tl::expected<Type, AbiError> type_from_json(const nlohmann::json& param, std::size_t depth) {
  if (depth > kMaxNesting) return tl::unexpected(AbiError::too_deep);
  if (!param.is_object() || !param.contains("type") || !param["type"].is_string())
    return tl::unexpected(AbiError::bad_json);
  const std::string type = param["type"].get<std::string>();
  if (!type.starts_with("tuple")) return parse_type(type);
  if (!param.contains("components") || !param["components"].is_array())
    return tl::unexpected(AbiError::bad_json);
  std::string canonical = "(";
  bool first = true;
  for (const auto& c : param["components"]) {
    auto t = type_from_json(c, depth + 1);
    if (!t) return t;
    if (!first) canonical += ',';
    canonical += t->canonical();
    first = false;
  }
  canonical += ")" + type.substr(5);  // keep array suffixes: tuple[] / tuple[2]
  return parse_type(canonical);
}

tl::expected<std::vector<Type>, AbiError> types_from_json(const nlohmann::json& entry,
                                                          const char* key) {
  std::vector<Type> out;
  if (!entry.contains(key)) return out;
  if (!entry[key].is_array()) return tl::unexpected(AbiError::bad_json);
  for (const auto& p : entry[key]) {
    auto t = type_from_json(p, 0);
    if (!t) return tl::unexpected(t.error());
    out.push_back(std::move(*t));
  }
  return out;
}

}  // namespace

FixedBytes<4> selector(std::string_view canonical_signature) {
  const Hash h = keccak256(canonical_signature);
  return {h[0], h[1], h[2], h[3]};
}

Hash event_topic(std::string_view canonical_signature) { return keccak256(canonical_signature); }

std::string Function::signature() const { return name + "(" + type_list(inputs) + ")"; }

tl::expected<Bytes, AbiError> Function::encode_call(std::span<const Value> args) const {
  auto body = encode(inputs, args);
  if (!body) return body;
  Bytes out(selector.begin(), selector.end());
  append(out, *body);
  return out;
}

tl::expected<Values, AbiError> Function::decode_output(BytesView data) const {
  return decode(outputs, data);
}

std::string Event::signature() const {
  std::string out = name + "(";
  for (std::size_t i = 0; i < params.size(); ++i) {
    if (i) out += ',';
    out += params[i].type.canonical();
  }
  return out + ")";
}

tl::expected<Function, AbiError> parse_function(std::string_view signature) {
  auto parts = split_signature(trim(signature));
  if (!parts) return tl::unexpected(parts.error());
  Function f;
  f.name = std::string{parts->name};
  for (const auto p : split_params(parts->args)) {
    // Allow "type name" for readability; only the type counts.
    const auto space = p.find(' ');
    auto t = parse_type(space == std::string_view::npos ? p : p.substr(0, space));
    if (!t) return tl::unexpected(AbiError::bad_signature);
    f.inputs.push_back(std::move(*t));
  }
  const auto rest = trim(parts->rest);
  if (!rest.empty()) {
    if (rest.front() != '(' || rest.back() != ')') return tl::unexpected(AbiError::bad_signature);
    auto outs = parse_type_list(rest.substr(1, rest.size() - 2));
    if (!outs) return tl::unexpected(AbiError::bad_signature);
    f.outputs = std::move(*outs);
  }
  f.selector = selector(f.signature());
  return f;
}

tl::expected<Event, AbiError> parse_event(std::string_view signature) {
  auto parts = split_signature(trim(signature));
  if (!parts || !trim(parts->rest).empty()) return tl::unexpected(AbiError::bad_signature);
  Event e;
  e.name = std::string{parts->name};
  for (const auto p : split_params(parts->args)) {
    // "type [indexed] [name]"; the type itself may contain no spaces.
    std::vector<std::string_view> words;
    std::size_t start = 0;
    for (std::size_t i = 0; i <= p.size(); ++i) {
      if (i == p.size() || p[i] == ' ') {
        if (i > start) words.push_back(p.substr(start, i - start));
        start = i + 1;
      }
    }
    if (words.empty() || words.size() > 3) return tl::unexpected(AbiError::bad_signature);
    auto t = parse_type(words[0]);
    if (!t) return tl::unexpected(AbiError::bad_signature);
    EventParam param{"", std::move(*t), false};
    std::size_t next = 1;
    if (next < words.size() && words[next] == "indexed") {
      param.indexed = true;
      ++next;
    }
    if (next < words.size()) param.name = std::string{words[next++]};
    if (next != words.size()) return tl::unexpected(AbiError::bad_signature);
    e.params.push_back(std::move(param));
  }
  e.topic0 = event_topic(e.signature());
  return e;
}

tl::expected<Function, AbiError> function_from_json(const nlohmann::json& entry) {
  if (!entry.is_object() || !entry.contains("name") || !entry["name"].is_string())
    return tl::unexpected(AbiError::bad_json);
  Function f;
  f.name = entry["name"].get<std::string>();
  auto inputs = types_from_json(entry, "inputs");
  auto outputs = types_from_json(entry, "outputs");
  if (!inputs) return tl::unexpected(inputs.error());
  if (!outputs) return tl::unexpected(outputs.error());
  f.inputs = std::move(*inputs);
  f.outputs = std::move(*outputs);
  f.selector = selector(f.signature());
  return f;
}

tl::expected<Event, AbiError> event_from_json(const nlohmann::json& entry) {
  if (!entry.is_object() || !entry.contains("name") || !entry["name"].is_string() ||
      !entry.contains("inputs") || !entry["inputs"].is_array())
    return tl::unexpected(AbiError::bad_json);
  Event e;
  e.name = entry["name"].get<std::string>();
  e.anonymous = entry.value("anonymous", false);
  for (const auto& p : entry["inputs"]) {
    auto t = type_from_json(p, 0);
    if (!t) return tl::unexpected(t.error());
    e.params.push_back({p.value("name", std::string{}), std::move(*t), p.value("indexed", false)});
  }
  e.topic0 = event_topic(e.signature());
  return e;
}

tl::expected<Bytes, AbiError> encode_call(std::string_view signature, std::span<const Value> args) {
  auto f = parse_function(signature);
  if (!f) return tl::unexpected(f.error());
  return f->encode_call(args);
}

tl::expected<std::vector<DecodedParam>, AbiError> decode_log(const Event& event,
                                                             std::span<const Hash> topics,
                                                             BytesView data) {
  const std::size_t first_topic = event.anonymous ? 0 : 1;
  std::size_t indexed = 0;
  std::vector<Type> data_types;
  for (const auto& p : event.params) {
    if (p.indexed) {
      ++indexed;
    } else {
      data_types.push_back(p.type);
    }
  }
  if (topics.size() != first_topic + indexed) return tl::unexpected(AbiError::topic_mismatch);
  if (!event.anonymous && topics[0] != event.topic0)
    return tl::unexpected(AbiError::topic_mismatch);
  auto data_values = decode(data_types, data);
  if (!data_values) return tl::unexpected(data_values.error());

  std::vector<DecodedParam> out;
  out.reserve(event.params.size());
  std::size_t topic = first_topic;
  std::size_t word = 0;
  for (const auto& p : event.params) {
    if (!p.indexed) {
      out.push_back({p.name, std::move((*data_values)[word++])});
      continue;
    }
    const Hash& t = topics[topic++];
    if (p.type.is_dynamic() || p.type.kind == Kind::tuple || p.type.kind == Kind::fixed_array) {
      out.push_back({p.name, Value{Bytes(t.begin(), t.end())}});
    } else {
      auto v = decode_word(p.type, t);
      if (!v) return tl::unexpected(v.error());
      out.push_back({p.name, std::move(*v)});
    }
  }
  return out;
}

}  // namespace chain::abi
