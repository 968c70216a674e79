// SqliteStore's partner apps (store/app_store.hpp, migration 11). The cap decisions run on the
// single writer inside BEGIN IMMEDIATE, which holds the database's write lock: that is the app
// row lock of 30-partner-apps.md §5.3 for this store.
#include <boost/json.hpp>

#include "store/sqlite/sqlite_store_impl.hpp"

namespace polysim::store::sqlite {

namespace {

constexpr std::string_view kAppColumns =
    "id, tenant_id, name, redirect_origins, partner_agreement_signed, created_at, went_live_at, went_live_by, "
    "user_count, trade_count, trade_reserved, updated_at";

AppRecord read_app(const Statement& s) {
  AppRecord a;
  a.id = s.text(0);
  a.tenant_id = s.text(1);
  a.name = s.text(2);
  a.redirect_origins = from_json_array(s.text(3));
  a.partner_agreement_signed = s.int64(4) != 0;
  a.created_at = s.int64(5);
  a.went_live_at = s.opt_int64(6);
  a.went_live_by = s.opt_text(7);
  a.user_count = s.int64(8);
  a.trade_count = s.int64(9);
  a.trade_reserved = s.int64(10);
  a.updated_at = s.int64(11);
  return a;
}

std::optional<AppRecord> app_by_id(SqliteConnection& c, std::string_view id) {
  auto s = c.prepare(std::string("SELECT ") + std::string(kAppColumns) + " FROM apps WHERE id = ?1");
  s.bind(1, id);
  if (!s.step()) return std::nullopt;
  return read_app(s);
}

// Case-insensitive uniqueness of names: ASCII folding is what SQLite's lower() does too.
std::string name_key(std::string_view name) {
  std::string key(name);
  for (auto& ch : key)
    if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
  return key;
}

void insert_audit(SqliteConnection& c, const AuditEntry& e) {
  auto s = c.prepare(
      "INSERT INTO audit_log (tenant_id, actor_kind, actor_id, action, target, details, at) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  s.bind(1, e.tenant_id).bind(2, e.actor_kind).bind(3, e.actor_id).bind(4, e.action).bind(5, e.target);
  s.bind(6, e.details_json).bind(7, e.at);
  s.run();
}

constexpr std::string_view kChallengeColumns =
    "id, app_id, tenant_id, email, code_mac, nonce, link_hash, redirect_url, state, attempts, expires_at, used_at, "
    "created_at";

LoginChallengeRecord read_challenge(const Statement& s) {
  LoginChallengeRecord r;
  r.id = s.int64(0);
  r.app_id = s.text(1);
  r.tenant_id = s.text(2);
  r.email = s.text(3);
  r.code_mac = s.blob(4);
  r.nonce = s.text(5);
  if (!s.is_null(6)) r.link_hash = s.blob(6);
  r.redirect_url = s.opt_text(7);
  r.state = s.opt_text(8);
  r.attempts = static_cast<int>(s.int64(9));
  r.expires_at = s.int64(10);
  r.used_at = s.opt_int64(11);
  r.created_at = s.int64(12);
  return r;
}

// The user an app sign-in names: by provider identity first, then by email (§4.6 step 2).
std::optional<UserRecord> sign_in_user(SqliteConnection& c, const std::string& tenant_id, const SignInAttempt& a) {
  if (a.provider && a.provider_subject) {
    auto s = c.prepare("SELECT user_id FROM user_identities WHERE tenant_id = ?1 AND provider = ?2 AND subject = ?3");
    s.bind(1, tenant_id).bind(2, *a.provider).bind(3, *a.provider_subject);
    if (s.step()) {
      const auto id = s.int64(0);
      if (auto user = user_by_id(c, id)) return user;
    }
  }
  return user_by_email(c, tenant_id, a.email);
}

SignInDecision decision(SignInDecision::Kind kind, std::optional<UserRecord> user = std::nullopt) {
  SignInDecision d;
  d.kind = kind;
  d.user = std::move(user);
  return d;
}

}  // namespace

AppWriteOutcome SqliteStore::create_app(const AppRecord& app, const AuditEntry& audit) {
  try {
    impl_->write([&](SqliteConnection& c) {
      auto s = c.prepare(
          "INSERT INTO apps (id, tenant_id, name, name_key, redirect_origins, created_at, updated_at) "
          "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)");
      s.bind(1, app.id).bind(2, app.tenant_id).bind(3, app.name).bind(4, name_key(app.name));
      s.bind(5, to_json_array(app.redirect_origins)).bind(6, app.created_at);
      s.run();
      insert_audit(c, audit);
    });
  } catch (const UniqueViolation&) {
    return AppWriteOutcome::NameTaken;
  }
  return AppWriteOutcome::Done;
}

std::optional<AppRecord> SqliteStore::find_app(std::string_view app_id) {
  return impl_->read([&](SqliteConnection& c) { return app_by_id(c, app_id); });
}

std::vector<AppRecord> SqliteStore::list_apps(std::string_view tenant_id) {
  return impl_->read([&](SqliteConnection& c) {
    std::vector<AppRecord> out;
    auto s = c.prepare(std::string("SELECT ") + std::string(kAppColumns) +
                       " FROM apps WHERE tenant_id = ?1 ORDER BY created_at DESC, id DESC");
    s.bind(1, tenant_id);
    while (s.step()) out.push_back(read_app(s));
    return out;
  });
}

AppWriteOutcome SqliteStore::update_app(std::string_view tenant_id, std::string_view app_id, std::string_view name,
                                        const std::vector<std::string>& origins, std::int64_t now,
                                        const AuditEntry& audit) {
  try {
    return impl_->write([&](SqliteConnection& c) {
      auto s = c.prepare(
          "UPDATE apps SET name = ?3, name_key = ?4, redirect_origins = ?5, updated_at = ?6 "
          "WHERE id = ?1 AND tenant_id = ?2");
      s.bind(1, app_id).bind(2, tenant_id).bind(3, name).bind(4, name_key(name)).bind(5, to_json_array(origins));
      s.bind(6, now);
      s.run();
      if (c.changes() == 0) return AppWriteOutcome::NotFound;
      insert_audit(c, audit);
      return AppWriteOutcome::Done;
    });
  } catch (const UniqueViolation&) {
    return AppWriteOutcome::NameTaken;
  }
}

GoLiveOutcome SqliteStore::go_live(std::string_view tenant_id, std::string_view app_id, std::string_view staff_email,
                                   std::int64_t now, AuditEntry audit) {
  return impl_->write([&](SqliteConnection& c) {
    auto app = app_by_id(c, app_id);
    if (!app || app->tenant_id != tenant_id) return GoLiveOutcome::NotFound;
    auto s = c.prepare(
        "UPDATE apps SET partner_agreement_signed = 1, went_live_at = ?3, went_live_by = ?4, updated_at = ?3 "
        "WHERE id = ?1 AND tenant_id = ?2 AND partner_agreement_signed = 0");
    s.bind(1, app_id).bind(2, tenant_id).bind(3, now).bind(4, staff_email);
    s.run();
    if (c.changes() == 0) return GoLiveOutcome::AlreadyLive;
    boost::system::error_code ec;
    auto details = boost::json::parse(audit.details_json, ec);
    if (ec || !details.is_object()) details = boost::json::object{};
    auto& d = details.as_object();
    d["appId"] = app->id;
    d["userCount"] = app->user_count;
    d["tradeCount"] = app->trade_count;
    audit.details_json = boost::json::serialize(details);
    insert_audit(c, audit);
    return GoLiveOutcome::WentLive;
  });
}

std::vector<AppUserRow> SqliteStore::latest_app_users(std::string_view app_id, int limit) {
  return impl_->read([&](SqliteConnection& c) {
    std::vector<AppUserRow> out;
    auto s = c.prepare(
        "SELECT u.id, u.uuid, u.email, au.first_sign_in_at, au.last_sign_in_at FROM app_users au "
        "JOIN users u ON u.id = au.user_id WHERE au.app_id = ?1 ORDER BY au.first_sign_in_at DESC, u.id DESC "
        "LIMIT ?2");
    s.bind(1, app_id).bind(2, limit);
    while (s.step()) {
      AppUserRow r;
      r.user_id = s.int64(0);
      r.user_uuid = s.text(1);
      r.email = s.text(2);
      r.first_sign_in_at = s.int64(3);
      r.last_sign_in_at = s.int64(4);
      out.push_back(std::move(r));
    }
    return out;
  });
}

std::vector<std::pair<std::int64_t, std::string>> SqliteStore::user_app_names(std::string_view tenant_id) {
  return impl_->read([&](SqliteConnection& c) {
    std::vector<std::pair<std::int64_t, std::string>> out;
    auto s = c.prepare(
        "SELECT au.user_id, a.name FROM app_users au JOIN apps a ON a.id = au.app_id WHERE a.tenant_id = ?1 "
        "ORDER BY au.user_id, a.name");
    s.bind(1, tenant_id);
    while (s.step()) out.emplace_back(s.int64(0), s.text(1));
    return out;
  });
}

std::int64_t SqliteStore::start_login_challenge(const LoginChallengeRecord& r, const OutboxMessage& mail) {
  return impl_->write([&](SqliteConnection& c) {
    auto retire = c.prepare(
        "UPDATE app_login_challenges SET used_at = ?3 WHERE app_id = ?1 AND email = ?2 AND used_at IS NULL");
    retire.bind(1, r.app_id).bind(2, r.email).bind(3, r.created_at);
    retire.run();
    auto s = c.prepare(
        "INSERT INTO app_login_challenges (app_id, tenant_id, email, code_mac, nonce, link_hash, redirect_url, "
        "state, expires_at, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
    s.bind(1, r.app_id).bind(2, r.tenant_id).bind(3, r.email).bind_blob(4, r.code_mac).bind(5, r.nonce);
    if (r.link_hash) s.bind_blob(6, *r.link_hash);
    else s.bind_null(6);
    s.bind(7, r.redirect_url).bind(8, r.state).bind(9, r.expires_at).bind(10, r.created_at);
    s.run();
    const auto id = c.last_insert_rowid();
    insert_outbox_row(c, mail, impl_->outbox_cipher.load());
    return id;
  });
}

std::optional<LoginChallengeRecord> SqliteStore::find_live_challenge(std::string_view app_id, std::string_view email,
                                                                     std::int64_t now) {
  return impl_->read([&](SqliteConnection& c) -> std::optional<LoginChallengeRecord> {
    auto s = c.prepare(std::string("SELECT ") + std::string(kChallengeColumns) +
                       " FROM app_login_challenges WHERE app_id = ?1 AND email = ?2 AND used_at IS NULL AND "
                       "expires_at > ?3 ORDER BY id DESC LIMIT 1");
    s.bind(1, app_id).bind(2, email).bind(3, now);
    if (!s.step()) return std::nullopt;
    return read_challenge(s);
  });
}

std::optional<LoginChallengeRecord> SqliteStore::find_challenge_by_link(std::string_view link_hash, std::int64_t now) {
  return impl_->read([&](SqliteConnection& c) -> std::optional<LoginChallengeRecord> {
    auto s = c.prepare(std::string("SELECT ") + std::string(kChallengeColumns) +
                       " FROM app_login_challenges WHERE link_hash = ?1 AND used_at IS NULL AND expires_at > ?2");
    s.bind_blob(1, link_hash).bind(2, now);
    if (!s.step()) return std::nullopt;
    return read_challenge(s);
  });
}

void SqliteStore::record_challenge_failure(std::int64_t challenge_id, int max_attempts, std::int64_t now) {
  impl_->write([&](SqliteConnection& c) {
    auto s = c.prepare(
        "UPDATE app_login_challenges SET attempts = attempts + 1, "
        "used_at = CASE WHEN attempts + 1 >= ?2 THEN ?3 ELSE used_at END WHERE id = ?1 AND used_at IS NULL");
    s.bind(1, challenge_id).bind(2, max_attempts).bind(3, now);
    s.run();
  });
}

SignInDecision SqliteStore::complete_sign_in(const SignInAttempt& a) {
  return impl_->write([&](SqliteConnection& c) -> SignInDecision {
    using Kind = SignInDecision::Kind;
    SignInDecision out;
    auto app = app_by_id(c, a.app_id);
    if (!app) return decision(Kind::AppGone);
    if (a.challenge_id) {
      auto live = c.prepare(
          "SELECT 1 FROM app_login_challenges WHERE id = ?1 AND app_id = ?2 AND used_at IS NULL AND expires_at > ?3");
      live.bind(1, *a.challenge_id).bind(2, a.app_id).bind(3, a.now);
      if (!live.step()) return decision(Kind::CredentialGone);
    }
    auto user = sign_in_user(c, app->tenant_id, a);
    if (user && user->disabled) return decision(Kind::UserDisabled, user);
    bool known = false;
    if (user) {
      auto member = c.prepare("SELECT 1 FROM app_users WHERE app_id = ?1 AND user_id = ?2");
      member.bind(1, a.app_id).bind(2, user->id);
      known = member.step();
    }
    // Nothing is written before this refusal, so the credential still works after Go Live.
    if (!known && !app->partner_agreement_signed && app->user_count >= kTestingUserCap)
      return decision(Kind::UserCapReached, user);

    if (!user) {
      auto ins = c.prepare(
          "INSERT INTO users (uuid, tenant_id, email, email_verified_at, created_via, created_via_app, created_at, "
          "updated_at) VALUES (?1, ?2, ?3, ?4, 'app', ?5, ?4, ?4)");
      ins.bind(1, a.new_user_uuid).bind(2, app->tenant_id).bind(3, a.email).bind(4, a.now).bind(5, a.app_id);
      ins.run();
      user = user_by_id(c, c.last_insert_rowid());
      out.user_created = true;
    } else if (!user->email_verified_at) {
      // The code, link or provider just proved the address.
      auto v = c.prepare("UPDATE users SET email_verified_at = ?2, updated_at = ?2 WHERE id = ?1");
      v.bind(1, user->id).bind(2, a.now);
      v.run();
      user->email_verified_at = a.now;
    }
    if (a.provider && a.provider_subject) {
      auto link = c.prepare(
          "INSERT INTO user_identities (provider, subject, user_id, tenant_id, created_at) VALUES (?1, ?2, ?3, ?4, ?5) "
          "ON CONFLICT (tenant_id, provider, subject) DO NOTHING");
      link.bind(1, *a.provider).bind(2, *a.provider_subject).bind(3, user->id).bind(4, app->tenant_id).bind(5, a.now);
      link.run();
    }
    if (known) {
      auto touch = c.prepare("UPDATE app_users SET last_sign_in_at = ?3 WHERE app_id = ?1 AND user_id = ?2");
      touch.bind(1, a.app_id).bind(2, user->id).bind(3, a.now);
      touch.run();
    } else {
      auto member = c.prepare(
          "INSERT INTO app_users (app_id, user_id, first_sign_in_at, last_sign_in_at) VALUES (?1, ?2, ?3, ?3)");
      member.bind(1, a.app_id).bind(2, user->id).bind(3, a.now);
      member.run();
      auto count = c.prepare("UPDATE apps SET user_count = user_count + 1 WHERE id = ?1");
      count.bind(1, a.app_id);
      count.run();
      out.new_to_app = true;
    }
    if (a.challenge_id) {
      auto used = c.prepare("UPDATE app_login_challenges SET used_at = ?2 WHERE id = ?1");
      used.bind(1, *a.challenge_id).bind(2, a.now);
      used.run();
    }
    if (a.exchange_code_hash) {
      auto code = c.prepare(
          "INSERT INTO app_exchange_codes (code_hash, prefix, app_id, user_id, expires_at, created_at) "
          "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
      code.bind_blob(1, *a.exchange_code_hash).bind(2, a.exchange_code_prefix).bind(3, a.app_id).bind(4, user->id);
      code.bind(5, a.exchange_expires_at).bind(6, a.now);
      code.run();
    }
    out.kind = Kind::Admitted;
    out.user = std::move(user);
    return out;
  });
}

ExchangeRedemption SqliteStore::redeem_exchange_code(std::string_view app_id, std::string_view code_hash,
                                                     std::int64_t now) {
  return impl_->write([&](SqliteConnection& c) -> ExchangeRedemption {
    using Kind = ExchangeRedemption::Kind;
    auto s = c.prepare(
        "SELECT id, app_id, user_id, expires_at, used_at, session_id FROM app_exchange_codes WHERE code_hash = ?1");
    s.bind_blob(1, code_hash);
    if (!s.step()) return {};
    ExchangeRedemption out;
    out.code_id = s.int64(0);
    const auto code_app = s.text(1);
    out.user_id = s.int64(2);
    const auto expires_at = s.int64(3);
    const auto used_at = s.opt_int64(4);
    out.first_session_id = s.opt_text(5);
    if (code_app != app_id) return {};
    if (used_at) {
      out.kind = Kind::AlreadyUsed;
      if (out.first_session_id) revoke_session_row(c, *out.first_session_id, now, "exchange_code_replayed");
      return out;
    }
    if (expires_at <= now) return {};
    auto use = c.prepare("UPDATE app_exchange_codes SET used_at = ?2 WHERE id = ?1 AND used_at IS NULL");
    use.bind(1, out.code_id).bind(2, now);
    use.run();
    out.kind = Kind::Redeemed;
    return out;
  });
}

void SqliteStore::bind_exchange_session(std::int64_t code_id, std::string_view session_id) {
  impl_->write([&](SqliteConnection& c) {
    auto s = c.prepare("UPDATE app_exchange_codes SET session_id = ?2 WHERE id = ?1");
    s.bind(1, code_id).bind(2, session_id);
    s.run();
  });
}

TradeSlot SqliteStore::reserve_trade_slot(std::string_view app_id, std::string_view slot_id, std::int64_t now) {
  return impl_->write([&](SqliteConnection& c) {
    auto app = app_by_id(c, app_id);
    if (!app) return TradeSlot::AppGone;
    if (app->partner_agreement_signed) return TradeSlot::Uncapped;
    if (app->trade_count + app->trade_reserved >= kTestingTradeCap) return TradeSlot::CapReached;
    auto slot = c.prepare("INSERT INTO app_trade_slots (id, app_id, created_at) VALUES (?1, ?2, ?3)");
    slot.bind(1, slot_id).bind(2, app_id).bind(3, now);
    slot.run();
    auto count = c.prepare("UPDATE apps SET trade_reserved = trade_reserved + 1 WHERE id = ?1");
    count.bind(1, app_id);
    count.run();
    return TradeSlot::Reserved;
  });
}

namespace {

void settle_slot(SqliteConnection& c, std::string_view slot_id, bool accepted) {
  auto find = c.prepare("SELECT app_id FROM app_trade_slots WHERE id = ?1");
  find.bind(1, slot_id);
  if (!find.step()) return;
  const auto app_id = find.text(0);
  auto del = c.prepare("DELETE FROM app_trade_slots WHERE id = ?1");
  del.bind(1, slot_id);
  del.run();
  auto upd = c.prepare(
      "UPDATE apps SET trade_reserved = trade_reserved - 1, trade_count = trade_count + ?2 WHERE id = ?1");
  upd.bind(1, app_id).bind(2, accepted ? 1 : 0);
  upd.run();
}

}  // namespace

void SqliteStore::settle_trade_slot(std::string_view slot_id, bool accepted) {
  impl_->write([&](SqliteConnection& c) { settle_slot(c, slot_id, accepted); });
}

void SqliteStore::count_live_trade(std::string_view app_id) {
  impl_->write([&](SqliteConnection& c) {
    auto s = c.prepare("UPDATE apps SET trade_count = trade_count + 1 WHERE id = ?1");
    s.bind(1, app_id);
    s.run();
  });
}

int SqliteStore::recover_trade_slots() {
  return impl_->write([&](SqliteConnection& c) {
    std::vector<std::pair<std::string, bool>> slots;
    auto s = c.prepare(
        "SELECT s.id, o.status FROM app_trade_slots s LEFT JOIN orders o ON o.order_id = s.id");
    while (s.step()) slots.emplace_back(s.text(0), !s.is_null(1) && s.text(1) != "REJECTED");
    for (const auto& [id, accepted] : slots) settle_slot(c, id, accepted);
    return static_cast<int>(slots.size());
  });
}

}  // namespace polysim::store::sqlite
