// The partner API's domain logic: users, login links, governed accounts and their trades,
// in the error order 10-partner-api.md fixes. It knows nothing of HTTP; calls block on the
// store and run on the blocking pool.
#pragma once
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "core/clock.hpp"
#include "core/uuid.hpp"
#include "engine/engine.hpp"
#include "limit/fail_open_guard.hpp"
#include "partner/account_cache.hpp"
#include "core/cursor_codec.hpp"
#include "partner/partner_error.hpp"
#include "store/store.hpp"

namespace polysim::partner {

template <class T>
using Result = std::variant<T, PartnerError>;

struct CreateUserRequest {
  std::string external_id;
  std::string email;  // as sent; normalised by the service
  std::string metadata_json = "{}";
};

struct CreateAccountRequest {
  std::int64_t user_id = 0;
  std::string external_id;
  std::string stage;
  std::int64_t starting_balance = 0;  // micros
  std::string metadata_json = "{}";
  std::string rules_json = "{}";
};

struct ListAccountsRequest {
  std::optional<std::int64_t> user_id;
  std::optional<std::string> external_id;
  std::optional<std::string> stage;
  std::optional<std::string> status;
  int limit = 100;
  std::string cursor;
};

struct TradesRequest {
  std::optional<std::string> side;    // BUY | SELL
  std::optional<std::string> market;  // id or slug
  std::optional<std::int64_t> since;
  std::optional<std::int64_t> until;
  int limit = 100;
  std::string cursor;
};

template <class Row>
struct Page {
  std::vector<Row> rows;
  std::optional<std::string> next_cursor;
};

struct Created {
  bool created = false;
};

struct PlatformSettings {
  std::string trader_app_url;
};

class PartnerService {
 public:
  PartnerService(store::Store& store, const Clock& clock, limit::FailOpenGuard& limiter, CursorCodec cursors,
                 PlatformSettings settings, AccountCache& accounts);
  // With an engine, accounts are valued at current marks on their shard, and close and reset
  // run there (cancelling at most 100 open orders per call); without one they change the
  // stored row directly (no orders or positions can exist). Call before the engine starts:
  // its commits then drop the accounts they change from the cache.
  void set_engine(engine::Engine* engine);

  // Never blocks: the account if it is cached (entry null otherwise: call get_account
  // off-loop). refresh_due asks the caller to run get_account in the background.
  AccountCache::Lookup cached_account(const store::TenantRecord& tenant, const std::string& account_id) const;

  Result<std::pair<store::PartnerUserRecord, bool>> create_user(const store::TenantRecord& tenant,
                                                                const CreateUserRequest& request);
  Result<store::PartnerUserRecord> get_user(const store::TenantRecord& tenant, std::int64_t user_id);
  Result<Created> send_login_link(const store::TenantRecord& tenant, std::int64_t user_id,
                                  const std::optional<std::string>& redirect_url);

  Result<std::pair<engine::AccountView, bool>> create_account(const store::TenantRecord& tenant,
                                                              const CreateAccountRequest& request);
  Result<engine::AccountView> get_account(const store::TenantRecord& tenant, const std::string& account_id);
  Result<Page<engine::AccountView>> list_accounts(const store::TenantRecord& tenant, const ListAccountsRequest& request);
  Result<engine::AccountView> patch_account(const store::TenantRecord& tenant, const std::string& account_id,
                                            const store::AccountPatch& patch);
  Result<engine::AccountView> close_account(const store::TenantRecord& tenant, const std::string& account_id);
  Result<engine::AccountView> reset_account(const store::TenantRecord& tenant, const std::string& account_id);
  Result<Page<store::FillRecord>> list_trades(const store::TenantRecord& tenant, const std::string& account_id,
                                              const TradesRequest& request);

  std::int64_t now() const { return clock_.now_unix_micros(); }

 private:
  std::optional<store::AccountRecord> governed_account(const store::TenantRecord& tenant, const std::string& id);
  // The stored row valued now (on its shard when `on_shard`), cached when no mark moves it.
  Result<engine::AccountView> valued(const store::AccountRecord& row, bool on_shard);

  store::Store& store_;
  const Clock& clock_;
  limit::FailOpenGuard& limiter_;
  CursorCodec cursors_;
  PlatformSettings settings_;
  AccountCache& accounts_;
  UuidV7Generator ids_;
  Result<engine::AccountView> finish_lifecycle(const store::TenantRecord& tenant, const std::string& id,
                                                const engine::LifecycleOutcome& outcome);
  engine::Engine* engine_ = nullptr;
};

}  // namespace polysim::partner
