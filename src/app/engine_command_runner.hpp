// Executes the engine_commands queue (40-trading-engine.md §2) in the process that runs the
// engine: once at start-up, after recovery and before the feeds start, then every poll interval.
// Each command runs through the same market operation as its admin endpoint, and its row records
// the admin answer: the rendered market (or books) when done, {"error","message","status"} when
// failed.
#pragma once
#include "core/periodic_worker.hpp"
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

#include "core/clock.hpp"
#include "engine/engine.hpp"
#include "ops/logging.hpp"
#include "store/engine_command_store.hpp"

namespace polysim::app {

class EngineCommandRunner {
 public:
  EngineCommandRunner(store::EngineCommandStore& commands, engine::Engine& engine, const Clock& clock,
                      const ops::Log& log, std::chrono::milliseconds poll_interval = std::chrono::milliseconds(200));
  ~EngineCommandRunner();
  EngineCommandRunner(const EngineCommandRunner&) = delete;
  EngineCommandRunner& operator=(const EngineCommandRunner&) = delete;

  // Runs every queued command in id order; returns how many ended. Stops early (the rest wait
  // for the next pass) when the store fails, so a broken database cannot spin it.
  int run_pending();
  void start();
  void stop();  // runs nothing more after it returns

 private:
  void execute(const store::EngineCommandRecord& command);

  store::EngineCommandStore& commands_;
  engine::Engine& engine_;
  const Clock& clock_;
  const ops::Log& log_;
  PeriodicWorker worker_;
};

}  // namespace polysim::app
