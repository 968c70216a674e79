// Storage of partner apps (30-partner-apps.md): the app rows with their testing-mode counters,
// the users who signed in through each app, email sign-in challenges, exchange codes and the
// trade-cap slots. Every rule that must hold under concurrency (caps, single use, Go Live) is
// one call, which an implementation runs as one transaction that first locks the app row.
// Calls block; run them off the event loops.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/identity_store.hpp"
#include "store/records.hpp"

namespace polysim::store {

inline constexpr int kTestingUserCap = 20;
inline constexpr int kTestingTradeCap = 100;

struct AppRecord {
  std::string id;  // app_ + 24 hex
  std::string tenant_id;
  std::string name;
  std::vector<std::string> redirect_origins;  // canonical origins
  bool partner_agreement_signed = false;
  std::int64_t created_at = 0;
  std::optional<std::int64_t> went_live_at;
  std::optional<std::string> went_live_by;  // staff email
  std::int64_t user_count = 0;
  std::int64_t trade_count = 0;
  std::int64_t trade_reserved = 0;
  std::int64_t updated_at = 0;
};

struct AppUserRow {
  std::int64_t user_id = 0;
  std::string user_uuid;
  std::string email;
  std::int64_t first_sign_in_at = 0;
  std::int64_t last_sign_in_at = 0;
};

enum class AppWriteOutcome { Done, NameTaken, NotFound };
enum class GoLiveOutcome { WentLive, AlreadyLive, NotFound };

// An email sign-in challenge (§4.3): a code, and a magic link when the app gave a redirect.
struct LoginChallengeRecord {
  std::int64_t id = 0;
  std::string app_id;
  std::string tenant_id;
  std::string email;
  std::string code_mac;                 // HMAC-SHA256(secret, id ‖ code), keyed by the row's nonce
  std::string nonce;                    // random; stands in for the id inside the MAC
  std::optional<std::string> link_hash;  // SHA-256 of the ml_ token
  std::optional<std::string> redirect_url;
  std::optional<std::string> state;
  int attempts = 0;
  std::int64_t expires_at = 0;
  std::optional<std::int64_t> used_at;
  std::int64_t created_at = 0;
};

// Who is signing in, and with which credential; everything decided in one transaction (§4.6).
struct SignInAttempt {
  std::string app_id;
  std::string email;                          // normalised
  std::optional<std::int64_t> challenge_id;   // consumed on success (code or link)
  std::optional<std::string> provider;        // OIDC provider name, with provider_subject
  std::optional<std::string> provider_subject;
  std::string new_user_uuid;                  // used when the user is created
  std::int64_t demo_starting_balance = 0;
  std::int64_t now = 0;
  // Redirect flows: store this exchange code (SHA-256) for the user, valid until the given time.
  std::optional<std::string> exchange_code_hash;
  std::string exchange_code_prefix;
  std::int64_t exchange_expires_at = 0;
};

struct SignInDecision {
  enum class Kind { Admitted, UserCapReached, UserDisabled, CredentialGone, AppGone } kind = Kind::CredentialGone;
  std::optional<UserRecord> user;
  bool new_to_app = false;
  bool user_created = false;
};

// An exchange code's redemption (§4.7): the user it was issued for, or the session its first
// use created (a second use revokes it).
struct ExchangeRedemption {
  enum class Kind { Redeemed, AlreadyUsed, Invalid } kind = Kind::Invalid;
  std::int64_t code_id = 0;
  std::int64_t user_id = 0;
  std::optional<std::string> first_session_id;
};

enum class TradeSlot { Reserved, Uncapped, CapReached, AppGone };

class AppStore {
 public:
  virtual ~AppStore() = default;

  // NameTaken when another app of the tenant has the name in any letter case.
  virtual AppWriteOutcome create_app(const AppRecord& app, const AuditEntry& audit) = 0;
  virtual std::optional<AppRecord> find_app(std::string_view app_id) = 0;
  virtual std::vector<AppRecord> list_apps(std::string_view tenant_id) = 0;
  virtual AppWriteOutcome update_app(std::string_view tenant_id, std::string_view app_id, std::string_view name,
                                     const std::vector<std::string>& origins, std::int64_t now,
                                     const AuditEntry& audit) = 0;
  // Sets the flag once, with its audit entry (details gain the counts at that instant).
  virtual GoLiveOutcome go_live(std::string_view tenant_id, std::string_view app_id, std::string_view staff_email,
                                std::int64_t now, AuditEntry audit) = 0;
  virtual std::vector<AppUserRow> latest_app_users(std::string_view app_id, int limit) = 0;
  // The apps each user of the tenant signed in through, by user id.
  virtual std::vector<std::pair<std::int64_t, std::string>> user_app_names(std::string_view tenant_id) = 0;

  // Retires the live challenge of (app, email) and stores the new one with its mail.
  virtual std::int64_t start_login_challenge(const LoginChallengeRecord& challenge, const OutboxMessage& mail) = 0;
  virtual std::optional<LoginChallengeRecord> find_live_challenge(std::string_view app_id, std::string_view email,
                                                                  std::int64_t now) = 0;
  virtual std::optional<LoginChallengeRecord> find_challenge_by_link(std::string_view link_hash, std::int64_t now) = 0;
  // A wrong code: one attempt used; the `max_attempts`-th retires the challenge.
  virtual void record_challenge_failure(std::int64_t challenge_id, int max_attempts, std::int64_t now) = 0;

  // §4.6 in one transaction: the credential is consumed and the user counted only when admitted.
  virtual SignInDecision complete_sign_in(const SignInAttempt& attempt) = 0;
  virtual ExchangeRedemption redeem_exchange_code(std::string_view app_id, std::string_view code_hash,
                                                  std::int64_t now) = 0;
  virtual void bind_exchange_session(std::int64_t code_id, std::string_view session_id) = 0;

  // §5.3: a slot for the order, or the cap's refusal; Uncapped for live apps (nothing stored).
  virtual TradeSlot reserve_trade_slot(std::string_view app_id, std::string_view slot_id, std::int64_t now) = 0;
  // The order was accepted (counted) or not (released). Idempotent per slot.
  virtual void settle_trade_slot(std::string_view slot_id, bool accepted) = 0;
  // Live apps count accepted orders for display, without slots.
  virtual void count_live_trade(std::string_view app_id) = 0;
  // After a crash: slots whose order exists are counted, the rest released. Returns how many.
  virtual int recover_trade_slots() = 0;
};

}  // namespace polysim::store
