// The verify store over SQLite: its own read-only connection, no writer thread and no migration,
// so `polysim engine verify` can run beside a live server and never changes the database.
#pragma once
#include <memory>
#include <string>

#include "store/verify_store.hpp"

namespace polysim::store::sqlite {

class SqliteConnection;

class SqliteVerifyStore final : public VerifyStore {
 public:
  // The database must exist; throws StoreUnavailable when it cannot be opened.
  explicit SqliteVerifyStore(const std::string& path);
  ~SqliteVerifyStore() override;

  std::vector<std::string> list_account_ids() override;
  std::optional<AccountAuditRows> load_account_rows(std::string_view account_id) override;

 private:
  std::unique_ptr<SqliteConnection> connection_;
};

}  // namespace polysim::store::sqlite
