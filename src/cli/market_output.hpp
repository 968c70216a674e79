// How `polysim market …` answers: with --json the admin listener's JSON exactly (a market, a
// book push's books, {"data":[…]} for a list, {"command_id","status":"queued"} while queued);
// otherwise readable text derived from that same JSON, so both views always agree.
#pragma once
#include <ostream>
#include <vector>

#include "store/engine_command_store.hpp"
#include "store/engine_records.hpp"

namespace polysim::cli {

class MarketOutput {
 public:
  MarketOutput(std::ostream& out, bool json) : out_(out), json_(json) {}

  // A done or still queued command (failed ones are errors, not output).
  void command(const store::EngineCommandRecord& command);
  void market(const store::MarketRecord& market);
  void markets(const std::vector<store::MarketRecord>& markets);

 private:
  std::ostream& out_;
  bool json_;
};

}  // namespace polysim::cli
