// The storage interface domain code uses. It speaks in records and outcomes, never SQL, so
// the SQLite implementation (embedded default) and a PostgreSQL one can serve it alike.
// Calls block: the HTTP layer runs them on its blocking pool, never on an event loop.
#pragma once
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "store/records.hpp"
#include "store/store_errors.hpp"

namespace polysim::store {


enum class CreateOutcome { Created, Existing };

struct PartnerUserCreate {
  std::string tenant_id;
  std::string external_id;
  std::string email;  // normalised
  std::string metadata_json;
  std::string new_user_uuid;  // used when a user must be created
  std::int64_t now = 0;
};

enum class PartnerUserOutcome { Created, Replayed, ExternalIdConflict, UserAlreadyMapped };

struct AccountListQuery {
  std::string tenant_id;
  // The partner API sees only the accounts it governs; a trader sees all of theirs.
  bool governed_only = true;
  std::optional<std::int64_t> user_id;
  std::optional<std::string> external_id;
  std::optional<std::string> stage;
  std::optional<std::string> status;
  // Keyset of the last row already returned: (created_at, id), descending order.
  std::optional<std::pair<std::int64_t, std::string>> after;
  int limit = 100;  // rows to read (callers ask for one more than they show)
};

struct AccountPatch {
  std::optional<std::string> stage;
  std::optional<std::string> metadata_json;
  std::optional<std::string> rules_json;
};

struct FillQuery {
  std::string account_id;
  std::optional<std::string> side;
  std::optional<std::string> market_id;
  std::optional<std::int64_t> since;  // inclusive, µs
  std::optional<std::int64_t> until;  // exclusive, µs
  struct Keyset {
    std::int64_t filled_at;
    std::string order_id;
    std::string trade_id;
  };
  std::optional<Keyset> after;
  int limit = 100;
};

enum class LifecycleOutcome { Done, AlreadyClosed, Closed, NotFound };

struct LoginLinkIssue {
  std::string tenant_id;
  std::int64_t user_id = 0;
  std::string token_hash;  // SHA-256 bytes
  std::string prefix;
  std::string landing_url;
  std::int64_t expires_at = 0;
  std::int64_t now = 0;
  OutboxMessage mail;
};

// Mail bodies carry live links (verification, reset, sign-in); the outbox keeps them sealed at
// rest so that a copy of the database holds no usable token.
class OutboxCipher {
 public:
  virtual ~OutboxCipher() = default;
  // `message_id` binds the sealed text to its row.
  virtual std::string seal(std::string_view plaintext, std::string_view message_id) const = 0;
  virtual std::optional<std::string> open(std::string_view sealed, std::string_view message_id) const = 0;
};

class Store {
 public:
  virtual ~Store() = default;

  virtual bool ping() = 0;

  // Tenants
  virtual void create_tenant(const TenantRecord& tenant) = 0;  // UniqueViolation on name
  virtual std::optional<TenantRecord> find_tenant(std::string_view id_or_name) = 0;
  virtual std::vector<TenantRecord> list_tenants() = 0;
  virtual void update_tenant(const TenantRecord& tenant) = 0;

  // Tenant API keys
  virtual void create_api_key(const ApiKeyRecord& key, std::string_view key_hash) = 0;
  virtual std::optional<ApiKeyRecord> find_api_key_by_hash(std::string_view key_hash) = 0;
  virtual std::optional<ApiKeyRecord> find_api_key(std::string_view id) = 0;
  virtual std::vector<ApiKeyRecord> list_api_keys(std::string_view tenant_id) = 0;
  virtual void update_api_key_state(const ApiKeyRecord& key) = 0;  // deactivated/revoked/expiry
  virtual void touch_api_key(std::string_view id, std::int64_t used_at) = 0;

  // Partner users: insert-or-compare in one transaction (10-partner-api.md §5).
  virtual std::pair<PartnerUserOutcome, PartnerUserRecord> create_partner_user(const PartnerUserCreate& request) = 0;
  virtual std::optional<PartnerUserRecord> find_partner_user(std::string_view tenant_id, std::int64_t user_id) = 0;

  // Accounts. create_account writes the account, its deposit ledger entry and the `created`
  // snapshot in one transaction; with an external_id taken in the tenant it returns the
  // existing account instead.
  virtual std::pair<CreateOutcome, AccountRecord> create_account(const AccountRecord& account) = 0;
  virtual std::optional<AccountRecord> find_account(std::string_view tenant_id, std::string_view account_id) = 0;
  virtual std::optional<AccountRecord> find_account_by_external_id(std::string_view tenant_id,
                                                                   std::string_view external_id) = 0;
  virtual std::vector<AccountRecord> list_accounts(const AccountListQuery& query) = 0;
  // Applies the patch; updated_at moves only when a value changed. nullopt: no such account.
  virtual std::optional<AccountRecord> patch_account(std::string_view tenant_id, std::string_view account_id,
                                                     const AccountPatch& patch, std::int64_t now) = 0;
  virtual std::pair<LifecycleOutcome, std::optional<AccountRecord>> close_account(std::string_view tenant_id,
                                                                                  std::string_view account_id,
                                                                                  std::int64_t now) = 0;
  virtual std::pair<LifecycleOutcome, std::optional<AccountRecord>> reset_account(std::string_view tenant_id,
                                                                                  std::string_view account_id,
                                                                                  std::int64_t now) = 0;

  // Markets and fills
  virtual std::optional<MarketRecord> find_market(std::string_view id_or_slug) = 0;
  virtual void insert_fills(const std::vector<FillRecord>& fills) = 0;
  virtual std::vector<FillRecord> list_fills(const FillQuery& query) = 0;

  // Login links: the token row and its outbox mail commit together; older unused links of
  // the user are retired in the same transaction.
  virtual void issue_login_link(const LoginLinkIssue& issue) = 0;

  // Email outbox. Without a cipher, bodies are stored as they are (CLI, tests); the server sets
  // one before it serves. The cipher must outlive the store.
  virtual void set_outbox_cipher(const OutboxCipher* cipher) = 0;
  virtual std::vector<OutboxMessage> due_outbox(std::int64_t now, int limit) = 0;
  virtual void mark_outbox_sent(std::string_view id, std::int64_t now) = 0;
  virtual void mark_outbox_retry(std::string_view id, std::int64_t next_attempt_at, std::string_view error,
                                 bool give_up) = 0;

  // Secrets generated once and shared by every instance (insert-if-absent).
  virtual std::string get_or_create_secret(std::string_view name, std::string_view candidate) = 0;

  virtual void append_audit(const AuditEntry& entry) = 0;
};

}  // namespace polysim::store
