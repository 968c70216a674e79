// The simulated feed (40-trading-engine.md §3.3): a thread that moves every `sim` market's books
// with the deterministic walk, one update per market per interval, and publishes them through
// the engine. The walk's state travels with each stored book, so a restart continues it.
#pragma once
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "engine/sim_walk.hpp"

namespace polysim::engine {
class Engine;
}
namespace polysim::store {
class EngineStore;
struct MarketRecord;
}

namespace polysim::feed {

struct SimFeedOptions {
  std::uint64_t seed = 42;
  engine::SimParams defaults;
};

// A market's `sim_params` JSON over the defaults; nullopt (with `why`) when unusable on its tick.
std::optional<engine::SimParams> sim_params_of(const store::MarketRecord& market, const engine::SimParams& defaults,
                                              std::string* why = nullptr);

class SimFeed {
 public:
  SimFeed(engine::Engine& engine, store::EngineStore& store, SimFeedOptions options);
  ~SimFeed();
  SimFeed(const SimFeed&) = delete;
  SimFeed& operator=(const SimFeed&) = delete;

  void start();  // non-blocking
  void stop();   // no update after it returns

  // One pass at `now_ms` (monotonic): publishes every due market. Returns how many markets moved.
  int tick(std::int64_t now_ms);

 private:
  struct Walk {
    engine::SimState state;
    engine::SimParams params;
    std::int64_t tick_size = 0;
    std::int64_t next_due_ms = 0;
  };
  void run();

  engine::Engine& engine_;
  store::EngineStore& store_;
  SimFeedOptions options_;
  std::map<std::string, std::string> stored_states_;  // YES token → encoded state, from start-up
  std::map<std::string, Walk> walks_;                 // by market id; feed thread only
  std::map<std::string, std::string> refused_;        // market id → why its params are unusable

  std::mutex mutex_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace polysim::feed
