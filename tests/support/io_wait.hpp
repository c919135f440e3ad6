#pragma once
// Runs an io_context until a condition holds or the time is up: every wait in tests is bounded.
#include <chrono>

#include <boost/asio/io_context.hpp>

namespace keeper::testing {

template <class Pred>
bool run_until(boost::asio::io_context& io, Pred done, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done() && std::chrono::steady_clock::now() < deadline) {
    io.restart();
    io.run_for(std::chrono::milliseconds{20});
  }
  return done();
}

}  // namespace keeper::testing
