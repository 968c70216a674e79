// SqliteStore's devices and personal API keys (store/device_store.hpp).
#include "store/sqlite/sqlite_store_impl.hpp"

namespace polysim::store::sqlite {

namespace {

constexpr std::string_view kDeviceColumns =
    "id, tenant_id, user_id, kind, name, platform, app_version, installation_id, prefix, scopes, created_at, "
    "expires_at, last_seen_at, last_seen_ip_group, revoked_at";

DeviceRecord read_device(const Statement& s) {
  DeviceRecord d;
  d.id = s.text(0);
  d.tenant_id = s.text(1);
  d.user_id = s.int64(2);
  d.kind = s.text(3);
  d.name = s.text(4);
  d.platform = s.text(5);
  d.app_version = s.text(6);
  d.installation_id = s.opt_text(7);
  d.prefix = s.text(8);
  d.scopes = split_amr(s.text(9));
  d.created_at = s.int64(10);
  d.expires_at = s.int64(11);
  d.last_seen_at = s.opt_int64(12);
  d.last_seen_ip_group = s.opt_text(13);
  d.revoked_at = s.opt_int64(14);
  return d;
}

// Inserts the device, or gives an existing install of the same user a new token.
DeviceRecord store_device(SqliteConnection& c, DeviceRecord d, std::string_view token_hash) {
  if (d.installation_id) {
    auto q = c.prepare("SELECT id, created_at FROM devices WHERE user_id = ?1 AND installation_id = ?2 AND revoked_at IS NULL");
    q.bind(1, d.user_id).bind(2, *d.installation_id);
    if (q.step()) {
      d.id = q.text(0);
      d.created_at = q.int64(1);
      auto u = c.prepare(
          "UPDATE devices SET token_hash = ?2, prefix = ?3, name = ?4, platform = ?5, app_version = ?6, scopes = ?7, "
          "expires_at = ?8, kind = ?9 WHERE id = ?1");
      u.bind(1, d.id).bind_blob(2, token_hash).bind(3, d.prefix).bind(4, d.name).bind(5, d.platform);
      u.bind(6, d.app_version).bind(7, join_amr(d.scopes)).bind(8, d.expires_at).bind(9, d.kind);
      u.run();
      return d;
    }
  }
  auto s = c.prepare(
      "INSERT INTO devices (id, tenant_id, user_id, kind, name, platform, app_version, installation_id, token_hash, "
      "prefix, scopes, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)");
  s.bind(1, d.id).bind(2, d.tenant_id).bind(3, d.user_id).bind(4, d.kind).bind(5, d.name).bind(6, d.platform);
  s.bind(7, d.app_version).bind(8, d.installation_id).bind_blob(9, token_hash).bind(10, d.prefix);
  s.bind(11, join_amr(d.scopes)).bind(12, d.created_at).bind(13, d.expires_at);
  s.run();
  return d;
}

constexpr std::string_view kAuthorizationColumns =
    "id, device_code_hash, user_code, name, platform, app_version, installation_id, scopes, requested_ip_group, "
    "interval_s, expires_at, decision, decided_by, last_polled_at, device_id, created_at";

DeviceAuthorization read_authorization(const Statement& s) {
  DeviceAuthorization a;
  a.id = s.int64(0);
  a.device_code_hash = s.blob(1);
  a.user_code = s.text(2);
  a.name = s.text(3);
  a.platform = s.text(4);
  a.app_version = s.text(5);
  a.installation_id = s.opt_text(6);
  a.scopes = split_amr(s.text(7));
  a.requested_ip_group = s.text(8);
  a.interval_s = s.int64(9);
  a.expires_at = s.int64(10);
  a.decision = s.opt_text(11);
  a.decided_by = s.opt_int64(12);
  a.last_polled_at = s.opt_int64(13);
  a.device_id = s.opt_text(14);
  a.created_at = s.int64(15);
  return a;
}

constexpr std::string_view kApiKeyColumns =
    "id, tenant_id, user_id, name, prefix, scopes, created_at, expires_at, last_used_at, revoked_at";

PersonalApiKey read_api_key(const Statement& s) {
  PersonalApiKey k;
  k.id = s.text(0);
  k.tenant_id = s.text(1);
  k.user_id = s.int64(2);
  k.name = s.text(3);
  k.prefix = s.text(4);
  k.scopes = split_amr(s.text(5));
  k.created_at = s.int64(6);
  k.expires_at = s.int64(7);
  k.last_used_at = s.opt_int64(8);
  k.revoked_at = s.opt_int64(9);
  return k;
}

}  // namespace

DeviceRecord SqliteStore::upsert_device(const DeviceRecord& device, std::string_view token_hash,
                                        const std::optional<OutboxMessage>& mail) {
  return impl_->write([&](SqliteConnection& c) {
    auto stored = store_device(c, device, token_hash);
    if (mail) insert_outbox_row(c, *mail, impl_->outbox_cipher.load());
    return stored;
  });
}

std::optional<DeviceRecord> SqliteStore::find_device_by_token(std::string_view token_hash) {
  return impl_->read([&](SqliteConnection& c) -> std::optional<DeviceRecord> {
    auto s = c.prepare(std::string("SELECT ") + std::string(kDeviceColumns) + " FROM devices WHERE token_hash = ?1");
    s.bind_blob(1, token_hash);
    if (!s.step()) return std::nullopt;
    return read_device(s);
  });
}

std::vector<DeviceRecord> SqliteStore::list_devices(std::int64_t user_id, bool include_revoked) {
  return impl_->read([&](SqliteConnection& c) {
    auto s = c.prepare(std::string("SELECT ") + std::string(kDeviceColumns) +
                       " FROM devices WHERE user_id = ?1 AND (?2 OR revoked_at IS NULL) ORDER BY created_at DESC, id DESC");
    s.bind(1, user_id).bind(2, include_revoked);
    std::vector<DeviceRecord> out;
    while (s.step()) out.push_back(read_device(s));
    return out;
  });
}

bool SqliteStore::revoke_device(std::int64_t user_id, std::string_view device_id, std::int64_t now) {
  return impl_->write([&](SqliteConnection& c) {
    auto s = c.prepare("UPDATE devices SET revoked_at = ?3 WHERE id = ?2 AND user_id = ?1 AND revoked_at IS NULL");
    s.bind(1, user_id).bind(2, device_id).bind(3, now);
    s.run();
    return c.changes() > 0;
  });
}

int SqliteStore::revoke_user_devices(std::int64_t user_id, std::int64_t now) {
  return impl_->write([&](SqliteConnection& c) {
    auto s = c.prepare("UPDATE devices SET revoked_at = ?2 WHERE user_id = ?1 AND revoked_at IS NULL");
    s.bind(1, user_id).bind(2, now);
    s.run();
    return c.changes();
  });
}

void SqliteStore::touch_device(std::string_view device_id, std::int64_t now, std::string_view ip_group) {
  impl_->write([&](SqliteConnection& c) {
    auto s = c.prepare("UPDATE devices SET last_seen_at = ?2, last_seen_ip_group = ?3 WHERE id = ?1");
    s.bind(1, device_id).bind(2, now).bind(3, ip_group);
    s.run();
  });
}

void SqliteStore::create_device_authorization(const DeviceAuthorization& a) {
  impl_->write([&](SqliteConnection& c) {
    auto s = c.prepare(
        "INSERT INTO device_authorizations (device_code_hash, user_code, name, platform, app_version, installation_id, "
        "scopes, requested_ip_group, interval_s, expires_at, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
        "?10, ?11)");
    s.bind_blob(1, a.device_code_hash).bind(2, a.user_code).bind(3, a.name).bind(4, a.platform);
    s.bind(5, a.app_version).bind(6, a.installation_id).bind(7, join_amr(a.scopes)).bind(8, a.requested_ip_group);
    s.bind(9, a.interval_s).bind(10, a.expires_at).bind(11, a.created_at);
    s.run();
  });
}

std::optional<DeviceAuthorization> SqliteStore::find_device_authorization(std::string_view user_code,
                                                                          std::int64_t now) {
  return impl_->read([&](SqliteConnection& c) -> std::optional<DeviceAuthorization> {
    auto s = c.prepare(std::string("SELECT ") + std::string(kAuthorizationColumns) +
                       " FROM device_authorizations WHERE user_code = ?1 AND expires_at > ?2 ORDER BY id DESC LIMIT 1");
    s.bind(1, user_code).bind(2, now);
    if (!s.step()) return std::nullopt;
    return read_authorization(s);
  });
}

DecisionOutcome SqliteStore::decide_device_authorization(std::string_view user_code, std::int64_t user_id,
                                                         bool approve, std::int64_t now,
                                                         const std::optional<OutboxMessage>& mail) {
  return impl_->write([&](SqliteConnection& c) {
    auto q = c.prepare(
        "SELECT id, decision FROM device_authorizations WHERE user_code = ?1 AND expires_at > ?2 ORDER BY id DESC LIMIT 1");
    q.bind(1, user_code).bind(2, now);
    if (!q.step()) return DecisionOutcome::NotFound;
    if (!q.is_null(1)) return DecisionOutcome::AlreadyDecided;
    const auto id = q.int64(0);
    auto u = c.prepare(
        "UPDATE device_authorizations SET decision = ?2, decided_by = ?3, decided_at = ?4 WHERE id = ?1 AND decision IS NULL");
    u.bind(1, id).bind(2, approve ? "approved" : "denied").bind(3, user_id).bind(4, now);
    u.run();
    if (c.changes() == 0) return DecisionOutcome::AlreadyDecided;
    if (approve && mail) insert_outbox_row(c, *mail, impl_->outbox_cipher.load());
    return DecisionOutcome::Decided;
  });
}

DevicePoll SqliteStore::poll_device_authorization(std::string_view device_code_hash, std::int64_t now,
                                                  const DeviceRecord& device, std::string_view token_hash) {
  return impl_->write([&](SqliteConnection& c) {
    DevicePoll out;
    auto q = c.prepare(std::string("SELECT ") + std::string(kAuthorizationColumns) +
                       " FROM device_authorizations WHERE device_code_hash = ?1");
    q.bind_blob(1, device_code_hash);
    if (!q.step()) return out;
    auto a = read_authorization(q);
    if (a.expires_at <= now || a.device_id) return out;  // expired, or its token was already handed out
    out.authorization = a;
    // RFC 8628 §3.5: polling faster than the interval slows the client down for good.
    if (!a.decision && a.last_polled_at && now - *a.last_polled_at < a.interval_s * 1'000'000) {
      auto slow = c.prepare("UPDATE device_authorizations SET interval_s = interval_s + 5, last_polled_at = ?2 WHERE id = ?1");
      slow.bind(1, a.id).bind(2, now);
      slow.run();
      out.kind = DevicePoll::Kind::SlowDown;
      return out;
    }
    auto polled = c.prepare("UPDATE device_authorizations SET last_polled_at = ?2 WHERE id = ?1");
    polled.bind(1, a.id).bind(2, now);
    polled.run();
    if (!a.decision) {
      out.kind = DevicePoll::Kind::Pending;
      return out;
    }
    if (*a.decision == "denied") {
      out.kind = DevicePoll::Kind::Denied;
      return out;
    }
    auto owner = c.prepare("SELECT tenant_id FROM users WHERE id = ?1");
    owner.bind(1, *a.decided_by);
    if (!owner.step()) return DevicePoll{};
    DeviceRecord d = device;
    d.user_id = *a.decided_by;
    d.tenant_id = owner.text(0);
    d.name = a.name;
    d.platform = a.platform;
    d.app_version = a.app_version;
    d.installation_id = a.installation_id;
    d.scopes = a.scopes;
    d = store_device(c, d, token_hash);
    auto done = c.prepare("UPDATE device_authorizations SET device_id = ?2 WHERE id = ?1");
    done.bind(1, a.id).bind(2, d.id);
    done.run();
    out.kind = DevicePoll::Kind::Approved;
    out.authorization->device_id = d.id;
    out.authorization->decided_by = d.user_id;
    return out;
  });
}

int SqliteStore::count_active_api_keys(std::int64_t user_id, std::int64_t now) {
  return impl_->read([&](SqliteConnection& c) {
    auto s = c.prepare("SELECT COUNT(*) FROM user_api_keys WHERE user_id = ?1 AND revoked_at IS NULL AND expires_at > ?2");
    s.bind(1, user_id).bind(2, now);
    s.step();
    return static_cast<int>(s.int64(0));
  });
}

void SqliteStore::create_personal_api_key(const PersonalApiKey& k, std::string_view key_hash) {
  impl_->write([&](SqliteConnection& c) {
    auto s = c.prepare(
        "INSERT INTO user_api_keys (id, tenant_id, user_id, name, key_hash, prefix, scopes, created_at, expires_at) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
    s.bind(1, k.id).bind(2, k.tenant_id).bind(3, k.user_id).bind(4, k.name).bind_blob(5, key_hash).bind(6, k.prefix);
    s.bind(7, join_amr(k.scopes)).bind(8, k.created_at).bind(9, k.expires_at);
    s.run();
  });
}

std::optional<PersonalApiKey> SqliteStore::find_personal_api_key(std::string_view key_hash) {
  return impl_->read([&](SqliteConnection& c) -> std::optional<PersonalApiKey> {
    auto s = c.prepare(std::string("SELECT ") + std::string(kApiKeyColumns) + " FROM user_api_keys WHERE key_hash = ?1");
    s.bind_blob(1, key_hash);
    if (!s.step()) return std::nullopt;
    return read_api_key(s);
  });
}

std::vector<PersonalApiKey> SqliteStore::list_personal_api_keys(std::int64_t user_id) {
  return impl_->read([&](SqliteConnection& c) {
    auto s = c.prepare(std::string("SELECT ") + std::string(kApiKeyColumns) +
                       " FROM user_api_keys WHERE user_id = ?1 ORDER BY created_at DESC, id DESC");
    s.bind(1, user_id);
    std::vector<PersonalApiKey> out;
    while (s.step()) out.push_back(read_api_key(s));
    return out;
  });
}

bool SqliteStore::revoke_personal_api_key(std::int64_t user_id, std::string_view key_id, std::int64_t now) {
  return impl_->write([&](SqliteConnection& c) {
    auto q = c.prepare("SELECT revoked_at FROM user_api_keys WHERE id = ?1 AND user_id = ?2");
    q.bind(1, key_id).bind(2, user_id);
    if (!q.step()) return false;
    auto s = c.prepare("UPDATE user_api_keys SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL");
    s.bind(1, key_id).bind(2, now);
    s.run();
    return true;
  });
}

void SqliteStore::touch_personal_api_key(std::string_view key_id, std::int64_t now) {
  impl_->write([&](SqliteConnection& c) {
    auto s = c.prepare("UPDATE user_api_keys SET last_used_at = ?2 WHERE id = ?1");
    s.bind(1, key_id).bind(2, now);
    s.run();
  });
}

}  // namespace polysim::store::sqlite
