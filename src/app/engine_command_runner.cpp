#include "app/engine_command_runner.hpp"

#include "app/market_operations.hpp"
#include "core/json_input.hpp"
#include "core/json_writer.hpp"

namespace polysim::app {

namespace {

// Commands read per store query; a pass keeps reading until the queue is empty.
constexpr int kBatch = 50;

// The admin error envelope plus the status the admin listener would have answered, so the CLI
// can tell the operator's mistakes (4xx) from failures worth retrying (5xx).
std::string failure_json(const AdminFailure& failure) {
  std::string out;
  JsonWriter w(out);
  w.begin_object();
  w.key("error"); w.string(failure.error);
  w.key("message"); w.string(failure.message);
  w.key("status"); w.number(failure.status);
  w.end_object();
  return out;
}

}  // namespace

EngineCommandRunner::EngineCommandRunner(store::EngineCommandStore& commands, engine::Engine& engine,
                                         const Clock& clock, const ops::Log& log,
                                         std::chrono::milliseconds poll_interval)
    : commands_(commands), engine_(engine), clock_(clock), log_(log), worker_(poll_interval, [this] { run_pending(); }) {}

EngineCommandRunner::~EngineCommandRunner() { stop(); }

void EngineCommandRunner::execute(const store::EngineCommandRecord& command) {
  AdminResult result = AdminFailure{422, "INVALID_JSON", "The command's payload is not JSON."};
  auto payload = parse_json(command.payload);
  if (auto* body = std::get_if<JsonValue>(&payload)) {
    try {
      result = run_market_operation(engine_, command.kind, command.target, body);
    } catch (const std::exception& e) {
      result = AdminFailure{500, "INTERNAL", e.what()};
    }
  }
  const auto* failure = std::get_if<AdminFailure>(&result);
  const auto text = failure ? failure_json(*failure) : std::get<std::string>(result);
  commands_.finish_engine_command(command.id, failure ? "failed" : "done", text, clock_.now_unix_micros());
  const auto what = "engine command " + std::to_string(command.id) + " (" + command.kind + " " + command.target + ")";
  if (failure) log_.warn(what + " failed: " + failure->error + ": " + failure->message);
  else log_.info(what + " done");
}

int EngineCommandRunner::run_pending() {
  int ended = 0;
  // Reading past the last id taken ends the pass even if a row failed to leave 'queued'.
  std::int64_t last_id = 0;
  try {
    for (;;) {
      const auto batch = commands_.queued_engine_commands(last_id, kBatch);
      for (const auto& command : batch) {
        last_id = command.id;
        execute(command);
        ++ended;
      }
      if (static_cast<int>(batch.size()) < kBatch) break;
    }
  } catch (const std::exception& e) {
    log_.warn(std::string("engine commands: pass stopped: ") + e.what());
  }
  return ended;
}

void EngineCommandRunner::start() { worker_.start(); }

void EngineCommandRunner::stop() { worker_.stop(); }

}  // namespace polysim::app
