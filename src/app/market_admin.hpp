// Market administration on the admin listener (40-trading-engine.md §2, §3.5): create, show,
// book push, close, open, resolve. Errors use the admin envelope {"error","message"}.
#pragma once
#include <optional>

#include "engine/engine.hpp"
#include "http/blocking_pool.hpp"
#include "http/server.hpp"

namespace polysim::app {

// nullopt when the path is not a market route.
Task<std::optional<http::Response>> handle_market_admin(http::Request& request, http::BodyReader& body,
                                                        engine::Engine& engine, http::BlockingPool& pool);

}  // namespace polysim::app
