// The replay feed (40-trading-engine.md §3.4): a thread that reads a JSON-Lines file and applies
// each line through the engine at start + (ts_i − ts_0) / speed. A bad line or an update the
// engine refuses stops the replay at that line; earlier lines stay applied. One replay runs at
// a time; starting another stops the first.
#pragma once
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "engine/replay_script.hpp"

namespace polysim::engine {
class Engine;
}

namespace polysim::feed {

struct ReplayOptions {
  std::string file;
  engine::ReplaySpeed speed = engine::ReplaySpeed::max();
  std::string speed_text = "max";
  bool loop = false;
};

struct ReplayProgress {
  std::string state = "idle";  // idle | running | finished | stopped
  std::string file;
  std::string speed = "max";
  bool loop = false;
  std::int64_t lines_applied = 0;
  std::int64_t passes = 0;  // completed passes over the file (loop)
  std::optional<std::int64_t> stopped_at_line;
  std::optional<std::string> stop_reason;
};

class ReplayFeed {
 public:
  explicit ReplayFeed(engine::Engine& engine) : engine_(engine) {}
  ~ReplayFeed();
  ReplayFeed(const ReplayFeed&) = delete;
  ReplayFeed& operator=(const ReplayFeed&) = delete;

  // nullopt once started; otherwise why not (the file cannot be opened).
  std::optional<std::string> start(ReplayOptions options);
  void stop();  // no engine call after it returns
  ReplayProgress progress() const;

 private:
  void run(ReplayOptions options);
  // One pass over the file; false when the replay must end (stop asked or a line stopped it).
  bool play_once(const ReplayOptions& options);
  std::optional<std::string> apply(const engine::ReplayEvent& event);
  void finish(std::string state, std::optional<std::int64_t> line = std::nullopt,
              std::optional<std::string> reason = std::nullopt);

  engine::Engine& engine_;
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  bool stopping_ = false;
  ReplayProgress progress_;
  std::thread thread_;
};

}  // namespace polysim::feed
