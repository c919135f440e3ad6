#include "tests/support/test_mev_share_relay.hpp"

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "chain/hex.hpp"
#include "chain/keccak.hpp"
#include "chain/uint256.hpp"
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

std::optional<std::uint64_t> quantity(const json& v) {
  if (!v.is_string()) return std::nullopt;
  const auto q = chain::u256_from_hex(v.get<std::string>());
  if (!q || !chain::fits_u64(*q)) return std::nullopt;
  return chain::low_u64(*q);
}

}  // namespace

struct TestMevShareRelay::Session : std::enable_shared_from_this<Session> {
  Session(TestMevShareRelay& server, asio::ip::tcp::socket socket)
      : owner{server}, stream{std::move(socket)} {}

  void read() {
    request = decltype(request){};
    http::async_read(stream, buffer, request,
                     [self = shared_from_this()](const beast::error_code& ec, std::size_t) {
                       if (ec) return;
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

  TestMevShareRelay& owner;
  beast::tcp_stream stream;
  beast::flat_buffer buffer;
  http::request<http::string_body> request;
  http::response<http::string_body> response;
};

TestMevShareRelay::TestMevShareRelay() : acceptor_{io_} {
  const asio::ip::tcp::endpoint endpoint{asio::ip::make_address("127.0.0.1"), 0};
  acceptor_.open(endpoint.protocol());
  acceptor_.set_option(asio::socket_base::reuse_address(true));
  acceptor_.bind(endpoint);
  acceptor_.listen();
  port_ = acceptor_.local_endpoint().port();
  accept();
  thread_ = std::thread([this] { io_.run(); });
}

TestMevShareRelay::~TestMevShareRelay() {
  io_.stop();
  if (thread_.joinable()) thread_.join();
}

void TestMevShareRelay::accept() {
  acceptor_.async_accept([this](const beast::error_code& ec, asio::ip::tcp::socket socket) {
    if (ec) return;
    std::make_shared<Session>(*this, std::move(socket))->read();
    accept();
  });
}

TestMevShareRelayCounts TestMevShareRelay::counts() const {
  const std::lock_guard lock{mutex_};
  return counts_;
}

std::vector<RecordedMevShareBundle> TestMevShareRelay::bundles() const {
  const std::lock_guard lock{mutex_};
  return bundles_;
}

bool TestMevShareRelay::wait_for_requests(std::size_t count,
                                          std::chrono::milliseconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (counts().requests >= count) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds{5});
  }
  return counts().requests >= count;
}

std::pair<unsigned, std::string> TestMevShareRelay::handle(const std::string& signature_header,
                                                           const std::string& body) {
  const std::lock_guard lock{mutex_};
  ++counts_.requests;
  const json request = json::parse(body, nullptr, /*allow_exceptions=*/false);
  const json id = request.is_object() && request.contains("id") ? request.at("id") : json(nullptr);
  if (signature_header.empty()) {
    ++counts_.refused_signature;
    return {403, rpc_error(id, -32600, "missing X-Flashbots-Signature")};
  }
  const auto signer = keeper::executors::verify_flashbots_signature(signature_header, body);
  if (!signer) {
    ++counts_.refused_signature;
    return {403, rpc_error(id, -32600, std::string{keeper::executors::describe(signer.error())})};
  }
  const auto malformed = [&](const std::string& why) {
    ++counts_.refused_malformed;
    return std::pair<unsigned, std::string>{400, rpc_error(id, -32602, why)};
  };
  if (!request.is_object() || request.value("method", "") != "mev_sendBundle")
    return malformed("not mev_sendBundle");
  if (!request.contains("params") || !request.at("params").is_array() ||
      request.at("params").size() != 1 || !request.at("params")[0].is_object())
    return malformed("params must hold one bundle");
  const json& p = request.at("params")[0];
  RecordedMevShareBundle bundle;
  bundle.signer = *signer;
  bundle.params = p;
  if (p.value("version", "") != "v0.1") return malformed("version must be v0.1");
  if (!p.contains("inclusion") || !p.at("inclusion").is_object())
    return malformed("inclusion missing");
  const json& inclusion = p.at("inclusion");
  const auto block = inclusion.contains("block") ? quantity(inclusion.at("block")) : std::nullopt;
  if (!block) return malformed("inclusion.block must be a hex quantity");
  bundle.block = *block;
  if (inclusion.contains("maxBlock")) {
    bundle.max_block = quantity(inclusion.at("maxBlock"));
    if (!bundle.max_block || *bundle.max_block < *block)
      return malformed("inclusion.maxBlock must be a hex quantity not below block");
  }
  if (!p.contains("body") || !p.at("body").is_array()) return malformed("body must be a list");
  std::size_t backruns = 0;
  for (const auto& item : p.at("body")) {
    if (!item.is_object()) return malformed("a body entry is not an object");
    if (item.contains("hash")) {
      if (backruns > 0) return malformed("a hash after the backrun: MEV-Share only backruns");
      if (!item.at("hash").is_string()) return malformed("hash must be a string");
      const auto h = chain::hex_decode_fixed<32>(item.at("hash").get<std::string>());
      if (!h) return malformed("hash must be 32 bytes of hex");
      bundle.hashes.push_back(*h);
    } else if (item.contains("tx")) {
      if (!item.at("tx").is_string()) return malformed("tx must be a string");
      auto raw = chain::hex_decode(item.at("tx").get<std::string>());
      if (!raw || raw->empty()) return malformed("tx must be hex");
      if (!item.contains("canRevert") || !item.at("canRevert").is_boolean())
        return malformed("canRevert must be a boolean");
      bundle.backrun = std::move(*raw);
      bundle.can_revert = item.at("canRevert").get<bool>();
      ++backruns;
    } else {
      return malformed("a body entry is neither {hash} nor {tx}");
    }
  }
  if (bundle.hashes.empty()) return malformed("nothing to backrun");
  if (backruns != 1) return malformed("a bundle holds exactly one backrun transaction");
  bundles_.push_back(std::move(bundle));
  ++counts_.accepted;
  json out = json::object();
  out["jsonrpc"] = "2.0";
  out["id"] = id;
  json result = json::object();
  result["bundleHash"] = chain::hex_encode(chain::keccak256(chain::as_bytes(body)));
  out["result"] = std::move(result);
  return {200, out.dump()};
}

}  // namespace keeper::testing
