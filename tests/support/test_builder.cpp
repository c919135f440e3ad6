#include "tests/support/test_builder.hpp"

#include <algorithm>
#include <stdexcept>

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

#include "chain/hex.hpp"
#include "chain/keccak.hpp"
#include "chain/rpc/json_codec.hpp"
#include "chain/rpc/raw_transaction.hpp"
#include "keeper/executors/flashbots_signature.hpp"

namespace keeper::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using nlohmann::json;

namespace {

std::string rpc_error(const json& id, int code, const std::string& message) {
  json out = json::object();
  out["jsonrpc"] = "2.0";
  out["id"] = id;
  json error = json::object();
  error["code"] = code;
  error["message"] = message;
  out["error"] = std::move(error);
  return out.dump();
}

}  // namespace

// One kept-alive connection: reads requests until the peer closes or the server stops.
struct TestBuilder::Session : std::enable_shared_from_this<Session> {
  Session(TestBuilder& server, asio::ip::tcp::socket socket)
      : owner{server}, stream{std::move(socket)} {}

  void read() {
    request = decltype(request){};
    http::async_read(stream, buffer, request,
                     [self = shared_from_this()](const beast::error_code& ec, std::size_t) {
                       if (ec) return;  // closed, or the server stopped
                       self->answer();
                     });
  }

  void answer() {
    constexpr auto name = keeper::executors::kFlashbotsSignatureHeader;
    const auto header = request.find(beast::string_view{name.data(), name.size()});
    const std::string signature = header == request.end()
                                      ? std::string{}
                                      : std::string{header->value().data(), header->value().size()};
    auto [status, body] = owner.handle(signature, request.body());
    response = decltype(response){};
    response.version(11);
    response.result(static_cast<http::status>(status));
    response.set(http::field::content_type, "application/json");
    response.keep_alive(request.keep_alive());
    response.body() = std::move(body);
    response.prepare_payload();
    http::async_write(stream, response,
                      [self = shared_from_this()](const beast::error_code& ec, std::size_t) {
                        if (ec || !self->response.keep_alive()) return;
                        self->read();
                      });
  }

  TestBuilder& owner;
  beast::tcp_stream stream;
  beast::flat_buffer buffer;
  http::request<http::string_body> request;
  http::response<http::string_body> response;
};

TestBuilder::TestBuilder(std::string anvil_http_url)
    : anvil_url_{std::move(anvil_http_url)}, acceptor_{io_} {
  const asio::ip::tcp::endpoint endpoint{asio::ip::make_address("127.0.0.1"), 0};
  acceptor_.open(endpoint.protocol());
  acceptor_.set_option(asio::socket_base::reuse_address(true));
  acceptor_.bind(endpoint);
  acceptor_.listen();
  port_ = acceptor_.local_endpoint().port();
  accept();
  thread_ = std::thread([this] { io_.run(); });
}

TestBuilder::~TestBuilder() {
  io_.stop();
  if (thread_.joinable()) thread_.join();
}

void TestBuilder::accept() {
  acceptor_.async_accept([this](const beast::error_code& ec, asio::ip::tcp::socket socket) {
    if (ec) return;
    std::make_shared<Session>(*this, std::move(socket))->read();
    accept();
  });
}

TestBuilderCounts TestBuilder::counts() const {
  const std::lock_guard lock{mutex_};
  return counts_;
}

std::size_t TestBuilder::held() const {
  const std::lock_guard lock{mutex_};
  return held_.size();
}

std::pair<unsigned, std::string> TestBuilder::handle(const std::string& signature_header,
                                                     const std::string& body) {
  const std::lock_guard lock{mutex_};
  ++counts_.requests;
  const json request = json::parse(body, nullptr, /*allow_exceptions=*/false);
  const json id = request.is_object() && request.contains("id") ? request.at("id") : json(nullptr);
  // As Flashbots' relay: the signature is checked before anything else of the request.
  if (signature_header.empty()) {
    ++counts_.refused_signature;
    return {403, rpc_error(id, -32600, "missing X-Flashbots-Signature")};
  }
  if (auto signer = keeper::executors::verify_flashbots_signature(signature_header, body);
      !signer) {
    ++counts_.refused_signature;
    return {403, rpc_error(id, -32600, std::string{keeper::executors::describe(signer.error())})};
  }
  const auto malformed = [&](const std::string& why) {
    ++counts_.refused_malformed;
    return std::pair<unsigned, std::string>{400, rpc_error(id, -32602, why)};
  };
  if (!request.is_object() || request.value("method", "") != "eth_sendBundle")
    return malformed("not eth_sendBundle");
  if (!request.contains("params") || !request.at("params").is_array() ||
      request.at("params").size() != 1 || !request.at("params")[0].is_object())
    return malformed("params must hold one bundle");
  const json& p = request.at("params")[0];
  Held bundle;
  if (!p.contains("txs") || !p.at("txs").is_array() || p.at("txs").empty())
    return malformed("txs must be a non-empty list");
  for (const auto& tx : p.at("txs")) {
    if (!tx.is_string()) return malformed("txs must be hex strings");
    auto raw = chain::hex_decode(tx.get<std::string>());
    if (!raw || raw->empty()) return malformed("a tx is not hex");
    bundle.txs.push_back(std::move(*raw));
  }
  if (!p.contains("blockNumber") || !p.at("blockNumber").is_string())
    return malformed("blockNumber must be a hex quantity");
  const auto block = chain::u256_from_hex(p.at("blockNumber").get<std::string>());
  if (!block || !chain::fits_u64(*block)) return malformed("blockNumber is not a quantity");
  bundle.block = chain::low_u64(*block);
  if (p.contains("revertingTxHashes")) {
    if (!p.at("revertingTxHashes").is_array()) return malformed("revertingTxHashes is a list");
    for (const auto& h : p.at("revertingTxHashes")) {
      if (!h.is_string()) return malformed("revertingTxHashes holds a non-hash");
      auto hash = chain::hex_decode_fixed<32>(h.get<std::string>());
      if (!hash) return malformed("revertingTxHashes holds a non-hash");
      bundle.reverting.push_back(*hash);
    }
  }
  chain::Bytes joined;
  for (const auto& raw : bundle.txs) chain::append(joined, chain::keccak256(raw));
  held_.push_back(std::move(bundle));
  ++counts_.accepted;
  json out = json::object();
  out["jsonrpc"] = "2.0";
  out["id"] = id;
  json result = json::object();
  result["bundleHash"] = chain::hex_encode(chain::keccak256(joined));
  out["result"] = std::move(result);
  return {200, out.dump()};
}

std::vector<chain::Bytes> TestBuilder::public_pool(chain::rpc::RpcClient& rpc) {
  const auto content = rpc.call("txpool_content", json::array());
  if (!content || !content->is_object()) throw std::runtime_error("test builder: no txpool");
  std::vector<chain::Bytes> out;
  for (const char* part : {"pending", "queued"}) {
    if (!content->contains(part) || !content->at(part).is_object()) continue;
    for (const auto& [from, by_nonce] : content->at(part).items())
      for (const auto& [nonce, tx] : by_nonce.items()) {
        const auto parsed = chain::rpc::pending_transaction_from_json(tx);
        if (!parsed) throw std::runtime_error("test builder: unreadable pool transaction");
        auto raw = chain::rpc::signed_bytes(*parsed);
        if (!raw) throw std::runtime_error("test builder: pool transaction not rebuildable");
        out.push_back(std::move(*raw));
      }
  }
  return out;
}

std::optional<std::size_t> TestBuilder::try_include(chain::rpc::RpcClient& rpc,
                                                    const std::vector<Held>& bundles,
                                                    std::uint64_t number, BuiltBlock& built) {
  const auto pool = public_pool(rpc);
  const auto snapshot = rpc.call("evm_snapshot", json::array());
  if (!snapshot || !snapshot->is_string()) throw std::runtime_error("test builder: no snapshot");
  // Back to the snapshot with the public mempool as it was: nothing of the bundles left waiting
  // to be mined later, every public transaction still waiting. Names the bundle that failed.
  const auto undo = [&](std::size_t failed) -> std::optional<std::size_t> {
    if (!rpc.call("evm_revert", json::array({*snapshot})) ||
        !rpc.call("anvil_dropAllTransactions", json::array()))
      throw std::runtime_error("test builder: cannot undo a bundle");
    for (const auto& raw : pool) (void)rpc.send_raw_transaction(raw);
    return failed;
  };
  std::vector<std::vector<chain::Hash>> hashes(bundles.size());
  for (std::size_t b = 0; b < bundles.size(); ++b)
    for (const auto& raw : bundles[b].txs) {
      hashes[b].push_back(chain::keccak256(raw));
      const auto sent = rpc.send_raw_transaction(raw);
      using Kind = chain::rpc::SendResult::Kind;
      // Already in the mempool (the update a backrun carries, or another bundle's copy of it):
      // it is in the block anyway.
      if (!sent || (sent->kind != Kind::accepted && sent->kind != Kind::already_known))
        return undo(b);
    }
  if (!rpc.call("evm_mine", json::array())) return undo(0);
  // Every bundle's transactions in the new block, in its order, none reverting unless allowed.
  for (std::size_t b = 0; b < bundles.size(); ++b) {
    std::optional<std::uint64_t> previous_index;
    for (const auto& hash : hashes[b]) {
      const auto receipt = rpc.receipt(hash);
      if (!receipt || !*receipt || (*receipt)->block_number != number) return undo(b);
      const auto& reverting = bundles[b].reverting;
      const bool may_revert =
          std::find(reverting.begin(), reverting.end(), hash) != reverting.end();
      if (!(*receipt)->success && !may_revert) return undo(b);
      const auto tx = rpc.call("eth_getTransactionByHash", json::array({chain::hex_encode(hash)}));
      if (!tx || !tx->is_object()) return undo(b);
      const auto index = chain::u256_from_hex(tx->value("transactionIndex", ""));
      if (!index) return undo(b);
      if (previous_index && chain::low_u64(*index) <= *previous_index) return undo(b);
      previous_index = chain::low_u64(*index);
    }
  }
  built.bundle_included = true;
  built.bundles_included = bundles.size();
  for (const auto& h : hashes)
    for (const auto& hash : h)
      if (std::find(built.included_txs.begin(), built.included_txs.end(), hash) ==
          built.included_txs.end())
        built.included_txs.push_back(hash);
  return std::nullopt;
}

BuiltBlock TestBuilder::build_block() {
  chain::rpc::RpcClient rpc{chain::rpc::RpcClientOptions::for_urls({anvil_url_})};
  const std::uint64_t head = rpc.block_number().value();
  BuiltBlock built;
  built.number = head + 1;
  std::vector<Held> candidates;
  {
    const std::lock_guard lock{mutex_};
    // Bundles for this block are tried now; those for earlier blocks have expired.
    for (auto& h : held_)
      if (h.block == built.number) candidates.push_back(h);
    std::erase_if(held_, [&](const Held& h) { return h.block <= built.number; });
  }
  if (!owns_mining_ && !rpc.call("evm_setAutomine", json::array({false})))
    throw std::runtime_error("test builder: cannot turn automine off");
  // As many of them as land together, in arrival order: the first that fails is dropped and the
  // rest tried again.
  while (!candidates.empty()) {
    const auto failed = try_include(rpc, candidates, built.number, built);
    if (!failed) break;
    candidates.erase(candidates.begin() + static_cast<std::ptrdiff_t>(*failed));
    ++built.dropped;
  }
  if (!built.bundle_included && !rpc.call("evm_mine", json::array()))
    throw std::runtime_error("test builder: evm_mine failed");
  if (!owns_mining_ && !rpc.call("evm_setAutomine", json::array({true})))
    throw std::runtime_error("test builder: cannot turn automine on");
  return built;
}

void TestBuilder::take_over_mining() {
  chain::rpc::RpcClient rpc{chain::rpc::RpcClientOptions::for_urls({anvil_url_})};
  if (!rpc.call("evm_setIntervalMining", json::array({0})) ||
      !rpc.call("evm_setAutomine", json::array({false})))
    throw std::runtime_error("test builder: cannot take over mining");
  owns_mining_ = true;
}

}  // namespace keeper::testing
