// The engine_commands queue (40-trading-engine.md §2, §11): operator commands that only the
// process running the engine may execute. The CLI enqueues and polls a row; the engine's runner
// takes queued rows in id order and records how each ended.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/store_errors.hpp"

namespace polysim::store {

struct EngineCommandRecord {
  std::int64_t id = 0;
  std::string kind;     // create | book | close | open | resolve
  std::string target;   // market id or slug (the new market's slug for create)
  std::string payload;  // JSON, the body the admin endpoint of the same operation takes
  std::string status;   // queued | done | failed
  std::optional<std::string> result;  // JSON: what the admin endpoint answers, or {"error","message",…}
  std::int64_t created_at = 0;
  std::optional<std::int64_t> done_at;
};

class EngineCommandStore {
 public:
  virtual ~EngineCommandStore() = default;

  // Returns the new command's id; ids grow, so they are the execution order.
  virtual std::int64_t enqueue_engine_command(std::string_view kind, std::string_view target,
                                              std::string_view payload, std::int64_t now) = 0;
  // The oldest `limit` queued commands with an id above `after_id`, in id order.
  virtual std::vector<EngineCommandRecord> queued_engine_commands(std::int64_t after_id, int limit) = 0;
  // Records the outcome of a queued command; a command that already ended keeps its outcome.
  virtual void finish_engine_command(std::int64_t id, std::string_view status, std::string_view result,
                                     std::int64_t now) = 0;
  virtual std::optional<EngineCommandRecord> find_engine_command(std::int64_t id) = 0;
};

}  // namespace polysim::store
