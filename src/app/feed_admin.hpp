// Feed administration on the admin listener (40-trading-engine.md §3.4): GET /admin/feed shows
// the simulated feed and the replay's progress (with the line a replay stopped at);
// POST /admin/feed/replay {"file","speed","loop"} starts a replay, replacing a running one.
#pragma once
#include <optional>

#include "feed/replay_feed.hpp"
#include "feed/sim_feed.hpp"
#include "http/server.hpp"

namespace polysim::app {

struct FeedControls {
  feed::SimFeed* sim = nullptr;  // null when feed = none
  feed::ReplayFeed* replay = nullptr;
  std::uint64_t sim_seed = 42;
};

// nullopt when the path is not a feed route.
Task<std::optional<http::Response>> handle_feed_admin(http::Request& request, http::BodyReader& body,
                                                      const FeedControls& feeds);

}  // namespace polysim::app
