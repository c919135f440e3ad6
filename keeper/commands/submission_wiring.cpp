#include "keeper/commands/submission_wiring.hpp"

#include <cstdlib>

namespace keeper {

engine::Submission submission_mode(const config::SubmissionConfig& c) {
  if (c.mode == "bundle") return engine::Submission::bundle;
  if (c.mode == "both") return engine::Submission::both;
  return engine::Submission::public_mempool;
}

namespace {

// The searcher key from the environment variable the config names: never printed, never the
// wallet's (it only identifies keeper to builders and auctions, and must hold no funds).
tl::expected<chain::PrivateKey, std::string> searcher_key(const config::SubmissionConfig& c,
                                                          const chain::Address& wallet) {
  const std::string env = c.searcher_key_env.value_or("");
  const char* text = env.empty() ? nullptr : std::getenv(env.c_str());
  if (text == nullptr || *text == '\0')
    return tl::unexpected("submission.searcher_key_env: $" + env +
                          " is not set (the key that signs bundles)");
  auto key = chain::PrivateKey::from_hex(text);
  if (!key) return tl::unexpected("submission.searcher_key_env: $" + env + " is not a private key");
  if (key->address() == wallet)
    return tl::unexpected("submission.searcher_key_env: $" + env +
                          " is the wallet's key; bundles are signed by a key that holds no funds");
  return std::move(*key);
}

}  // namespace

tl::expected<std::unique_ptr<executors::BundleExecutor>, std::string> start_bundle_executor(
    boost::asio::io_context& io, const config::SubmissionConfig& c, const chain::Address& wallet,
    ops::Metrics& metrics) {
  if (submission_mode(c) == engine::Submission::public_mempool)
    return std::unique_ptr<executors::BundleExecutor>{};
  auto key = searcher_key(c, wallet);
  if (!key) return tl::unexpected(key.error());
  executors::BundleExecutorOptions o;
  o.builder_urls = c.builders;
  o.request_timeout = std::chrono::milliseconds{c.builder_timeout_ms};
  o.max_blocks = c.bundle_blocks;
  o.tls_ca_file = c.tls_ca_file;
  return executors::BundleExecutor::create(io, std::move(*key), std::move(o), &metrics);
}

tl::expected<std::unique_ptr<ofa::MevShareSender>, std::string> start_auction_sender(
    boost::asio::io_context& io, const config::SubmissionConfig& c, const chain::Address& wallet,
    ops::Metrics& metrics) {
  if (c.mev_share_endpoints.empty()) return std::unique_ptr<ofa::MevShareSender>{};
  auto key = searcher_key(c, wallet);
  if (!key) return tl::unexpected(key.error());
  ofa::MevShareSenderOptions o;
  o.endpoint_urls = c.mev_share_endpoints;
  o.tls_ca_file = c.tls_ca_file;
  o.request_timeout = std::chrono::milliseconds{c.builder_timeout_ms};
  return ofa::MevShareSender::create(io, std::move(*key), std::move(o), &metrics);
}

tl::expected<std::unique_ptr<ofa::OfaCollector>, std::string> start_hint_streams(
    boost::asio::io_context& io, const config::SubmissionConfig& c, const ops::Log& log,
    ops::Metrics& metrics) {
  if (c.mev_share_streams.empty()) return std::unique_ptr<ofa::OfaCollector>{};
  ofa::OfaCollectorOptions o;
  o.stream_urls = c.mev_share_streams;
  return ofa::OfaCollector::create(io, std::move(o), {}, &log, &metrics);
}

}  // namespace keeper
