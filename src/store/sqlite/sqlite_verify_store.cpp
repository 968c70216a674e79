#include "store/sqlite/sqlite_verify_store.hpp"

#include "store/sqlite/sqlite_engine_rows.hpp"
#include "store/sqlite/sqlite_store_impl.hpp"

namespace polysim::store::sqlite {

namespace {

LedgerEntryRecord read_ledger_entry(const Statement& s) {
  LedgerEntryRecord e;
  e.account_id = s.text(0);
  e.seq = s.int64(1);
  e.epoch = s.int64(2);
  e.type = s.text(3);
  e.amount = s.int64(4);
  e.balance_after = s.int64(5);
  e.trade_id = s.opt_text(6);
  e.settlement_id = s.opt_text(7);
  e.created_at = s.int64(8);
  return e;
}


template <class Row, class Read>
std::vector<Row> read_all(SqliteConnection& c, const std::string& sql, std::string_view account_id, Read read) {
  auto s = c.prepare(sql);
  s.bind(1, account_id);
  std::vector<Row> out;
  while (s.step()) out.push_back(read(s));
  return out;
}

}  // namespace

SqliteVerifyStore::SqliteVerifyStore(const std::string& path) {
  try {
    connection_ = std::make_unique<SqliteConnection>(path, "normal", true);
  } catch (const SqliteError&) {
    rethrow_as_store_error();
  }
}

SqliteVerifyStore::~SqliteVerifyStore() = default;

std::vector<std::string> SqliteVerifyStore::list_account_ids() {
  try {
    auto s = connection_->prepare("SELECT id FROM accounts ORDER BY created_at, id");
    std::vector<std::string> out;
    while (s.step()) out.push_back(s.text(0));
    return out;
  } catch (const SqliteError&) {
    rethrow_as_store_error();
  }
}

std::optional<AccountAuditRows> SqliteVerifyStore::load_account_rows(std::string_view account_id) {
  auto& c = *connection_;
  try {
    // One read transaction: a server committing meanwhile cannot split a fill from its ledger entries.
    ReadTransaction transaction(c);
    AccountAuditRows rows;
    {
      auto s = c.prepare("SELECT " + std::string(kAccountColumns) + " FROM accounts WHERE id = ?1");
      s.bind(1, account_id);
      if (!s.step()) return std::nullopt;
      rows.account = read_account(s);
    }
    rows.ledger = read_all<LedgerEntryRecord>(
        c,
        "SELECT account_id, seq, epoch, type, amount, balance_after, trade_id, settlement_id, created_at "
        "FROM ledger_entries WHERE account_id = ?1 ORDER BY seq",
        account_id, read_ledger_entry);
    rows.orders = read_all<OrderRecord>(
        c, "SELECT " + std::string(kOrderColumns) + " FROM orders WHERE account_id = ?1 ORDER BY created_at, order_id",
        account_id, read_order);
    // rowid is insertion order, which is commit order: fills are append-only.
    rows.fills = read_all<FillRecord>(c,
                                      "SELECT " + std::string(kFillColumns) +
                                          " FROM fills f LEFT JOIN markets m ON m.id = f.market_id "
                                          "WHERE f.account_id = ?1 ORDER BY f.rowid",
                                      account_id, read_fill);
    rows.positions = read_all<PositionRecord>(
        c,
        "SELECT " + std::string(kPositionColumns) + " FROM positions WHERE account_id = ?1 ORDER BY opened_at, position_id",
        account_id, read_position);
    rows.settlements = read_all<SettlementRecord>(
        c,
        "SELECT " + std::string(kSettlementColumns) +
            " FROM settlements WHERE account_id = ?1 ORDER BY settled_at, settlement_id",
        account_id, read_settlement);
    return rows;
  } catch (const SqliteError&) {
    rethrow_as_store_error();
  }
}

}  // namespace polysim::store::sqlite
