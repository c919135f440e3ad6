#pragma once
// The daemon's block builders, from `[submission]`: the executor that sends bundles, signed by a
// searcher key of its own (read from the environment variable the config names, never printed).
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>
#include <tl/expected.hpp>

#include "config/keeper_config.hpp"
#include "keeper/engine/block_pipeline.hpp"
#include "keeper/executors/bundle_executor.hpp"
#include "keeper/ops/metrics.hpp"

namespace keeper {

[[nodiscard]] engine::Submission submission_mode(const config::SubmissionConfig& c);

// Null for mode "public". Refuses a missing or malformed searcher key, and one that is the
// wallet's: the searcher key only identifies keeper to builders and must hold no funds.
[[nodiscard]] tl::expected<std::unique_ptr<executors::BundleExecutor>, std::string>
start_bundle_executor(boost::asio::io_context& io, const config::SubmissionConfig& c,
                      const chain::Address& wallet, ops::Metrics& metrics);

}  // namespace keeper
