// `polysim engine verify` without the database (40-trading-engine.md §11, §12): recomputes an
// account's money from its ledger, fills and settlements and names every stored figure that
// disagrees. Pure: the rows in, the violations out, so tests can feed it the engine's own write sets.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "store/verify_store.hpp"

namespace polysim::engine {

// One broken property. expected is what the rows it is recomputed from say, found is what is
// stored; both are integer micros (money, shares) or counts, as the property says.
struct AuditViolation {
  std::string account_id;
  std::string property;  // e.g. "conservation.ledger"; listed in ledger_audit.cpp
  std::int64_t expected = 0;
  std::int64_t found = 0;
  std::string detail;  // which row, in words
};

std::vector<AuditViolation> audit_account(const store::AccountAuditRows& rows);

}  // namespace polysim::engine
