// What `polysim engine verify` reads (40-trading-engine.md §11, §12): every row that makes up one
// account's money, loaded together so the rows agree with each other even while a server writes.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/engine_records.hpp"
#include "store/records.hpp"

namespace polysim::store {

struct AccountAuditRows {
  AccountRecord account;
  std::vector<LedgerEntryRecord> ledger;          // by seq
  std::vector<OrderRecord> orders;                // every status
  std::vector<FillRecord> fills;                  // in commit order: replaying positions needs it
  std::vector<PositionRecord> positions;          // every status
  std::vector<SettlementRecord> settlements;
};

class VerifyStore {
 public:
  virtual ~VerifyStore() = default;
  virtual std::vector<std::string> list_account_ids() = 0;
  // nullopt when no such account.
  virtual std::optional<AccountAuditRows> load_account_rows(std::string_view account_id) = 0;
};

}  // namespace polysim::store
