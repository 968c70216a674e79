// The embedded default store: SQLite in WAL mode. Writes go to one writer thread that
// commits whatever has queued up in one transaction (group commit), each call in its own
// savepoint so one failing call does not undo its neighbours. Reads use a pool of
// connections on the calling thread.
#pragma once
#include <memory>
#include <string>

#include "store/app_store.hpp"
#include "store/device_store.hpp"
#include "store/engine_command_store.hpp"
#include "store/engine_store.hpp"
#include "store/identity_store.hpp"
#include "store/journal_store.hpp"
#include "store/oidc_flow_store.hpp"
#include "store/signal_store.hpp"
#include "store/staff_store.hpp"
#include "store/store.hpp"
#include "store/sync_store.hpp"

namespace polysim::store::sqlite {

struct SqliteOptions {
  std::string path;
  std::string synchronous = "normal";
  int max_batch = 512;
};

class SqliteStore final : public Store,
                          public IdentityStore,
                          public DeviceStore,
                          public EngineStore,
                          public EngineCommandStore,
                          public SignalStore,
                          public SyncStore,
                          public AppStore,
                          public StaffStore,
                          public JournalStore,
                          public OidcFlowStore {
 public:
  explicit SqliteStore(SqliteOptions options);
  ~SqliteStore() override;

  // Applies pending migrations; returns the versions applied.
  std::vector<int> migrate();

  bool ping() override;

  void create_tenant(const TenantRecord& tenant) override;
  std::optional<TenantRecord> find_tenant(std::string_view id_or_name) override;
  std::vector<TenantRecord> list_tenants() override;
  void update_tenant(const TenantRecord& tenant) override;

  void create_api_key(const ApiKeyRecord& key, std::string_view key_hash) override;
  std::optional<ApiKeyRecord> find_api_key_by_hash(std::string_view key_hash) override;
  std::optional<ApiKeyRecord> find_api_key(std::string_view id) override;
  std::vector<ApiKeyRecord> list_api_keys(std::string_view tenant_id) override;
  void update_api_key_state(const ApiKeyRecord& key) override;
  void touch_api_key(std::string_view id, std::int64_t used_at) override;

  std::pair<PartnerUserOutcome, PartnerUserRecord> create_partner_user(const PartnerUserCreate& request) override;
  std::optional<PartnerUserRecord> find_partner_user(std::string_view tenant_id, std::int64_t user_id) override;

  std::pair<CreateOutcome, AccountRecord> create_account(const AccountRecord& account) override;
  std::optional<AccountRecord> find_account(std::string_view tenant_id, std::string_view account_id) override;
  std::optional<AccountRecord> find_account_by_external_id(std::string_view tenant_id,
                                                           std::string_view external_id) override;
  std::vector<AccountRecord> list_accounts(const AccountListQuery& query) override;
  std::optional<AccountRecord> patch_account(std::string_view tenant_id, std::string_view account_id,
                                             const AccountPatch& patch, std::int64_t now) override;
  std::pair<LifecycleOutcome, std::optional<AccountRecord>> close_account(std::string_view tenant_id,
                                                                          std::string_view account_id,
                                                                          std::int64_t now) override;
  std::pair<LifecycleOutcome, std::optional<AccountRecord>> reset_account(std::string_view tenant_id,
                                                                          std::string_view account_id,
                                                                          std::int64_t now) override;

  void create_market(const MarketRecord& market) override;
  std::optional<MarketRecord> find_market(std::string_view id_or_slug) override;
  void insert_fills(const std::vector<FillRecord>& fills) override;
  std::vector<FillRecord> list_fills(const FillQuery& query) override;

  void issue_login_link(const LoginLinkIssue& issue) override;

  void set_outbox_cipher(const OutboxCipher* cipher) override;
  std::vector<OutboxMessage> due_outbox(std::int64_t now, int limit) override;
  void mark_outbox_sent(std::string_view id, std::int64_t now) override;
  void mark_outbox_retry(std::string_view id, std::int64_t next_attempt_at, std::string_view error,
                         bool give_up) override;

  std::string get_or_create_secret(std::string_view name, std::string_view candidate) override;
  void append_audit(const AuditEntry& entry) override;

  // Identity (sqlite_identity_store.cpp)
  std::optional<UserRecord> find_user_by_email(std::string_view tenant_id, std::string_view email) override;
  std::optional<UserRecord> find_user(std::int64_t user_id) override;
  void set_user_disabled(std::int64_t user_id, bool disabled, std::int64_t now) override;
  RegistrationOutcome register_user(const Registration& registration) override;
  bool issue_token(const TokenIssue& issue) override;
  std::optional<AuthTokenRecord> consume_token(std::string_view kind, std::string_view token_hash,
                                               std::int64_t now) override;
  std::optional<AuthTokenRecord> find_live_token(std::string_view kind, std::string_view token_hash,
                                                 std::int64_t now) override;
  void start_session(const SessionStart& start) override;
  RefreshResult rotate_refresh_token(const RefreshRotation& rotation) override;
  std::optional<SessionRecord> find_session(std::string_view session_id) override;
  std::optional<SessionRecord> find_session_by_refresh(std::string_view token_hash) override;
  bool revoke_session(std::string_view session_id, std::int64_t now, std::string_view reason) override;
  int revoke_user_sessions(std::int64_t user_id, std::optional<std::string_view> keep, std::int64_t now,
                           std::string_view reason) override;
  int change_password(const PasswordChange& change) override;
  void rehash_password(std::int64_t user_id, std::string_view password_hash) override;
  std::optional<FailureLane> find_failure_lane(std::string_view tenant_id, std::string_view email,
                                               std::string_view lane) override;
  FailureLane record_failure(std::string_view tenant_id, std::string_view email, std::string_view lane,
                             std::int64_t now) override;
  void clear_failures(std::string_view tenant_id, std::string_view email,
                      std::optional<std::string_view> lane) override;
  bool is_known_ip_group(std::int64_t user_id, std::string_view ip_group, std::int64_t since) override;
  void remember_ip_group(std::int64_t user_id, std::string_view ip_group, std::int64_t now) override;
  void enqueue_mail(const OutboxMessage& mail) override;
  MfaState mfa_state(std::int64_t user_id) override;
  void set_pending_totp(std::int64_t user_id, std::string_view sealed, std::int64_t expires_at) override;
  bool enable_mfa(const MfaEnable& enable) override;
  void disable_mfa(std::int64_t user_id, std::int64_t now, const std::optional<OutboxMessage>& mail) override;
  void replace_backup_codes(std::int64_t user_id, const std::vector<std::string>& hashes, std::int64_t now,
                            const std::optional<OutboxMessage>& mail) override;
  bool accept_totp_step(std::int64_t user_id, std::int64_t step) override;
  std::vector<BackupCodeRow> unused_backup_codes(std::int64_t user_id) override;
  bool use_backup_code(std::int64_t code_id, std::int64_t now, const std::optional<OutboxMessage>& mail) override;
  void create_mfa_challenge(const MfaChallengeRecord& challenge) override;
  std::optional<MfaChallengeRecord> find_mfa_challenge(std::string_view token_hash, std::int64_t now,
                                                       int max_attempts) override;
  void record_mfa_challenge_failure(std::int64_t challenge_id) override;
  bool consume_mfa_challenge(std::int64_t challenge_id, std::int64_t now) override;

  // Devices and personal API keys (sqlite_device_store.cpp)
  DeviceRecord upsert_device(const DeviceRecord& device, std::string_view token_hash,
                             const std::optional<OutboxMessage>& mail) override;
  std::optional<DeviceRecord> find_device_by_token(std::string_view token_hash) override;
  std::vector<DeviceRecord> list_devices(std::int64_t user_id, bool include_revoked) override;
  bool revoke_device(std::int64_t user_id, std::string_view device_id, std::int64_t now) override;
  int revoke_user_devices(std::int64_t user_id, std::int64_t now) override;
  void touch_device(std::string_view device_id, std::int64_t now, std::string_view ip_group) override;
  void create_device_authorization(const DeviceAuthorization& request) override;
  std::optional<DeviceAuthorization> find_device_authorization(std::string_view user_code, std::int64_t now) override;
  DecisionOutcome decide_device_authorization(std::string_view user_code, std::int64_t user_id, bool approve,
                                              std::int64_t now, const std::optional<OutboxMessage>& mail) override;
  DevicePoll poll_device_authorization(std::string_view device_code_hash, std::int64_t now, const DeviceRecord& device,
                                       std::string_view token_hash) override;
  int count_active_api_keys(std::int64_t user_id, std::int64_t now) override;
  void create_personal_api_key(const PersonalApiKey& key, std::string_view key_hash) override;
  std::optional<PersonalApiKey> find_personal_api_key(std::string_view key_hash) override;
  std::vector<PersonalApiKey> list_personal_api_keys(std::int64_t user_id) override;
  bool revoke_personal_api_key(std::int64_t user_id, std::string_view key_id, std::int64_t now) override;
  void touch_personal_api_key(std::string_view key_id, std::int64_t now) override;

  // Trading engine (sqlite_engine_store.cpp)
  void commit_async(std::shared_ptr<const WriteSet> writes, std::shared_ptr<std::atomic<bool>> chain,
                    std::function<void(std::exception_ptr)> done) override;
  void commit(const WriteSet& writes) override;
  std::optional<LoadedAccount> load_account(std::string_view account_id) override;
  std::optional<OrderRecord> find_order_by_client_id(std::string_view account_id,
                                                     std::string_view client_order_id) override;
  std::optional<OrderRecord> find_order(std::string_view order_id) override;
  std::vector<OrderRecord> list_orders(const OrderQuery& query) override;
  std::vector<PositionRecord> list_positions(const PositionQuery& query) override;
  std::vector<FillRecord> fills_of_order(std::string_view order_id) override;
  std::optional<SnapshotRecord> snapshot_at_or_before(std::string_view account_id, std::int64_t at) override;
  std::vector<SnapshotRecord> list_snapshots(std::string_view account_id, std::int64_t from, std::int64_t to) override;
  LedgerTotals ledger_totals(std::string_view account_id) override;
  std::vector<std::string> accounts_to_hold() override;
  std::int64_t roll_day_for_idle_accounts(std::int64_t day_began_at, std::int64_t now) override;
  std::vector<std::string> active_accounts_in_market(std::string_view market_id) override;
  std::vector<MarketRecord> list_markets() override;
  void save_market(const MarketRecord& market) override;
  void save_books(const std::vector<BookRecord>& books) override;
  std::vector<BookRecord> load_books() override;

  // Operator commands for the engine (sqlite_engine_command_store.cpp)
  std::int64_t enqueue_engine_command(std::string_view kind, std::string_view target, std::string_view payload,
                                      std::int64_t now) override;
  std::vector<EngineCommandRecord> queued_engine_commands(std::int64_t after_id, int limit) override;
  void finish_engine_command(std::int64_t id, std::string_view status, std::string_view result,
                             std::int64_t now) override;
  std::optional<EngineCommandRecord> find_engine_command(std::int64_t id) override;

  // Signals, signal targets and webhooks (sqlite_signal_store.cpp)
  bool create_signal(const SignalRecord& signal) override;
  std::optional<SignalRecord> find_signal(std::int64_t user_id, std::string_view signal_id) override;
  std::optional<SignalRecord> find_signal_by_key(std::int64_t user_id, std::string_view idempotency_key) override;
  std::vector<SignalRecord> list_signals(const SignalQuery& query) override;
  void record_signal_result(std::string_view signal_id, const SignalResultRecord& result, std::int64_t now) override;
  void finish_signal(std::string_view signal_id, std::string_view status, std::int64_t now) override;
  std::vector<std::string> signal_targets(std::int64_t user_id) override;
  void replace_signal_targets(std::int64_t user_id, const std::vector<std::string>& account_ids,
                              std::int64_t now) override;
  bool create_webhook(const WebhookRecord& webhook, std::string_view secret_hash, int max_per_user) override;
  std::optional<WebhookRecord> find_webhook_by_secret(std::string_view secret_hash) override;
  std::optional<WebhookRecord> find_webhook(std::string_view webhook_id) override;
  std::vector<WebhookRecord> list_webhooks(std::int64_t user_id) override;
  std::optional<WebhookRecord> rotate_webhook(std::int64_t user_id, std::string_view webhook_id,
                                              std::string_view secret_hash, std::string_view prefix,
                                              const std::optional<std::string>& sealed_secret,
                                              std::int64_t now) override;
  bool delete_webhook(std::int64_t user_id, std::string_view webhook_id, std::int64_t now) override;

  // SyncStore
  std::vector<SyncChangeRow> sync_changes_after(std::int64_t user_id, std::int64_t since, int limit) override;
  std::int64_t sync_version(std::int64_t user_id) override;
  std::int64_t sync_pruned_version(std::int64_t user_id) override;
  std::optional<std::int64_t> oldest_sync_change_at() override;
  int prune_sync_changes(std::int64_t before, int limit) override;

  // AppStore (sqlite_app_store.cpp)
  AppWriteOutcome create_app(const AppRecord& app, const AuditEntry& audit) override;
  std::optional<AppRecord> find_app(std::string_view app_id) override;
  std::vector<AppRecord> list_apps(std::string_view tenant_id) override;
  AppWriteOutcome update_app(std::string_view tenant_id, std::string_view app_id, std::string_view name,
                             const std::vector<std::string>& origins, std::int64_t now,
                             const AuditEntry& audit) override;
  GoLiveOutcome go_live(std::string_view tenant_id, std::string_view app_id, std::string_view staff_email,
                        std::int64_t now, AuditEntry audit) override;
  std::vector<AppUserRow> latest_app_users(std::string_view app_id, int limit) override;
  std::vector<std::pair<std::int64_t, std::string>> user_app_names(std::string_view tenant_id) override;
  std::int64_t start_login_challenge(const LoginChallengeRecord& challenge, const OutboxMessage& mail) override;
  std::optional<LoginChallengeRecord> find_live_challenge(std::string_view app_id, std::string_view email,
                                                          std::int64_t now) override;
  std::optional<LoginChallengeRecord> find_challenge_by_link(std::string_view link_hash, std::int64_t now) override;
  void record_challenge_failure(std::int64_t challenge_id, int max_attempts, std::int64_t now) override;
  SignInDecision complete_sign_in(const SignInAttempt& attempt) override;
  ExchangeRedemption redeem_exchange_code(std::string_view app_id, std::string_view code_hash,
                                          std::int64_t now) override;
  void bind_exchange_session(std::int64_t code_id, std::string_view session_id) override;
  TradeSlot reserve_trade_slot(std::string_view app_id, std::string_view slot_id, std::int64_t now) override;
  void settle_trade_slot(std::string_view slot_id, bool accepted) override;
  void count_live_trade(std::string_view app_id) override;
  int recover_trade_slots() override;
  std::optional<FillRecord> find_fill(std::string_view trade_id) override;
  std::optional<PositionRecord> find_position(std::string_view position_id) override;
  std::optional<SettlementRecord> find_settlement(std::string_view settlement_id) override;

  // JournalStore (sqlite_journal_store.cpp)
  std::optional<JournalRecord> write_journal_entry(std::int64_t user_id, std::string_view local_id,
                                                   const JournalDecision& decide) override;
  std::optional<JournalRecord> find_journal_entry(std::int64_t user_id, std::string_view id) override;
  std::vector<JournalRecord> recent_journal_entries(std::int64_t user_id, std::int64_t since, int limit) override;

  // StaffStore (sqlite_staff_store.cpp)
  StaffCreateOutcome create_staff(const StaffRecord& staff, const AuditEntry& audit) override;
  std::optional<StaffRecord> find_staff(std::string_view staff_id) override;
  std::optional<StaffRecord> find_staff_by_email(std::string_view email) override;
  void start_dashboard_session(const DashboardSessionRecord& session, const std::optional<std::string>& replaced,
                               const AuditEntry& audit) override;
  std::optional<DashboardSessionRecord> find_dashboard_session(std::string_view token_hash) override;
  void touch_dashboard_session(std::string_view token_hash, std::int64_t now) override;
  void set_dashboard_flash(std::string_view token_hash, const std::optional<std::string>& flash) override;
  void end_dashboard_session(std::string_view token_hash, std::int64_t now,
                             const std::optional<AuditEntry>& audit) override;
  std::optional<std::int64_t> staff_login_locked_until(std::string_view email, std::int64_t now) override;
  std::optional<std::int64_t> record_staff_login_failure(std::string_view email, std::int64_t now,
                                                         const StaffLockPolicy& policy,
                                                         const AuditEntry& audit) override;
  void clear_staff_login_failures(std::string_view email) override;
  std::vector<AuditRow> list_audit(const AuditQuery& query) override;
  std::vector<TenantUserRow> list_tenant_users(const TenantUserQuery& query) override;
  bool set_tenant_user_disabled(std::string_view tenant_id, std::int64_t user_id, bool disabled, std::int64_t now,
                                const AuditEntry& audit) override;

  // OidcFlowStore (sqlite_oidc_flow_store.cpp)
  void create_oidc_flow(const OidcFlowRecord& flow) override;
  std::optional<OidcFlowRecord> consume_oidc_flow(std::string_view state_hash, std::int64_t now) override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace polysim::store::sqlite
