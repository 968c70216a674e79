// `polysim engine verify [--account A] [--json]` (40-trading-engine.md §11): recomputes every
// account's money from its ledger, fills and settlements over a read-only view of the database
// and prints each violated §12 property. Exit status: 0 nothing violated, 1 a violation (or the
// database failed), 2 invalid input (unknown account, no database, configuration error).
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "engine/ledger_audit.hpp"
#include "store/verify_store.hpp"

namespace polysim::cli {

struct VerifyReport {
  std::int64_t accounts_checked = 0;
  std::vector<engine::AuditViolation> violations;
};

// Every account, or just `account` (InvalidInput when there is no such account).
VerifyReport verify_accounts(store::VerifyStore& store, const std::optional<std::string>& account);

// Text: one line per violation, then a summary line. JSON:
// {"accounts_checked":N,"violations":[{"account_id","property","expected","found","detail"}]}.
void print_verify_report(std::ostream& out, const VerifyReport& report, bool json);

// The whole command: settings as `serve` would read them (flags by dotted name), the database
// opened read-only, the report printed; returns the exit status.
int run_engine_verify(const std::map<std::string, std::string>& flags, const std::optional<std::string>& account,
                      bool json, std::ostream& out, std::ostream& err,
                      const std::map<std::string, std::string>& environment);

}  // namespace polysim::cli
